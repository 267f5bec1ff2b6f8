"""Core of the SIC Knowledge Graph: vocabulary, identifiers, errors and bundled resources.

Everything else (loaders, graph, queries, api) builds on this package; it imports none of them.
"""
