"""The controlled lists of the workbook: which concept scheme a column takes, and its values.

The values and the concepts they stand for are the ontology's, and only the ontology's: each
list is a SKOS concept scheme whose concepts' `skos:notation` is what a cell holds
(sic.ontology.controlled_values), so a value added to or renamed in ontology/core/*.ttl is what
the loader accepts, and its messages list. This module only says which scheme a column takes
and how to name one of its values in a message. The ontology is read on first use, once per
process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from rdflib import URIRef

from sic.ontology import controlled_values
from sic.vocab import SIC


@dataclass(frozen=True)
class Enumeration:
    """One controlled list: what a cell value is called in messages, and its concept scheme."""

    noun: str
    scheme: URIRef

    @property
    def concepts(self) -> Mapping[str, URIRef]:
        """{cell value: concept}, in the order the ontology declares them."""
        return _concepts(self.scheme)

    def allowed(self) -> str:
        """The allowed values, in the ontology's order, for error messages: `a, b, c`."""
        return ", ".join(self.concepts)

    def either(self) -> str:
        """The allowed values as a choice for people, in the ontology's order: `a, b or c`."""
        *first, last = [*self.concepts] or [""]
        return f"{', '.join(first)} or {last}" if first else last

    def lookup(self, value: str) -> URIRef | None:
        """The concept for a cell value, ignoring case (`Funded` is as clear as `funded`)."""
        return self.concepts.get(value.strip().lower())


@cache
def _concepts(scheme: URIRef) -> Mapping[str, URIRef]:
    """One scheme's values, read from the ontology once per process (a lookup per cell must
    not look at the ontology files again)."""
    return MappingProxyType(controlled_values(scheme))


FACILITIES = Enumeration("facility", SIC.FacilityTypes)
ORGANISATION_TYPES = Enumeration("organisation type", SIC.OrganisationTypes)
MEMBERSHIP_STATUSES = Enumeration("membership status", SIC.MembershipStatuses)
TASK_FORCE_ROLES = Enumeration("task force role", SIC.TaskForceRoles)
STAGES = Enumeration("stage", SIC.Stages)
FUNDING_STATUSES = Enumeration("funding status", SIC.FundingStatuses)
DELPHI_PHASES = Enumeration("Delphi phase", SIC.DelphiPhases)
DELPHI_QUESTIONS = Enumeration("Delphi question", SIC.DelphiQuestions)

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
