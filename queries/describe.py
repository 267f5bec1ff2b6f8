"""What the service says about one resource: its own triples, its neighbours' names, its sources.

GET /id/{kind}/{key} answers with a *description* of the IRI `{BASE}id/{kind}/{key}`, the
Linked Data convention of a concise bounded description widened just enough to be readable on
its own:

- the resource's own triples, each with the named graph (source) that holds it;
- the triples of its fragment resources (`{iri}#...`, such as a Task Force's roles), since a
  client cannot dereference a fragment on its own;
- the links other resources make to it (inbound), at most `INBOUND_LINKS` of them;
- the labels of everything it links to and everything that links to it;
- the sources its triples came from, with their provenance (`prov:wasDerivedFrom` from the
  resource to each source graph, as DBpedia links a resource to the page it was extracted from).

Each part is one `.rq` file of queries/blocks/describe/ with the resource bound as a term, so
the store answers from its subject or object index: a lookup costs a few index scans whatever
the size of the store, which is what keeps /id/... fast at a million triples.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from threading import Lock
from typing import Any, Generic, TypeVar

import pyoxigraph as ox

from graph.base import GraphStore
from graph.dataset import SourceInfo
from graph.results import GraphResult, SelectResult, Term
from queries.sparql import BLOCKS, rq, run
from sic.vocab import ONTOLOGY_IRI
from sic.vocab import RDF_TYPE as TYPE_NODE

SPARQL_DIR = BLOCKS / "describe"
"""The blocks descriptions are made of (in the one registry of queries.sparql, kept apart here)."""
CONTEXT_FILE = Path(__file__).resolve().parents[1] / "sic" / "context.jsonld"

INBOUND_LINKS = 500
"""Inbound links listed at most; more are left to the SPARQL endpoint (the description says so).
Reading them costs about 20 µs each at a million triples, so this bounds the cost of a popular
resource (an objective has over a thousand) to about 10 ms."""
FRAGMENT_TRIPLES = 5_000
"""Triples of fragment resources read at most (a Task Force of 400 roles has about 2,000)."""
LABEL_ROWS = 10_000
"""Label rows read at most by one lookup (a bound that real data never reaches)."""

RDF_TYPE = TYPE_NODE.value
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
_PROV = "http://www.w3.org/ns/prov#"
_DCT = "http://purl.org/dc/terms/"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SIC = "https://w3id.org/4p1000/ontology#"
_VOID = "http://rdfs.org/ns/void#"

Subject = ox.NamedNode | ox.BlankNode
T = TypeVar("T")


def solutions(
    store: GraphStore, name: str, limit: int | None = None, **terms: Term
) -> SelectResult:
    """The solutions (terms, not plain values) of a SELECT block, its parameters bound as terms.

    Descriptions need the terms themselves (a literal's language, a blank node), and see the
    sources as named graphs.
    """
    return run(store, rq(name), terms, SelectResult, limit=limit, sources_named=True)


def construct(store: GraphStore, name: str, **terms: Term) -> list[ox.Triple]:
    """The triples of a CONSTRUCT block, its parameters bound as terms."""
    return run(store, rq(name), terms, GraphResult, sources_named=True).triples


@dataclass(frozen=True)
class Statement:
    """One triple about a described node, and the named graph (source) that states it."""

    predicate: ox.NamedNode
    value: Term
    graph: str


@dataclass(frozen=True)
class Link:
    """One inbound link: `subject predicate <the resource>`, stated in `graph`."""

    subject: Subject
    predicate: ox.NamedNode
    graph: str


@dataclass
class Description:
    """Everything GET /id/... says about one resource (see the module docstring)."""

    iri: ox.NamedNode
    statements: list[Statement]
    fragments: dict[str, list[Statement]] = field(default_factory=dict)
    inbound: list[Link] = field(default_factory=list)
    labels: dict[str, list[tuple[ox.NamedNode, ox.Literal]]] = field(default_factory=dict)
    sources: list[SourceInfo] = field(default_factory=list)
    inbound_truncated: bool = False

    def graphs(self) -> list[str]:
        """The named graphs the resource's own triples (and its fragments') come from."""
        found = {s.graph for s in self.statements}
        for statements in self.fragments.values():
            found |= {s.graph for s in statements}
        return sorted(found)

    def triples(self) -> list[ox.Triple]:
        """The description as RDF, the resource's own triples first, in a stable order."""
        own = [ox.Triple(self.iri, s.predicate, s.value) for s in _unique(self.statements)]
        parts = [
            ox.Triple(ox.NamedNode(iri), s.predicate, s.value)
            for iri in sorted(self.fragments)
            for s in _unique(self.fragments[iri])
        ]
        inbound = {
            ox.Triple(link.subject, link.predicate, self.iri)
            for link in self.inbound
            if link.subject.value not in self.fragments
        }
        labels = {
            ox.Triple(ox.NamedNode(node), predicate, label)
            for node, found in self.labels.items()
            if node != self.iri.value and node not in self.fragments
            for predicate, label in found
        }
        provenance = self._provenance()
        return [*own, *parts, *_sorted(inbound), *_sorted(labels), *provenance]

    def _provenance(self) -> list[ox.Triple]:
        """`<resource> prov:wasDerivedFrom <source graph>`, and what the store knows of it."""
        out = [
            ox.Triple(self.iri, ox.NamedNode(_PROV + "wasDerivedFrom"), ox.NamedNode(g))
            for g in self.graphs()
        ]
        for source in self.sources:
            graph = ox.NamedNode(source.graph)
            out += [
                ox.Triple(graph, ox.NamedNode(RDF_TYPE), ox.NamedNode(_SIC + "Source")),
                ox.Triple(graph, ox.NamedNode(_DCT + "identifier"), ox.Literal(source.name)),
                ox.Triple(
                    graph,
                    ox.NamedNode(_VOID + "triples"),
                    ox.Literal(str(source.triples), datatype=ox.NamedNode(_XSD + "integer")),
                ),
            ]
            if source.loaded:
                out.append(
                    ox.Triple(
                        graph,
                        ox.NamedNode(_PROV + "generatedAtTime"),
                        ox.Literal(source.loaded, datatype=ox.NamedNode(_XSD + "dateTime")),
                    )
                )
            title = source.about.get("title")
            if title:
                out.append(ox.Triple(graph, ox.NamedNode(_DCT + "title"), ox.Literal(title)))
        return out


