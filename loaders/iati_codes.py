"""The IATI codelists the loader reads, and what each code becomes in the SIC ontology.

IATI 2.0x writes codes (`role="1"`); IATI 1.0x wrote codes or names (`role="Funding"`,
`<activity-status>Implementation</activity-status>`, transaction type `C`), in any case. Each
table here takes both, so that a code means the same whatever the version. A value that is in
none of them is an unknown code: the loader refuses it, naming file, line and activity, rather
than guess. Sources: the IATI Standard's codelists ActivityStatus, OrganisationRole,
OrganisationType, TransactionType, ActivityDateType, BudgetType and SectorVocabulary
(version 2.03), and the names IATI 1.0x used for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from sic.vocab import SIC

STAGES: dict[str, URIRef] = {
    "1": SIC.StageProposal,  # Pipeline/identification: being scoped, not yet funded
    "2": SIC.StageImplementation,
    "3": SIC.StageCompleted,  # Finalisation: physically complete, books still open
    "4": SIC.StageCompleted,  # Closed
    "5": SIC.StageDiscontinued,  # Cancelled
    "6": SIC.StageDiscontinued,  # Suspended: stopped, for now
}
"""ActivityStatus -> the cycle's stage (ontology/README.md, `sic:Stages`)."""

_STATUS_NAMES = {
    "pipeline/identification": "1",
    "pipeline": "1",
    "implementation": "2",
    "completion": "3",
    "finalisation": "3",
    "post-completion": "4",
    "closed": "4",
    "cancelled": "5",
    "suspended": "6",
}

FUNDER, LEAD, PARTNER = "funder", "lead", "partner"
ROLES: dict[str, str] = {"1": FUNDER, "2": LEAD, "3": PARTNER, "4": PARTNER}
"""OrganisationRole -> the ontology's role: funding -> funder (`schema:funder`), accountable
-> lead (`sic:lead`), extending and implementing -> partner (`sic:partner`)."""

_ROLE_NAMES = {"funding": "1", "accountable": "2", "extending": "3", "implementing": "4"}

ORGANISATION_TYPES: dict[str, URIRef | None] = {
    "10": SIC.OrgTypeState,  # Government
    "11": SIC.OrgTypeState,  # Local Government
    "15": SIC.OrgTypeState,  # Other Public Sector
    "21": SIC.OrgTypeNGO,  # International NGO
    "22": SIC.OrgTypeNGO,  # National NGO
    "23": SIC.OrgTypeNGO,  # Regional NGO
    "24": SIC.OrgTypeNGO,  # Partner Country based NGO
    "30": None,  # Public Private Partnership: no SIC type says it
    "40": SIC.OrgTypeInternational,  # Multilateral
    "60": SIC.OrgTypeDonor,  # Foundation
    "70": SIC.OrgTypeCompany,  # Private Sector
    "71": SIC.OrgTypeCompany,  # Private Sector in Provider Country
    "72": SIC.OrgTypeCompany,  # Private Sector in Aid Recipient Country
    "73": SIC.OrgTypeCompany,  # Private Sector in Third Country
    "80": SIC.OrgTypeResearch,  # Academic, Training and Research
    "90": None,  # Other
}
"""OrganisationType -> `sic:OrganisationTypes`; None for a known code no SIC type says."""

COMMITTED, DISBURSED, PLEDGED = "committed", "disbursed", "pledged"
TRANSACTIONS: dict[str, str | None] = {
    "1": None,  # Incoming Funds: money received, already a disbursement of its provider
    "2": COMMITTED,  # Outgoing Commitment
    "3": DISBURSED,  # Disbursement
    "4": DISBURSED,  # Expenditure
    "5": None,  # Interest Payment
    "6": None,  # Loan Repayment
    "7": None,  # Reimbursement
    "8": None,  # Purchase of Equity
    "9": None,  # Sale of Equity
    "10": None,  # Credit Guarantee
    "11": None,  # Incoming Commitment: the provider's own commitment, reported by its recipient
    "12": PLEDGED,  # Outgoing Pledge
    "13": None,  # Incoming Pledge
}
"""TransactionType -> funding status; None for a known type that is not a funding line."""

_TRANSACTION_LETTERS = {
    "IF": "1",
    "C": "2",
    "D": "3",
    "E": "4",
    "IR": "5",
    "LR": "6",
    "R": "7",
    "QP": "8",
    "QS": "9",
    "CG": "10",
}

START_DATES = ("2", "1")  # actual start, else planned start
END_DATES = ("4", "3")  # actual end, else planned end
_DATE_NAMES = {
    "start-planned": "1",
    "start-actual": "2",
    "end-planned": "3",
    "end-actual": "4",
}

BUDGET_TYPES = {"1": "original", "2": "revised"}

DAC_VOCABULARIES = {"1", "2", "dac", "dac-3", ""}
"""SectorVocabulary values that hold DAC codes: 1 (five digits), 2 (three digits), and 1.0x's
`DAC` or nothing, whose codes have either length."""
OTHER_SECTOR_VOCABULARIES = {str(n) for n in range(3, 13)} | {"98", "99"}


@dataclass(frozen=True)
class Code:
    """A code read from a file: the canonical code, or None with the codes that would do.

    `known` is the codes alone ("1, 2, 3"): the sentence around them, which names the IATI
    code list, is each language's own (loaders.messages), so a French reader is not handed an
    English phrase inside a French sentence."""

    code: str | None
    known: str = ""


def _lookup(value: str, codes: dict[str, object], names: dict[str, str]) -> Code:
    key = value.strip()
    if key in codes:
        return Code(key)
    named = names.get(key.lower())
    if named is not None:
        return Code(named)
    return Code(None, ", ".join(codes))


def activity_status(value: str) -> Code:
    """An activity-status code or 1.0x name (`Implementation`)."""
    return _lookup(value, dict(STAGES), _STATUS_NAMES)


def organisation_role(value: str) -> Code:
    """A participating-org role code or name (`Funding`, in any case)."""
    return _lookup(value, dict(ROLES), _ROLE_NAMES)


def organisation_type(value: str) -> Code:
    """An organisation type code."""
    return _lookup(value, dict(ORGANISATION_TYPES), {})


def transaction_type(value: str) -> Code:
    """A transaction type code or 1.0x letter (`C`, `D`, `E`)."""
    upper = value.strip().upper()
    letter = _TRANSACTION_LETTERS.get(upper)
    if letter is not None:
        return Code(letter)
    return _lookup(value, dict(TRANSACTIONS), {})


def date_type(value: str) -> Code:
    """An activity-date type code or 1.0x name (`start-planned`)."""
    return _lookup(value, {"1": 1, "2": 2, "3": 3, "4": 4}, _DATE_NAMES)


def budget_type(value: str) -> Code:
    """A budget type code (1 original, 2 revised); absent means original."""
    if not value.strip():
        return Code("1")
    return _lookup(value, dict(BUDGET_TYPES), {})
