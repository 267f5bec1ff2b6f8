"""The Secretariat's review of what rules proposed: /review (a page with forms) and /api/review.

Two lists wait for a person: organisations that reconciliation found may be one
(queries.reconciliation) and links from reported (IATI) projects to the Strategy
(queries.linking). Each decision goes through the same functions as `sic reconcile` and
`sic link` (their `decision_delta`), is prepared and validated in a query worker and committed
by the service as the signed-in person's change (graph.history), into the `updates` source.

Deciding is Action.review: the Secretariat and the service token. The lists are public data
elsewhere (/api/links), but this page exists to decide, so it asks who you are first: nobody
is sent to sign in, anyone else is told that only the Secretariat decides (403). The forms
carry the session's CSRF token (api.security), as the sign-out form does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import FormData

from accounts.permissions import Action, may_attempt
from accounts.roles import Principal
from api.attribution import of_request
from api.deps import ReviewWriter, RunnerDep, SettingsDep, StoreDep
from api.i18n import Ui
from api.models import ErrorBody, LinkProposalOut
from api.responses import root_of
from api.routes.pages import HTML_TYPE, reader, render_page
from api.security import CSRF_FIELD, current_session, identify
from api.settings import Settings
from graph.base import GraphStore, PreparedWrite
from queries import linking, reconciliation
from runner.pool import Call, Runner
from sic.iris import parse

router = APIRouter(tags=["web pages"])
api_router = APIRouter(prefix="/api", tags=["JSON API"])

PAGE_SIZE = 50
"""Proposals of each list a page shows at once (the JSON form takes `limit`, up to 500)."""
DONE = frozenset({"match-accept", "match-reject", "link-accept", "link-reject"})
"""What the page may say was just recorded (`?done=`): nothing else of the URL is shown."""

_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"description": "The page.", "content": {"text/html": {}}},
    303: {"description": "Not signed in (to /signin), or a decision made (back to /review)."},
    403: {"description": "Not the Secretariat, or a form without its CSRF token."},
    404: {"description": "No such proposal waits (someone decided it already)."},
}
_API: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No credentials (no bearer token, no session)."},
    403: {"model": ErrorBody, "description": "Not the Secretariat, or read-only."},
}
_DECIDE: dict[int | str, dict[str, Any]] = {
    **_API,
    400: {"model": ErrorBody, "description": "The body is not JSON, or nests too deeply."},
    404: {"model": ErrorBody, "description": "No such proposal waits for a decision."},
    413: {"model": ErrorBody, "description": "The body is larger than SIC_MAX_BODY_KB."},
}


# -- what the lists hold ----------------------------------------------------------------------


class MatchOut(BaseModel):
    """Two organisations that may be one, waiting for a person."""

    organisation: str
    organisation_key: str
    name: str
    identifiers: str = Field(description="its identifiers (iati:, ror:, wikidata:), if any")
    candidate: str
    candidate_key: str
    candidate_name: str
    candidate_identifiers: str
    similarity: float = Field(description="how alike the names are, 0 to 1")


class ReviewLists(BaseModel):
    """One page of each list, and how long each list is."""

    matches: list[MatchOut]
    matches_total: int
    links: list[LinkProposalOut]
    links_total: int
    limit: int


class MatchDecision(BaseModel):
    """A person's decision on one proposed match."""

    model_config = ConfigDict(extra="forbid")

    first: str = Field(description="an organisation's key or IRI", min_length=1, max_length=2000)
    second: str = Field(description="the other organisation", min_length=1, max_length=2000)
    decision: Literal["accept", "reject"]


class LinkDecisionIn(BaseModel):
    """A person's decision on one proposed link."""

    model_config = ConfigDict(extra="forbid")

    project: str = Field(description="the project's key or IRI", min_length=1, max_length=2000)
    target: str = Field(
        description="the activity's or objective's code or IRI", min_length=1, max_length=2000
    )
    decision: Literal["accept", "reject"]


def _key(iri: str) -> str:
    parsed = parse(iri)
    return parsed[2] if parsed else iri


def _match(p: reconciliation.Proposal) -> MatchOut:
    return MatchOut(
        organisation=p.organisation,
        organisation_key=_key(p.organisation),
        name=p.name,
        identifiers=p.identifiers,
        candidate=p.candidate,
        candidate_key=_key(p.candidate),
        candidate_name=p.candidate_name,
        candidate_identifiers=p.candidate_identifiers,
        similarity=round(p.score, 2),
    )


