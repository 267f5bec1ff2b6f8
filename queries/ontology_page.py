"""The documentation of the ontology (/ontology for people), built from its triples.

The page is read from the ontology source the store holds, so it always matches what queries
see: the aggregate ontology's title and modules, then the SIC terms by kind (classes, object
and datatype properties, controlled lists with their concepts in stage order, other terms),
each with its labels in every language (English first), definitions and other properties.
Built once per store version and language: the names of the terms a page links to (classes,
properties, ranges) are the ones of the reader's language where the ontology has them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.base import GraphStore
from graph.results import text
from queries.describe import (
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_PREF_LABEL,
    Statement,
    construct,
    preferred_label,
)
from queries.page_views import NodeView, PageLinks, PropertyView, ValueView, href
from sic import vocab
from sic.vocab import ONTOLOGY_IRI, SIC_NS

OWL, SKOS, RDFS, DCT = (str(ns) for ns in (vocab.OWL, vocab.SKOS, vocab.RDFS, vocab.DCTERMS))
"""The namespaces as text, spelled once in sic/vocab.py."""


@dataclass(frozen=True)
class ConceptView:
    """One value of a controlled list: its notation (the workbook value) and its labels."""

    iri: str
    anchor: str
    href: str | None
    notation: str
    labels: list[ValueView]
    definition: str | None
    definitions: list[ValueView] = field(default_factory=list)


@dataclass(frozen=True)
class TermView:
    """One term of the ontology: a class, a property, a concept scheme or another term."""

    anchor: str
    iri: str
    label: str
    labels: list[ValueView]
    definitions: list[ValueView]
    types: list[ValueView]
    properties: list[PropertyView]
    concepts: list[ConceptView] = field(default_factory=list)


@dataclass(frozen=True)
class SectionView:
    """A part of the documentation (Classes, Object properties ...)."""

    anchor: str
    title: str
    terms: list[TermView]


@dataclass(frozen=True)
class OntologyPage:
    """Everything the ontology documentation shows."""

    iri: str
    title: str
    descriptions: list[ValueView]
    header: list[PropertyView]
    modules: list[TermView]
    sections: list[SectionView]


_SHOWN_APART = frozenset(
    {
        RDF_TYPE,
        RDFS_LABEL,
        SKOS_PREF_LABEL,
        SKOS + "definition",
        RDFS + "isDefinedBy",
        SKOS + "hasTopConcept",
        SKOS + "inScheme",
        SKOS + "topConceptOf",
        OWL + "imports",
        DCT + "title",
        DCT + "description",
    }
)
"""Properties a term's heading already shows (or that would repeat on every term)."""

_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("classes", "Classes", OWL + "Class"),
    ("object-properties", "Object properties", OWL + "ObjectProperty"),
    ("datatype-properties", "Datatype properties", OWL + "DatatypeProperty"),
    ("controlled-lists", "Controlled lists", SKOS + "ConceptScheme"),
)


def ontology_triples(store: GraphStore) -> list[ox.Triple]:
    """The ontology source as the store holds it, in a stable order."""
    triples = construct(store, "graph-triples", graph=ox.NamedNode(ONTOLOGY_IRI))
    return sorted(triples, key=lambda t: (str(t.subject), t.predicate.value, str(t.object)))


