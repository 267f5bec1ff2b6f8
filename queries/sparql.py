"""Running the `.rq` files of this folder by name, with terms bound by the store.

Analyses in Python call `select` with the terms they need; the catalogue calls it with the
parameters a caller gave. Either way the SPARQL text is the file's, unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from graph.base import GraphStore
from graph.results import SelectResult, Term
from queries.answer import Row, rows_of
from sic.errors import QueryError
from sic.rq import Registry, RqQuery, registry

FOLDER = Path(__file__).resolve().parent


def rq_registry() -> Registry:
    """Every `.rq` file of queries/, parsed once per process."""
    return registry(FOLDER)


def rq(name: str) -> RqQuery:
    """One query of queries/ by name.

    :raises NotFound: if there is no such file.
    """
    return rq_registry()[name]


def run_select(store: GraphStore, query: RqQuery, terms: Mapping[str, Term]) -> SelectResult:
    """Evaluate a SELECT query with its parameters bound as terms.

    :raises QueryError: if the file is not a SELECT query or the store refuses it.
    """
    result = store.query(query.text, substitutions=dict(terms))
    if not isinstance(result, SelectResult):
        raise QueryError(f"{query.name}.rq must be a SELECT query")
    return result


def select(store: GraphStore, name: str, **terms: Term) -> list[Row]:
    """Rows of plain values from a building-block query (keys for data IRIs)."""
    query = rq(name)
    return rows_of(run_select(store, query, terms), store.base, query.columns)
