"""The outward faces: the `sic` command line and the HTTP service."""