def _unique(statements: Iterable[Statement]) -> list[Statement]:
    """One statement per (predicate, value): the same fact from two sources is one triple."""
    seen: set[tuple[ox.NamedNode, Term]] = set()
    out: list[Statement] = []
    for s in sorted(statements, key=lambda s: (s.predicate.value, str(s.value), s.graph)):
        if (s.predicate, s.value) not in seen:
            seen.add((s.predicate, s.value))
            out.append(s)
    return out


def _sorted(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return sorted(triples, key=lambda t: (str(t.subject), t.predicate.value, str(t.object)))


def _statements(store: GraphStore, node: ox.NamedNode) -> list[Statement]:
    rows = solutions(store, "describe-resource", this=node)
    out: list[Statement] = []
    for row in rows:
        p, o, g = row.get("p"), row.get("o"), row.get("g")
        if isinstance(p, ox.NamedNode) and o is not None and isinstance(g, ox.NamedNode):
            out.append(Statement(p, o, g.value))
    return out


def _add_label(
    labels: dict[str, list[tuple[ox.NamedNode, ox.Literal]]],
    node: Term | None,
    predicate: Term | None,
    label: Term | None,
) -> None:
    if (
        isinstance(node, ox.NamedNode)
        and isinstance(predicate, ox.NamedNode)
        and isinstance(label, ox.Literal)
    ):
        found = labels.setdefault(node.value, [])
        if (predicate, label) not in found:
            found.append((predicate, label))


def _labels(
    store: GraphStore,
    query: str,
    node: ox.NamedNode,
    labels: dict[str, list[tuple[ox.NamedNode, ox.Literal]]],
) -> None:
    for row in solutions(store, query, limit=LABEL_ROWS, this=node):
        _add_label(labels, row.get("node"), row.get("lp"), row.get("label"))


def describe(
    store: GraphStore,
    iri: str,
    sources: Callable[[], Iterable[SourceInfo]],
    *,
    for_people: bool = False,
) -> Description | None:
    """The description of `iri`, or None when the store states nothing about it.

    `sources` is called only for a resource that exists (so a 404 costs one lookup); it gives
    the published sources, from which the description keeps those its triples came from.
    `for_people` also looks up the labels of the resources that link to it and of what its
    fragments link to, for a page that names every node it shows; the RDF representations
    carry those nodes' IRIs only.

    Costs: three index lookups for most resources (about 1 ms at a million triples); the
    fragment lookups only run when one of the inbound links comes from a fragment, so an
    objective with thousands of inbound links does not pay for them.
    """
    node = ox.NamedNode(iri)
    statements = _statements(store, node)
    if not statements:
        return None
    labels: dict[str, list[tuple[ox.NamedNode, ox.Literal]]] = {}
    for s in statements:
        if s.predicate.value in (RDFS_LABEL, SKOS_PREF_LABEL) and isinstance(s.value, ox.Literal):
            _add_label(labels, node, s.predicate, s.value)
    _labels(store, "labels-of-linked", node, labels)
    inbound_rows = solutions(store, "inbound-links", limit=INBOUND_LINKS, this=node)
    inbound: dict[tuple[str, str, str], Link] = {}
    for row in inbound_rows:
        subject, p, g = row.get("s"), row.get("p"), row.get("g")
        if isinstance(subject, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode):
            graph = g.value if isinstance(g, ox.NamedNode) else ""
            inbound.setdefault((str(subject), p.value, graph), Link(subject, p, graph))
    if for_people:
        for row in solutions(store, "inbound-labels", limit=INBOUND_LINKS, this=node):
            _add_label(labels, row.get("s"), row.get("lp"), row.get("label"))
    prefix = iri + "#"
    fragments: dict[str, list[Statement]] = {}
    if any(
        isinstance(link.subject, ox.NamedNode) and link.subject.value.startswith(prefix)
        for link in inbound.values()
    ):
        fragments = _fragments(store, node)
        if for_people:
            _labels(store, "fragment-labels", node, labels)
    description = Description(
        iri=node,
        statements=statements,
        fragments=fragments,
        inbound=sorted(
            inbound.values(), key=lambda k: (k.predicate.value, str(k.subject), k.graph)
        ),
        labels=labels,
        inbound_truncated=inbound_rows.truncated,
    )
    wanted = set(description.graphs())
    description.sources = [s for s in sources() if s.graph in wanted]
    return description


def _fragments(store: GraphStore, node: ox.NamedNode) -> dict[str, list[Statement]]:
    out: dict[str, list[Statement]] = {}
    for row in solutions(store, "fragments", limit=FRAGMENT_TRIPLES, this=node):
        part, p, o, g = row.get("part"), row.get("p"), row.get("o"), row.get("g")
        if (
            isinstance(part, ox.NamedNode)
            and isinstance(p, ox.NamedNode)
            and o is not None
            and isinstance(g, ox.NamedNode)
        ):
            out.setdefault(part.value, []).append(Statement(p, o, g.value))
    return out


class PerVersion(Generic[T]):
    """One value computed from the store, kept until the store's version changes.

    For what costs more than a lookup (VoID statistics, the dump, the ontology's documentation,
    the list of sources) and is asked for far more often than the data changes. Requests that
    miss together wait for one computation instead of each reading the whole store (VoID takes
    seconds at a million triples).
    """

    def __init__(self, build: Callable[[GraphStore], T]) -> None:
        self._build = build
        self._building = Lock()
        self._cached: tuple[str, T] | None = None

    def get(self, store: GraphStore, version: str) -> T:
        """The value for `version`, computed on the first call that asks for it."""
        cached = self._cached
        if cached is not None and cached[0] == version:
            return cached[1]
        with self._building:
            cached = self._cached  # another request may have built it meanwhile
            if cached is not None and cached[0] == version:
                return cached[1]
            value = self._build(store)
            self._cached = (version, value)
            return value


def preferred_label(
    labels: Mapping[str, list[tuple[ox.NamedNode, ox.Literal]]],
    iri: str,
    languages: tuple[str, ...] = ("en", ""),
) -> str | None:
    """The label to show for `iri`: rdfs:label before skos:prefLabel, English, untagged, any."""
    found = labels.get(iri, [])
    if not found:
        return None

    def rank(item: tuple[ox.NamedNode, ox.Literal]) -> tuple[int, int, str]:
        predicate, label = item
        language = label.language or ""
        order = languages.index(language) if language in languages else len(languages)
        return (order, 0 if predicate.value == RDFS_LABEL else 1, label.value)

    return min(found, key=rank)[1].value


# -- JSON-LD -----------------------------------------------------------------------------


@cache
def context_document() -> dict[str, Any]:
    """sic/context.jsonld, the versioned JSON-LD context served at /context.jsonld."""
    loaded = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict) or not isinstance(loaded.get("@context"), dict):
        raise ValueError(f"{CONTEXT_FILE} must be an object with an @context object")
    return loaded


