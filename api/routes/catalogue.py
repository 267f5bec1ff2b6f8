"""The JSON API under /api: the question catalogue, matchmaking, and project submissions.

Every route answers through the question catalogue (`queries.catalogue.run`), so the CLI, the
API and the web pages give the same answers with the same parameter checks; the routes only
type what they return, and choose the language of the questions that write sentences (their
`lang` parameter): `?lang=` when given (checked like any parameter), else the best supported
language of Accept-Language, else English. Errors come from the platform's error hierarchy,
mapped to HTTP once by the application (`{"detail": ...}`: 400 for a bad parameter, 404 for an
unknown question or entity).

POST /api/projects maps a JSON project idea with the workbook loader's own mapping for a row of
projects.csv, so a project submitted here is the same RDF as the same project in a workbook,
and the store validates it with the SHACL shapes against the whole graph before anything is
written.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from api.attribution import of_request
from api.deps import ActivityCode, ProjectWriter, RunnerDep, SettingsDep, StoreDep
from api.i18n import SUPPORTED, choose_language
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
    Rankings,
    TeamCandidates,
    ValidationRejected,
)
from api.output import plain
from api.scoped_writes import prepare_submission_by
from graph.base import GraphStore
from queries.catalogue import question, questions, run
from queries.history import MAX_PAGE, history_of
from queries.learned import latest
from queries.question_text import described_in
from queries.submission import BODY_SOURCE, SUBMISSIONS
from runner.pool import Call
from sic.errors import Location, NotFound, QueryError, ValidationFailed, Violation
from sic.iris import KINDS, mint

router = APIRouter(prefix="/api", tags=["JSON API"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "A parameter is missing, unknown or malformed."},
    404: {"model": ErrorBody, "description": "No such question, or no such entity."},
}

Answer = TypeVar("Answer", bound=BaseModel)

Lang = Annotated[
    str | None,
    Query(description="the language of the reasons: en, fr or es (default: from Accept-Language)"),
]


def _language(request: Request, given: str | None) -> str:
    """The language asked for: `?lang=` as given (the question checks it: a 400 when it is not
    supported), else the best supported one of Accept-Language, else English."""
    if given is not None:
        return given
    return choose_language(None, request.headers.get("accept-language"))[0]


def _said_in(answer: BaseModel, lang: str) -> Response:
    """The answer as JSON that says its language, and that it depends on Accept-Language (so a
    cache between the service and its readers keeps one copy per language)."""
    return JSONResponse(
        answer.model_dump(mode="json"),
        headers={"Vary": "Accept-Language", "Content-Language": lang},
    )


def _with_language(request: Request, name: str, params: dict[str, str]) -> dict[str, str]:
    """`params` with the reader's language when the question writes sentences and none is given."""
    if "lang" not in params and any(p.name == "lang" for p in question(name).params):
        return {**params, "lang": _language(request, None)}
    return params


def _rows_as(
    model: type[Answer],
    rows_field: str,
    store: GraphStore,
    question: str,
    params: dict[str, str],
    **shown: Any,
) -> Answer:
    """The rows of a catalogue question as the body of a matchmaking route: in the model's
    field `rows_field`, beside the parameters as the route was given them."""
    return model.model_validate({**shown, rows_field: run(store, question, params).rows})


# -- the catalogue -------------------------------------------------------------------------


@router.get(
    "/queries", response_model=QueryCatalogue, responses=_ERRORS, summary="The question catalogue"
)
def catalogue(
    request: Request,
    lang: Annotated[
        str | None,
        Query(description="the language of titles, summaries and help: en, fr or es"),
    ] = None,
) -> Response:
    """Every named question with its parameters and columns, to discover what can be asked;
    titles, summaries and parameter help in the language asked for (English where a
    translation is missing)."""
    told = _language(request, lang)
    if told not in SUPPORTED:
        raise QueryError(f"unsupported language {told!r}; one of: {', '.join(SUPPORTED)}")
    infos = []
    for q in questions():
        described = described_in(q, told)
        url = str(request.url_for("answer", name=q.name))
        infos.append(QueryInfo.model_validate({**described, "url": url}))
    return _said_in(QueryCatalogue(queries=infos, language=told), told)


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
) -> QueryAnswer | Response:
    """Any question of the catalogue by name; each of its parameters is a query parameter.

    The parameters are checked against the question's declaration (unknown, missing, malformed
    or not allowed: 400) and bound as RDF terms, never pasted into a query.
    """
    params = _with_language(request, name, dict(request.query_params))
    result = run(store, name, params)
    rows = [{k: plain(v) for k, v in row.items()} for row in result.rows]
    answered = QueryAnswer(
        name=result.name,
        params={k: plain(v) for k, v in result.params.items()},
        columns=list(result.columns),
        rows=rows,
        count=len(rows),
    )
    return _said_in(answered, params["lang"]) if "lang" in params else answered


# -- matchmaking ---------------------------------------------------------------------------


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
    lang: Lang = None,
) -> Response:
    """Who could carry an activity (the `candidates-for-activity` question): `top` new
    candidates in `candidates`, the organisations already involved in `involved`; the reasons
    in the language asked for."""
    params = {"activity": code, "top": str(top), "lang": _language(request, lang)}
    rows = run(store, "candidates-for-activity", params).rows
    answer = Candidates.model_validate(
        {
            "activity": code,
            "top": top,
            "candidates": [r for r in rows if not r["involved"]],
            "involved": [r for r in rows if r["involved"]],
        }
    )
    return _said_in(answer, params["lang"])