def _link(p: linking.LinkProposal) -> LinkProposalOut:
    return LinkProposalOut(
        project=p.project,
        project_key=p.project_key,
        project_title=p.project_title,
        target=p.target,
        target_code=p.target_code,
        target_kind=p.target_kind,
        target_title=p.target_title,
        confidence=p.confidence,
        rules=p.rules,
        evidence=p.evidence,
        decision=p.decision,
    )


def review_lists(store: GraphStore, limit: int, matches_from: int, links_from: int) -> ReviewLists:
    """In a worker: one page of each list (closest names first; best links first per project)."""
    matches = reconciliation.proposals(store)
    links = linking.link_proposals(store, waiting_only=True)
    return ReviewLists(
        matches=[_match(p) for p in matches[matches_from : matches_from + limit]],
        matches_total=len(matches),
        links=[_link(p) for p in links[links_from : links_from + limit]],
        links_total=len(links),
        limit=limit,
    )


# -- deciding (shared by the page and the JSON form) ------------------------------------------


async def decide_match(
    request: Request, store: GraphStore, runner: Runner, who: Principal, body: MatchDecision
) -> MatchOut:
    """Prepare the decision in a worker (queries.reconciliation), commit it as `who`'s."""
    accept = body.decision == "accept"
    command = f"{request.method} {request.url.path} ({body.decision}) by {who.name}"
    args = (body.first, body.second, accept, command)
    decided = await _write(request, store, runner, who, Call(reconciliation.prepare_decision, args))
    assert isinstance(decided, reconciliation.Proposal)
    return _match(decided)


async def decide_link(
    request: Request, store: GraphStore, runner: Runner, who: Principal, body: LinkDecisionIn
) -> LinkProposalOut:
    """Prepare the decision in a worker (queries.linking), commit it as `who`'s."""
    accept = body.decision == "accept"
    command = f"{request.method} {request.url.path} ({body.decision}) by {who.name}"
    args = (body.project, body.target, accept, command)
    decided = await _write(request, store, runner, who, Call(linking.prepare_decision, args))
    assert isinstance(decided, linking.LinkProposal)
    out = _link(decided)
    return out.model_copy(update={"decision": "accepted" if accept else "rejected"})


async def _write(
    request: Request, store: GraphStore, runner: Runner, who: Principal, prepare: Call
) -> object:
    """One decision: prepared (found, validated) in a worker, committed attributed to `who`."""
    by = of_request(request, who, store.base)
    decided: list[object] = []

    def commit(prepared: tuple[object, PreparedWrite]) -> None:
        proposal, write = prepared
        store.commit(write, by)
        decided.append(proposal)

    await runner.write(prepare, commit)
    return decided[0]


# -- the page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paging:
    """Where each list starts on this page."""

    matches_from: int
    links_from: int


def _html(request: Request, ui: Ui, body: bytes, status_code: int = 200) -> Response:
    return Response(
        body,
        status_code=status_code,
        media_type=HTML_TYPE,
        headers={
            "Cache-Control": "no-store",
            "Content-Language": ui.lang,
            "Vary": "Cookie, Accept-Language",
        },
    )


