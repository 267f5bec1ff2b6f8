"""What each role may write: the rules, in this one place.

- the service token (SIC_WRITE_TOKEN, for automation) and a secretariat account: everything,
  including raw SPARQL Update (/update), the Graph Store Protocol (/data) and loads (/api/loads);
- task_force_leader (objective O): the projects that address an activity of O (with their team,
  stage and funding lines), and the activities of O;
- regional_representative (objective O, region R): the projects that address an activity of O
  and take place in R (a country of the project lies in R or in a region within it);
- organisation_contact (organisation G): G itself, and the projects G leads or takes part in;
- analyst: nothing (reads and SPARQL queries, as everyone);
- nobody signed in: nothing (401: say who you are).

People, Task Force roles and alliances are written by the Secretariat only.

Raw SPARQL Update, the Graph Store Protocol and whole loads can touch any triple of any graph,
so no scope can be checked on them: only the Secretariat and the service token use them, and
the scoped roles write through the JSON API (and the forms), which know what a write is about.

A scoped write is allowed when the resource lies in the scope both as it is and as it would
be (`may_change`), so nobody can move a project out of someone else's scope into theirs, nor
out of theirs into someone else's. Reading is not ruled here: everything published is public.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from accounts.roles import Principal, Role
from sic.errors import Refused


class Action(StrEnum):
    """A kind of write (each route that writes names the one it does)."""

    sparql_update = "sparql_update"
    graph_store = "graph_store"
    load = "load"
    write_project = "write_project"
    write_activity = "write_activity"
    write_organisation = "write_organisation"
    write_person = "write_person"
    write_alliance = "write_alliance"
    review = "review"  # decide proposals made by rules: links to the Strategy, matches


RAW = frozenset({Action.sparql_update, Action.graph_store, Action.load})
"""Writes that may touch anything: no scope can be checked on them."""

SCOPED: dict[Role, frozenset[Action]] = {
    Role.secretariat: frozenset(Action),
    Role.task_force_leader: frozenset({Action.write_project, Action.write_activity}),
    Role.regional_representative: frozenset({Action.write_project}),
    Role.organisation_contact: frozenset({Action.write_project, Action.write_organisation}),
    Role.analyst: frozenset(),
}
"""The actions each role may attempt at all; which resources, `within` says."""


@dataclass(frozen=True)
class Reach:
    """What a resource is about, as far as the rules care.

    objectives: codes of the objectives of the activities it addresses (an activity: its own);
    regions: M49 codes of every region its countries lie in, the wider ones included;
    organisations: IRIs of the organisations that lead it or take part (an organisation: itself).
    """

    objectives: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    organisations: frozenset[str] = frozenset()


def may_attempt(who: Principal, action: Action) -> bool:
    """Whether `who` may make this kind of write at all (before its scope is known)."""
    if who.is_service or who.role is Role.secretariat:
        return True
    return who.role is not None and action in SCOPED[who.role]


def within(who: Principal, action: Action, reach: Reach) -> bool:
    """Whether a resource that reaches so lies in the scope of `who` for `action`."""
    if not may_attempt(who, action):
        return False
    if who.is_service or who.role is Role.secretariat:
        return True
    scope = who.scope
    if who.role is Role.task_force_leader:
        return scope.objective in reach.objectives
    if who.role is Role.regional_representative:
        return scope.objective in reach.objectives and scope.region in reach.regions
    if who.role is Role.organisation_contact:
        return scope.organisation in reach.organisations
    return False


def may_change(who: Principal, action: Action, before: Reach | None, after: Reach | None) -> bool:
    """Whether `who` may change a resource from `before` to `after` (None: it does not exist
    before a creation, or after a deletion): both must lie in their scope."""
    return all(within(who, action, reach) for reach in (before, after) if reach is not None)


def refusal(who: Principal, action: Action) -> str:
    """Why a write is refused, in words for the 403's `detail`."""
    role = who.role.value if who.role is not None else who.name
    kind = action.value.removeprefix("write_")
    if not may_attempt(who, action):
        if action in RAW:
            return (
                f"the {role} role may not use {action.value.replace('_', ' ')}: only the "
                "Secretariat and the service token may; write through the JSON API"
            )
        return f"the {role} role may not write {kind}s"
    return f"this {kind} is outside the scope of {who.name} ({who.scope})"


def refused(who: Principal, action: Action) -> Refused:
    """The 403 for a write `who` may not make: `refusal`'s English sentence, with the key and
    values (api/locales/service.*.json) that say it again in the reader's language."""
    role = who.role.value if who.role is not None else ""
    kind = action.value.removeprefix("write_")
    if not may_attempt(who, action):
        key = "refusal.raw" if action in RAW else "refusal.kind"
        values = {"role": role, "name": who.name, "action": action.value, "kind": kind}
    else:
        scope = who.scope
        key = "refusal.scope"
        values = {
            "kind": kind,
            "name": who.name,
            "objective": scope.objective or "",
            "region": scope.region or "",
            "organisation": scope.organisation or "",
        }
    return Refused(refusal(who, action), key, tuple(sorted(values.items())))
