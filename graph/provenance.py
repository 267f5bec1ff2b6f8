"""The PROV-O description of a source, shared by every backend.

A dump from one backend must load into another as an identical dataset, so the provenance
triples are written by this one function whatever the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph.dataset import SourceInfo
from graph.results import Term, text
from sic.vocab import RDF_TYPE

if TYPE_CHECKING:
    from graph.update import Delta

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

SIC = "https://w3id.org/4p1000/ontology#"
_DCT = "http://purl.org/dc/terms/"
_PROV = "http://www.w3.org/ns/prov#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
ABOUT_PROPERTIES = {
    "title": _DCT + "title",
    "description": _DCT + "description",
    "note": "http://www.w3.org/2004/02/skos/core#note",
    "license": _DCT + "license",
    "source": _DCT + "bibliographicCitation",
    "publisher": _DCT + "publisher",
}
STORE_VERSION = ox.NamedNode(SIC + "storeVersion")
STANDALONE = ox.NamedNode(SIC + "StandaloneGraph")
SIC_SOURCE = ox.NamedNode(SIC + "Source")
DCT_IDENTIFIER = ox.NamedNode(_DCT + "identifier")
VOID_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")


def now() -> str:
    """The current UTC time as xsd:dateTime text, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def activity_of(graph: ox.NamedNode) -> ox.NamedNode:
    """The load activity that produced a source graph."""
    return ox.NamedNode(graph.value + "#load")


def provenance_for(
    graph: ox.NamedNode,
    name: str,
    triples: int,
    *,
    origin: str = "",
    checksum: str = "",
    command: str = "",
    about: Mapping[str, str] | None = None,
    standalone: bool = False,
) -> list[ox.Triple]:
    """The PROV-O description of a data graph: what, checksum, when, how many, which command.

    A `standalone` graph (one a client created through the protocols) is not a member of the
    default graph (graph.dataset); it says so with its type.
    """
    activity = activity_of(graph)
    lit = ox.Literal
    t = [
        ox.Triple(graph, RDF_TYPE, SIC_SOURCE),
        ox.Triple(graph, RDF_TYPE, ox.NamedNode(_PROV + "Entity")),
        ox.Triple(graph, DCT_IDENTIFIER, lit(name)),
        ox.Triple(graph, VOID_TRIPLES, lit(str(triples), datatype=ox.NamedNode(XSD_INTEGER))),
        ox.Triple(
            graph,
            ox.NamedNode(_PROV + "generatedAtTime"),
            lit(now(), datatype=ox.NamedNode(_XSD + "dateTime")),
        ),
        ox.Triple(graph, ox.NamedNode(_PROV + "wasGeneratedBy"), activity),
        ox.Triple(activity, RDF_TYPE, ox.NamedNode(_PROV + "Activity")),
        ox.Triple(
            activity,
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            lit(command or "load"),
        ),
    ]
    if standalone:
        t.append(ox.Triple(graph, RDF_TYPE, STANDALONE))
    if origin:
        t.append(ox.Triple(graph, ox.NamedNode(_DCT + "source"), lit(origin)))
    if checksum:
        t.append(ox.Triple(graph, ox.NamedNode(SIC + "checksum"), lit(checksum)))
    for key, value in sorted((about or {}).items()):
        prop = ABOUT_PROPERTIES.get(key)
        if prop and value:
            t.append(ox.Triple(graph, ox.NamedNode(prop), lit(value)))
    return t


def sources_from_rows(rows: Iterable[Mapping[str, Term]]) -> list[SourceInfo]:
    """SourceInfo records from the rows of graph/sparql/published-sources.rq, sorted by name."""
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        graph = row.get("graph")
        if graph is None:
            continue
        entry = found.setdefault(
            text(graph),
            {
                "name": text(row.get("name")),
                "triples": int(text(row.get("triples")) or 0),
                "loaded": text(row.get("loaded")),
                "origin": text(row.get("origin")),
                "checksum": text(row.get("checksum")),
                "command": text(row.get("command")),
                "about": {},
                "union": text(row.get("standalone")) != "true",
            },
        )
        key, value = row.get("key"), row.get("value")
        if key is not None and value is not None:
            entry["about"][text(key)] = text(value)
    infos = [
        SourceInfo(
            name=e["name"],
            graph=g,
            triples=e["triples"],
            loaded=e["loaded"],
            origin=e["origin"],
            checksum=e["checksum"],
            command=e["command"],
            about=dict(e["about"]),
            union=e["union"],
        )
        for g, e in found.items()
    ]
    return sorted(infos, key=lambda s: s.name)


def swap_ops(
    sources_graph: ox.NamedNode, forget: Iterable[ox.NamedNode], insert: Iterable[ox.Triple]
) -> list[str]:
    """The update operations that rewrite the provenance of some graphs, for both backends:
    forget everything said of each graph in `forget` and of its load activity, then add
    `insert`. Text only from pyoxigraph-serialised terms, never from caller text."""
    ops: list[str] = []
    for g in forget:
        ops.append(f"DELETE WHERE {{ GRAPH {sources_graph} {{ {g} ?p ?o }} }}")
        ops.append(f"DELETE WHERE {{ GRAPH {sources_graph} {{ {activity_of(g)} ?p ?o }} }}")
    body = " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in insert)
    if body:
        ops.append(f"INSERT DATA {{ GRAPH {sources_graph} {{ {body} }} }}")
    return ops


def delta_provenance_ops(
    delta: Delta,
    published: Mapping[str, SourceInfo],
    sources_graph: ox.NamedNode,
    updates_graph: str,
    command: str,
) -> list[str]:
    """The provenance half of committing a change, for both backends' one update request:
    recount the sources it changed, describe the graphs it created (the default graph's writes
    are the source `updates`, any other new graph a source named by its IRI), drop and forget
    the graphs it dropped."""
    ops: list[str] = []
    provenance: list[ox.Triple] = []
    changed = set(delta.added) | set(delta.removed) | delta.created
    for g in sorted(changed - delta.dropped):
        info = published.get(g)
        count = (
            (info.triples if info else 0)
            - len(delta.removed.get(g, ()))
            + len(delta.added.get(g, ()))
        )
        graph = ox.NamedNode(g)
        if info is not None:
            ops.append(f"DELETE WHERE {{ GRAPH {sources_graph} {{ {graph} {VOID_TRIPLES} ?n }} }}")
            literal = ox.Literal(str(count), datatype=ox.NamedNode(XSD_INTEGER))
            provenance.append(ox.Triple(graph, VOID_TRIPLES, literal))
        else:
            name = "updates" if g == updates_graph else g
            provenance += provenance_for(
                graph, name, count, command=command, standalone=g != updates_graph
            )
    dropped = [ox.NamedNode(g) for g in sorted(delta.dropped) if g in published]
    ops += [f"DROP SILENT GRAPH {g}" for g in dropped]
    return ops + swap_ops(sources_graph, dropped, provenance)
