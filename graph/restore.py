"""Restoring a dataset (N-Quads, TriG, JSON-LD): a dump loaded back as it was, or several
sources at once, the same way on every backend.

Each named graph in the file becomes a source under the same graph IRI, and triples in the
default graph a source named after the file. Where the file carries the provenance graph of
the store that wrote it, the provenance is kept as it was, so that `sic export` followed by
`sic load` into an empty store gives an identical dataset. This module decides what to
restore; each backend then validates the graphs together and publishes them in one
transaction (`GraphStore._restore`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from graph.dataset import SourceInfo
from graph.provenance import SIC_SOURCE, activity_of, provenance_for
from sic.errors import KGError
from sic.source import Source
from sic.vocab import RDF_TYPE


@dataclass(frozen=True)
class Restored:
    """One graph of a dataset to publish: where, its triples (each once), its provenance."""

    target: ox.NamedNode
    triples: list[ox.Triple]
    provenance: list[ox.Triple]


def plan_restore(
    source: Source,
    existing: Mapping[str, SourceInfo],
    graph_for: Callable[[str], ox.NamedNode],
    *,
    replace: bool,
    command: str,
) -> list[Restored]:
    """The graphs a dataset restores, in the order the file first names them.

    `existing`: the store's sources by graph IRI; `graph_for`: the graph of a source name.

    :raises LoaderError: if the file cannot be parsed (line and column).
    :raises KGError: a graph is named by a blank node, or is already a source and `replace`
        is False.
    """
    by_graph: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, dict[ox.Triple, None]] = (
        defaultdict(dict)
    )
    for quad in source.quads():
        by_graph[quad.graph_name][quad.triple] = None

    # The provenance graph of the store that wrote the dump, if it is there.
    provenance_graph = next(
        (
            g
            for g, triples in by_graph.items()
            if any(t.predicate == RDF_TYPE and t.object == SIC_SOURCE for t in triples)
        ),
        None,
    )
    provenance = list(by_graph.pop(provenance_graph, {})) if provenance_graph is not None else []

    items: list[Restored] = []
    for graph, unique in by_graph.items():
        if isinstance(graph, ox.NamedNode):
            target = graph
        elif isinstance(graph, ox.DefaultGraph):
            target = graph_for(source.name)
        else:
            raise KGError(f"{source.origin}: a graph named by a blank node cannot be a source")
        if target.value in existing and not replace:
            raise KGError(
                f"{source.origin}: graph <{target.value}> is already loaded as source "
                f"{existing[target.value].name!r}; use --replace to swap it"
            )
        triples = list(unique)
        kept = [t for t in provenance if t.subject in (target, activity_of(target))]
        if not kept:
            name = source.name if isinstance(graph, ox.DefaultGraph) else target.value
            kept = provenance_for(
                target,
                name,
                len(triples),
                origin=source.origin,
                checksum=source.checksum,
                command=command,
            )
        items.append(Restored(target, triples, kept))
    return items