_LOCAL_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*(?<!\.)")


@dataclass(frozen=True)
class _TermDefinition:
    name: str
    coerce: str | None  # "@id", a datatype IRI, or None
    language_map: bool


@dataclass
class JsonLdCompactor:
    """Writes triples as compact JSON-LD under sic/context.jsonld (one node object each).

    Each value uses the context's term for its property when the term's coercion fits the
    value (`objective` for an IRI, `budget` for an xsd:decimal, `label` as a language map),
    and the compact IRI (`sic:objective`) with an explicit value object otherwise, so the
    output expands to exactly the triples given.
    """

    prefixes: list[tuple[str, str]] = field(default_factory=list)
    terms: dict[str, list[_TermDefinition]] = field(default_factory=dict)

    @classmethod
    def from_context(cls, context: Mapping[str, Any]) -> JsonLdCompactor:
        compactor = cls()
        prefixes: dict[str, str] = {}
        for name, value in context.items():
            if name.startswith("@"):
                continue
            if isinstance(value, str) and value.endswith(("/", "#")) and ":" not in name:
                prefixes[name] = value
        compactor.prefixes = sorted(prefixes.items(), key=lambda item: -len(item[1]))
        for name, value in context.items():
            if name.startswith("@") or name in prefixes:
                continue
            definition = value if isinstance(value, dict) else {"@id": value}
            iri = compactor.expand(str(definition.get("@id", "")), prefixes)
            if iri.startswith("@"):
                continue
            coerce = definition.get("@type")
            term = _TermDefinition(
                name=name,
                coerce=compactor.expand(coerce, prefixes) if isinstance(coerce, str) else None,
                language_map=definition.get("@container") == "@language",
            )
            compactor.terms.setdefault(iri, []).append(term)
        return compactor

    @staticmethod
    def expand(value: str, prefixes: Mapping[str, str]) -> str:
        prefix, colon, local = value.partition(":")
        if colon and prefix in prefixes and not local.startswith("//"):
            return prefixes[prefix] + local
        return value

    def compact_iri(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(local):
                return f"{prefix}:{local}"
        return iri

    def _node_ref(self, term: Term) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, ox.NamedNode):
            return self.compact_iri(term.value)
        raise TypeError(f"{term!r} cannot be a node reference")

    def _value_object(self, term: Term) -> dict[str, str]:
        if isinstance(term, ox.NamedNode | ox.BlankNode):
            return {"@id": self._node_ref(term)}
        if isinstance(term, ox.Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if term.datatype.value == XSD_STRING:
                return {"@value": term.value}
            return {"@value": term.value, "@type": self.compact_iri(term.datatype.value)}
        raise TypeError(f"RDF-star triples are not written as JSON-LD: {term!r}")

    def _entry(self, predicate: str, term: Term) -> tuple[str, object, str | None]:
        """(key, value, language-map key or None) for one property value."""
        for definition in self.terms.get(predicate, ()):
            if definition.language_map and isinstance(term, ox.Literal):
                if term.language:
                    return definition.name, term.value, term.language
                if term.datatype.value == XSD_STRING:
                    return definition.name, term.value, "@none"
            elif definition.coerce == "@id" and isinstance(term, ox.NamedNode | ox.BlankNode):
                return definition.name, self._node_ref(term), None
            elif (
                definition.coerce is not None
                and isinstance(term, ox.Literal)
                and not term.language
                and term.datatype.value == definition.coerce
            ):
                return definition.name, term.value, None
            elif definition.coerce is None and not definition.language_map:
                if isinstance(term, ox.Literal) and term.datatype.value == XSD_STRING:
                    return definition.name, term.value, None
                return definition.name, self._value_object(term), None
        return self.compact_iri(predicate), self._value_object(term), None

    def document(self, triples: Iterable[ox.Triple], context_url: str) -> dict[str, Any]:
        """A JSON-LD document with `@context` pointing at `context_url` and one `@graph`."""
        nodes: dict[str, dict[str, Any]] = {}
        for triple in triples:
            node = nodes.setdefault(str(triple.subject), {"@id": self._node_ref(triple.subject)})
            predicate = triple.predicate.value
            if predicate == RDF_TYPE and isinstance(triple.object, ox.NamedNode):
                node.setdefault("@type", []).append(self.compact_iri(triple.object.value))
                continue
            key, value, language = self._entry(predicate, triple.object)
            if language is not None:
                node.setdefault(key, {}).setdefault(language, []).append(value)
            else:
                node.setdefault(key, []).append(value)
        return {"@context": context_url, "@graph": [_unwrap(n) for n in nodes.values()]}


def _unwrap(node: dict[str, Any]) -> dict[str, Any]:
    """Single values without their array, as JSON-LD compaction writes them; @id and @type
    first, then the properties in alphabetical order, so equal graphs give equal documents."""
    out: dict[str, Any] = {}
    for key in sorted(node, key=lambda k: (k not in ("@id", "@type"), k != "@id", k)):
        value = node[key]
        if isinstance(value, dict):
            out[key] = {k: v[0] if len(v) == 1 else v for k, v in sorted(value.items())}
        elif isinstance(value, list):
            out[key] = value[0] if len(value) == 1 else value
        else:
            out[key] = value
    return out


@cache
def compactor() -> JsonLdCompactor:
    """The compactor for sic/context.jsonld, built once."""
    return JsonLdCompactor.from_context(context_document()["@context"])


def jsonld(triples: Iterable[ox.Triple], context_url: str) -> bytes:
    """Triples as a compact JSON-LD document citing the context at `context_url`."""
    document = compactor().document(triples, context_url)
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def compact_iri(iri: str) -> str:
    """An IRI shortened with the context's prefixes, for people (`sic:Activity`)."""
    return compactor().compact_iri(iri)


def vocabulary_labels(store: GraphStore) -> dict[str, str]:
    """English labels of the ontology's terms (for property names on pages), per version."""
    labels: dict[str, tuple[int, str]] = {}
    ranks = {
        "http://www.w3.org/2000/01/rdf-schema#label": 0,
        "http://www.w3.org/2004/02/skos/core#prefLabel": 1,
    }
    for t in construct(store, "graph-triples", graph=ox.NamedNode(ONTOLOGY_IRI)):
        rank = ranks.get(t.predicate.value)
        if rank is None or not isinstance(t.object, ox.Literal) or t.object.language != "en":
            continue
        key = t.subject.value if isinstance(t.subject, ox.NamedNode) else ""
        if key and (key not in labels or rank < labels[key][0]):
            labels[key] = (rank, t.object.value)
    return {iri: label for iri, (_, label) in labels.items()}