def _index(triples: Iterable[ox.Triple]) -> dict[str, list[Statement]]:
    index: dict[str, list[Statement]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            index.setdefault(t.subject.value, []).append(
                Statement(t.predicate, t.object, ONTOLOGY_IRI)
            )
    return index


def _values(statements: Sequence[Statement], predicate: str, page: PageLinks) -> list[ValueView]:
    """The values of one property, English first, then the other languages alphabetically."""
    views = [page.value(s.value) for s in statements if s.predicate.value == predicate]
    return sorted(views, key=lambda v: (v.language not in ("en", None), v.language or "", v.text))


def _first_text(statements: Sequence[Statement], predicate: str) -> str | None:
    values = [text(s.value) for s in statements if s.predicate.value == predicate]
    return min(values) if values else None


def _concept_order(statements: Sequence[Statement]) -> tuple[int, str]:
    order = _first_text(statements, SIC_NS + "stageOrder")
    return (
        int(order) if order and order.isdigit() else 1_000,
        _first_text(statements, SKOS + "notation") or "",
    )


def build_ontology_page(
    triples: Sequence[ox.Triple], base: str, root: str, lang: str = "en"
) -> OntologyPage:
    """The documentation of the ontology from its triples (cached per version and language by
    the route); terms are named in `lang` where the ontology names them in it, else English."""
    index = _index(triples)
    labels: dict[str, list[tuple[ox.NamedNode, ox.Literal]]] = {}
    vocabulary: dict[str, str] = {}
    for iri, statements in index.items():
        for s in statements:
            if s.predicate.value in (RDFS_LABEL, SKOS_PREF_LABEL) and isinstance(
                s.value, ox.Literal
            ):
                labels.setdefault(iri, []).append((s.predicate, s.value))
        label = preferred_label(labels, iri, (lang, "en", ""))
        if label:
            vocabulary[iri] = label
    # PageLinks names a linked term by its English label first: give it the reader's only
    in_language = {
        iri: [x for x in found if x[1].language == lang] or found for iri, found in labels.items()
    }
    page = PageLinks(base, root, in_language, vocabulary, {ONTOLOGY_IRI: "ontology"})

    def types_of(iri: str) -> set[str]:
        return {text(s.value) for s in index.get(iri, []) if s.predicate.value == RDF_TYPE}

    in_scheme: dict[str, list[str]] = {}
    for iri, statements in index.items():
        for s in statements:
            if s.predicate.value == SKOS + "inScheme":
                in_scheme.setdefault(text(s.value), []).append(iri)

    def term(iri: str) -> TermView:
        statements = index[iri]
        node: NodeView = page.node(
            iri, [s for s in statements if s.predicate.value not in _SHOWN_APART]
        )
        concepts = [
            ConceptView(
                iri=c,
                anchor=c[len(SIC_NS) :] if c.startswith(SIC_NS) else "",
                href=href(c, base, root),
                notation=_first_text(index[c], SKOS + "notation") or "",
                labels=_values(index[c], SKOS_PREF_LABEL, page)
                or _values(index[c], RDFS_LABEL, page),
                definition=_first_text(index[c], SKOS + "definition"),
                definitions=_values(index[c], SKOS + "definition", page),
            )
            for c in sorted(in_scheme.get(iri, []), key=lambda c: (_concept_order(index[c]), c))
        ]
        return TermView(
            anchor=iri[len(SIC_NS) :] if iri.startswith(SIC_NS) else "",
            iri=iri,
            label=vocabulary.get(iri, iri),
            labels=_values(statements, RDFS_LABEL, page)
            or _values(statements, SKOS_PREF_LABEL, page),
            definitions=_values(statements, SKOS + "definition", page),
            types=[page.value(ox.NamedNode(t)) for t in sorted(types_of(iri))],
            properties=node.properties,
            concepts=concepts,
        )

    listed: set[str] = set()
    sections: list[SectionView] = []
    for anchor, title, cls in _SECTIONS:
        members = sorted(i for i in index if i.startswith(SIC_NS) and cls in types_of(i))
        listed |= set(members)
        sections.append(SectionView(anchor, title, [term(i) for i in members]))
    concepts = {c for members in in_scheme.values() for c in members}
    others = sorted(i for i in index if i.startswith(SIC_NS) and i not in listed | concepts)
    if others:
        sections.append(SectionView("other-terms", "Other terms", [term(i) for i in others]))
    modules = sorted(i for i in index if OWL + "Ontology" in types_of(i) and i != ONTOLOGY_IRI)
    aggregate = index.get(ONTOLOGY_IRI, [])
    header = page.properties([s for s in aggregate if s.predicate.value not in _SHOWN_APART])
    return OntologyPage(
        iri=ONTOLOGY_IRI,
        title=_english(aggregate, DCT + "title") or "SIC ontology",
        descriptions=_values(aggregate, DCT + "description", page),
        header=header,
        modules=[
            TermView(
                anchor="",
                iri=m,
                label=_english(index[m], DCT + "title") or m,
                labels=[],
                definitions=_values(index[m], RDFS + "comment", page),
                types=[],
                properties=[],
            )
            for m in modules
        ],
        sections=sections,
    )


def _english(statements: Sequence[Statement], predicate: str) -> str | None:
    found = [s.value for s in statements if s.predicate.value == predicate]
    literals = [v for v in found if isinstance(v, ox.Literal)]
    literals.sort(key=lambda v: (v.language not in ("en", ""), v.value))
    return literals[0].value if literals else None
