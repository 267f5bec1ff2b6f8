"""VoID and DCAT about the dataset: counts per graph, class and property partitions.

What /.well-known/void serves, computed from the store with the `void-*` building blocks of
queries/blocks/describe/ (whole-store counts: the routes keep them per store version) and
written as triples the faces serialise in any RDF syntax.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph.base import GraphStore
from graph.dataset import SourceInfo
from graph.results import text
from queries.describe import solutions
from sic import vocab
from sic.vocab import PREFIXES, RDF_TYPE

VOID, DCAT, DCT, FOAF, PROV, XSD = (
    str(ns) for ns in (vocab.VOID, vocab.DCAT, vocab.DCTERMS, vocab.FOAF, vocab.PROV, vocab.XSD)
)
IANA = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Counts:
    """VoID figures of one graph or of the whole dataset."""

    triples: int
    subjects: int
    properties: int
    objects: int


@dataclass(frozen=True)
class VoidStatistics:
    """What /.well-known/void reports, computed once per store version.

    Partition maps are keyed by graph IRI, with "" for the whole dataset.
    """

    dataset: Counts
    graphs: dict[str, Counts]
    classes: dict[str, dict[str, int]]
    properties: dict[str, dict[str, int]]
    sources: list[SourceInfo]


def _int(term: Any) -> int:
    value = text(term)
    return int(value) if value.isdigit() else 0


def void_statistics(store: GraphStore) -> VoidStatistics:
    """Count everything VoID reports (reads the whole store: cached per version)."""
    total = next(iter(solutions(store, "void-dataset-statistics")), {})
    dataset = Counts(
        *(_int(total.get(k)) for k in ("triples", "subjects", "properties", "objects"))
    )
    graphs = {
        text(row.get("graph")): Counts(
            *(_int(row.get(k)) for k in ("triples", "subjects", "properties", "objects"))
        )
        for row in solutions(store, "void-graph-statistics")
    }
    classes: dict[str, dict[str, int]] = {}
    for row in solutions(store, "void-class-partitions"):
        classes.setdefault(text(row.get("graph")), {})[text(row.get("class"))] = _int(
            row.get("entities")
        )
    properties: dict[str, dict[str, int]] = {}
    for row in solutions(store, "void-property-partitions"):
        properties.setdefault(text(row.get("graph")), {})[text(row.get("property"))] = _int(
            row.get("triples")
        )
    return VoidStatistics(dataset, graphs, classes, properties, store.sources())


def _lit(value: int | str, datatype: str | None = None) -> ox.Literal:
    if datatype is None:
        return (
            ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
            if isinstance(value, int)
            else ox.Literal(value)
        )
    return ox.Literal(str(value), datatype=ox.NamedNode(datatype))


def void_triples(stats: VoidStatistics, void_url: str, root_url: str, base: str) -> list[ox.Triple]:
    """The VoID (and DCAT) description of the dataset and of each source graph."""
    n = ox.NamedNode
    description, dataset, dump = n(void_url), n(void_url + "#dataset"), n(void_url + "#dump")
    out: list[ox.Triple] = []

    def add(
        s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal
    ) -> None:
        out.append(ox.Triple(s, n(p), o))

    add(description, RDF_TYPE.value, n(VOID + "DatasetDescription"))
    add(
        description,
        DCT + "title",
        ox.Literal("VoID description of the SIC Knowledge Graph", language="en"),
    )
    add(description, FOAF + "primaryTopic", dataset)
    for cls in (VOID + "Dataset", DCAT + "Dataset"):
        add(dataset, RDF_TYPE.value, n(cls))
    add(dataset, DCT + "title", ox.Literal("SIC Knowledge Graph", language="en"))
    add(
        dataset,
        DCT + "description",
        ox.Literal(
            "The « 4 per 1000 » Initiative's Strategy Implementation Cycle as linked data: the "
            "Strategic Plan, its activities, the actors, projects, funding and the Delphi study.",
            language="en",
        ),
    )
    add(dataset, VOID + "uriSpace", ox.Literal(base + "id/"))
    add(dataset, VOID + "sparqlEndpoint", n(root_url + "sparql"))
    add(dataset, VOID + "dataDump", n(root_url + "dump.nq.gz"))
    add(dataset, DCAT + "distribution", dump)
    add(dump, RDF_TYPE.value, n(DCAT + "Distribution"))
    add(
        dump,
        DCT + "title",
        ox.Literal("The whole dataset: every source graph and their provenance", language="en"),
    )
    add(dump, DCAT + "downloadURL", n(root_url + "dump.nq.gz"))
    add(dump, DCAT + "mediaType", n(IANA + "application/n-quads"))
    add(dump, DCAT + "compressFormat", n(IANA + "application/gzip"))
    used = {p for counts in stats.properties.values() for p in counts}
    for namespace in sorted(
        {ns for ns in PREFIXES.values() if any(p.startswith(ns) for p in used)}
    ):
        add(dataset, VOID + "vocabulary", n(namespace))
    _counts(add, dataset, stats.dataset, len(stats.classes.get("", {})))
    _partitions(add, dataset, "d", stats.classes.get("", {}), stats.properties.get("", {}))
    sources = {s.graph: s for s in stats.sources}
    for i, (graph, counts) in enumerate(sorted(stats.graphs.items())):
        subset = n(graph)
        add(dataset, VOID + "subset", subset)
        add(subset, RDF_TYPE.value, n(VOID + "Dataset"))
        source = sources.get(graph)
        if source is not None:
            add(subset, DCT + "identifier", ox.Literal(source.name))
            if source.about.get("title"):
                add(subset, DCT + "title", ox.Literal(source.about["title"]))
            if source.loaded:
                add(subset, PROV + "generatedAtTime", _lit(source.loaded, XSD + "dateTime"))
        _counts(add, subset, counts, len(stats.classes.get(graph, {})))
        _partitions(
            add, subset, f"g{i}", stats.classes.get(graph, {}), stats.properties.get(graph, {})
        )
    # grouped by subject (Turtle writes a subject once per run of its triples), nodes first
    return sorted(out, key=lambda t: (isinstance(t.subject, ox.BlankNode), str(t.subject)))


def _counts(add: Any, node: ox.NamedNode, counts: Counts, classes: int) -> None:
    add(node, VOID + "triples", _lit(counts.triples))
    add(node, VOID + "distinctSubjects", _lit(counts.subjects))
    add(node, VOID + "properties", _lit(counts.properties))
    add(node, VOID + "distinctObjects", _lit(counts.objects))
    add(node, VOID + "classes", _lit(classes))


def _partitions(
    add: Any,
    node: ox.NamedNode,
    prefix: str,
    classes: Mapping[str, int],
    properties: Mapping[str, int],
) -> None:
    for j, (cls, entities) in enumerate(sorted(classes.items())):
        part = ox.BlankNode(f"{prefix}c{j}")
        add(node, VOID + "classPartition", part)
        add(part, VOID + "class", ox.NamedNode(cls))
        add(part, VOID + "entities", _lit(entities))
    for j, (prop, triples) in enumerate(sorted(properties.items())):
        part = ox.BlankNode(f"{prefix}p{j}")
        add(node, VOID + "propertyPartition", part)
        add(part, VOID + "property", ox.NamedNode(prop))
        add(part, VOID + "triples", _lit(triples))
