"""The minimal workbook becomes exactly the RDF that ontology/README.md specifies, row by row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from loaders.workbook import Workbook, read_workbook
from sic.errors import Location
from sic.vocab import ORG, SCHEMA, SIC

if TYPE_CHECKING:
    from conftest import EditableWorkbook

MINIMAL = Path(__file__).resolve().parents[1] / "data" / "workbooks" / "minimal"
BASE = "https://w3id.org/4p1000/"


def iri(kind: str, key: str) -> URIRef:
    return URIRef(f"{BASE}id/{kind}/{key}")


def region(code: str) -> URIRef:
    return URIRef(f"https://w3id.org/4p1000/id/region/{code}")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def fr(text: str) -> Literal:
    return Literal(text, lang="fr")


def es(text: str) -> Literal:
    return Literal(text, lang="es")


def dec(lexical: str) -> Literal:
    return Literal(lexical, datatype=XSD.decimal)


def day(lexical: str) -> Literal:
    return Literal(lexical, datatype=XSD.date)


@pytest.fixture(scope="module")
def workbook() -> Workbook:
    return read_workbook(MINIMAL)


@pytest.fixture(scope="module")
def graph(workbook: Workbook) -> Graph:
    return workbook.graph


def objects(graph: Graph, subject: URIRef, predicate: URIRef) -> set[object]:
    return set(graph.objects(subject, predicate))


def test_every_entity_has_type_identifier_and_nothing_unexpected(graph: Graph) -> None:
    counts = {
        SIC.Goal: 2,
        SIC.StrategicObjective: 3,
        SIC.TaskForce: 3,
        SIC.Category: 2,
        SIC.Activity: 5,
        SIC.Topic: 3,
        SIC.Organisation: 6,
        SIC.Person: 4,
        SIC.TaskForceRole: 5,
        SIC.Alliance: 1,
        SIC.Project: 3,
        SIC.Funding: 5,
        SIC.FundingCall: 1,
        SIC.DelphiResponse: 2,
    }
    for cls, count in counts.items():
        members = set(graph.subjects(RDF.type, cls))
        assert len(members) == count, cls
        for member in members:
            assert isinstance(member, URIRef), "no blank nodes in a valid workbook"
            assert len(objects(graph, member, DCTERMS.identifier)) == 1
    assert set(graph.subjects(RDF.type, None)) == set(graph.subjects())


def test_goals(graph: Graph) -> None:
    goal = iri("goal", "A")
    assert (goal, RDF.type, SIC.Goal) in graph
    assert (goal, DCTERMS.identifier, Literal("A")) in graph
    assert objects(graph, goal, RDFS.label) == {
        en("Inception & Conceptualization"),
        fr("Lancement et conceptualisation"),
    }
    assert len(objects(graph, goal, DCTERMS.description)) == 1
    assert objects(graph, iri("goal", "B"), DCTERMS.description) == {
        en(
            "Give farmers and those who advise them the knowledge and means to store carbon "
            "in soils."
        )
    }


def test_objectives(graph: Graph) -> None:
    a2 = iri("objective", "A2")
    assert (a2, RDF.type, SIC.StrategicObjective) in graph
    assert (a2, SIC.goal, iri("goal", "A")) in graph
    assert (a2, SIC.facility, SIC.GlobalFacility) in graph
    assert (iri("objective", "A1"), SIC.facility, SIC.CoreFacility) in graph
    assert (a2, SIC.baseline2020, en("Evidence scattered across projects and languages")) in graph
    assert (a2, SIC.target2030, en("An open database of assessed practices")) in graph
    assert (a2, SIC.target2050, en("Practices assessed for every major farming system")) in graph
    assert objects(graph, a2, SIC.sdg) == {
        URIRef("https://metadata.un.org/sdg/2.4"),
        URIRef("https://metadata.un.org/sdg/13"),
    }
    assert objects(graph, a2, DCTERMS.source) == {
        URIRef("https://4p1000.org/"),
        URIRef("https://www.fao.org/soils-portal/"),
    }
    assert len(objects(graph, a2, RDFS.label)) == 2


def test_topic_references_resolve_local_codes_then_agrovoc(graph: Graph) -> None:
    # A2 cites c_389fe908, which topics.csv maps to the local topic soil-carbon.
    assert objects(graph, iri("objective", "A2"), DCTERMS.subject) == {
        iri("topic", "soil-carbon"),
        iri("topic", "agroforestry"),
    }
    # B1 cites c_7156, which no local topic matches: the AGROVOC concept itself.
    assert objects(graph, iri("objective", "B1"), DCTERMS.subject) == {
        URIRef("http://aims.fao.org/aos/agrovoc/c_7156")
    }
    # A2.01 names soil-carbon by code and by AGROVOC id: one topic.
    assert objects(graph, iri("activity", "A2.01"), DCTERMS.subject) == {
        iri("topic", "soil-carbon")
    }


def test_one_task_force_per_objective(graph: Graph) -> None:
    for code in ("A1", "A2", "B1"):
        task_force = iri("taskforce", code)
        assert (task_force, RDF.type, SIC.TaskForce) in graph
        assert (task_force, SIC.objective, iri("objective", code)) in graph
        assert (task_force, DCTERMS.identifier, Literal(code)) in graph
        assert objects(graph, task_force, RDFS.label) == {
            en(f"Task Force {code}"),
            fr(f"Groupe de travail {code}"),
        }


def test_categories(graph: Graph) -> None:
    capacity = iri("category", "capacity")
    assert (capacity, RDF.type, SIC.Category) in graph
    assert objects(graph, capacity, RDFS.label) == {
        en("Capacity building"),
        fr("Renforcement des capacités"),
        es("Fortalecimiento de capacidades"),
    }
    assert (
        capacity,
        SKOS.definition,
        en("Activities that train people or strengthen institutions, so that they can act."),
    ) in graph


def test_activities(graph: Graph) -> None:
    activity = iri("activity", "A1.02")
    assert (activity, RDF.type, SIC.Activity) in graph
    assert (activity, SIC.objective, iri("objective", "A1")) in graph
    assert (activity, SIC.category, iri("category", "capacity")) in graph
    assert (activity, SIC.facility, SIC.GlobalFacility) in graph
    assert (activity, DCTERMS.description, en("Regional consultations open to all partners.")) in (
        graph
    )
    # No facility column value: the activity takes its objective's, which queries work out.
    assert objects(graph, iri("activity", "A1.01"), SIC.facility) == set()
    assert objects(graph, iri("activity", "B1.01"), DCTERMS.subject) == {
        iri("topic", "soil-carbon")
    }


def test_activity_codes_start_with_their_objective_code(graph: Graph) -> None:
    for activity in graph.subjects(RDF.type, SIC.Activity):
        code = str(graph.value(activity, DCTERMS.identifier))
        objective = graph.value(activity, SIC.objective)
        assert code.startswith(str(graph.value(objective, DCTERMS.identifier)) + ".")


def test_topics(graph: Graph) -> None:
    topic = iri("topic", "soil-carbon")
    assert (topic, RDF.type, SIC.Topic) in graph
    labels = {en("Soil organic carbon"), fr("Carbone organique du sol")}
    assert objects(graph, topic, SKOS.prefLabel) == labels
    assert objects(graph, topic, RDFS.label) == labels
    assert (topic, SKOS.broader, iri("topic", "soil-health")) in graph
    assert (topic, SKOS.exactMatch, URIRef("http://aims.fao.org/aos/agrovoc/c_389fe908")) in graph


def test_organisations(graph: Graph) -> None:
    fao = iri("organisation", "fao")
    assert (fao, RDF.type, SIC.Organisation) in graph
    assert (fao, RDFS.label, en("Food and Agriculture Organization of the United Nations")) in graph
    assert (fao, SKOS.altLabel, Literal("FAO")) in graph
    assert (fao, ORG.classification, SIC.OrgTypeInternational) in graph
    assert (fao, SIC.country, Literal("IT")) in graph
    assert (fao, SIC.membershipStatus, SIC.StatusPartner) in graph
    assert objects(graph, fao, DCTERMS.subject) == {
        iri("topic", "soil-health"),
        URIRef("http://aims.fao.org/aos/agrovoc/c_7156"),
    }
    assert objects(graph, fao, SIC.interestedIn) == {iri("objective", "A1"), iri("objective", "A2")}
    assert objects(graph, fao, SIC.region) == {region("001")}
    assert (fao, FOAF.homepage, URIRef("https://www.fao.org/")) in graph
    assert objects(graph, fao, OWL.sameAs) == {
        URIRef("http://www.wikidata.org/entity/Q82151"),
        URIRef("https://ror.org/00pe0tf51"),
    }
    assert objects(graph, iri("organisation", "sahel-farmers"), SIC.region) == {
        region("002"),
        region("202"),
    }
    types = {graph.value(o, ORG.classification) for o in graph.subjects(RDF.type, SIC.Organisation)}
    assert len(types) == 6
    assert objects(graph, iri("organisation", "agricarbon"), SIC.membershipStatus) == set()


def test_people(graph: Graph) -> None:
    person = iri("person", "amina-diallo")
    assert (person, RDF.type, SIC.Person) in graph
    assert (person, RDFS.label, en("Amina Diallo")) in graph
    assert (person, FOAF.name, en("Amina Diallo")) in graph
    assert (person, ORG.memberOf, iri("organisation", "sahel-farmers")) in graph
    assert (person, SIC.country, Literal("SN")) in graph


def test_task_force_roles(graph: Graph) -> None:
    role = URIRef(f"{BASE}id/taskforce/A2#regional_representative-amina-diallo")
    assert (role, RDF.type, SIC.TaskForceRole) in graph
    assert (role, ORG.member, iri("person", "amina-diallo")) in graph
    assert (role, ORG.organization, iri("taskforce", "A2")) in graph
    assert (role, ORG.role, SIC.RoleRegionalRepresentative) in graph
    assert (role, SIC.region, region("202")) in graph
    leader = URIRef(f"{BASE}id/taskforce/A2#leader-lucia-rossi")
    assert (leader, ORG.role, SIC.RoleLeader) in graph
    assert objects(graph, leader, SIC.region) == set()
    assert (URIRef(f"{BASE}id/taskforce/B1#member-kofi-mensah"), ORG.role, SIC.RoleMember) in graph


def test_alliances(graph: Graph) -> None:
    alliance = iri("alliance", "soil-carbon-practices")
    assert (alliance, RDF.type, SIC.Alliance) in graph
    assert objects(graph, alliance, RDFS.label) == {
        en("Soil Carbon Practices Alliance"),
        fr("Alliance pour les pratiques de carbone du sol"),
    }
    assert (alliance, SIC.lead, iri("organisation", "inrae")) in graph
    assert objects(graph, alliance, ORG.hasMember) == {
        iri("organisation", "inrae"),
        iri("organisation", "fao"),
        iri("organisation", "sahel-farmers"),
    }
    assert objects(graph, alliance, SIC.addresses) == {
        iri("activity", "A2.01"),
        iri("activity", "A2.02"),
    }
    assert (alliance, DCTERMS.created, day("2022-03-15")) in graph


def test_projects(graph: Graph) -> None:
    project = iri("project", "practice-db")
    assert (project, RDF.type, SIC.Project) in graph
    assert (project, RDFS.label, en("Global database of soil carbon practices")) in graph
    assert (project, DCTERMS.description, en("An open database of assessed practices.")) in graph
    assert (project, SIC.stage, SIC.StageFunded) in graph
    assert (project, SIC.lead, iri("organisation", "inrae")) in graph
    assert objects(graph, project, SIC.partner) == {
        iri("organisation", "fao"),
        iri("organisation", "sahel-farmers"),
    }
    assert (project, SIC.alliance, iri("alliance", "soil-carbon-practices")) in graph
    assert objects(graph, project, SIC.addresses) == {iri("activity", "A2.01")}
    assert objects(graph, project, SIC.country) == {Literal("FR"), Literal("SN")}
    assert (project, SCHEMA.startDate, day("2023-01-01")) in graph
    assert (project, SCHEMA.endDate, day("2025-12-31")) in graph
    assert (project, SCHEMA.currency, Literal("EUR")) in graph
    stages = {graph.value(p, SIC.stage) for p in graph.subjects(RDF.type, SIC.Project)}
    assert stages == {SIC.StageFunded, SIC.StageConceptNote, SIC.StageCompleted}


def test_decimals_are_in_canonical_form(graph: Graph) -> None:
    budget = graph.value(iri("project", "practice-db"), SIC.budget)
    assert isinstance(budget, Literal)
    assert (str(budget), budget.datatype) == ("1500000", XSD.decimal)  # written 1500000.00
    assert str(graph.value(iri("project", "vision-consultation"), SIC.budget)) == "120000.5"
    assert (iri("project", "sahel-agroforestry"), SCHEMA.currency, Literal("USD")) in graph


def test_funding_iris_count_repeats_in_file_order(graph: Graph) -> None:
    first = iri("funding", "practice-db.green-soil-fund.disbursed")
    second = iri("funding", "practice-db.green-soil-fund.disbursed.2")
    assert (first, DCTERMS.date, day("2023-02-01")) in graph
    assert (second, DCTERMS.date, day("2024-02-01")) in graph
    assert (second, DCTERMS.identifier, Literal("practice-db.green-soil-fund.disbursed.2")) in graph
    grant = iri("funding", "practice-db.green-soil-fund.committed")
    assert (grant, RDF.type, SIC.Funding) in graph
    assert (grant, SCHEMA.fundedItem, iri("project", "practice-db")) in graph
    assert (grant, SCHEMA.funder, iri("organisation", "green-soil-fund")) in graph
    assert (grant, SCHEMA.amount, dec("500000")) in graph
    assert (grant, SCHEMA.currency, Literal("EUR")) in graph
    assert (grant, SIC.fundingStatus, SIC.FundingCommitted) in graph
    pledge = iri("funding", "sahel-agroforestry.agricarbon.pledged")
    assert (pledge, SIC.fundingStatus, SIC.FundingPledged) in graph
    assert (pledge, SCHEMA.currency, Literal("USD")) in graph
    assert objects(graph, pledge, DCTERMS.date) == set()


def test_calls(graph: Graph) -> None:
    call = iri("call", "drylands-2025")
    assert (call, RDF.type, SIC.FundingCall) in graph
    assert (call, SCHEMA.funder, iri("organisation", "green-soil-fund")) in graph
    assert (call, RDFS.label, en("Soil carbon in drylands 2025")) in graph
    assert objects(graph, call, DCTERMS.subject) == {
        iri("topic", "soil-carbon"),
        iri("topic", "agroforestry"),
    }
    assert objects(graph, call, SIC.region) == {region("202")}
    assert objects(graph, call, SIC.objective) == {iri("objective", "A2"), iri("objective", "B1")}
    assert (call, SIC.minAmount, dec("50000")) in graph
    assert (call, SIC.maxAmount, dec("500000")) in graph
    assert (call, SCHEMA.currency, Literal("EUR")) in graph
    assert (call, SIC.deadline, day("2025-09-30")) in graph


def test_delphi_responses(graph: Graph) -> None:
    first = iri("response", "r0001")
    assert (first, RDF.type, SIC.DelphiResponse) in graph
    assert (first, SIC.phase, SIC.DelphiPhase1) in graph
    assert (first, SIC.question, SIC.QuestionProblem) in graph
    assert (first, SIC.objective, iri("objective", "A1")) in graph
    assert (first, PROV.wasAttributedTo, iri("person", "lucia-rossi")) in graph
    assert (first, SIC.study, SIC.DelphiStudy2021) in graph
    assert (
        first,
        SIC.text,
        en("Soil health means something different to each group of stakeholders."),
    ) in graph
    anonymous = iri("response", "r0002")
    assert (anonymous, SIC.phase, SIC.DelphiPhase2) in graph
    assert (anonymous, SIC.question, SIC.QuestionObstacles) in graph
    assert objects(graph, anonymous, PROV.wasAttributedTo) == set()
    assert objects(graph, anonymous, SIC.text) == {
        fr("Les services de vulgarisation manquent de moyens pour se former.")
    }


def test_literals_have_no_surrounding_spaces(graph: Graph) -> None:
    for literal in graph.objects():
        if isinstance(literal, Literal):
            assert str(literal) == str(literal).strip()


def test_workbook_metadata(workbook: Workbook) -> None:
    assert workbook.name == "minimal"
    assert len(workbook.checksum) == 64
    assert workbook.warnings == []
    assert set(workbook.about) == {"title", "description", "note", "source", "license"}
    assert "Illustrative" in workbook.about["note"]


def test_checksum_is_stable_and_follows_content(minimal_copy: EditableWorkbook) -> None:
    first = read_workbook(minimal_copy.path).checksum
    assert read_workbook(minimal_copy.path).checksum == first
    assert read_workbook(MINIMAL).checksum == first
    minimal_copy.set("goals.csv", 2, "title", "Inception and Conceptualization")
    assert read_workbook(minimal_copy.path).checksum != first


def test_origins_point_at_the_cells(workbook: Workbook) -> None:
    origins = workbook.origins
    activity = iri("activity", "A2.01")
    assert origins[(activity, RDF.type)] == Location("activities.csv", 4, "code")
    assert origins[(activity, SIC.objective)] == Location("activities.csv", 4, "objective")
    assert origins[(activity, RDFS.label)] == Location("activities.csv", 4, "title")
    assert origins[(iri("taskforce", "B1"), RDF.type)] == Location("objectives.csv", 4, "code")
    role = URIRef(f"{BASE}id/taskforce/A2#regional_representative-amina-diallo")
    assert origins[(role, SIC.region)] == Location("task_force_roles.csv", 3, "region")
    assert origins[(role, RDF.type)] == Location("task_force_roles.csv", 3)
    grant = iri("funding", "practice-db.green-soil-fund.disbursed.2")
    assert origins[(grant, SCHEMA.amount)] == Location("funding.csv", 4, "amount")
    assert origins[(iri("organisation", "fao"), OWL.sameAs)] == Location(
        "organisations.csv", 2, "wikidata"
    )
    for (subject, _), location in origins.items():
        assert (subject, RDF.type, None) in workbook.graph
        assert location.row is not None and location.row >= 2


def test_base_changes_data_iris_but_not_vocabulary_or_regions() -> None:
    other = read_workbook(MINIMAL, base="http://example.org/sic")
    org = URIRef("http://example.org/sic/id/organisation/fao")
    assert (org, SIC.region, region("001")) in other.graph
    assert (org, ORG.classification, SIC.OrgTypeInternational) in other.graph
    assert not any(str(s).startswith(BASE + "id/") for s in other.graph.subjects())


def test_xlsx_gives_the_same_graph(
    workbook: Workbook, to_xlsx: Callable[[Path], Path], tmp_path: Path
) -> None:
    book = to_xlsx(MINIMAL)
    from_xlsx = read_workbook(book)
    assert from_xlsx.name == "book"
    assert isomorphic(from_xlsx.graph, workbook.graph)
    assert from_xlsx.about == workbook.about
    assert from_xlsx.origins[(iri("activity", "A2.01"), SIC.objective)] == Location(
        "book.xlsx, sheet 'activities'", 4, "objective"
    )


def test_xlsx_typed_cells_read_like_their_csv_text(
    workbook: Workbook, to_xlsx: Callable[[Path], Path]
) -> None:
    """Numbers and dates typed as such in a spreadsheet mean what the CSV text means."""
    import datetime as dt

    from openpyxl import load_workbook

    path = to_xlsx(MINIMAL)
    book = load_workbook(path)
    projects = book["projects"]
    header = [cell.value for cell in projects[1]]
    projects.cell(2, header.index("budget") + 1, 1500000.0)
    projects.cell(2, header.index("start") + 1, dt.datetime(2023, 1, 1))
    projects.cell(4, header.index("budget") + 1, 120000.5)
    funding = book["funding"]
    funding.cell(2, 3, 500000)
    responses = book["delphi_responses"]
    responses.cell(2, 2, 1)
    organisations = book["organisations"]
    organisations.cell(2, [c.value for c in organisations[1]].index("regions") + 1, 1)
    book.save(path)
    assert isomorphic(read_workbook(path).graph, workbook.graph)


def test_utf8_bom_is_accepted(minimal_copy: EditableWorkbook, workbook: Workbook) -> None:
    goals = minimal_copy.path / "goals.csv"
    goals.write_bytes(b"\xef\xbb\xbf" + goals.read_bytes())
    assert isomorphic(read_workbook(minimal_copy.path).graph, workbook.graph)


def test_values_are_stripped_and_codes_case_insensitive(
    minimal_copy: EditableWorkbook, workbook: Workbook
) -> None:
    minimal_copy.set("projects.csv", 2, "stage", " Funded ")
    minimal_copy.set("projects.csv", 2, "partners", " fao ;sahel-farmers ; ")
    minimal_copy.set("organisations.csv", 2, "country", "it")
    minimal_copy.set("funding.csv", 2, "currency", "eur")
    minimal_copy.set("organisations.csv", 3, "ror", "https://ror.org/003vg9w96")
    assert isomorphic(read_workbook(minimal_copy.path).graph, workbook.graph)


def test_optional_files_may_be_absent(minimal_copy: EditableWorkbook) -> None:
    for file in (
        "about.csv",
        "topics.csv",
        "people.csv",
        "task_force_roles.csv",
        "funding.csv",
        "calls.csv",
        "delphi_responses.csv",
    ):
        minimal_copy.remove(file)
    for file, row, column in (
        ("objectives.csv", 2, "topics"),
        ("objectives.csv", 3, "topics"),
        ("activities.csv", 2, "topics"),
        ("activities.csv", 4, "topics"),
        ("activities.csv", 5, "topics"),
        ("activities.csv", 6, "topics"),
        ("organisations.csv", 2, "topics"),
        ("organisations.csv", 4, "topics"),
        ("organisations.csv", 5, "topics"),
        ("organisations.csv", 6, "topics"),
        ("organisations.csv", 7, "topics"),
    ):
        minimal_copy.set(file, row, column, "")
    loaded = read_workbook(minimal_copy.path)
    assert loaded.about == {}
    assert not set(loaded.graph.subjects(RDF.type, SIC.Person))
    # Without topics.csv an AGROVOC id is the AGROVOC concept itself.
    assert (
        iri("organisation", "inrae"),
        DCTERMS.subject,
        URIRef("http://aims.fao.org/aos/agrovoc/c_389fe908"),
    ) in loaded.graph


def test_extra_columns_and_files_are_warnings(minimal_copy: EditableWorkbook) -> None:
    minimal_copy.add_column("projects.csv", "notes", "call back in May")
    minimal_copy.add_column("goals.csv", "title_de", "Konzeption")
    minimal_copy.write_bytes("contacts.csv", b"name,email\nA,a@example.org\n")
    minimal_copy.append("about.csv", {"key": "version", "value": "3"})
    loaded = read_workbook(minimal_copy.path)
    found = {(w.location, w.severity) for w in loaded.warnings}
    assert found == {
        (Location("about.csv", 7, "key"), "warning"),
        (Location("goals.csv", 1, "title_de"), "warning"),
        (Location("projects.csv", 1, "notes"), "warning"),
        (Location("contacts.csv"), "warning"),
    }
    assert not any("Konzeption" in str(o) or "May" in str(o) for o in loaded.graph.objects()), (
        "an unknown column never reaches the graph"
    )
