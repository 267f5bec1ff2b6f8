"""The write rules: what each role may attempt, and which resources lie in its scope."""

from __future__ import annotations

import pytest

from accounts.permissions import RAW, Action, Reach, may_attempt, may_change, refusal, within
from accounts.roles import Principal, Role, Scope

SAHEL = "https://w3id.org/4p1000/id/organisation/sahel-ssri"
GSHF = "https://w3id.org/4p1000/id/organisation/gshf"
SECRETARIAT = Principal("sec", Role.secretariat, Scope(), "token")
LEADER = Principal("lea", Role.task_force_leader, Scope("A1"), "token")
REPRESENTATIVE = Principal("rep", Role.regional_representative, Scope("A1", "150"), "token")
CONTACT = Principal("con", Role.organisation_contact, Scope(None, None, SAHEL), "session")
ANALYST = Principal("ana", Role.analyst, Scope(), "session")

IN_EUROPE = Reach(frozenset({"A1"}), frozenset({"154", "150", "001"}), frozenset({SAHEL}))
IN_AFRICA = Reach(frozenset({"A1", "B1"}), frozenset({"011", "002", "001"}), frozenset({GSHF}))
ELSEWHERE = Reach(frozenset({"B1"}), frozenset({"011", "002", "001"}), frozenset({GSHF}))


@pytest.mark.parametrize("action", sorted(RAW))
def test_raw_writes_are_for_the_secretariat_and_the_service_token(action: Action) -> None:
    assert may_attempt(Principal.service(), action) and may_attempt(SECRETARIAT, action)
    for who in (LEADER, REPRESENTATIVE, CONTACT, ANALYST):
        assert not may_attempt(who, action)
        assert "only the Secretariat and the service token" in refusal(who, action)


def test_projects_lie_in_a_scope_by_objective_region_or_organisation() -> None:
    project = Action.write_project
    assert [within(w, project, IN_EUROPE) for w in (LEADER, REPRESENTATIVE, CONTACT)] == [
        True,
        True,
        True,
    ]
    assert [within(w, project, IN_AFRICA) for w in (LEADER, REPRESENTATIVE, CONTACT)] == [
        True,
        False,
        False,
    ]
    assert [within(w, project, ELSEWHERE) for w in (LEADER, REPRESENTATIVE, CONTACT)] == [
        False,
        False,
        False,
    ]
    assert within(SECRETARIAT, project, ELSEWHERE) and not within(ANALYST, project, IN_EUROPE)


def test_other_kinds_follow_the_table() -> None:
    activity_of_a1 = Reach(objectives=frozenset({"A1"}))
    assert within(LEADER, Action.write_activity, activity_of_a1)
    assert not within(REPRESENTATIVE, Action.write_activity, activity_of_a1)
    own = Reach(organisations=frozenset({SAHEL}))
    assert within(CONTACT, Action.write_organisation, own)
    assert not within(CONTACT, Action.write_organisation, Reach(organisations=frozenset({GSHF})))
    for action in (Action.write_person, Action.write_alliance):
        assert [may_attempt(w, action) for w in (SECRETARIAT, LEADER, CONTACT)] == [
            True,
            False,
            False,
        ]


def test_a_change_must_lie_in_the_scope_before_and_after() -> None:
    project = Action.write_project
    assert may_change(LEADER, project, None, IN_EUROPE)  # a creation
    assert may_change(LEADER, project, IN_EUROPE, IN_AFRICA)
    assert not may_change(LEADER, project, ELSEWHERE, IN_EUROPE)  # taking someone else's
    assert not may_change(LEADER, project, IN_EUROPE, ELSEWHERE)  # giving it away
    assert may_change(SECRETARIAT, project, ELSEWHERE, None)  # a deletion


def test_a_scope_refusal_names_the_scope() -> None:
    assert refusal(REPRESENTATIVE, Action.write_project) == (
        "this project is outside the scope of rep (objective A1, region 150)"
    )
    assert refusal(ANALYST, Action.write_project) == "the analyst role may not write projects"
