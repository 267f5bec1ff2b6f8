"""The controlled lists of the workbook: each allowed cell value and the concept it stands for.

These tables restate ontology/README.md (the contract) so that the loader does not need the
ontology files at hand; tests/loaders/test_enums.py checks them against the ontology's SKOS
concept schemes (value = `skos:notation`), so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import URIRef

from sic.vocab import SIC


@dataclass(frozen=True)
class Enumeration:
    """One controlled list: what a cell value is called in messages, its scheme and its concepts."""

    noun: str
    scheme: URIRef
    concepts: Mapping[str, URIRef]

    def allowed(self) -> str:
        """The allowed values, in the order the contract lists them, for error messages."""
        return ", ".join(self.concepts)

    def lookup(self, value: str) -> URIRef | None:
        """The concept for a cell value, ignoring case (`Funded` is as clear as `funded`)."""
        return self.concepts.get(value.strip().lower())


FACILITIES = Enumeration(
    "facility",
    SIC.FacilityTypes,
    {"core": SIC.CoreFacility, "global": SIC.GlobalFacility},
)

ORGANISATION_TYPES = Enumeration(
    "organisation type",
    SIC.OrganisationTypes,
    {
        "state": SIC.OrgTypeState,
        "international": SIC.OrgTypeInternational,
        "donor": SIC.OrgTypeDonor,
        "producers": SIC.OrgTypeProducers,
        "research": SIC.OrgTypeResearch,
        "ngo": SIC.OrgTypeNGO,
        "company": SIC.OrgTypeCompany,
    },
)

MEMBERSHIP_STATUSES = Enumeration(
    "membership status",
    SIC.MembershipStatuses,
    {"member": SIC.StatusMember, "partner": SIC.StatusPartner, "friend": SIC.StatusFriend},
)

TASK_FORCE_ROLES = Enumeration(
    "task force role",
    SIC.TaskForceRoles,
    {
        "leader": SIC.RoleLeader,
        "regional_representative": SIC.RoleRegionalRepresentative,
        "member": SIC.RoleMember,
    },
)

STAGES = Enumeration(
    "stage",
    SIC.Stages,
    {
        "idea": SIC.StageIdea,
        "team": SIC.StageTeam,
        "concept_note": SIC.StageConceptNote,
        "proposal": SIC.StageProposal,
        "funded": SIC.StageFunded,
        "implementation": SIC.StageImplementation,
        "completed": SIC.StageCompleted,
        "discontinued": SIC.StageDiscontinued,
    },
)

FUNDING_STATUSES = Enumeration(
    "funding status",
    SIC.FundingStatuses,
    {
        "pledged": SIC.FundingPledged,
        "committed": SIC.FundingCommitted,
        "disbursed": SIC.FundingDisbursed,
    },
)

DELPHI_PHASES = Enumeration(
    "Delphi phase",
    SIC.DelphiPhases,
    {"1": SIC.DelphiPhase1, "2": SIC.DelphiPhase2, "3": SIC.DelphiPhase3},
)

DELPHI_QUESTIONS = Enumeration(
    "Delphi question",
    SIC.DelphiQuestions,
    {
        "problem": SIC.QuestionProblem,
        "root_causes": SIC.QuestionRootCauses,
        "actions": SIC.QuestionActions,
        "success_factors": SIC.QuestionSuccessFactors,
        "obstacles": SIC.QuestionObstacles,
    },
)

ALL: tuple[Enumeration, ...] = (
    FACILITIES,
    ORGANISATION_TYPES,
    MEMBERSHIP_STATUSES,
    TASK_FORCE_ROLES,
    STAGES,
    FUNDING_STATUSES,
    DELPHI_PHASES,
    DELPHI_QUESTIONS,
)
"""Every controlled list the workbook uses (regions are open-ended UN M49 codes, not listed)."""

DELPHI_STUDY = SIC.DelphiStudy2021
"""The one Delphi study the responses belong to (`sic:study`)."""
