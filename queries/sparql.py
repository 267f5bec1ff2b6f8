"""Running the `.rq` files of this folder by name, with terms bound by the store.

Analyses in Python call `select` with the terms they need; the catalogue calls it with the
parameters a caller gave. Either way the SPARQL text is the file's, unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from graph.base import GraphStore
from graph.results import GraphResult, SelectResult, Term
from queries.answer import Row, rows_of
from sic.errors import QueryError
from sic.rq import Registry, RqQuery, registry

FOLDER = Path(__file__).resolve().parent
R = TypeVar("R", SelectResult, GraphResult)


def rq_registry() -> Registry:
    """Every `.rq` file of queries/, parsed once per process."""
    return registry(FOLDER)


def rq(name: str) -> RqQuery:
    """One query of queries/ by name.

    :raises NotFound: if there is no such file.
    """
    return rq_registry()[name]


def run(
    store: GraphStore,
    query: RqQuery,
    terms: Mapping[str, Term],
    expect: type[R],
    *,
    limit: int | None = None,
    sources_named: bool = False,
) -> R:
    """Evaluate one `.rq` file with its parameters bound as terms, and check its form.

    Every registry of named SPARQL (the catalogue, the page and description blocks) runs its
    files through here, so the binding and the check are written once.

    :raises QueryError: if the file is not of the `expect`ed form or the store refuses it.
    """
    result = store.query(
        query.text, substitutions=dict(terms), limit=limit, sources_named=sources_named
    )
    if not isinstance(result, expect):
        form = "SELECT" if expect is SelectResult else "CONSTRUCT"
        raise QueryError(f"{query.name}.rq must be a {form} query")
    return result


def run_select(store: GraphStore, query: RqQuery, terms: Mapping[str, Term]) -> SelectResult:
    """Evaluate a SELECT query with its parameters bound as terms (see `run`)."""
    return run(store, query, terms, SelectResult)


def select(store: GraphStore, name: str, **terms: Term) -> list[Row]:
    """Rows of plain values from a building-block query (keys for data IRIs)."""
    query = rq(name)
    return rows_of(run_select(store, query, terms), store.base, query.columns)
