"""The question catalogue: every question by its public name, whether SPARQL or networkx.

Question names are public API: the CLI (`sic query NAME`), the HTTP API and the web pages call
them through `run`, which parses and checks the parameters the same way for both kinds. A
SPARQL question is a `.rq` file of this folder whose header declares it; an analysis is a Python
function declared below with the same kind of header (summary, parameters, columns). `.rq`
files whose header says `role: part` are building blocks of the analyses: they can be run by
name but are not listed as questions. Answers are cached per store version (queries/network.py),
so asking again is cheap until the data changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from graph.base import GraphStore
from queries.alliance import ALLIANCE_COLUMNS, alliance_composition
from queries.answer import QueryAnswer, Row, rows_of
from queries.candidates import candidates_for_activity
from queries.funders import FUNDER_COLUMNS, funders_for_project
from queries.matching import CANDIDATE_COLUMNS
from queries.network import projections
from queries.params import Bound, bind
from queries.partnerships import (
    BROKER_COLUMNS,
    OPPORTUNITY_COLUMNS,
    brokers,
    partnership_opportunities,
)
from queries.profiles import (
    OBJECTIVE_PROFILE_COLUMNS,
    ORGANISATION_PROFILE_COLUMNS,
    objective_profile,
    organisation_profile,
)
from queries.sparql import rq_registry, run_select
from sic.errors import NotFound
from sic.rq import Param, RqQuery

Analysis = Callable[[GraphStore, Bound], list[Row]]


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


def _activity(description: str = "the activity's code, e.g. A2.07") -> Param:
    return Param("activity", "code", required=True, kind="activity", description=description)


def _top(default: int, limit: int, what: str) -> Param:
    return Param(
        "top", "integer", default=default, minimum=1, maximum=limit, description=f"how many {what}"
    )


ANALYSES: tuple[Question, ...] = (
    Question(
        name="candidates-for-activity",
        summary="Organisations ranked by fit for an activity, with the reasons.",
        description=(
            "Scores in [0, 1] add up weighted signals: topics shared with the activity and its"
            " objective (a topic hierarchy counts partial matches), declared interest in the"
            " objective, a Task Force seat on it, membership status, regions the team does not"
            " reach, organisation types the team lacks, past collaboration with and network"
            " distance to the organisations already involved, and experience on the objective."
            " Organisations already on a live project for the activity come first, apart, with"
            " involved = true and no rank."
        ),
        params=(_activity(), _top(10, 200, "candidates")),
        columns=CANDIDATE_COLUMNS,
        kind="analysis",
        analysis=candidates_for_activity,
    ),
    Question(
        name="partnership-opportunities",
        summary="Pairs of organisations with shared interests that have never worked together.",
        description=(
            "Adamic-Adar on the organisation - topic/objective graph, normalised to [0, 1],"
            " computed on the two-hop neighbourhood; pairs that share a project or an alliance"
            " are left out. distance is the number of steps between them on the collaboration"
            " network (empty when not connected within four steps)."
        ),
        params=(
            Param(
                "organisation",
                "code",
                kind="organisation",
                description="only pairs that include this organisation (its id)",
            ),
            _top(20, 1000, "pairs"),
        ),
        columns=OPPORTUNITY_COLUMNS,
        kind="analysis",
        analysis=partnership_opportunities,
    ),
    Question(
        name="alliance-composition",
        summary="A small set of organisations that together cover what an activity needs.",
        description=(
            "Greedy weighted set cover of the activity's topics and, for a Global Facility"
            " activity, a research institution, a producers' organisation or NGO, and a funder"
            " or public body. Organisations already involved come first (step 0); brings says"
            " what each member adds, still_uncovered what remains after it."
        ),
        params=(
            _activity(),
            Param(
                "size",
                "integer",
                default=5,
                minimum=1,
                maximum=12,
                description="at most this many organisations to add",
            ),
        ),
        columns=ALLIANCE_COLUMNS,
        kind="analysis",
        analysis=alliance_composition,
    ),
    Question(
        name="brokers",
        summary="Organisations that bridge otherwise separate groups (betweenness centrality).",
        description=(
            "Betweenness on the organisation - organisation collaboration network (shared"
            " projects and alliances), normalised to [0, 1]; with an objective, only the projects"
            " and alliances that address its activities. links_groups is how many separate groups"
            " its collaborators would fall into without it."
        ),
        params=(
            Param(
                "objective",
                "code",
                kind="objective",
                description="only the collaboration around this objective",
            ),
            _top(10, 1000, "organisations"),
        ),
        columns=BROKER_COLUMNS,
        kind="analysis",
        analysis=brokers,
    ),
    Question(
        name="funders-for-project",
        summary="Open funding calls and funders ranked by fit for a project, with the reasons.",
        description=(
            "Signals: topics, objective, region (where the project team works) and amount (what"
            " the project still needs in its own currency, against a call's range or a funder's"
            " usual grant; other currencies are not compared). Calls whose deadline is before"
            " as_of are closed and left out; funders already funding the project are left out."
        ),
        params=(
            Param("project", "code", required=True, kind="project", description="the project id"),
            _top(10, 200, "calls and funders"),
            Param(
                "as_of",
                "date",
                default="today",
                description="the day on which calls must still be open (default: today)",
            ),
        ),
        columns=FUNDER_COLUMNS,
        kind="analysis",
        analysis=funders_for_project,
    ),
    Question(
        name="objective-profile",
        summary="Everything the page of a strategic objective shows, as one row.",
        params=(
            Param(
                "objective", "code", required=True, kind="objective", description="its code (A1)"
            ),
        ),
        columns=OBJECTIVE_PROFILE_COLUMNS,
        kind="analysis",
        analysis=objective_profile,
    ),
    Question(
        name="organisation-profile",
        summary="Everything the page of an organisation shows, as one row.",
        params=(
            Param(
                "organisation",
                "code",
                required=True,
                kind="organisation",
                description="its id",
            ),
        ),
        columns=ORGANISATION_PROFILE_COLUMNS,
        kind="analysis",
        analysis=organisation_profile,
    ),
)


def _from_rq(query: RqQuery) -> Question:
    return Question(
        name=query.name,
        summary=query.summary,
        params=query.params,
        columns=query.columns,
        kind="sparql",
        description=query.description,
        role=query.role,
        query=query,
    )


def questions(*, parts: bool = False) -> list[Question]:
    """The catalogue, by name; building blocks too when `parts` is True."""
    found = {q.name: q for q in ANALYSES}
    for query in rq_registry():
        if query.role == "question" or parts:
            found.setdefault(query.name, _from_rq(query))
    return [found[name] for name in sorted(found)]


def question(name: str) -> Question:
    """One question (or building block) by name.

    :raises NotFound: if there is none, listing the names there are.
    """
    for q in ANALYSES:
        if q.name == name:
            return q
    if name in rq_registry():
        return _from_rq(rq_registry()[name])
    known = ", ".join(q.name for q in questions())
    raise NotFound(f"no question named {name!r}; the questions are: {known}")


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
        return rows_of(run_select(store, q.query, bound.terms), store.base, q.columns)

    key = (name, tuple(sorted((k, str(v)) for k, v in bound.values.items())))
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
