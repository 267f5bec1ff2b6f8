"""The question catalogue: every question by its public name, whether SPARQL or networkx.

Question names are public API: the CLI (`sic query NAME`), the HTTP API and the web pages call
them through `run`, which parses and checks the parameters the same way for both kinds. A
SPARQL question is a `.rq` file of queries/ itself whose header declares it; an analysis is a
Python function that declares the same kind of header (summary, parameters, columns) in its
`@analysis` decorator, in one of the modules of ANALYSIS_MODULES. `.rq` files of queries/ whose
header says `role: part` are building blocks of the analyses: they can be run by name but are
not listed as questions. The blocks of the pages and of linked-data descriptions
(queries/blocks/) are in the same registry of named SPARQL but are not questions at all.
Answers are cached per store version (queries/network.py), so asking again is cheap until the
data changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from graph.base import GraphStore
from queries import alliance, candidates, funders, partnerships, profiles
from queries.analysis import Analysis
from queries.answer import QueryAnswer, Row, rows_of
from queries.learned import adopted
from queries.network import kept_rows, projections
from queries.objective_figures import KEPT
from queries.params import bind
from queries.sparql import FOLDER, rq_registry, run_select
from sic.errors import NotFound, QueryError
from sic.rq import Param, RqQuery

ANALYSIS_MODULES: tuple[ModuleType, ...] = (alliance, candidates, funders, partnerships, profiles)
"""The modules whose `@analysis` functions are questions of the catalogue."""


@dataclass(frozen=True)
class Question:
    """One entry of the catalogue, as callers see it."""

    name: str
    summary: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    kind: str  # "sparql" or "analysis"
    description: str = ""
    role: str = "question"
    query: RqQuery | None = None
    analysis: Analysis | None = None


def _from_analysis(a: Analysis) -> Question:
    return Question(a.name, a.summary, a.params, a.columns, "analysis", a.description, analysis=a)


def _from_rq(q: RqQuery) -> Question:
    return Question(q.name, q.summary, q.params, q.columns, "sparql", q.description, q.role, q)


@cache
def _catalogue() -> dict[str, Question]:
    """Every question and building block by name: the analyses, then queries/*.rq.

    :raises QueryError: if two of them have the same name (one would hide the other).
    """
    analyses = dict.fromkeys(  # a module may import another's analysis: keep it once
        v for m in ANALYSIS_MODULES for v in vars(m).values() if isinstance(v, Analysis)
    )
    found: dict[str, Question] = {}
    for entry in [*map(_from_analysis, analyses), *map(_from_rq, rq_registry().in_folder(FOLDER))]:
        if found.setdefault(entry.name, entry) is not entry:
            raise QueryError(f"two questions are named {entry.name!r}")
    return found


def questions(*, parts: bool = False) -> list[Question]:
    """The catalogue, by name; building blocks too when `parts` is True."""
    found = _catalogue()
    return [found[n] for n in sorted(found) if found[n].role == "question" or parts]


def question(name: str) -> Question:
    """One question (or building block) by name.

    :raises NotFound: if there is none, listing the names there are.
    """
    found = _catalogue().get(name)
    if found is None:
        known = ", ".join(q.name for q in questions())
        raise NotFound(f"no question named {name!r}; the questions are: {known}")
    return found


def run(store: GraphStore, name: str, params: Mapping[str, str] | None = None) -> QueryAnswer:
    """Answer one question with the parameters given as strings.

    :raises NotFound: no such question, or an entity a parameter names does not exist.
    :raises QueryError: an unknown, missing or malformed parameter, or a value not allowed.
    """
    q = question(name)
    bound = bind(name, q.params, params or {}, store.base)

    def compute() -> list[Row]:
        if q.analysis is not None:
            return q.analysis(store, bound)
        assert q.query is not None  # every non-analysis question is a .rq file
        if name in KEPT:
            kept = kept_rows(store, name, bound.terms)
            if kept is not None:
                return kept
        return rows_of(run_select(store, q.query, bound.terms), store.base, q.columns)

    key = (name, tuple(sorted((k, str(v)) for k, v in bound.values.items())), adopted())
    rows = projections(store).answer(key, compute)
    return QueryAnswer(name=name, columns=q.columns, rows=rows, params=dict(bound.values))


def describe(q: Question) -> dict[str, object]:
    """A question's header as plain data (for `sic queries --format json` and the HTTP API)."""
    return {
        "name": q.name,
        "kind": q.kind,
        "summary": q.summary,
        "description": q.description,
        "params": [_param(p) for p in q.params],
        "columns": list(q.columns),
    }


def _param(p: Param) -> dict[str, object]:
    out: dict[str, object] = {"name": p.name, "type": p.type, "required": p.required}
    if p.kind:
        out["kind"] = p.kind
    if p.default is not None:
        out["default"] = p.default
    if p.allowed:
        out["allowed"] = list(p.allowed)
    if p.minimum is not None:
        out["min"] = p.minimum
    if p.maximum is not None:
        out["max"] = p.maximum
    if p.description:
        out["description"] = p.description
    return out
