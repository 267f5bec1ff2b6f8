"""Links from reported projects to the Strategy, proposed by rules (queries.linking): the list,
and a person's decision on one.

Proposals are data (the derived `links` source), so reading them is public; deciding is a
write the Secretariat makes (accounts.permissions, Action.review). A decision is prepared in a
query worker (the proposal found, the write validated) and committed like any other write.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.attribution import of_request
from api.deps import ReviewWriter, RunnerDep, StoreDep
from api.models import (
    ErrorBody,
    LinkDecision,
    LinkProposalOut,
    LinkProposals,
)
from graph.base import GraphStore
from queries.linking import LinkProposal, link_proposals, prepare_decision, project_iri
from runner.pool import Call

router = APIRouter(prefix="/api", tags=["JSON API"])

_READ_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "'project' is not a project's key or IRI."},
}
_DECIDE_ERRORS: dict[int | str, dict[str, Any]] = {
    **_READ_ERRORS,
    401: {"model": ErrorBody, "description": "No credentials (no bearer token, no session)."},
    403: {"model": ErrorBody, "description": "Not the Secretariat, or read-only."},
    404: {"model": ErrorBody, "description": "No such proposal waits for a decision."},
    413: {"model": ErrorBody, "description": "The body is larger than SIC_MAX_BODY_KB."},
    501: {"model": ErrorBody, "description": "The store behind this service takes no writes."},
}


def _out(proposal: LinkProposal) -> LinkProposalOut:
    return LinkProposalOut(
        project=proposal.project,
        project_key=proposal.project_key,
        project_title=proposal.project_title,
        target=proposal.target,
        target_code=proposal.target_code,
        target_kind=proposal.target_kind,
        target_title=proposal.target_title,
        confidence=proposal.confidence,
        rules=proposal.rules,
        evidence=proposal.evidence,
        decision=proposal.decision,
    )


def _proposals(store: GraphStore, project: str | None, waiting: bool) -> list[LinkProposalOut]:
    """In a worker: the proposals, of one project when given."""
    iri = project_iri(store, project) if project else None
    return [_out(p) for p in link_proposals(store, iri, waiting_only=waiting)]


@router.get(
    "/links",
    response_model=LinkProposals,
    responses=_READ_ERRORS,
    summary="Proposed links from reported projects to activities and objectives",
)
async def list_links(
    runner: RunnerDep,
    project: Annotated[str | None, Query(description="a project's key or IRI")] = None,
    waiting: Annotated[bool, Query(description="only those no person has decided")] = True,
) -> LinkProposals:
    """The proposals, best first within each project, with their rules and evidence."""
    found = await runner.call(_proposals, project, waiting)
    return LinkProposals(proposals=found)


@router.post(
    "/links/decisions",
    response_model=LinkProposalOut,
    responses=_DECIDE_ERRORS,
    summary="Accept or refuse one proposed link (the Secretariat)",
)
async def decide(
    request: Request, body: LinkDecision, store: StoreDep, runner: RunnerDep, who: ReviewWriter
) -> LinkProposalOut:
    """Record the decision; accepting also states the link (`sic:addresses` an activity, or
    `sic:servesObjective` an objective), so gaps and coverage count it from now on. 404 when
    no such proposal waits."""
    accept = body.decision == "accept"
    command = f"POST /api/links/decisions ({body.decision}) by {who.name}"
    prepare = Call(prepare_decision, (body.project, body.target, accept, command))
    proposal: LinkProposal | None = None
    by = of_request(request, who, store.base)

    def commit(prepared: tuple[LinkProposal, object]) -> None:
        nonlocal proposal
        proposal, write = prepared
        store.commit(write, by)  # type: ignore[arg-type]

    await runner.write(prepare, commit)
    assert proposal is not None
    decided = _out(proposal)
    return decided.model_copy(update={"decision": "accepted" if accept else "rejected"})
