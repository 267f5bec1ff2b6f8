"""Writes whose permission depends on what they are about, checked where they are prepared.

A Task Force leader may submit a project of their objective, a contact one their organisation
leads or joins (accounts.permissions). What a submission is about is read from the graph in
the worker that prepares the write, on the very data the write is then validated against, so
the check and the write cannot see two different states. A refusal stores nothing (403).
"""

from __future__ import annotations

from accounts.permissions import Action, Reach, refused, within
from accounts.roles import Principal, Role
from graph.base import GraphStore, PreparedWrite
from queries.reach import parts_reach
from queries.submission import Submission, prepare_submission


def unscoped(who: Principal) -> bool:
    """The service token and the Secretariat write anything: nothing to read for them."""
    return who.is_service or who.role is Role.secretariat


def prepare_submission_by(
    store: GraphStore, submission: Submission, base: str, who: Principal
) -> PreparedWrite:
    """`prepare_submission`, once the project is found within the scope of `who` (in a worker).

    :raises Forbidden: the project lies outside their scope.
    :raises Conflict, ValidationFailed: as prepare_submission.
    """
    if not unscoped(who):
        countries = [c for c in submission.cells.get("countries", "").split(";") if c.strip()]
        reached = parts_reach(
            store,
            submission.referenced.get("activities", ()),
            countries,
            submission.referenced.get("organisations", ()),
        )
        if not within(who, Action.write_project, Reach(*reached)):
            raise refused(who, Action.write_project)
    return prepare_submission(store, submission, base)
