"""Open the store a command or the service should talk to."""

from __future__ import annotations

from pathlib import Path

from graph.base import GraphStore
from graph.embedded import EmbeddedStore
from sic.vocab import DEFAULT_BASE


def open_store(path: Path | None, *, base: str = DEFAULT_BASE) -> GraphStore:
    """The embedded store at `path` (None: in memory).

    :raises StoreError: if the folder cannot be opened (locked by another writer, corrupt).
    """
    return EmbeddedStore(path, base=base)
