"""Every term of the SIC vocabulary is named and defined in English, French and Spanish.

The pages speak three languages, and /ontology shows a term in the reader's language: a term
missing in one of them would be shown in English on a French or Spanish page. The shapes
(shapes/ontology.ttl) ask for English and French; this asks for all three.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from sic.ontology import ontology_graph
from sic.vocab import SIC_NS

LANGUAGES = ("en", "fr", "es")
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme, SKOS.Concept)
LABELS = (RDFS.label, SKOS.prefLabel)
DEFINITIONS = (SKOS.definition, RDFS.comment)


def sic_terms(graph: Graph) -> list[URIRef]:
    """The SIC classes, properties, controlled lists and their values."""
    found = {s for kind in KINDS for s in graph.subjects(RDF.type, kind)}
    return sorted(s for s in found if isinstance(s, URIRef) and str(s).startswith(SIC_NS))


def missing_languages(graph: Graph, term: URIRef) -> list[str]:
    """What `term` lacks: 'label@es', 'definition@fr' ..."""
    out = []
    for what, predicates in (("label", LABELS), ("definition", DEFINITIONS)):
        have = {
            o.language
            for p in predicates
            for o in graph.objects(term, p)
            if isinstance(o, Literal) and str(o).strip()
        }
        out += [f"{what}@{lang}" for lang in LANGUAGES if lang not in have]
    return out


@pytest.fixture(scope="module")
def graph() -> Graph:
    return ontology_graph()


def test_there_are_terms_of_every_kind(graph: Graph) -> None:
    terms = set(sic_terms(graph))
    for kind in KINDS:
        assert terms & set(graph.subjects(RDF.type, kind)), f"no SIC term of kind {kind}"
    assert len(terms) > 100


def test_every_term_has_labels_and_definitions_in_three_languages(graph: Graph) -> None:
    gaps = {
        str(t)[len(SIC_NS) :]: m for t in sic_terms(graph) if (m := missing_languages(graph, t))
    }
    assert not gaps, f"{len(gaps)} terms lack a language: {gaps}"


def test_a_term_missing_spanish_is_caught(graph: Graph) -> None:
    term = URIRef(f"{SIC_NS}HalfTranslated")
    graph.add((term, RDF.type, OWL.Class))
    graph.add((term, RDFS.label, Literal("Half", lang="en")))
    graph.add((term, RDFS.label, Literal("Moitié", lang="fr")))
    graph.add((term, SKOS.definition, Literal("Only half.", lang="en")))
    graph.add((term, SKOS.definition, Literal("", lang="fr")))
    graph.add((term, SKOS.definition, Literal("Solo la mitad.", lang="es")))
    assert term in sic_terms(graph)
    assert missing_languages(graph, term) == ["label@es", "definition@fr"]
    graph.remove((term, None, None))
