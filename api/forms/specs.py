"""Which forms exist: for each, the kind of resource it writes, the fields and their properties.

Each field is named after the workbook column that holds the same value (organisations.csv,
projects.csv, funding.csv, people.csv, alliances.csv), and writes the properties the workbook
mapping writes for it (loaders.mapping, ontology/README.md), so a form and a workbook say the
same thing the same way. A form over part of a resource (a project's team, its stage) lists
only the fields it changes; the rest of the resource stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS

from accounts.permissions import Action
from api.forms.fields import Field, Kind
from loaders import enums
from sic.vocab import ORG, SCHEMA, SIC


def _f(name: str, kind: Kind, *predicates: object, **options: object) -> Field:
    return Field(name, kind, tuple(str(p) for p in predicates), **options)  # type: ignore[arg-type]


ORGANISATION_FIELDS = (
    _f("name", Kind.text, RDFS.label, required=True, lang="en"),
    _f("acronym", Kind.text, SKOS.altLabel),
    _f("type", Kind.concept, ORG.classification, required=True, of="OrganisationTypes",
       enumeration=enums.ORGANISATION_TYPES),
    _f("status", Kind.concept, SIC.membershipStatus, of="MembershipStatuses",
       enumeration=enums.MEMBERSHIP_STATUSES),
    _f("country", Kind.country, SIC.country, required=True),
    _f("topics", Kind.refs, DCTERMS.subject, of="topic"),
    _f("regions", Kind.regions, SIC.region, of="region"),
)  # fmt: skip

PROJECT_FIELDS = (
    _f("title", Kind.text, RDFS.label, required=True, lang="en"),
    _f("description", Kind.long_text, DCTERMS.description, lang="en"),
    _f("activities", Kind.refs, SIC.addresses, required=True, of="activity"),
    _f("lead", Kind.ref, SIC.lead, required=True, of="organisation"),
    _f("alliance", Kind.ref, SIC.alliance, of="alliance"),
    _f("countries", Kind.countries, SIC.country),
    _f("start", Kind.date, SCHEMA.startDate),
    _f("end", Kind.date, SCHEMA.endDate),
    _f("budget", Kind.decimal, SIC.budget),
    _f("currency", Kind.currency, SCHEMA.currency),
)  # fmt: skip

STAGE = _f("stage", Kind.concept, SIC.stage, required=True, of="Stages",
           enumeration=enums.STAGES)  # fmt: skip
PARTNERS = _f("partners", Kind.refs, SIC.partner, of="organisation")

FUNDING_FIELDS = (
    _f("project", Kind.ref, SCHEMA.fundedItem, required=True, of="project"),
    _f("funder", Kind.ref, SCHEMA.funder, required=True, of="organisation"),
    _f("status", Kind.concept, SIC.fundingStatus, required=True, of="FundingStatuses",
       enumeration=enums.FUNDING_STATUSES),
    _f("amount", Kind.decimal, SCHEMA.amount, required=True),
    _f("currency", Kind.currency, SCHEMA.currency, required=True),
    _f("date", Kind.date, DCTERMS.date),
)  # fmt: skip

PERSON_FIELDS = (
    _f("name", Kind.text, RDFS.label, FOAF.name, required=True, lang="en"),
    _f("organisation", Kind.ref, ORG.memberOf, required=True, of="organisation"),
    _f("country", Kind.country, SIC.country),
)

ROLE_FIELDS = (
    _f("person", Kind.ref, ORG.member, required=True, of="person"),
    _f("objective", Kind.ref, ORG.organization, required=True, of="taskforce"),
    _f("role", Kind.concept, ORG.role, required=True, of="TaskForceRoles",
       enumeration=enums.TASK_FORCE_ROLES),
    _f("region", Kind.region, SIC.region, of="region"),
)  # fmt: skip
"""A person's role in a Task Force (`{BASE}id/taskforce/{objective}#{role}-{person}`)."""

ALLIANCE_FIELDS = (
    _f("name", Kind.text, RDFS.label, required=True, lang="en"),
    _f("lead", Kind.ref, SIC.lead, required=True, of="organisation"),
    _f("members", Kind.refs, ORG.hasMember, required=True, of="organisation"),
    _f("activities", Kind.refs, SIC.addresses, of="activity"),
    _f("formed", Kind.date, DCTERMS.created),
)


@dataclass(frozen=True)
class FormSpec:
    """One form: its name in URLs, the kind of resource (`{BASE}id/{kind}/{key}`), its class,
    the write it is (accounts.permissions) and its fields. `keyed`: a new one is named by the
    key a person types (the `id` field); else the key is made from its values (a funding).
    `defaults`: what a new one's fields hold when the form opens (a project starts as an idea)."""

    name: str
    kind: str
    rdf_class: str
    action: Action
    fields: tuple[Field, ...]
    keyed: bool = True
    defaults: tuple[tuple[str, str], ...] = ()

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


FORMS: dict[str, FormSpec] = {
    spec.name: spec
    for spec in (
        FormSpec("organisation", "organisation", str(SIC.Organisation),
                 Action.write_organisation, ORGANISATION_FIELDS),
        FormSpec("project", "project", str(SIC.Project), Action.write_project,
                 (*PROJECT_FIELDS[:2], STAGE, *PROJECT_FIELDS[2:4], PARTNERS,
                  *PROJECT_FIELDS[4:]), defaults=(("stage", "idea"),)),
        FormSpec("team", "project", str(SIC.Project), Action.write_project, (PARTNERS,)),
        FormSpec("stage", "project", str(SIC.Project), Action.write_project, (STAGE,)),
        FormSpec("funding", "funding", str(SIC.Funding), Action.write_project, FUNDING_FIELDS,
                 keyed=False),
        FormSpec("person", "person", str(SIC.Person), Action.write_person, PERSON_FIELDS),
        FormSpec("alliance", "alliance", str(SIC.Alliance), Action.write_alliance,
                 ALLIANCE_FIELDS),
        FormSpec("role", "taskforce", str(SIC.TaskForceRole), Action.write_person, ROLE_FIELDS,
                 keyed=False),
    )
}  # fmt: skip
"""Every form by the name its routes use."""

EDITABLE = {"organisation": "organisation", "project": "project", "person": "person",
            "alliance": "alliance", "funding": "funding", "role": "role"}  # fmt: skip
"""/edit/{kind}/{key}: the form that edits a resource of each kind."""
PARTS = {"team": "team", "stage": "stage"}
"""/edit/project/{key}/{part}: the forms over part of a project."""
CREATABLE = ("project", "funding", "person", "role", "alliance")
"""/new/{name}: the forms that make a new resource."""
REMOVABLE = ("funding", "role")
"""/remove/{name}/{key}: what a person may take out of the graph through a form (a line or a
role, which nothing else refers to); its removal is a form of its own, confirmed."""
