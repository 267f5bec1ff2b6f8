"""Make sure a store holds the ontology and its controlled lists before any data.

Queries need the labels of stages, organisation types and regions, and validation needs the
concepts typed; so the ontology is itself a source (`ontology`), loaded once.
"""

from __future__ import annotations

import hashlib

from graph.base import GraphStore
from graph.dataset import SourceInfo
from graph.history import Attribution
from sic.ontology import ontology_files, ontology_graph
from sic.progress import Progress, no_progress
from sic.source import InMemoryGraph, Source


def ensure_ontology(store: GraphStore, *, command: str = "", by: Attribution | None = None) -> bool:
    """Load the bundled ontology as the source `ontology` if it is missing or out of date.

    Returns True when it was (re)loaded.
    """
    checksum = _checksum()
    current = {s.name: s for s in store.sources()}.get("ontology")
    if current is not None and current.checksum == checksum:
        return False
    store.load_source(
        bundled_ontology(checksum),
        replace=current is not None,
        command=command or "sic (bundled ontology)",
        by=by,
    )
    return True


def bundled_ontology(checksum: str = "") -> Source:
    """The bundled ontology as the source `ontology` that ensure_ontology loads (seeding an
    empty store loads it with the other sources, api.seeding)."""
    return Source(
        name="ontology",
        origin="ontology/sic.ttl",
        checksum=checksum or _checksum(),
        content=InMemoryGraph(ontology_graph()),
        about={"title": "SIC ontology and controlled lists"},
    )


def _checksum() -> str:
    digest = hashlib.sha256()
    for path in ontology_files():
        digest.update(path.read_bytes())
    return f"sha256:{digest.hexdigest()}"


def load_with_ontology(
    store: GraphStore,
    source: Source,
    *,
    replace: bool = False,
    command: str = "",
    progress: Progress = no_progress,
    by: Attribution | None = None,
) -> list[SourceInfo]:
    """Load a source as `sic load` and `sic serve --data` do: after the ontology, unless the
    source is a dataset (a dump brings its own ontology graph). `progress` is told of the
    source's phases (the ontology's own load is not reported).

    :raises LoaderError, ValidationFailed, KGError: as GraphStore.load_source.
    """
    if not source.dataset:
        ensure_ontology(store, command=command, by=by)
    return store.load_source(source, replace=replace, command=command, progress=progress, by=by)
