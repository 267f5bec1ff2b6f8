"""Every committed change, attributed: a PROV-O activity per change in the bookkeeping.

Who changed what, when and how must be answerable for any resource, and the issue 18 time
travel will replay the changes, so each committed write (an update, a Graph Store Protocol
write, a submitted project, a load) leaves one record in `{BASE}graph/changes`:

    <{BASE}change/{uuid}> a prov:Activity, sic:Change ;
        sic:sequence 42 ;                       # total order of the changes of this store
        prov:wasAssociatedWith <agent> ;        # a person IRI, or an agent IRI (agent_iri)
        prov:startedAtTime ..., prov:endedAtTime ... ;
        rdfs:label "SPARQL update via /update" ; rdfs:comment "why, when one was given" ;
        sic:via "session" ;                     # session, token, service or cli
        sic:addedQuads "...N-Quads..." ; sic:removedQuads "..." ;
        sic:addedCount 3 ; sic:removedCount 1 ;
        prov:used <graph> ... ;                 # the data graphs it changed
        sic:touched <subject> ... .             # index: the IRI subjects of its triples
    <agent> a prov:Agent ; rdfs:label "alice" .

The delta is kept as N-Quads text literals (one per direction, lines sorted): exact and
complete, blank node labels, graph names and every term as stored, and compact (one literal,
not one reified statement of five triples per changed triple; a literal above
GZIP_ABOVE characters is gzipped, as xsd:base64Binary). A per-change named graph pair was the
other choice, but each change would then be a data-looking graph to keep out of the dataset,
and a triple's graph would need a pair per graph. `sic:touched` lets a resource's history be
one indexed lookup instead of a scan of every literal.

The changes graph is bookkeeping (graph.dataset): never in the default graph, read only by
naming it, written only by the store. The source graphs a change modified record it in the
sources graph (`dct:modified`, `sic:lastChange`), so their provenance no longer claims only the
load that made them.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

import pyoxigraph as ox

from sic.vocab import RDF_TYPE

if TYPE_CHECKING:
    from graph.update import Delta

SIC_NS = "https://w3id.org/4p1000/ontology#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"

CHANGE = ox.NamedNode(SIC_NS + "Change")
SEQUENCE = ox.NamedNode(SIC_NS + "sequence")
VIA = ox.NamedNode(SIC_NS + "via")
ADDED_QUADS = ox.NamedNode(SIC_NS + "addedQuads")
REMOVED_QUADS = ox.NamedNode(SIC_NS + "removedQuads")
ADDED_COUNT = ox.NamedNode(SIC_NS + "addedCount")
REMOVED_COUNT = ox.NamedNode(SIC_NS + "removedCount")
TOUCHED = ox.NamedNode(SIC_NS + "touched")
LAST_CHANGE = ox.NamedNode(SIC_NS + "lastChange")
CREATED_GRAPH = ox.NamedNode(SIC_NS + "createdGraph")
DROPPED_GRAPH = ox.NamedNode(SIC_NS + "droppedGraph")
ACTIVITY = ox.NamedNode(PROV + "Activity")
AGENT = ox.NamedNode(PROV + "Agent")
ASSOCIATED = ox.NamedNode(PROV + "wasAssociatedWith")
STARTED = ox.NamedNode(PROV + "startedAtTime")
ENDED = ox.NamedNode(PROV + "endedAtTime")
USED = ox.NamedNode(PROV + "used")
MODIFIED = ox.NamedNode(DCT + "modified")
LABEL = ox.NamedNode(RDFS + "label")
COMMENT = ox.NamedNode(RDFS + "comment")
DATE_TIME = ox.NamedNode(XSD + "dateTime")
INTEGER = ox.NamedNode(XSD + "integer")
BASE64 = ox.NamedNode(XSD + "base64Binary")

GZIP_ABOVE = 256 * 1024
"""A delta literal longer than this many characters is kept gzipped (xsd:base64Binary)."""

MAX_COMMENT = 500
"""Characters of a change's comment kept at most."""


