"""The ontology parses, passes its own shapes, defines every term the contract names, and its
controlled lists say what ontology/README.md says they say.

Loaders, shapes and queries are written against the contract, not against the Turtle; these
tests are what keeps the two in step.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from sic.errors import NotFound
from sic.ontology import CONTROLLED_LISTS, controlled_values, ontology_files, ontology_graph
from sic.paths import ontology_dir, shapes_dir
from sic.vocab import ONTOLOGY_IRI, ORG, REGION_NS, SCHEMA, SH, SIC, SIC_NS

DATA = Path(__file__).resolve().parents[1] / "data" / "ontology"
ONTOLOGY = URIRef(ONTOLOGY_IRI)
CORE_MODULES = ("plan", "actors", "cycle", "evidence", "regions")

# The controlled lists as ontology/README.md states them: scheme -> class, {notation: concept}.
CONTRACT_LISTS: dict[URIRef, tuple[URIRef, dict[str, URIRef]]] = {
    SIC.FacilityTypes: (
        SIC.FacilityType,
        {"core": SIC.CoreFacility, "global": SIC.GlobalFacility},
    ),
    SIC.OrganisationTypes: (
        SIC.OrganisationType,
        {
            "state": SIC.OrgTypeState,
            "international": SIC.OrgTypeInternational,
            "donor": SIC.OrgTypeDonor,
            "producers": SIC.OrgTypeProducers,
            "research": SIC.OrgTypeResearch,
            "ngo": SIC.OrgTypeNGO,
            "company": SIC.OrgTypeCompany,
        },
    ),
    SIC.MembershipStatuses: (
        SIC.MembershipStatus,
        {"member": SIC.StatusMember, "partner": SIC.StatusPartner, "friend": SIC.StatusFriend},
    ),
    SIC.TaskForceRoles: (
        SIC.TaskForceRoleType,
        {
            "leader": SIC.RoleLeader,
            "regional_representative": SIC.RoleRegionalRepresentative,
            "member": SIC.RoleMember,
        },
    ),
    SIC.Stages: (
        SIC.Stage,
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
    ),
    SIC.FundingStatuses: (
        SIC.FundingStatus,
        {
            "pledged": SIC.FundingPledged,
            "committed": SIC.FundingCommitted,
            "disbursed": SIC.FundingDisbursed,
        },
    ),
    SIC.DelphiPhases: (
        SIC.DelphiPhase,
        {"1": SIC.DelphiPhase1, "2": SIC.DelphiPhase2, "3": SIC.DelphiPhase3},
    ),
    SIC.DelphiQuestions: (
        SIC.DelphiQuestion,
        {
            "problem": SIC.QuestionProblem,
            "root_causes": SIC.QuestionRootCauses,
            "actions": SIC.QuestionActions,
            "success_factors": SIC.QuestionSuccessFactors,
            "obstacles": SIC.QuestionObstacles,
        },
    ),
}

# notation -> (stageOrder, isLive)
STAGES: dict[str, tuple[int, bool]] = {
    "idea": (1, True),
    "team": (2, True),
    "concept_note": (3, True),
    "proposal": (4, True),
    "funded": (5, True),
    "implementation": (6, True),
    "completed": (7, False),
    "discontinued": (0, False),
}

# The UN M49 regions of ontology/core/regions.ttl with their parent in the M49 hierarchy: every
# region a country's most specific M49 region leads to.
REGIONS: dict[str, tuple[str, str | None]] = {
    "001": ("World", None),
    "002": ("Africa", "001"),
    "015": ("Northern Africa", "002"),
    "202": ("Sub-Saharan Africa", "002"),
    "011": ("Western Africa", "202"),
    "014": ("Eastern Africa", "202"),
    "017": ("Middle Africa", "202"),
    "018": ("Southern Africa", "202"),
    "019": ("Americas", "001"),
    "419": ("Latin America and the Caribbean", "019"),
    "029": ("Caribbean", "419"),
    "013": ("Central America", "419"),
    "005": ("South America", "419"),
    "021": ("Northern America", "019"),
    "142": ("Asia", "001"),
    "143": ("Central Asia", "142"),
    "030": ("Eastern Asia", "142"),
    "035": ("South-eastern Asia", "142"),
    "034": ("Southern Asia", "142"),
    "145": ("Western Asia", "142"),
    "150": ("Europe", "001"),
    "151": ("Eastern Europe", "150"),
    "154": ("Northern Europe", "150"),
    "830": ("Channel Islands", "154"),
    "039": ("Southern Europe", "150"),
    "155": ("Western Europe", "150"),
    "009": ("Oceania", "001"),
    "053": ("Australia and New Zealand", "009"),
    "054": ("Melanesia", "009"),
    "057": ("Micronesia", "009"),
    "061": ("Polynesia", "009"),
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return ontology_graph()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(shapes_dir() / "ontology.ttl", format="turtle")


def _module_iri(path: Path) -> URIRef:
    if path.parent.name == "alignments":
        return URIRef(f"{ONTOLOGY_IRI}/alignments/{path.stem}")
    return URIRef(f"{ONTOLOGY_IRI}/{path.stem}")


def _langs(graph: Graph, subject: Node, predicate: URIRef) -> set[str]:
    return {o.language or "" for o in graph.objects(subject, predicate) if isinstance(o, Literal)}


def _results(report: Graph, shapes: Graph) -> list[tuple[Node | None, str]]:
    """(focus node, English message) of every result in a SHACL validation report (a rule
    speaks English, French and Spanish; pyshacl drops the tags of a SPARQL rule's messages,
    which sic.validation gives back from the shapes)."""
    from sic.validation import _tagged_messages, english_text

    return [
        (
            report.value(result, SH.focusNode),
            str(english_text(_tagged_messages(report, result, shapes))),
        )
        for result in report.subjects(RDF.type, SH.ValidationResult)
    ]


# --- Files and modules -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ontology_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_ontology_file_parses(path: Path) -> None:
    parsed = Graph().parse(path, format="turtle")
    assert len(parsed) > 0


def test_there_are_at_least_five_core_modules() -> None:
    modules = sorted((ontology_dir() / "core").glob("*.ttl"))
    assert len(modules) >= 5, f"expected at least 5 modules in ontology/core, found {modules}"
    assert {p.stem for p in modules} >= set(CORE_MODULES)


def test_ontology_files_lists_modules_then_alignments_then_the_aggregate() -> None:
    files = ontology_files()
    assert files[-1] == ontology_dir() / "sic.ttl"
    folders = [p.parent.name for p in files[:-1]]
    assert folders == sorted(folders, key=["core", "alignments"].index)
    assert "alignments" in folders


def test_ontology_files_refuses_a_folder_without_modules(tmp_path: Path) -> None:
    (tmp_path / "core").mkdir()
    (tmp_path / "sic.ttl").write_text("", encoding="utf-8")
    with pytest.raises(NotFound, match="no ontology modules"):
        ontology_files(tmp_path)


def test_ontology_files_refuses_a_folder_without_the_aggregate(tmp_path: Path) -> None:
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "plan.ttl").write_text("", encoding="utf-8")
    with pytest.raises(NotFound, match=r"sic\.ttl"):
        ontology_files(tmp_path)


@pytest.mark.parametrize("path", ontology_files()[:-1], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_module_is_an_ontology_with_one_title_naming_it(path: Path) -> None:
    module = Graph().parse(path, format="turtle")
    ontologies = list(module.subjects(RDF.type, OWL.Ontology))
    assert ontologies == [_module_iri(path)]
    titles = list(module.objects(_module_iri(path), DCTERMS.title))
    assert len(titles) == 1
    assert path.stem.lower() in str(titles[0]).lower()


def test_the_aggregate_describes_the_ontology_and_imports_every_module() -> None:
    aggregate = Graph().parse(ontology_dir() / "sic.ttl", format="turtle")
    assert list(aggregate.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY]
    assert len(list(aggregate.objects(ONTOLOGY, DCTERMS.title))) == 1
    assert aggregate.value(ONTOLOGY, DCTERMS.description) is not None
    assert aggregate.value(ONTOLOGY, OWL.versionInfo) == Literal("0.1.0")
    assert aggregate.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/0.1.0")
    assert isinstance(aggregate.value(ONTOLOGY, DCTERMS.license), URIRef)
    imports = set(aggregate.objects(ONTOLOGY, OWL.imports))
    assert imports == {_module_iri(p) for p in ontology_files()[:-1]}


# --- Shapes -------------------------------------------------------------------------------------


def test_the_ontology_conforms_to_its_shapes(graph: Graph, shapes: Graph) -> None:
    conforms, _report, text = validate(graph, shacl_graph=shapes)
    assert conforms, text


def test_a_term_without_french_label_or_definition_is_caught(graph: Graph, shapes: Graph) -> None:
    data = ontology_graph()
    data.parse(DATA / "bad-term.ttl", format="turtle")
    conforms, report, _text = validate(data, shacl_graph=shapes)
    assert not conforms
    results = _results(report, shapes)
    bad = SIC.UndocumentedThing
    assert {focus for focus, _ in results} == {bad}
    messages = sorted(message for _, message in results)
    assert messages == [
        f"The class or property {bad} has no English definition: add skos:definition "
        '"..."@en saying what the term means.',
        f"The class or property {bad} has no French label: add rdfs:label "
        '"..."@fr, since the vocabulary is published in English and French.',
    ]


def test_module_titles_and_concepts_are_checked(shapes: Graph) -> None:
    data = Graph()
    module = URIRef(f"{ONTOLOGY_IRI}/untitled")
    data.add((module, RDF.type, OWL.Ontology))
    twice = URIRef(f"{ONTOLOGY_IRI}/twice")
    data.add((twice, RDF.type, OWL.Ontology))
    data.add((twice, DCTERMS.title, Literal("One", lang="en")))
    data.add((twice, DCTERMS.title, Literal("Two", lang="en")))
    concept = SIC.LooseConcept
    data.add((concept, RDF.type, SKOS.Concept))
    data.add((concept, SKOS.prefLabel, Literal("Lâche", lang="fr")))
    _conforms, report, _text = validate(data, shacl_graph=shapes)
    messages = [message for _, message in _results(report, shapes)]
    assert any(f"ontology {module} has no title" in m for m in messages)
    assert any(f"ontology {twice} has more than one dcterms:title" in m for m in messages)
    assert any(f"concept {concept} has no English preferred label" in m for m in messages)
    assert any(f"concept {concept} is not in a concept scheme" in m for m in messages)
    assert any(f"concept {concept} has no skos:notation" in m for m in messages)


def test_terms_of_other_vocabularies_are_left_alone(shapes: Graph) -> None:
    data = Graph()
    data.add((URIRef("http://example.org/ns#Thing"), RDF.type, OWL.Class))
    data.add((URIRef("http://example.org/ns"), RDF.type, OWL.Ontology))
    data.add((URIRef("http://example.org/ns#c"), RDF.type, SKOS.Concept))
    conforms, _report, text = validate(data, shacl_graph=shapes)
    assert conforms, text


# --- The contract -------------------------------------------------------------------------------


def _contract_terms() -> set[URIRef]:
    """Every sic: term named in backticks in the contract section of ontology/README.md.

    Brace groups are expanded (`sic:OrgType{State,NGO}` names two terms), and a bare
    CamelCase name in backticks (`StageTeam`, listed after `sic:StageIdea`) is a sic: term.
    """
    text = (ontology_dir() / "README.md").read_text(encoding="utf-8")
    start = text.index("## How the workbook becomes RDF")
    following = re.search(r"^## ", text[start + 3 :], re.MULTILINE)
    section = text[start : start + 3 + following.start()] if following else text[start:]
    names: set[str] = set()
    for span in re.findall(r"`([^`\n]+)`", section):
        for name, braces in re.findall(r"sic:([A-Za-z][A-Za-z0-9]*)(\{[^}]*\})?", span):
            if braces:
                names.update(name + part.strip() for part in braces[1:-1].split(","))
            else:
                names.add(name)
        if re.fullmatch(r"[A-Z][A-Za-z0-9]+", span):
            names.add(span)
    return {SIC[name] for name in names}


def test_the_contract_names_terms() -> None:
    terms = _contract_terms()
    # Guards the parser: a README rewrite that it no longer understands must not pass silently.
    assert len(terms) > 90
    assert {SIC.StageTeam, SIC.OrgTypeNGO, SIC.baseline2020, SIC.checksum} <= terms


def test_every_term_of_the_contract_is_defined(graph: Graph) -> None:
    missing = sorted(str(t) for t in _contract_terms() if (t, RDF.type, None) not in graph)
    assert missing == []


def test_every_sic_term_used_in_the_ontology_is_declared(graph: Graph) -> None:
    used = {
        term
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(SIC_NS)
    }
    undeclared = sorted(str(t) for t in used if (t, RDF.type, None) not in graph)
    assert undeclared == []


def test_reused_vocabularies_are_not_redefined(graph: Graph) -> None:
    reused = (ORG, SCHEMA, FOAF, PROV, SKOS, DCTERMS, OWL, RDFS, RDF, XSD)
    redefined = sorted(
        str(s)
        for s in set(graph.subjects())
        if isinstance(s, URIRef) and any(str(s).startswith(str(ns)) for ns in reused)
    )
    assert redefined == []


@pytest.mark.parametrize(
    ("term", "superclass"),
    [
        (SIC.Topic, SKOS.Concept),
        (SIC.Person, FOAF.Person),
        (SIC.TaskForceRole, ORG.Membership),
        (SIC.Alliance, ORG.OrganizationalCollaboration),
        (SIC.Project, SCHEMA.Project),
        (SIC.Funding, SCHEMA.MonetaryGrant),
        (SIC.TaskForceRoleType, ORG.Role),
        (SIC.GovernanceBody, ORG.OrganizationalUnit),
    ],
)
def test_the_contract_superclasses_are_stated(
    graph: Graph, term: URIRef, superclass: URIRef
) -> None:
    assert (term, RDFS.subClassOf, superclass) in graph


def test_classes_and_properties_are_owl_terms(graph: Graph) -> None:
    assert (SIC.StrategicObjective, RDF.type, OWL.Class) in graph
    assert (SIC.objective, RDF.type, OWL.ObjectProperty) in graph
    assert (SIC.budget, RDF.type, OWL.DatatypeProperty) in graph
    # Shared properties carry no domain, so that using them never types a node by accident.
    for shared in (SIC.region, SIC.country, SIC.objective, SIC.lead, SIC.addresses):
        assert graph.value(shared, RDFS.domain) is None, shared


# --- Controlled lists ---------------------------------------------------------------------------


def test_every_controlled_list_is_a_concept_scheme(graph: Graph) -> None:
    for scheme in CONTROLLED_LISTS:
        assert (scheme, RDF.type, SKOS.ConceptScheme) in graph, scheme


@pytest.mark.parametrize("scheme", list(CONTRACT_LISTS), ids=lambda s: s.fragment)
def test_controlled_list_matches_the_contract(graph: Graph, scheme: URIRef) -> None:
    cls, expected = CONTRACT_LISTS[scheme]
    assert controlled_values(scheme) == expected
    assert set(graph.subjects(SKOS.inScheme, scheme)) == set(expected.values())
    for concept in expected.values():
        assert (concept, RDF.type, cls) in graph, concept
        assert (concept, RDF.type, SKOS.Concept) in graph, concept
        assert _langs(graph, concept, SKOS.prefLabel) >= {"en", "fr", "es"}, concept


def test_governance_bodies_are_organisational_units_and_concepts(graph: Graph) -> None:
    bodies = {
        SIC.ConsortiumOfMembers,
        SIC.ForumOfPartners,
        SIC.Bureau,
        SIC.ScientificTechnicalCommittee,
        SIC.ExecutiveSecretariat,
    }
    assert set(controlled_values(SIC.GovernanceBodies).values()) == bodies
    for body in bodies:
        assert (body, RDF.type, SIC.GovernanceBody) in graph
        assert (body, RDF.type, SKOS.Concept) in graph
        assert _langs(graph, body, SKOS.prefLabel) >= {"en", "fr", "es"}


def test_stages_have_their_order_and_liveness(graph: Graph) -> None:
    stages = controlled_values(SIC.Stages)
    assert set(stages) == set(STAGES)
    assert len(set(graph.subjects(SKOS.inScheme, SIC.Stages))) == 8
    for notation, (order, live) in STAGES.items():
        stage = stages[notation]
        assert graph.value(stage, SIC.stageOrder) == Literal(order, datatype=XSD.integer)
        assert graph.value(stage, SIC.isLive) == Literal(live, datatype=XSD.boolean)


def test_controlled_values_returns_a_copy() -> None:
    stages = controlled_values(SIC.Stages)
    stages["abandoned"] = SIC.StageDiscontinued
    assert "abandoned" not in controlled_values(SIC.Stages)


def test_controlled_values_accepts_a_string_iri() -> None:
    assert controlled_values(str(SIC.Stages))["concept_note"] == SIC.StageConceptNote


def test_controlled_values_refuses_an_unknown_scheme() -> None:
    with pytest.raises(NotFound, match="not a concept scheme"):
        controlled_values(SIC.NoSuchList)


def test_ontology_graph_returns_a_fresh_graph() -> None:
    first = ontology_graph()
    first.add((SIC.Scratch, RDF.type, OWL.Class))
    assert (SIC.Scratch, RDF.type, OWL.Class) not in ontology_graph()


# --- Regions ------------------------------------------------------------------------------------


def test_regions_follow_the_m49_list(graph: Graph) -> None:
    regions = controlled_values(SIC.Regions)
    assert set(regions) == set(REGIONS)
    for code, (label, _parent) in REGIONS.items():
        region = URIRef(REGION_NS + code)
        assert regions[code] == region
        assert (region, RDF.type, SIC.Region) in graph
        assert (region, RDF.type, SKOS.Concept) in graph
        assert (region, SKOS.prefLabel, Literal(label, lang="en")) in graph
        assert _langs(graph, region, SKOS.prefLabel) >= {"en", "fr", "es"}
    assert (URIRef(REGION_NS + "002"), SKOS.prefLabel, Literal("Afrique", lang="fr")) in graph
    assert (URIRef(REGION_NS + "002"), SKOS.prefLabel, Literal("África", lang="es")) in graph


def test_regions_follow_the_m49_hierarchy(graph: Graph) -> None:
    world = URIRef(REGION_NS + "001")
    assert set(graph.objects(SIC.Regions, SKOS.hasTopConcept)) == {world}
    for code, (_label, parent) in REGIONS.items():
        region = URIRef(REGION_NS + code)
        broader = set(graph.objects(region, SKOS.broader))
        assert broader == ({URIRef(REGION_NS + parent)} if parent else set()), code
        seen = {region}
        while region != world:
            parents = list(graph.objects(region, SKOS.broader))
            assert len(parents) == 1, region
            region = parents[0]
            assert region not in seen, f"cycle through {region}"
            seen.add(region)


# --- The Delphi study ---------------------------------------------------------------------------


def test_the_delphi_study_records_the_seed_facts(graph: Graph) -> None:
    study = SIC.DelphiStudy2021
    assert (study, RDF.type, SIC.DelphiStudy) in graph
    assert set(graph.objects(study, SIC.phase)) == set(controlled_values(SIC.DelphiPhases).values())
    assert len(set(graph.objects(study, SIC.phase))) == 3
    assert len(set(graph.objects(study, SIC.question))) == 5
    assert graph.value(study, SIC.minimumResponseCount) == Literal(4000)
    assert graph.value(study, SIC.respondentCount) == Literal(126)
    assert graph.value(study, SIC.invitedCount) == Literal(334)
