"""What a linked-data page shows of RDF: values, properties and nodes, named and linked.

The HTML of /id/{kind}/{key} and of /ontology shows triples to people: every IRI by its label
(from the description, else the vocabulary, else a compact IRI), every value with its language
or datatype, and links that stay on this service for its own IRIs, so the pages can be browsed
wherever BASE points. The views are plain data for the templates of api/templates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from graph.dataset import SourceInfo
from graph.results import Term
from queries.describe import (
    RDF_TYPE,
    XSD_STRING,
    Description,
    Statement,
    compact_iri,
    preferred_label,
)
from queries.sentences import format_number
from sic.vocab import ONTOLOGY_IRI, REGION_NS, SIC_NS

DCT_IDENTIFIER = "http://purl.org/dc/terms/identifier"
_XSD = "http://www.w3.org/2001/XMLSchema#"


def href(iri: str, base: str, root: str) -> str | None:
    """Where a page should link for `iri`: this service for its own IRIs, else the IRI itself.

    Data IRIs (`{BASE}id/...`, and the fixed region IRIs) link to /id/... here, so the pages
    can be browsed wherever BASE points; ontology terms link to their entry in /ontology.
    """
    for namespace in (base + "id/", REGION_NS):
        if iri.startswith(namespace):
            return f"{root}/id/{iri[len(namespace) :]}"
    if iri.startswith(SIC_NS):
        return f"{root}/ontology#{iri[len(SIC_NS) :]}"
    if iri == ONTOLOGY_IRI:
        return f"{root}/ontology"
    if iri.startswith(base + "graph/"):
        return None
    if iri.startswith(("http://", "https://")):
        return iri
    return None


@dataclass(frozen=True)
class ValueView:
    """One value on a page: its text, where it links, and what kind of value it is."""

    text: str
    href: str | None = None
    iri: str | None = None
    language: str | None = None
    datatype: str | None = None
    raw: str | None = None  # a number's lexical form, when `text` is it written for people


@dataclass(frozen=True)
class PropertyView:
    """One property of a node on a page, with its values and the sources that state them."""

    label: str
    iri: str
    href: str | None
    values: list[ValueView]
    sources: list[str]


@dataclass(frozen=True)
class NodeView:
    """A described node (the resource or one of its fragments)."""

    iri: str
    anchor: str
    label: str
    types: list[ValueView]
    properties: list[PropertyView]


@dataclass
class PageLinks:
    """Turns terms into page values: labels from the description, links on this service."""

    base: str
    root: str
    labels: Mapping[str, list[tuple[ox.NamedNode, ox.Literal]]]
    vocabulary: Mapping[str, str]
    sources: Mapping[str, str]
    lang: str = "en"

    def name(self, iri: str) -> str:
        return preferred_label(self.labels, iri) or self.vocabulary.get(iri) or compact_iri(iri)

    def value(self, term: Term) -> ValueView:
        if isinstance(term, ox.NamedNode):
            return ValueView(
                self.name(term.value), href(term.value, self.base, self.root), term.value
            )
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value
            shown = None if term.language or datatype == XSD_STRING else compact_iri(datatype)
            number = _number(term.value, datatype)
            if number is not None:  # 1800000 xsd:decimal reads as 1,800,000 (1 800 000 in fr)
                digits = 0 if number == number.to_integral_value() else 2
                text = format_number(number, self.lang, digits)
                return ValueView(text, datatype=shown, raw=term.value)
            return ValueView(term.value, language=term.language or None, datatype=shown)
        return ValueView(str(term))

    def properties(self, statements: Sequence[Statement]) -> list[PropertyView]:
        grouped: dict[str, list[Statement]] = {}
        for s in statements:
            if s.predicate.value != RDF_TYPE:
                grouped.setdefault(s.predicate.value, []).append(s)
        views = []
        for predicate, group in grouped.items():
            values: dict[str, ValueView] = {}
            for s in sorted(group, key=lambda s: (s.value.__class__.__name__, str(s.value))):
                values.setdefault(str(s.value), self.value(s.value))
            views.append(
                PropertyView(
                    label=self.vocabulary.get(predicate) or compact_iri(predicate),
                    iri=predicate,
                    href=href(predicate, self.base, self.root),
                    values=list(values.values()),
                    sources=sorted({self.sources.get(s.graph, s.graph) for s in group}),
                )
            )
        return sorted(views, key=lambda v: (v.label.lower(), v.iri))

    def node(self, iri: str, statements: Sequence[Statement]) -> NodeView:
        types = sorted(
            {
                s.value.value
                for s in statements
                if s.predicate.value == RDF_TYPE and isinstance(s.value, ox.NamedNode)
            }
        )
        _, _, fragment = iri.partition("#")
        identifiers = [
            s.value.value
            for s in statements
            if s.predicate.value == DCT_IDENTIFIER and isinstance(s.value, ox.Literal)
        ]
        label = preferred_label(self.labels, iri) or (identifiers[0] if identifiers else None)
        return NodeView(
            iri=iri,
            anchor=fragment,
            label=label or self.name(iri),
            types=[self.value(ox.NamedNode(t)) for t in types],
            properties=self.properties(statements),
        )


@dataclass(frozen=True)
class DescriptionView:
    """A description as `resource.html` shows it: the resource, its fragments, what links to
    it (grouped by property: label, link, values) and its sources."""

    main: NodeView
    fragments: list[NodeView]
    inbound: list[tuple[str, str | None, list[ValueView]]]
    inbound_truncated: bool
    sources: list[SourceInfo]


def description_view(
    description: Description,
    vocabulary: Mapping[str, str],
    base: str,
    root: str,
    lang: str = "en",
) -> DescriptionView:
    """The page's view of a description (queries.describe), links rooted at `root`, numbers
    written the way readers of `lang` write them."""
    names = {s.graph: s.name for s in description.sources}
    page = PageLinks(base, root, description.labels, vocabulary, names, lang)
    inbound: dict[str, list[ValueView]] = {}
    for link in description.inbound:
        if link.subject.value not in description.fragments:
            inbound.setdefault(link.predicate.value, []).append(page.value(link.subject))
    return DescriptionView(
        main=page.node(description.iri.value, description.statements),
        fragments=[page.node(iri, st) for iri, st in sorted(description.fragments.items())],
        inbound=[
            (vocabulary.get(p) or compact_iri(p), href(p, base, root), values)
            for p, values in sorted(inbound.items())
        ],
        inbound_truncated=description.inbound_truncated,
        sources=description.sources,
    )


_NUMERIC = frozenset(
    _XSD + name
    for name in (
        "decimal",
        "integer",
        "int",
        "long",
        "short",
        "nonNegativeInteger",
        "positiveInteger",
        "double",
        "float",
    )
)


def _number(lexical: str, datatype: str) -> Decimal | None:
    """The value of a numeric literal, or None (not numeric, or not a finite number)."""
    if datatype not in _NUMERIC:
        return None
    try:
        value = Decimal(lexical)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
