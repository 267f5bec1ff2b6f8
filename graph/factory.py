"""Open the store a command or the service should talk to: embedded, or a remote SPARQL server."""

from __future__ import annotations

from pathlib import Path

from graph.base import GraphStore
from graph.update import DEFAULT_MAX_NESTING
from sic.vocab import DEFAULT_BASE


def open_store(
    path: Path | None,
    *,
    base: str = DEFAULT_BASE,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
    gsp_endpoint: str | None = None,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
    timeout: float = 60.0,
    max_nesting: int | None = None,
) -> GraphStore:
    """The remote store at `endpoint` when one is given, else the embedded store at `path`.

    A remote store takes HTTP basic credentials (`user`, `password`) or a bearer `token`.
    Opening a remote store sends nothing: an unreachable server is reported by the first
    operation, as StoreUnavailable.

    :raises StoreError: if the embedded folder cannot be opened (locked by another writer).
    """
    if endpoint:
        from graph.remote import RemoteStore
        from graph.remote_http import Credentials

        return RemoteStore(
            endpoint,
            update_endpoint=update_endpoint,
            gsp_endpoint=gsp_endpoint,
            base=base,
            credentials=Credentials(user=user, password=password, token=token),
            timeout=timeout,
            max_nesting=max_nesting or DEFAULT_MAX_NESTING,
        )
    from graph.embedded import EmbeddedStore

    return EmbeddedStore(path, base=base, max_nesting=max_nesting or DEFAULT_MAX_NESTING)
