"""The JSON API under /api: the question catalogue, matchmaking, and project submissions.

Every route answers through the question catalogue (`queries.catalogue.run`), so the CLI, the
API and the web pages give the same answers with the same parameter checks; the routes only
type what they return. Errors come from the platform's error hierarchy, mapped to HTTP once by
the application (`{"detail": ...}`: 400 for a bad parameter, 404 for an unknown question or
entity).

POST /api/projects maps a JSON project idea with the workbook loader's own mapping for a row of
projects.csv, so a project submitted here is the same RDF as the same project in a workbook,
and the store validates it with the SHACL shapes against the whole graph before anything is
written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

import pyoxigraph as ox
from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import JsonValue, ValidationError

from api.deps import RunnerDep, SettingsDep, StoreDep, WriteAllowed
from api.in_worker import in_worker
from api.limits import read_json
from api.models import (
    AllianceProposal,
    Candidates,
    ErrorBody,
    Gaps,
    Opportunities,
    ProjectCreated,
    ProjectIdea,
    QueryAnswer,
    QueryCatalogue,
    QueryInfo,
    ValidationRejected,
)
from graph.base import GraphStore, PreparedWrite
from graph.update import Delta
from loaders.builder import Builder
from loaders.record import project_record
from loaders.workbook import Workbook, trace
from queries.catalogue import describe as describe_question
from queries.catalogue import questions, run
from queries.describe import compact_iri, solutions
from runner.pool import Call
from sic.errors import Conflict, Location, ValidationFailed, Violation
from sic.iris import graph_iri, mint
from sic.terms import to_pyoxigraph

router = APIRouter(prefix="/api", tags=["JSON API"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "A parameter is missing, unknown or malformed."},
    404: {"model": ErrorBody, "description": "No such question, or no such entity."},
}

BODY_SOURCE = "request body"
"""How problems in a submitted project name where they are (as a workbook names its file)."""
SUBMISSIONS = "updates"
"""The source a submitted project is stored in: the one SPARQL Update writes to."""


def _plain(value: Any) -> JsonValue:
    """A catalogue value as JSON: decimals as numbers, dates as ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _rows(store: GraphStore, name: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
    return run(store, name, params).rows


# -- the catalogue -------------------------------------------------------------------------


@router.get("/queries", response_model=QueryCatalogue, summary="The question catalogue")
def catalogue(request: Request) -> QueryCatalogue:
    """Every named question with its parameters and columns, to discover what can be asked."""
    infos = []
    for q in questions():
        described = describe_question(q)
        url = str(request.url_for("answer", name=q.name))
        infos.append(QueryInfo.model_validate({**described, "url": url}))
    return QueryCatalogue(queries=infos)


@router.get(
    "/queries/{name}",
    response_model=QueryAnswer,
    responses=_ERRORS,
    summary="Answer one named question (parameters as query-string parameters)",
)
@in_worker
def answer(
    request: Request,
    store: StoreDep,
    name: Annotated[str, Path(description="a name from /api/queries")],
) -> QueryAnswer:
    """Any question of the catalogue by name; each of its parameters is a query parameter.

    The parameters are checked against the question's declaration (unknown, missing, malformed
    or not allowed: 400) and bound as RDF terms, never pasted into a query.
    """
    result = run(store, name, dict(request.query_params))
    rows = [{k: _plain(v) for k, v in row.items()} for row in result.rows]
    return QueryAnswer(
        name=result.name,
        params={k: _plain(v) for k, v in result.params.items()},
        columns=list(result.columns),
        rows=rows,
        count=len(rows),
    )


# -- matchmaking ---------------------------------------------------------------------------

ActivityCode = Annotated[str, Path(description="the activity's code, e.g. A2.07")]


@router.get(
    "/activities/{code}/candidates",
    response_model=Candidates,
    responses=_ERRORS,
    summary="Organisations ranked by fit for an activity, with the reasons",
)
@in_worker
def candidates(
    request: Request,
    store: StoreDep,
    code: ActivityCode,
    top: Annotated[int, Query(ge=1, le=200, description="how many ranked candidates")] = 10,
) -> Candidates:
    """Who could carry an activity (the `candidates-for-activity` question)."""
    rows = _rows(store, "candidates-for-activity", {"activity": code, "top": str(top)})
    return Candidates.model_validate({"activity": code, "top": top, "candidates": rows})


@router.get(
    "/gaps",
    response_model=Gaps,
    responses=_ERRORS,
    summary="Activities that no live project addresses",
)
@in_worker
def gaps(
    request: Request,
    store: StoreDep,
    facility: Annotated[
        Literal["global", "core"], Query(description="the activities' effective facility type")
    ] = "global",
    objective: Annotated[str | None, Query(description="only under this objective (code)")] = None,
    category: Annotated[str | None, Query(description="only of this category (code)")] = None,
) -> Gaps:
    """The gaps of the Implementation Strategy (the `uncovered-activities` question)."""
    params: dict[str, str] = {"facility": facility}
    if objective:
        params["objective"] = objective
    if category:
        params["category"] = category
    rows = _rows(store, "uncovered-activities", params)
    return Gaps.model_validate(
        {"facility": facility, "objective": objective, "category": category, "gaps": rows}
    )


@router.get(
    "/organisations/{id}/opportunities",
    response_model=Opportunities,
    responses=_ERRORS,
    summary="Organisations that share an organisation's interests but never worked with it",
)
@in_worker
def opportunities(
    request: Request,
    store: StoreDep,
    id: Annotated[str, Path(description="the organisation's id")],
    top: Annotated[int, Query(ge=1, le=1000, description="how many pairs")] = 20,
) -> Opportunities:
    """Partnership opportunities (the `partnership-opportunities` question, for one side)."""
    params = {"organisation": id, "top": str(top)}
    rows = _rows(store, "partnership-opportunities", params)
    return Opportunities.model_validate({"organisation": id, "top": top, "opportunities": rows})


@router.get(
    "/activities/{code}/alliance",
    response_model=AllianceProposal,
    responses=_ERRORS,
    summary="A small set of organisations that together cover what an activity needs",
)
@in_worker
def alliance(
    request: Request,
    store: StoreDep,
    code: ActivityCode,
    size: Annotated[int, Query(ge=1, le=12, description="at most this many to add")] = 5,
) -> AllianceProposal:
    """An alliance to propose for an activity (the `alliance-composition` question)."""
    params = {"activity": code, "size": str(size)}
    rows = _rows(store, "alliance-composition", params)
    return AllianceProposal.model_validate({"activity": code, "size": size, "members": rows})


# -- project submissions -------------------------------------------------------------------


def _body_problems(error: ValidationError, focus: str) -> list[Violation]:
    """Pydantic's complaints about the JSON, as violations located at their field."""
    out = []
    for e in error.errors(include_url=False):
        field = ".".join(str(part) for part in e["loc"]) or None
        out.append(
            Violation(
                focus_node=focus,
                path=None,
                message=e["msg"],
                location=Location(BODY_SOURCE, None, field),
                constraint=e["type"],
            )
        )
    return out


def _focus(raw: object, base: str) -> str:
    """The IRI a submission would create, when its id is usable ('' otherwise)."""
    key = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(key, str) or not key.strip() or ";" in key:
        return ""
    return str(mint("project", key.strip(), base))


def map_project(idea: ProjectIdea, base: str) -> tuple[Builder, Workbook]:
    """The RDF of a project idea, by the workbook mapping of one projects.csv row
    (loaders.record); the shapes then check what its keys refer to."""
    referenced = {
        "organisations": [idea.lead, *idea.partners],
        "alliances": [idea.alliance] if idea.alliance else [],
        "activities": idea.activities,
    }
    return project_record(idea.cells(), referenced, base, BODY_SOURCE)


def _without_row(violations: list[Violation]) -> list[Violation]:
    """A submission has one row; locations name its field only."""
    out = []
    for v in violations:
        where = v.location
        if where is not None and where.file == BODY_SOURCE:
            where = Location(BODY_SOURCE, None, where.column)
        out.append(
            Violation(
                focus_node=v.focus_node,
                path=v.path,
                message=v.message,
                severity=v.severity,
                value=v.value,
                source_shape=v.source_shape,
                constraint=v.constraint,
                location=where,
            )
        )
    return out


def _loader_problems(builder: Builder, focus: str) -> list[Violation]:
    columns = {column: predicate for (_, predicate), column in builder.columns.items()}
    out = []
    for p in builder.problems:
        predicate = columns.get(p.location.column or "")
        out.append(
            Violation(
                focus_node=focus,
                path=compact_iri(str(predicate)) if predicate is not None else None,
                message=p.message,
                location=Location(BODY_SOURCE, None, p.location.column),
            )
        )
    return out


_SUBMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Stored; Location is the project's page on this service."},
    400: {"model": ErrorBody, "description": "The body is not JSON, or nests too deeply."},
    413: {"model": ErrorBody, "description": "The body is larger than SIC_MAX_BODY_KB."},
    401: {"model": ErrorBody, "description": "No bearer token."},
    403: {"model": ErrorBody, "description": "Wrong token, or a read-only service."},
    409: {"model": ErrorBody, "description": "A project with this id exists already."},
    422: {
        "model": ValidationRejected,
        "description": "Invalid: each problem as {focusNode, resultPath, message}; none stored.",
    },
    501: {"model": ErrorBody, "description": "The store behind this service takes no writes."},
}


