"""The roles of the Strategy Implementation Cycle, what scope each needs, and who is acting.

A role says what kind of thing someone may write; a scope says which ones: the objective of a
Task Force role, the region of a representative, the organisation of a contact. The scope is
checked when an account is made, so an account can never hold a role without the scope it needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """What an account is, in the Initiative's own words (see accounts.permissions)."""

    secretariat = "secretariat"
    task_force_leader = "task_force_leader"
    regional_representative = "regional_representative"
    organisation_contact = "organisation_contact"
    analyst = "analyst"


OBJECTIVE = re.compile(r"^[A-Z][0-9]{1,2}$")
"""An objective code of the Strategic Plan (A1 ... F4)."""
REGION = re.compile(r"^[0-9]{3}$")
"""A UN M49 region code (three digits, e.g. 002 Africa, 150 Europe)."""


@dataclass(frozen=True)
class Scope:
    """Which objective, region and organisation an account's role is about (None: not any)."""

    objective: str | None = None
    region: str | None = None
    organisation: str | None = None

    def __str__(self) -> str:
        parts = [
            f"{name} {value}"
            for name, value in (
                ("objective", self.objective),
                ("region", self.region),
                ("organisation", self.organisation),
            )
            if value
        ]
        return ", ".join(parts) or "-"


NEEDS: dict[Role, frozenset[str]] = {
    Role.secretariat: frozenset(),
    Role.task_force_leader: frozenset({"objective"}),
    Role.regional_representative: frozenset({"objective", "region"}),
    Role.organisation_contact: frozenset({"organisation"}),
    Role.analyst: frozenset(),
}
"""The parts of the scope each role needs, and may have: no more, no less."""


def check_scope(role: Role, scope: Scope) -> Scope:
    """The scope, if it is exactly what the role needs and each part is well formed.

    :raises ValueError: saying which part is missing, superfluous or malformed.
    """
    given = {name for name in ("objective", "region", "organisation") if getattr(scope, name)}
    missing = sorted(NEEDS[role] - given)
    extra = sorted(given - NEEDS[role])
    if missing:
        raise ValueError(f"a {role.value} account needs its {' and '.join(missing)}")
    if extra:
        raise ValueError(f"a {role.value} account has no {' or '.join(extra)}")
    if scope.objective and not OBJECTIVE.match(scope.objective):
        raise ValueError(f"{scope.objective!r} is not an objective code such as A1")
    if scope.region and not REGION.match(scope.region):
        raise ValueError(f"{scope.region!r} is not a UN M49 region code such as 150")
    if scope.organisation and not scope.organisation.startswith(("http://", "https://")):
        raise ValueError(f"{scope.organisation!r} is not an organisation IRI")
    return scope


@dataclass(frozen=True)
class Account:
    """A person who signs in: never stored in the graph; `person` links to their IRI there."""

    id: int
    username: str
    display_name: str
    role: Role
    scope: Scope = field(default_factory=Scope)
    person: str | None = None
    disabled: bool = False
    created: str = ""


SERVICE = "service"
"""The name the service token acts under (automation: loads, synchronisation scripts)."""


@dataclass(frozen=True)
class Principal:
    """Who is making a request: an account (by session or API token), or the service token.

    Travels to the worker that prepares a write (it is pickled), so it holds plain values only.
    """

    name: str
    role: Role | None
    scope: Scope
    via: str  # "service", "token" or "session"
    person: str | None = None

    @property
    def is_service(self) -> bool:
        return self.via == SERVICE

    @classmethod
    def service(cls) -> Principal:
        return cls(SERVICE, None, Scope(), SERVICE)

    @classmethod
    def of(cls, account: Account, via: str) -> Principal:
        return cls(account.username, account.role, account.scope, via, account.person)
