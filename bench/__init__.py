"""Benchmarks and the synthetic-data generator for scale runs."""
