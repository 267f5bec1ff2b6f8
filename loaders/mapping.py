"""From workbook rows to RDF, one function per sheet, following ontology/README.md to the letter.

Each function reads like the contract's table row for its sheet, so the two can be compared
line by line. Keys of every sheet are indexed before any row is mapped, so a reference may point
to a row further down or to a sheet mapped later.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from urllib.parse import quote

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS

from loaders import cells as read
from loaders import enums
from loaders.builder import Builder, RowCells, Subject
from loaders.sheets import SHEETS
from loaders.table import Tables, split
from sic.progress import Progress, no_progress, phase
from sic.vocab import ORG, SCHEMA, SIC

_FRAGMENT_SAFE = "-._~:@!$&'()*+,;="


QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
"""W3C Data Cube and the SDMX components it recommends, for indicators and observations."""

_REPORT_EVERY = 2_000
"""Rows mapped between two progress reports."""


def map_tables(tables: Tables, base: str, progress: Progress = no_progress) -> Builder:
    """Map every sheet of a workbook; the builder holds the triples, the origins and the
    problems. `progress` is told of the `map` phase, in rows."""
    builder = Builder(tables, base)
    for sheet in SHEETS:
        builder.collect_keys(sheet)
    _index_agrovoc(builder)
    roles: dict[tuple[str, str, str], int] = {}
    fundings: Counter[str] = Counter()
    observed: dict[tuple[str, str], int] = {}
    mappers: dict[str, Callable[[RowCells], None]] = {
        "goals": _goal,
        "objectives": _objective,
        "categories": _category,
        "activities": _activity,
        "topics": _topic,
        "organisations": _organisation,
        "people": _person,
        "task_force_roles": lambda row: _task_force_role(row, roles),
        "alliances": _alliance,
        "projects": _project,
        "funding": lambda row: _funding(row, fundings),
        "calls": _call,
        "delphi_responses": _delphi_response,
        "indicators": _indicator,
        "observations": lambda row: _observation(row, observed),
    }
    total = sum(len(t.rows) for name, t in tables.tables.items() if name in mappers)
    with phase(progress, "map", total=total, unit="rows") as mapped:
        pending = 0
        for sheet in SHEETS:
            mapper = mappers[sheet.name]
            for row in builder.rows(sheet):
                mapper(row)
                pending += 1
                if pending == _REPORT_EVERY:
                    mapped.advance(pending)
                    pending = 0
        mapped.advance(pending)
    return builder


def _index_agrovoc(builder: Builder) -> None:
    """Map AGROVOC ids to the local topics that match them, refusing an id given twice
    (a reference by that id would be ambiguous)."""
    table = builder.tables.tables.get("topics")
    if table is None:
        return
    first: dict[str, int] = {}
    for row in table.rows:
        code, agrovoc = row.get("code"), row.get("agrovoc")
        if not code or not agrovoc or not read.is_agrovoc_id(agrovoc):
            continue
        if agrovoc in first:
            where = table.at(row.number, "agrovoc")
            builder.say(where, "row.agrovoc_ambiguous", agrovoc=agrovoc, row=first[agrovoc])
            continue
        first[agrovoc] = row.number
        builder.agrovoc_topics[agrovoc] = builder.iri("topic", code)


def _goal(row: RowCells) -> None:
    goal = row.subject(SIC.Goal)
    row.texts(goal, "title", RDFS.label)
    row.texts(goal, "description", DCTERMS.description)


def _objective(row: RowCells) -> None:
    objective = row.subject(SIC.StrategicObjective)
    row.add(objective, SIC.goal, row.ref("goal", "goals", required=True), "goal")
    row.texts(objective, "title", RDFS.label)
    row.texts(objective, "description", DCTERMS.description)
    row.add(objective, SIC.facility, row.enum("facility", enums.FACILITIES, True), "facility")
    for column, predicate in (
        ("baseline_2020", SIC.baseline2020),
        ("target_2030", SIC.target2030),
        ("target_2050", SIC.target2050),
    ):
        text = row.value(column)
        row.add(objective, predicate, Literal(text, lang="en") if text else None, column)
    row.add_all(objective, DCTERMS.subject, row.topics("topics"), "topics")
    row.add_all(objective, SIC.sdg, row.read_all("sdg", read.sdg_iri), "sdg")
    row.add_all(objective, DCTERMS.source, row.read_all("source", read.web_iri), "source")
    if isinstance(objective, URIRef):
        _task_force(row, objective)


def _task_force(row: RowCells, objective: URIRef) -> None:
    """The Task Force every objective has; it exists because the objective does."""
    code = row.value("code")
    task_force = row.builder.iri("taskforce", code)
    row.add(task_force, RDF.type, SIC.TaskForce, "code")
    row.add(task_force, DCTERMS.identifier, Literal(code), "code")
    row.add(task_force, SIC.objective, objective, "code")
    row.add(task_force, RDFS.label, Literal(f"Task Force {code}", lang="en"), "code")
    row.add(task_force, RDFS.label, Literal(f"Groupe de travail {code}", lang="fr"), "code")


def _category(row: RowCells) -> None:
    category = row.subject(SIC.Category)
    row.texts(category, "label", RDFS.label)
    row.texts(category, "definition", SKOS.definition)


def _activity(row: RowCells) -> None:
    activity = row.subject(SIC.Activity)
    row.add(activity, SIC.objective, row.ref("objective", "objectives", True), "objective")
    row.add(activity, SIC.category, row.ref("category", "categories", True), "category")
    row.texts(activity, "title", RDFS.label)
    row.texts(activity, "description", DCTERMS.description)
    row.add(activity, SIC.facility, row.enum("facility", enums.FACILITIES), "facility")
    row.add_all(activity, DCTERMS.subject, row.topics("topics"), "topics")


def _topic(row: RowCells) -> None:
    topic = row.subject(SIC.Topic)
    row.texts(topic, "label", SKOS.prefLabel, RDFS.label)
    row.add(topic, SKOS.broader, row.ref("broader", "topics"), "broader")
    row.add(topic, SKOS.exactMatch, row.read("agrovoc", read.agrovoc_iri), "agrovoc")


def _organisation(row: RowCells) -> None:
    organisation = row.subject(SIC.Organisation)
    row.texts(organisation, "name", RDFS.label)
    acronym = row.value("acronym")
    row.add(organisation, SKOS.altLabel, Literal(acronym) if acronym else None, "acronym")
    org_type = row.enum("type", enums.ORGANISATION_TYPES, required=True)
    row.add(organisation, ORG.classification, org_type, "type")
    row.add(organisation, SIC.country, row.read("country", read.country, True), "country")
    status = row.enum("status", enums.MEMBERSHIP_STATUSES)
    row.add(organisation, SIC.membershipStatus, status, "status")
    row.add_all(organisation, DCTERMS.subject, row.topics("topics"), "topics")
    interests = row.refs("objectives", "objectives")
    row.add_all(organisation, SIC.interestedIn, interests, "objectives")
    row.add_all(organisation, SIC.region, row.read_all("regions", read.region_iri), "regions")
    row.add(organisation, FOAF.homepage, row.read("website", read.web_iri), "website")
    row.add(organisation, OWL.sameAs, row.read("wikidata", read.wikidata_iri), "wikidata")
    row.add(organisation, OWL.sameAs, row.read("ror", read.ror_iri), "ror")


def _person(row: RowCells) -> None:
    person = row.subject(SIC.Person)
    row.texts(person, "name", RDFS.label, FOAF.name)
    row.add(person, ORG.memberOf, row.ref("organisation", "organisations", True), "organisation")
    row.add(person, SIC.country, row.read("country", read.country), "country")


def _task_force_role(row: RowCells, seen: dict[tuple[str, str, str], int]) -> None:
    """`{BASE}id/taskforce/{objective}#{role}-{person}`: one role of one person in one Task
    Force, so the same person and role twice in one Task Force is a repeated row."""
    person = row.ref("person", "people", required=True)
    objective = row.ref("objective", "objectives", required=True)
    role = row.enum("role", enums.TASK_FORCE_ROLES, required=True)
    person_id, objective_code = row.value("person"), row.value("objective")
    role_value = row.value("role").lower()
    subject: Subject = BNode()
    if person_id and objective_code and role is not None:
        key = (objective_code, role_value, person_id)
        if key in seen:
            row.builder.say(
                row.at("person"),
                "row.duplicate_role",
                person=person_id,
                role=role_value,
                objective=objective_code,
                row=seen[key],
            )
        seen.setdefault(key, row.row.number)
        fragment = quote(f"{role_value}-{person_id}", safe=_FRAGMENT_SAFE)
        subject = URIRef(f"{row.builder.iri('taskforce', objective_code)}#{fragment}")
        identifier = Literal(f"{objective_code}#{role_value}-{person_id}")
        row.builder.add(subject, DCTERMS.identifier, identifier, row.at())
    row.builder.add(subject, RDF.type, SIC.TaskForceRole, row.at())
    row.add(subject, ORG.member, person, "person")
    if objective is not None:
        row.add(
            subject, ORG.organization, row.builder.iri("taskforce", objective_code), "objective"
        )
    row.add(subject, ORG.role, role, "role")
    region = row.read("region", read.region_iri)
    row.add(subject, SIC.region, region, "region")
    if role == SIC.RoleRegionalRepresentative and not row.value("region"):
        row.builder.say(row.at("region"), "row.representative_region")


def _alliance(row: RowCells) -> None:
    alliance = row.subject(SIC.Alliance)
    row.texts(alliance, "name", RDFS.label)
    lead = row.ref("lead", "organisations", required=True)
    row.add(alliance, SIC.lead, lead, "lead")
    members = row.refs("members", "organisations", required=True)
    row.add_all(alliance, ORG.hasMember, members, "members")
    lead_id = row.value("lead")
    if lead is not None and lead_id not in split(row.value("members")):
        listed = row.value("members")
        key = "row.lead_not_member" if listed else "row.lead_no_members"
        row.builder.say(row.at("lead"), key, lead=lead_id, members=listed)
    row.add_all(alliance, SIC.addresses, row.refs("activities", "activities"), "activities")
    row.add(alliance, DCTERMS.created, row.read("formed", read.date), "formed")


def _project(row: RowCells) -> None:
    project = row.subject(SIC.Project)
    row.texts(project, "title", RDFS.label)
    row.texts(project, "description", DCTERMS.description)
    row.add(project, SIC.stage, row.enum("stage", enums.STAGES, required=True), "stage")
    row.add(project, SIC.lead, row.ref("lead", "organisations", required=True), "lead")
    row.add_all(project, SIC.partner, row.refs("partners", "organisations"), "partners")
    row.add(project, SIC.alliance, row.ref("alliance", "alliances"), "alliance")
    addresses = row.refs("activities", "activities", required=True)
    row.add_all(project, SIC.addresses, addresses, "activities")
    row.add_all(project, SIC.country, row.read_all("countries", read.country), "countries")
    row.add(project, SCHEMA.startDate, row.read("start", read.date), "start")
    row.add(project, SCHEMA.endDate, row.read("end", read.date), "end")
    row.add(project, SIC.budget, row.read("budget", read.decimal), "budget")
    row.add(project, SCHEMA.currency, row.read("currency", read.currency), "currency")


def _funding(row: RowCells, seen: Counter[str]) -> None:
    """`{BASE}id/funding/{project}.{funder}.{status}`, then `.2`, `.3` for repeats in file
    order (two disbursements from one funder to one project are two grants)."""
    project = row.ref("project", "projects", required=True)
    funder = row.ref("funder", "organisations", required=True)
    status = row.enum("status", enums.FUNDING_STATUSES, required=True)
    project_id, funder_id = row.value("project"), row.value("funder")
    subject: Subject = BNode()
    if project_id and funder_id and status is not None:
        base_key = f"{project_id}.{funder_id}.{row.value('status').lower()}"
        seen[base_key] += 1
        key = base_key if seen[base_key] == 1 else f"{base_key}.{seen[base_key]}"
        subject = row.builder.iri("funding", key)
        row.builder.add(subject, DCTERMS.identifier, Literal(key), row.at())
    row.builder.add(subject, RDF.type, SIC.Funding, row.at())
    row.add(subject, SCHEMA.fundedItem, project, "project")
    row.add(subject, SCHEMA.funder, funder, "funder")
    row.add(subject, SCHEMA.amount, row.read("amount", read.decimal, True), "amount")
    row.add(subject, SCHEMA.currency, row.read("currency", read.currency, True), "currency")
    row.add(subject, SIC.fundingStatus, status, "status")
    row.add(subject, DCTERMS.date, row.read("date", read.date), "date")


def _call(row: RowCells) -> None:
    call = row.subject(SIC.FundingCall)
    row.add(call, SCHEMA.funder, row.ref("funder", "organisations", required=True), "funder")
    row.texts(call, "title", RDFS.label)
    row.add_all(call, DCTERMS.subject, row.topics("topics"), "topics")
    row.add_all(call, SIC.region, row.read_all("regions", read.region_iri), "regions")
    row.add_all(call, SIC.objective, row.refs("objectives", "objectives"), "objectives")
    row.add(call, SIC.minAmount, row.read("min_amount", read.decimal), "min_amount")
    row.add(call, SIC.maxAmount, row.read("max_amount", read.decimal), "max_amount")
    row.add(call, SCHEMA.currency, row.read("currency", read.currency), "currency")
    row.add(call, SIC.deadline, row.read("deadline", read.date), "deadline")


def _delphi_response(row: RowCells) -> None:
    response = row.subject(SIC.DelphiResponse)
    row.add(response, SIC.phase, row.enum("phase", enums.DELPHI_PHASES, True), "phase")
    row.add(response, SIC.question, row.enum("question", enums.DELPHI_QUESTIONS, True), "question")
    row.add(response, SIC.objective, row.ref("objective", "objectives", True), "objective")
    language = row.read("language", read.language_tag) or "en"
    text = row.value("text")
    row.add(response, SIC.text, Literal(text, lang=language) if text else None, "text")
    row.add(response, PROV.wasAttributedTo, row.ref("respondent", "people"), "respondent")
    row.add(response, SIC.study, enums.DELPHI_STUDY, "id")


def _indicator(row: RowCells) -> None:
    """A Data Cube data set of one series (see ontology/core/indicators.ttl for why)."""
    indicator = row.subject(SIC.Indicator)
    row.builder.add(indicator, RDF.type, QB.DataSet, row.at("id"))
    row.builder.add(indicator, QB.structure, SIC.IndicatorStructure, row.at("id"))
    row.add(indicator, SIC.objective, row.ref("objective", "objectives", True), "objective")
    row.texts(indicator, "name", RDFS.label)
    unit = row.required("unit")
    row.add(indicator, SIC.unit, Literal(unit) if unit else None, "unit")
    row.add(indicator, SIC.baselineValue, row.read("baseline", read.decimal), "baseline")
    row.add(indicator, SIC.baselineDate, row.read("baseline_date", read.date), "baseline_date")
    row.add(indicator, SIC.targetValue2030, row.read("target_2030", read.decimal), "target_2030")
    row.add(indicator, SIC.targetValue2050, row.read("target_2050", read.decimal), "target_2050")
    row.add_all(indicator, DCTERMS.source, row.read_all("source", read.web_iri), "source")
    _note(row, indicator)
    if row.value("baseline") and not row.value("baseline_date"):
        row.builder.say(row.at("baseline_date"), "row.baseline_date")


def _observation(row: RowCells, seen: dict[tuple[str, str], int]) -> None:
    """`{BASE}id/observation/{indicator}.{date}`: one value of one indicator at one date, so a
    second row for the same indicator and date is a repeated row."""
    indicator = row.ref("indicator", "indicators", required=True)
    when = row.read("date", read.date, required=True)
    indicator_id, day = row.value("indicator"), row.value("date")
    subject: Subject = BNode()
    if indicator is not None and when is not None:
        key = (indicator_id, str(when))
        if key in seen:
            row.builder.say(
                row.at("date"),
                "row.duplicate_observation",
                indicator=indicator_id,
                day=day,
                row=seen[key],
            )
        seen.setdefault(key, row.row.number)
        subject = row.builder.iri("observation", f"{indicator_id}.{when}")
        row.builder.add(subject, DCTERMS.identifier, Literal(f"{indicator_id}.{when}"), row.at())
    row.builder.add(subject, RDF.type, SIC.IndicatorObservation, row.at())
    row.builder.add(subject, RDF.type, QB.Observation, row.at())
    row.add(subject, QB.dataSet, indicator, "indicator")
    row.add(subject, SDMX_DIMENSION.refPeriod, when, "date")
    row.add(subject, SDMX_MEASURE.obsValue, row.read("value", read.decimal, True), "value")
    row.add_all(subject, DCTERMS.source, row.read_all("source", read.web_iri), "source")
    _note(row, subject)


def _note(row: RowCells, subject: Subject) -> None:
    """The row's note (for instance, that a value is illustrative) as `skos:note`@en."""
    text = row.value("note")
    row.add(subject, SKOS.note, Literal(text, lang="en") if text else None, "note")