def prepare_submission(store: GraphStore, idea: ProjectIdea, base: str) -> PreparedWrite:
    """Map, check and validate a project idea (in a worker): what the service then commits.

    :raises Conflict: a project with this id exists.
    :raises ValidationFailed: every problem, located at the body's fields.
    """
    builder, workbook = map_project(idea, base)
    focus = str(mint("project", idea.id, base))
    if builder.problems:
        raise ValidationFailed(_loader_problems(builder, focus))
    if solutions(store, "describe-resource", limit=1, this=ox.NamedNode(focus)).rows:
        raise Conflict(f"a project with id {idea.id!r} exists")
    delta = Delta(added={str(graph_iri(SUBMISSIONS, base)): set(to_pyoxigraph(builder.graph))})
    try:
        return store.prepare_delta(delta, command="POST /api/projects")
    except ValidationFailed as exc:
        raise ValidationFailed(_without_row(trace(exc.violations, workbook))) from None


@router.post(
    "/projects",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectCreated,
    responses=_SUBMIT_RESPONSES,
    summary="Submit a project idea (bearer token)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ProjectIdea.model_json_schema()}},
        }
    },
)
async def submit_project(
    request: Request,
    response: Response,
    store: StoreDep,
    settings: SettingsDep,
    runner: RunnerDep,
    _: WriteAllowed,
) -> ProjectCreated:
    """Validate a project idea with SHACL against the graph and store it, or store nothing.

    The body is read here rather than by FastAPI so that every problem, from a wrong type in
    the JSON to a lead that is not an organisation of the graph, comes back in one 422 body of
    one shape: `violations` of {focusNode, resultPath, message}.
    """
    raw = read_json(await request.body(), settings.max_nesting)
    focus = _focus(raw, settings.base_iri)
    try:
        idea = ProjectIdea.model_validate(raw)
    except ValidationError as exc:
        raise ValidationFailed(_body_problems(exc, focus)) from None
    prepare = Call(prepare_submission, (idea, settings.base_iri))
    delta = await runner.write(prepare, store.commit)
    url = str(request.url_for("resource", kind="project", key=idea.id))
    response.headers["Location"] = url
    return ProjectCreated(
        id=idea.id,
        iri=focus,
        url=url,
        source=SUBMISSIONS,
        triples=sum(len(ts) for ts in delta.added.values()),
    )
