"""Make sure a store holds the ontology and its controlled lists before any data.

Queries need the labels of stages, organisation types and regions, and validation needs the
concepts typed; so the ontology is itself a source (`ontology`), loaded once.
"""

from __future__ import annotations

import hashlib

from graph.base import GraphData, GraphStore
from sic.ontology import ontology_files, ontology_graph


def ensure_ontology(store: GraphStore, *, command: str = "") -> bool:
    """Load the bundled ontology as the source `ontology` if it is missing or out of date.

    Returns True when it was (re)loaded.
    """
    digest = hashlib.sha256()
    for path in ontology_files():
        digest.update(path.read_bytes())
    checksum = f"sha256:{digest.hexdigest()}"
    current = {s.name: s for s in store.sources()}.get("ontology")
    if current is not None and current.checksum == checksum:
        return False
    store.load_graph(
        GraphData(
            graph=ontology_graph(),
            name="ontology",
            origin="ontology/sic.ttl",
            checksum=checksum,
            about={"title": "SIC ontology and controlled lists"},
        ),
        replace=current is not None,
        command=command or "sic (bundled ontology)",
    )
    return True
