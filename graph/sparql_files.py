"""The graph layer's own bookkeeping queries, kept as `.rq` files beside this module."""

from __future__ import annotations

from pathlib import Path

from sic.rq import RqQuery, registry

_FOLDER = Path(__file__).resolve().parent / "sparql"


def internal(name: str) -> RqQuery:
    """One of graph/sparql/*.rq by name."""
    return registry(_FOLDER)[name]
