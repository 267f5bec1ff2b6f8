"""The IATI loader (loaders/iati.py): every mapping rule on a small fixture, every version of
the real sample loading into a store, and broken or hostile files refused with a located
message and nothing stored.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS, XSD

from graph.bootstrap import load_with_ontology
from graph.embedded import EmbeddedStore
from loaders.iati import is_iati, read_iati
from loaders.reconcile import KnownOrganisation
from loaders.source import read_source
from sic.errors import LoaderError
from sic.iris import mint
from sic.vocab import SCHEMA, SIC

DATA = Path(__file__).resolve().parents[1] / "data" / "iati"
SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "iati"
BASE = "https://w3id.org/4p1000/"
DAC = "https://w3id.org/4p1000/id/dac/"


def _graph(path: Path, known: list[KnownOrganisation] | None = None) -> Graph:
    source = read_iati(path, base=BASE, known=known or [])
    graph = Graph()
    for triple in source.content.triples:  # type: ignore[attr-defined]
        graph.add(triple)
    return graph


@pytest.fixture(scope="module")
def v2() -> Graph:
    return _graph(DATA / "mapping-v2.xml")


@pytest.fixture(scope="module")
def v1() -> Graph:
    return _graph(DATA / "mapping-v1.xml")


PROJECT = mint("project", "iati:XX-TEST-1-SOIL", BASE)
IAF = mint("organisation", "iati:US-GOV-21", BASE)


def _org(graph: Graph, name: str) -> URIRef:
    found = [s for s in graph.subjects(RDFS.label, None) if str(graph.value(s, RDFS.label)) == name]
    assert len(found) == 1, (name, found)
    return URIRef(found[0])


# --- one rule at a time ---------------------------------------------------------------------


def test_an_activity_is_an_external_project_with_its_identifier(v2: Graph) -> None:
    assert (PROJECT, RDF.type, SIC.Project) in v2
    assert (PROJECT, RDF.type, SIC.ExternalRecord) in v2
    assert v2.value(PROJECT, DCTERMS.identifier) == Literal("XX-TEST-1-SOIL")
    assert v2.value(PROJECT, SIC.iatiIdentifier) == Literal("XX-TEST-1-SOIL")


def test_titles_and_descriptions_keep_their_languages(v2: Graph) -> None:
    titles = set(v2.objects(PROJECT, RDFS.label))
    assert titles == {
        Literal("Soil restoration in the highlands", lang="en"),
        Literal("Restauration des sols des hautes terres", lang="fr"),
    }
    assert set(v2.objects(PROJECT, DCTERMS.description)) == {
        Literal("Terraces and cover crops.\n\nFarmers keep their soil.", lang="en")
    }


def test_the_status_gives_the_stage(v1: Graph, v2: Graph) -> None:
    assert v2.value(PROJECT, SIC.stage) == SIC.StageImplementation
    p1 = mint("project", "iati:XX-AGG-1-P1", BASE)
    assert v1.value(p1, SIC.stage) == SIC.StageImplementation  # 1.0x name
    p2 = mint("project", "iati:XX-AGG-1-P2", BASE)
    assert v1.value(p2, SIC.stage) is None  # empty status: no stage guessed


def test_dates_are_actual_before_planned(v1: Graph, v2: Graph) -> None:
    assert v2.value(PROJECT, SCHEMA.startDate) == Literal("2021-04-15", datatype=XSD.date)
    assert v2.value(PROJECT, SCHEMA.endDate) == Literal("2024-12-31", datatype=XSD.date)
    p1 = mint("project", "iati:XX-AGG-1-P1", BASE)
    assert v1.value(p1, SCHEMA.startDate) == Literal("2010-01-01", datatype=XSD.date)


def test_recipient_countries_are_iso_codes(v2: Graph) -> None:
    assert set(v2.objects(PROJECT, SIC.country)) == {Literal("HN"), Literal("GT")}


def test_dac_sectors_are_skos_concepts_under_their_category(v1: Graph, v2: Graph) -> None:
    soil, agriculture = URIRef(DAC + "31130"), URIRef(DAC + "311")
    assert set(v2.objects(PROJECT, DCTERMS.subject)) == {soil, agriculture}
    assert (soil, RDF.type, SIC.DacSector) in v2
    assert (soil, SKOS.inScheme, SIC.DacSectors) in v2
    assert v2.value(soil, SKOS.notation) == Literal("31130")
    assert v2.value(soil, SKOS.prefLabel) == Literal("Agricultural land resources", lang="en")
    assert v2.value(soil, SKOS.broader) == agriculture
    p1 = mint("project", "iati:XX-AGG-1-P1", BASE)
    assert set(v1.objects(p1, DCTERMS.subject)) == {URIRef(DAC + "312")}  # 1.0x "DAC"


def test_roles_become_funder_lead_and_partners(v2: Graph) -> None:
    assert v2.value(PROJECT, SIC.lead) == IAF
    assert set(v2.objects(PROJECT, SCHEMA.funder)) == {IAF}
    partners = set(v2.objects(PROJECT, SIC.partner))
    assert partners == {_org(v2, "Asociación de Productores"), _org(v2, "Universidad Agraria")}


def test_one_organisation_under_two_identifiers_is_one(v2: Graph) -> None:
    assert set(v2.objects(IAF, SIC.iatiIdentifier)) == {Literal("US-GOV-21"), Literal("18")}
    assert v2.value(IAF, ORG.classification) == SIC.OrgTypeState
    assert (IAF, RDF.type, SIC.ExternalRecord) in v2
    assert set(v2.objects(IAF, RDFS.label)) == {Literal("Inter-American Foundation", lang="en")}
    assert not list(v2.subjects(SIC.iatiIdentifier, Literal("N/A")))  # a placeholder is no id


def test_organisation_types_follow_the_iati_codes(v2: Graph) -> None:
    assert v2.value(_org(v2, "Universidad Agraria"), ORG.classification) == SIC.OrgTypeResearch
    assert v2.value(_org(v2, "Asociación de Productores"), ORG.classification) == SIC.OrgTypeNGO


def _fundings(graph: Graph, project: URIRef) -> dict[str, tuple[object, ...]]:
    out = {}
    for funding in graph.subjects(SCHEMA.fundedItem, project):
        out[str(graph.value(funding, DCTERMS.identifier))] = (
            graph.value(funding, SIC.fundingStatus),
            graph.value(funding, SCHEMA.amount).toPython(),  # type: ignore[union-attr]
            str(graph.value(funding, SCHEMA.currency)),
            str(graph.value(funding, DCTERMS.date)),
            graph.value(funding, SCHEMA.funder),
        )
    return out


def test_transactions_become_funding_lines(v2: Graph) -> None:
    from decimal import Decimal

    fao = mint("organisation", "iati:XM-DAC-41301", BASE)
    assert _fundings(v2, PROJECT) == {
        "XX-TEST-1-SOIL.1": (SIC.FundingCommitted, Decimal(250000), "USD", "2021-03-02", IAF),
        "XX-TEST-1-SOIL.2": (SIC.FundingDisbursed, Decimal(80000), "EUR", "2021-06-30", fao),
        "XX-TEST-1-SOIL.3": (SIC.FundingDisbursed, Decimal(12000), "USD", "2022-01-31", IAF),
    }


def test_1_0x_transaction_letters(v1: Graph) -> None:
    p1 = mint("project", "iati:XX-AGG-1-P1", BASE)
    statuses = sorted(str(s) for s, *_ in _fundings(v1, p1).values())
    assert statuses == [str(SIC.FundingCommitted), str(SIC.FundingDisbursed)]


def test_budgets_are_kept_and_the_original_ones_add_up(v2: Graph) -> None:
    lines = list(v2.objects(PROJECT, SIC.budgetLine))
    assert len(lines) == 3
    revised = [line for line in lines if v2.value(line, SIC.budgetRevised).toPython()]  # type: ignore[union-attr]
    assert len(revised) == 1
    assert v2.value(revised[0], SCHEMA.startDate) == Literal("2022-01-01", datatype=XSD.date)
    assert v2.value(PROJECT, SIC.budget).toPython() == 250000.50  # type: ignore[union-attr]
    assert v2.value(PROJECT, SCHEMA.currency) == Literal("USD")


def test_what_is_kept_out_is_said() -> None:
    source = read_iati(DATA / "mapping-v2.xml", base=BASE)
    said = "\n".join(str(w) for w in source.warnings)
    assert "1 × a sector in vocabulary 99 (not DAC)" in said
    assert "1 × a transaction of type 1 (not a funding line)" in said
    assert "1 × a transaction of zero or negative value" in said
    assert all(w.severity == "warning" for w in source.warnings)


def test_a_known_organisation_keeps_its_iri_and_label() -> None:
    known = KnownOrganisation(
        "https://w3id.org/4p1000/id/organisation/iaf",
        ["IAF, a United States agency"],
        {"iati:US-GOV-21"},
        label=("IAF, a United States agency", "en"),
    )
    graph = _graph(DATA / "mapping-v2.xml", [known])
    iaf = URIRef(known.iri)
    assert graph.value(PROJECT, SIC.lead) == iaf
    assert set(graph.objects(iaf, RDFS.label)) == {
        Literal("IAF, a United States agency", lang="en")
    }
    assert (iaf, SKOS.altLabel, Literal("Inter-American Foundation", lang="en")) in graph
    assert set(graph.objects(iaf, SIC.iatiIdentifier)) == {Literal("US-GOV-21"), Literal("18")}
    assert (IAF, None, None) not in graph  # no second organisation minted


def test_the_provenance_names_publisher_and_version() -> None:
    about = read_iati(DATA / "mapping-v2.xml", base=BASE).about
    assert about["publisher"] == "Inter-American Foundation (US-GOV-21)"
    assert "IATI 2.03" in about["description"]


def test_iati_is_told_from_rdf_xml_by_its_root(tmp_path: Path) -> None:
    assert is_iati(DATA / "mapping-v1.xml")
    rdf = tmp_path / "data.xml"
    rdf.write_text(
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        '22-rdf-syntax-ns#"/>\n'
    )
    assert not is_iati(rdf)
    assert read_source(DATA / "mapping-v1.xml", base=BASE).name == "mapping-v1"


# --- the sample, into a store ---------------------------------------------------------------


@pytest.mark.slow
def test_every_version_of_the_sample_loads() -> None:
    files = sorted(SAMPLE.glob("*.xml")) if SAMPLE.is_dir() else []
    if not files:
        pytest.skip(f"the IATI sample is not at {SAMPLE}")
    versions = {f.stem.split("__v")[1] for f in files}
    assert {"1.00", "1.04", "2.01", "2.02", "2.03"} <= versions
    store = EmbeddedStore(None, base=BASE)
    from queries.reconciliation import known_organisations

    for path in files:
        source = read_source(path, base=BASE, known=known_organisations(store))
        load_with_ontology(store, source, command="test")
    rows = store.query(
        "PREFIX sic: <https://w3id.org/4p1000/ontology#> "
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a sic:Project }"
    )
    assert int(next(iter(rows))["n"].value) == 313  # type: ignore[union-attr, arg-type]
    iaf = store.query(
        "PREFIX sic: <https://w3id.org/4p1000/ontology#> "
        "SELECT ?o WHERE { ?o sic:iatiIdentifier '18' , 'US-GOV-21' }"
    )
    assert len(iaf) == 1  # type: ignore[arg-type]
    infos = {s.name: s for s in store.sources()}
    assert infos["US-GOV-21__v2.03"].about["license"].startswith("cc-zero")
    assert "Inter-American Foundation" in infos["US-GOV-21__v2.03"].about["publisher"]


# --- broken and hostile files ---------------------------------------------------------------


def _refused(path: Path) -> list[str]:
    store = EmbeddedStore(None, base=BASE)
    before = store.sources()
    with pytest.raises(LoaderError) as caught:
        load_with_ontology(store, read_source(path, base=BASE), command="test")
    assert store.sources() == before  # nothing stored, not even the ontology
    return [str(p) for p in caught.value.problems]


def test_an_unclosed_element_is_refused_at_its_line() -> None:
    problems = _refused(DATA / "unclosed.xml")
    assert problems == [
        f"{DATA / 'unclosed.xml'}, line 6, column 5: not well-formed XML: mismatched tag"
    ]


def test_an_entity_declaration_is_refused_at_its_line() -> None:
    (problem,) = _refused(DATA / "entity.xml")
    assert problem.startswith(f"{DATA / 'entity.xml'}, line 2: a DOCTYPE declaration is not")


def test_entity_expansion_is_refused_before_it_starts() -> None:
    (problem,) = _refused(DATA / "billion-laughs.xml")
    assert "line 2: a DOCTYPE declaration is not accepted" in problem


def test_every_bad_activity_is_reported_and_nothing_is_stored() -> None:
    problems = _refused(DATA / "bad-activities.xml")
    where = str(DATA / "bad-activities.xml")
    assert problems == [
        f"{where}, line 4: an iati-activity without an iati-identifier: every activity needs one",
        f"{where}, line 13: activity 'XX-TEST-1-B': unknown activity-status '9': expected an "
        "IATI activity status: one of the codes 1, 2, 3, 4, 5, 6 or their IATI names",
        f"{where}, line 14: activity 'XX-TEST-1-B': unknown participating-org role '7': "
        "expected an IATI organisation role: one of the codes 1, 2, 3, 4 or their IATI names",
    ]


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on 127.0.0.1 that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                seen.append(conn.recv(1024) or b"connected")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE iati-activities SYSTEM "http://127.0.0.1:{port}/iati.dtd">',
        '<!DOCTYPE iati-activities [<!ENTITY ext SYSTEM "http://127.0.0.1:{port}/x">]>',
        '<!DOCTYPE iati-activities [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p"> %p;]>',
    ],
    ids=["external DTD", "external entity", "parameter entity"],
)
def test_an_external_entity_is_refused_without_any_request(
    tmp_path: Path, listener: tuple[int, list[bytes]], declaration: str
) -> None:
    port, seen = listener
    path = tmp_path / "external.xml"
    path.write_text(
        '<?xml version="1.0"?>\n' + declaration.format(port=port) + "\n"
        '<iati-activities version="2.03"><iati-activity><iati-identifier>&ext;'
        "</iati-identifier></iati-activity></iati-activities>\n"
    )
    (problem,) = _refused(path)
    assert "line 2: a DOCTYPE declaration is not accepted" in problem
    with socket.create_connection(("127.0.0.1", port)) as probe:  # the listener does listen
        probe.sendall(b"probe")
    for _ in range(50):
        if seen:
            break
        threading.Event().wait(0.02)
    assert seen == [b"probe"]