def agent_iri(base: str, kind: str, name: str) -> str:
    """The IRI of an agent that is not a person of the graph: `{BASE}agent/{kind}/{name}`
    (kind: account, service or cli)."""
    return f"{base.rstrip('/')}/agent/{kind}/{quote(name, safe='')}"


def now_precise() -> str:
    """The current UTC time as xsd:dateTime text, to the microsecond (changes a few
    milliseconds apart keep their order when read by time too)."""
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def clean_comment(text: str | None) -> str:
    """A comment as kept: control characters out, whitespace folded, at most MAX_COMMENT."""
    if not text:
        return ""
    folded = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return folded[:MAX_COMMENT]


@dataclass(frozen=True)
class Attribution:
    """Who makes a change, as the service resolved it (never a name the client sent).

    `agent`: the person IRI of the account, or an agent IRI (agent_iri); `label`: how the agent
    is named where it has no label in the data; `via`: session, token, service or cli;
    `started`: when the request that makes the change arrived.
    """

    agent: str
    label: str
    via: str
    comment: str = ""
    started: str = field(default_factory=now_precise)


@dataclass(frozen=True)
class ChangeQuads:
    """What a change did, per direction, as quads (graph names kept), and the graphs it
    created or dropped (an empty graph has no quads to say so)."""

    added: Sequence[ox.Quad]
    removed: Sequence[ox.Quad]
    created: Sequence[str] = ()
    dropped: Sequence[str] = ()


def local(base: str, user: str | None = None) -> Attribution:
    """A change made in this process by whoever runs it (the CLI, a script using the store):
    the operating system's user name is all there is to say who."""
    name = user or _login()
    return Attribution(agent_iri(base, "cli", name), f"{name} (command line)", "cli")


def _login() -> str:
    import getpass

    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):  # no name for this uid (a container)
        return "unknown"


def of_delta(delta: Delta) -> ChangeQuads:
    """The quads of a store's delta (graph.update.Delta)."""
    return ChangeQuads(
        quads_of(delta.added),
        quads_of(delta.removed),
        sorted(delta.created),
        sorted(delta.dropped),
    )


def of_contents(graph: str, before: Iterable[ox.Triple], after: Iterable[ox.Triple]) -> ChangeQuads:
    """The change that makes a graph hold `after` where it held `before` (a load)."""
    old, new = set(before), set(after)
    node = ox.NamedNode(graph)
    return ChangeQuads(
        [ox.Quad(t.subject, t.predicate, t.object, node) for t in new - old],
        [ox.Quad(t.subject, t.predicate, t.object, node) for t in old - new],
    )


def quads_of(by_graph: Mapping[str, Iterable[ox.Triple]]) -> list[ox.Quad]:
    return [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
        for g, ts in by_graph.items()
        for t in ts
    ]


def encode_quads(quads: Sequence[ox.Quad]) -> ox.Literal:
    """N-Quads lines, sorted (one text for one set of quads); gzipped when long."""
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    lines = sorted(line for line in data.decode("utf-8").split("\n") if line)
    body = "\n".join(lines) + "\n" if lines else ""
    if len(body) > GZIP_ABOVE:
        # level 6, not gzip's 9: a load of 938k triples is recorded in 0.9 s instead of 4 s,
        # 12% larger (decoding reads any level)
        zipped = gzip.compress(body.encode("utf-8"), compresslevel=6, mtime=0)
        packed = base64.b64encode(zipped).decode("ascii")
        return ox.Literal(packed, datatype=BASE64)
    return ox.Literal(body)


