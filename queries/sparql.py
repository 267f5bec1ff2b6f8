"""The one registry of named SPARQL: every `.rq` file of this folder and its sub-folders, by name.

The folder a file lies in says what it is for, so one registry serves them all: the catalogue's
questions and their building blocks lie in queries/ itself, the page blocks in
queries/blocks/pages/ and the linked-data description blocks in queries/blocks/describe/. Names
are unique across the folders, and every file is run here, with its terms bound by the store:
the SPARQL text is the file's, unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from graph.base import GraphStore
from graph.results import GraphResult, SelectResult, Term
from queries.answer import Row, rows_of
from queries.params import Bound
from sic.errors import NotFound, QueryError
from sic.rq import Registry, RqQuery, registry

FOLDER = Path(__file__).resolve().parent
BLOCKS = FOLDER / "blocks"
"""Building blocks of the faces (pages/, describe/): runnable by name, never catalogue entries."""
R = TypeVar("R", SelectResult, GraphResult)


def rq_registry() -> Registry:
    """Every `.rq` file of queries/ and its sub-folders, parsed once per process."""
    return registry(FOLDER, nested=True)


def rq(name: str) -> RqQuery:
    """One named query, whichever folder of queries/ holds it.

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

    Every named query (catalogue questions, analyses' parts, page and description blocks) is
    run through here, so the binding and the check are written once.

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


def named_rows(store: GraphStore, name: str, **terms: Term) -> list[Row]:
    """The rows of a named SELECT as plain values (keys for data IRIs), every column present."""
    query = rq(name)
    return rows_of(run_select(store, query, terms), store.base, query.columns)


def entity_row(store: GraphStore, name: str, bound: Bound, param: str) -> Row:
    """The first row a named query gives about the entity a `code` parameter names.

    The parameter is named after its kind (`activity`, `project` ...), and so is the message.

    :raises NotFound: if the query gives no row: there is no such entity.
    """
    rows = named_rows(store, name, **{param: bound.term(param)})
    if not rows:
        raise NotFound(f"no {param} {bound.text(param)!r}")
    return rows[0]
