"""Who a change is recorded as (graph.history), from who the service resolved the caller to.

The name comes from the credential the request opened (api.security), never from anything the
client says about itself; only the comment is the client's (the X-Change-Comment header),
cleaned and bounded.
"""

from __future__ import annotations

from fastapi import Request

from accounts.roles import Principal
from graph.history import Attribution, agent_iri, clean_comment

COMMENT_HEADER = "x-change-comment"


def attribution(who: Principal, base: str, comment: str | None = None) -> Attribution:
    """An account acts as its person when it has one (so the history names someone of the
    graph), else as `{BASE}agent/account/{name}`; the service token as `{BASE}agent/service`."""
    if who.is_service:
        label = "service token"
        return Attribution(
            agent_iri(base, "service", "token"), label, who.via, clean_comment(comment)
        )
    agent = who.person or agent_iri(base, "account", who.name)
    return Attribution(agent, who.name, who.via, clean_comment(comment))


def of_request(request: Request, who: Principal, base: str) -> Attribution:
    """The attribution of a write request, its comment read from X-Change-Comment."""
    return attribution(who, base, request.headers.get(COMMENT_HEADER))