def decode_quads(literal: str, datatype: str = "") -> list[ox.Quad]:
    """The quads of a delta literal (encode_quads), in its order."""
    if datatype == BASE64.value:
        literal = gzip.decompress(base64.b64decode(literal)).decode("utf-8")
    if not literal:
        return []
    return list(ox.parse(literal.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


def record(
    base: str,
    sequence: int,
    by: Attribution,
    command: str,
    change: ChangeQuads,
    *,
    ended: str | None = None,
) -> tuple[ox.NamedNode, list[ox.Triple]]:
    """The change's IRI and its record (see the module docstring)."""
    node = ox.NamedNode(f"{base.rstrip('/')}/change/{uuid.uuid4().hex}")
    agent = ox.NamedNode(by.agent)
    lit = ox.Literal
    t = [
        ox.Triple(node, RDF_TYPE, ACTIVITY),
        ox.Triple(node, RDF_TYPE, CHANGE),
        ox.Triple(node, SEQUENCE, lit(str(sequence), datatype=INTEGER)),
        ox.Triple(node, ASSOCIATED, agent),
        ox.Triple(node, STARTED, lit(by.started, datatype=DATE_TIME)),
        ox.Triple(node, ENDED, lit(ended or now_precise(), datatype=DATE_TIME)),
        ox.Triple(node, LABEL, lit(command or "change")),
        ox.Triple(node, VIA, lit(by.via)),
        ox.Triple(node, ADDED_QUADS, encode_quads(change.added)),
        ox.Triple(node, REMOVED_QUADS, encode_quads(change.removed)),
        ox.Triple(node, ADDED_COUNT, lit(str(len(change.added)), datatype=INTEGER)),
        ox.Triple(node, REMOVED_COUNT, lit(str(len(change.removed)), datatype=INTEGER)),
        ox.Triple(agent, RDF_TYPE, AGENT),
    ]
    if by.label:
        t.append(ox.Triple(agent, LABEL, lit(by.label)))
    if by.comment:
        t.append(ox.Triple(node, COMMENT, lit(by.comment)))
    graphs: set[ox.NamedNode] = set()
    touched: set[ox.NamedNode] = set()
    for q in (*change.added, *change.removed):
        if isinstance(q.graph_name, ox.NamedNode):
            graphs.add(q.graph_name)
        if isinstance(q.subject, ox.NamedNode):
            touched.add(q.subject)
    graphs |= {ox.NamedNode(g) for g in (*change.created, *change.dropped)}
    t += [ox.Triple(node, CREATED_GRAPH, ox.NamedNode(g)) for g in sorted(change.created)]
    t += [ox.Triple(node, DROPPED_GRAPH, ox.NamedNode(g)) for g in sorted(change.dropped)]
    t += [ox.Triple(node, USED, g) for g in sorted(graphs, key=str)]
    t += [ox.Triple(node, TOUCHED, s) for s in sorted(touched, key=str)]
    return node, t


def change_ops(
    changes_graph: ox.NamedNode,
    sources_graph: ox.NamedNode,
    node: ox.NamedNode,
    triples: Sequence[ox.Triple],
    modified: Iterable[str],
) -> list[str]:
    """The update operations that store a change record and mark the source graphs it
    `modified` (dct:modified, sic:lastChange, replacing the previous ones). Text only from
    pyoxigraph-serialised terms, never from caller text."""
    body = " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
    ops = [f"INSERT DATA {{ GRAPH {changes_graph} {{ {body} }} }}"]
    return ops + mark_ops(sources_graph, node, triples, modified)


def mark_ops(
    sources_graph: ox.NamedNode,
    node: ox.NamedNode,
    triples: Sequence[ox.Triple],
    modified: Iterable[str],
) -> list[str]:
    """The operations that mark the source graphs a change `modified` (dct:modified,
    sic:lastChange, replacing the previous ones): change_ops without the record itself, for
    a backend that writes the record its own way (a remote server's parser takes only so many
    triples inline)."""
    ended = next((t.object for t in triples if t.predicate == ENDED), None)
    ops: list[str] = []
    marks: list[str] = []
    for g in sorted(modified):
        graph = ox.NamedNode(g)
        for prop in (MODIFIED, LAST_CHANGE):
            ops.append(f"DELETE WHERE {{ GRAPH {sources_graph} {{ {graph} {prop} ?old }} }}")
        if ended is not None:
            marks.append(f"{graph} {MODIFIED} {ended} . {graph} {LAST_CHANGE} {node} .")
    if marks:
        ops.append(f"INSERT DATA {{ GRAPH {sources_graph} {{ {' '.join(marks)} }} }}")
    return ops
