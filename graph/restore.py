"""Loading a dataset file (N-Quads, TriG): a dump restored as it was, or several sources at once.

Each named graph in the file becomes a source under the same graph IRI; where the file carries
the provenance graph of the store that wrote it, the provenance is kept as it was, so that
`sic export` followed by `sic load` into an empty store gives an identical dataset. Everything
is staged, validated together and published in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from graph.dataset import Dataset, SourceInfo
from graph.files import checksum_of, open_rdf
from graph.results import text
from graph.validation import WriteChecker
from sic.errors import KGError, LoaderError, Location, Problem
from sic.vocab import RDF_TYPE


class Staging(Protocol):
    """What a restore needs of a store that stages graphs on its own disk (the embedded one)."""

    @property
    def raw(self) -> ox.Store: ...

    @property
    def checker(self) -> WriteChecker: ...

    def sources(self) -> list[SourceInfo]: ...

    def dataset(self) -> Dataset: ...

    def graph_for(self, name: str) -> ox.NamedNode: ...

    def new_staging_graph(self) -> ox.NamedNode: ...

    def provenance_for(
        self,
        graph: ox.NamedNode,
        name: str,
        triples: int,
        *,
        origin: str = "",
        checksum: str = "",
        command: str = "",
    ) -> list[ox.Triple]: ...

    def publish(
        self, items: Sequence[tuple[ox.NamedNode, ox.NamedNode | None, Sequence[ox.Triple]]]
    ) -> None: ...


SIC_SOURCE = ox.NamedNode("https://w3id.org/4p1000/ontology#Source")
DCT_IDENTIFIER = ox.NamedNode("http://purl.org/dc/terms/identifier")


def _read(path: Path, fmt: ox.RdfFormat) -> list[ox.Quad]:
    try:
        with open_rdf(path) as stream:
            return list(ox.parse(stream, format=fmt))
    except SyntaxError as exc:
        raise LoaderError(
            [
                Problem(
                    Location(str(path), getattr(exc, "lineno", None)),
                    f"{fmt.name} syntax error: {exc}",
                )
            ]
        ) from exc
    except OSError as exc:
        raise LoaderError([Problem(Location(str(path)), f"cannot read the file: {exc}")]) from exc


def restore_dataset(
    store: Staging, path: Path, fmt: ox.RdfFormat, *, replace: bool, command: str
) -> list[SourceInfo]:
    """Stage, validate and publish every graph of a dataset file (see the module docstring)."""
    by_graph: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[ox.Triple]] = defaultdict(
        list
    )
    for quad in _read(path, fmt):
        by_graph[quad.graph_name].append(ox.Triple(quad.subject, quad.predicate, quad.object))

    # The provenance graph of the store that wrote the dump, if it is there.
    provenance_graph = next(
        (
            g
            for g, triples in by_graph.items()
            if any(t.predicate == RDF_TYPE and t.object == SIC_SOURCE for t in triples)
        ),
        None,
    )
    provenance = by_graph.pop(provenance_graph, []) if provenance_graph is not None else []

    existing = {s.graph: s for s in store.sources()}
    items: list[tuple[ox.NamedNode, ox.NamedNode, list[ox.Triple]]] = []
    staged_graphs: list[ox.NamedNode] = []
    checksum = checksum_of(path)
    try:
        for graph, triples in by_graph.items():
            if isinstance(graph, ox.NamedNode):
                target = graph
            elif isinstance(graph, ox.DefaultGraph):
                target = store.graph_for(path.name)
            else:
                raise KGError(f"{path}: a graph named by a blank node cannot be a source")
            if target.value in existing and not replace:
                raise KGError(
                    f"{path}: graph <{target.value}> is already loaded as source "
                    f"{existing[target.value].name!r}; use --replace to swap it"
                )
            kept = [
                t for t in provenance if t.subject in (target, ox.NamedNode(target.value + "#load"))
            ]
            names = [
                text(t.object)
                for t in kept
                if t.subject == target and t.predicate == DCT_IDENTIFIER
            ]
            name = (
                names[0]
                if names
                else (path.name if isinstance(graph, ox.DefaultGraph) else target.value)
            )
            if not kept:
                kept = store.provenance_for(
                    target, name, len(triples), origin=str(path), checksum=checksum, command=command
                )
            staged = store.new_staging_graph()
            staged_graphs.append(staged)
            store.raw.bulk_extend(
                ox.Quad(t.subject, t.predicate, t.object, staged) for t in triples
            )
            items.append((target, staged, kept))
        store.raw.flush()
        replaced = {target.value for target, _, _ in items}
        store.checker.check_new_graphs(
            store.raw,
            staged_graphs,
            others=[ox.NamedNode(g) for g in store.dataset().union if g not in replaced],
        )
    except BaseException:
        for g in staged_graphs:
            store.raw.remove_graph(g)
        raise
    store.publish(items)
    by_iri = {s.graph: s for s in store.sources()}
    return [by_iri[target.value] for target, _, _ in items]