@router.get(
    "/rankings",
    response_model=Rankings,
    summary="The weights the partner rankings use now, and how they were learned",
)
async def rankings(request: Request, runner: RunnerDep) -> Rankings:
    """The learned weights live in the service process (queries.learned, fitted in the
    background by runner.per_version), so this is answered here, not in a worker."""
    refits = getattr(request.app.state, "refits", None)
    fits = latest()
    return Rankings.model_validate(
        {
            "version": await runner.version(),
            "fitting": bool(refits and refits.running),
            **{kind: fit.as_dict() for kind, fit in fits.items()},
        }
    )


@router.get(
    "/projects/{id}/candidates",
    response_model=TeamCandidates,
    responses=_ERRORS,
    summary="Organisations ranked to complete a project's team, with the reasons",
)
@in_worker
def team_candidates(
    request: Request,
    store: StoreDep,
    id: Annotated[str, Path(description="the project's id")],
    top: Annotated[int, Query(ge=1, le=200, description="how many ranked candidates")] = 10,
    lang: Lang = None,
) -> Response:
    """Who should join a project's team (the `candidates-for-project` question), the reasons
    in the language asked for."""
    params = {"project": id, "top": str(top), "lang": _language(request, lang)}
    question = "candidates-for-project"
    answer = _rows_as(TeamCandidates, "candidates", store, question, params, project=id, top=top)
    return _said_in(answer, params["lang"])


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
    shown = {"facility": facility, "objective": objective, "category": category}
    return _rows_as(Gaps, "gaps", store, "uncovered-activities", params, **shown)


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
    question = "partnership-opportunities"
    shown = {"organisation": id, "top": top}
    return _rows_as(Opportunities, "opportunities", store, question, params, **shown)


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
    lang: Lang = None,
) -> Response:
    """An alliance to propose for an activity (the `alliance-composition` question), what each
    member brings in the language asked for."""
    params = {"activity": code, "size": str(size), "lang": _language(request, lang)}
    question = "alliance-composition"
    answer = _rows_as(
        AllianceProposal, "members", store, question, params, activity=code, size=size
    )
    return _said_in(answer, params["lang"])


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


_SUBMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Stored; Location is the project's page on this service."},
    400: {"model": ErrorBody, "description": "The body is not JSON, or nests too deeply."},
    413: {"model": ErrorBody, "description": "The body is larger than SIC_MAX_BODY_KB."},
    401: {"model": ErrorBody, "description": "No credentials (no bearer token, no session)."},
    403: {"model": ErrorBody, "description": "Wrong token, out of scope, or read-only."},
    409: {"model": ErrorBody, "description": "A project with this id exists already."},
    422: {
        "model": ValidationRejected,
        "description": "Invalid: each problem as {focusNode, resultPath, message}; none stored.",
    },
    501: {"model": ErrorBody, "description": "The store behind this service takes no writes."},
}


@router.post(
    "/projects",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectCreated,
    responses=_SUBMIT_RESPONSES,
    summary="Submit a project idea (an account whose scope takes it, or the service token)",
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
    who: ProjectWriter,
) -> ProjectCreated:
    """Validate a project idea with SHACL against the graph and store it, or store nothing.

    The body is read here rather than by FastAPI so that every problem, from a wrong type in
    the JSON to a lead that is not an organisation of the graph, comes back in one 422 body of
    one shape: `violations` of {focusNode, resultPath, message}. A project outside the
    writer's scope (accounts.permissions) is refused with 403, and nothing is stored.
    """
    raw = read_json(await request.body(), settings.max_nesting)
    focus = _focus(raw, settings.base_iri)
    try:
        idea = ProjectIdea.model_validate(raw)
    except ValidationError as exc:
        raise ValidationFailed(_body_problems(exc, focus)) from None
    prepare = Call(prepare_submission_by, (idea.submission(), settings.base_iri, who))
    by = of_request(request, who, store.base)
    delta = await runner.write(prepare, lambda prepared: store.commit(prepared, by))
    url = str(request.url_for("resource", kind="project", key=idea.id))
    response.headers["Location"] = url
    return ProjectCreated(
        id=idea.id,
        iri=focus,
        url=url,
        source=SUBMISSIONS,
        triples=sum(len(ts) for ts in delta.added.values()),
    )


@router.get(
    "/resources/{kind}/{key}/history",
    responses=_ERRORS,
    summary="Who changed a resource, when, and which of its triples (newest first, paged)",
)
@in_worker
def resource_history(
    request: Request,
    store: StoreDep,
    kind: Annotated[str, Path(description=f"One of: {', '.join(sorted(KINDS))}.")],
    key: Annotated[str, Path(description="the workbook key (A2.03, inrae, ...)")],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="changes per page")] = 20,
    offset: Annotated[int, Query(ge=0, description="changes skipped (newest first)")] = 0,
    lang: Lang = None,
) -> Response:
    """The recorded changes of `{BASE}id/{kind}/{key}` (graph.history): who (the agent's IRI
    and name), when, the command and comment, and the triples about it each added and removed,
    with names for people. A resource nothing changed has an empty list; `total` counts all."""
    if kind not in KINDS:
        raise NotFound(f"no kind {kind!r}; one of: {', '.join(sorted(KINDS))}")
    found = history_of(store, kind, key, limit, offset, _language(request, lang))
    return JSONResponse(found.as_json())