async def _reviewer(request: Request, settings: Settings, ui: Ui) -> Principal | Response:
    """Who may decide, or the answer for someone who may not: nobody signs in first; anyone
    else gets a page saying that only the Secretariat decides."""
    who = await identify(request, settings)
    if who is None:
        target = ui.url(root_of(request) + "/signin", next="/review")
        return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
    if not may_attempt(who, Action.review):
        role = ui("role." + who.role.value) if who.role is not None else who.name
        message = ui("review.forbidden", name=who.name, role=role)
        title = ui("review.forbidden_title")
        body = render_page(request, ui, "error.html", 403, message=message, title=title)
        return _html(request, ui, body, 403)
    return who


Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("/review", response_class=Response, responses=_PAGE, summary="Review proposals")
async def review_page(
    request: Request,
    settings: SettingsDep,
    runner: RunnerDep,
    matches_from: Offset = 0,
    links_from: Offset = 0,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The waiting matches and links, each with Accept and Refuse buttons (the Secretariat)."""
    ui = reader(request)
    who = await _reviewer(request, settings, ui)
    if isinstance(who, Response):
        return who
    lists = await runner.call(review_lists, PAGE_SIZE, matches_from, links_from)
    opened = await current_session(request)
    csrf = opened[1].csrf if opened is not None else ""  # none for a bearer token: no forms
    body = render_page(
        request,
        ui,
        "review.html",
        lists=lists,
        paging=Paging(matches_from, links_from),
        page_size=PAGE_SIZE,
        csrf=csrf,
        done=done if done in DONE else "",
    )
    return _html(request, ui, body)


def _field(form: FormData, name: str) -> str:
    """A text field of the form, at most 2,000 characters.

    :raises HTTPException: 400 when it is missing or empty.
    """
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail=f"the form lacks {name!r}")
    return value.strip()[:2000]


async def _form_reviewer(
    request: Request, settings: Settings, ui: Ui
) -> tuple[FormData, Principal, Literal["accept", "reject"]]:
    """The form's fields and who sent them, checked with the form's CSRF token."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    who = await identify(request, settings, csrf=token if isinstance(token, str) else None)
    if who is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, detail="sign in as the Secretariat first (/signin)"
        )
    if not may_attempt(who, Action.review):
        role = ui("role." + who.role.value) if who.role is not None else who.name
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail=ui("review.forbidden", name=who.name, role=role)
        )
    decision = form.get("decision")
    if decision == "accept":
        return form, who, "accept"
    if decision == "reject":
        return form, who, "reject"
    raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="decision: accept or reject")


def _back(request: Request, ui: Ui, done: str) -> Response:
    target = ui.url(root_of(request) + "/review", done=done)
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


@router.post("/review/matches", response_class=Response, responses=_PAGE, summary="Decide a match")
async def review_match(
    request: Request, settings: SettingsDep, store: StoreDep, runner: RunnerDep
) -> Response:
    """The page's Accept / Refuse on a match; back to /review."""
    ui = reader(request)
    form, who, decision = await _form_reviewer(request, settings, ui)
    body = MatchDecision(
        first=_field(form, "first"),
        second=_field(form, "second"),
        decision=decision,
    )
    await decide_match(request, store, runner, who, body)
    return _back(request, ui, f"match-{decision}")


@router.post("/review/links", response_class=Response, responses=_PAGE, summary="Decide a link")
async def review_link(
    request: Request, settings: SettingsDep, store: StoreDep, runner: RunnerDep
) -> Response:
    """The page's Accept / Refuse on a link; back to /review."""
    ui = reader(request)
    form, who, decision = await _form_reviewer(request, settings, ui)
    body = LinkDecisionIn(
        project=_field(form, "project"),
        target=_field(form, "target"),
        decision=decision,
    )
    await decide_link(request, store, runner, who, body)
    return _back(request, ui, f"link-{decision}")


# -- the JSON form ----------------------------------------------------------------------------


@api_router.get(
    "/review",
    response_model=ReviewLists,
    responses=_API,
    summary="What waits for the Secretariat: proposed matches and links",
)
async def review_json(
    runner: RunnerDep,
    who: ReviewWriter,
    limit: Annotated[int, Query(ge=1, le=500)] = PAGE_SIZE,
    matches_from: Offset = 0,
    links_from: Offset = 0,
) -> ReviewLists:
    """One page of each list, with each list's length (page on with `matches_from`,
    `links_from`); for those who decide (the Secretariat, the service token)."""
    found: ReviewLists = await runner.call(review_lists, limit, matches_from, links_from)
    return found


@api_router.post(
    "/review/matches",
    response_model=MatchOut,
    responses=_DECIDE,
    summary="Accept or refuse a proposed match (the Secretariat)",
)
async def review_match_json(
    request: Request, body: MatchDecision, store: StoreDep, runner: RunnerDep, who: ReviewWriter
) -> MatchOut:
    """Accepting records `owl:sameAs` between the two, refusing `owl:differentFrom`; either
    takes the pair off the list. 404 when no such proposal waits."""
    return await decide_match(request, store, runner, who, body)


@api_router.post(
    "/review/links",
    response_model=LinkProposalOut,
    responses=_DECIDE,
    summary="Accept or refuse a proposed link (the Secretariat)",
)
async def review_link_json(
    request: Request, body: LinkDecisionIn, store: StoreDep, runner: RunnerDep, who: ReviewWriter
) -> LinkProposalOut:
    """Accepting states the link (`sic:addresses` the activity, or `sic:servesObjective` the
    objective), so gaps and coverage count it. 404 when no such proposal waits."""
    return await decide_link(request, store, runner, who, body)
