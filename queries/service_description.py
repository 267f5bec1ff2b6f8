"""The SPARQL 1.1 Service Description of /sparql (and of /update when writes are on).

What GET /sparql without a query answers: the endpoint, its query language, the union default
graph, the result formats it writes, the store's graphs as named graphs, and a note of its
limits in English (which the face states, since it enforces them).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from sic.vocab import RDF_TYPE

SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"
_DCT_DESCRIPTION = ox.NamedNode("http://purl.org/dc/terms/description")
_FORMAT_IRIS: Sequence[str] = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "N-Quads",
    "TriG",
)


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def service_description(
    endpoint: str, update_endpoint: str | None, graphs: Sequence[str], limits: str
) -> list[ox.Triple]:
    """The description of the query `endpoint` over the store's `graphs`, and of the
    `update_endpoint` when there is one (writes are on); `limits` is the note of its limits."""
    service = ox.NamedNode(endpoint)
    dataset = ox.BlankNode()
    default = ox.BlankNode()
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(
            service,
            _sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(service, _DCT_DESCRIPTION, ox.Literal(limits, language="en")),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, _sd("Graph")),
    ]
    triples += [
        ox.Triple(service, _sd("resultFormat"), ox.NamedNode(_FORMATS + name))
        for name in _FORMAT_IRIS
    ]
    for graph in graphs:
        named = ox.BlankNode()
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(graph)),
        ]
    if update_endpoint is not None:
        updates = ox.NamedNode(update_endpoint)
        triples += [
            ox.Triple(updates, RDF_TYPE, _sd("Service")),
            ox.Triple(updates, _sd("endpoint"), updates),
            ox.Triple(updates, _sd("supportedLanguage"), _sd("SPARQL11Update")),
        ]
    return triples
