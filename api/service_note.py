"""A note beside the store saying which `sic serve` holds it and where it answers.

pyoxigraph lets one process open a store folder; while `sic serve` runs, every other `sic`
command on the same folder is refused with RocksDB's "While lock file: .../LOCK: Resource
temporarily unavailable". `sic serve` writes `<store>.service.json` beside the folder (its URL
and process id) when it starts and removes it when it stops, so that a refused command can say
in one line who holds the store and how to ask it instead (`--endpoint .../sparql`). The note
sits beside the folder, not in it: a copy of the folder must not carry it, and RocksDB owns
what is inside. A note left by a service that was killed names a process that is gone, and is
ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUFFIX = ".service.json"


@dataclass(frozen=True)
class ServiceNote:
    """What a running `sic serve` says of itself: where it answers and its process id."""

    url: str
    pid: int


def note_path(store: Path) -> Path:
    """Where the note of the service holding `store` is kept: beside the folder."""
    folder = store.resolve()
    return folder.with_name(folder.name + SUFFIX)


def service_url(host: str, port: int) -> str:
    """The base URL a client on this machine reaches `sic serve --host host --port port` at
    (a service listening on every interface is reached on the loopback one)."""
    if host in {"", "0.0.0.0"}:  # noqa: S104 - a name for "every interface", not a bind
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


@contextlib.contextmanager
def noted(store: Path, url: str) -> Iterator[None]:
    """Keep the note of this process serving `store` at `url` for as long as the block runs.

    Best effort: a folder where the note cannot be written only loses the hint.
    """
    path = note_path(store)
    note = {"url": url, "pid": os.getpid()}
    with contextlib.suppress(OSError):
        path.write_text(json.dumps(note) + "\n", encoding="utf-8")
    try:
        yield
    finally:
        if read_note(store, alive_only=False) == ServiceNote(url, os.getpid()):
            with contextlib.suppress(OSError):
                path.unlink()


def read_note(store: Path, *, alive_only: bool = True) -> ServiceNote | None:
    """The note of the service holding `store`, if there is one (and, with `alive_only`, its
    process is still running)."""
    try:
        data = json.loads(note_path(store).read_text(encoding="utf-8"))
        note = ServiceNote(str(data["url"]), int(data["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if alive_only and not _running(note.pid):
        return None
    return note


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def locked_message(store: Path) -> str:
    """One line for a command refused because `store` is open elsewhere: who holds it and
    what to do."""
    note = read_note(store)
    if note is None:
        return (
            f"the store {store} is in use by another process (a `sic serve` or another `sic`"
            " command): wait for it to end or stop it, or give another --store"
        )
    return (
        f"the store {store} is held by `sic serve` (process {note.pid}) at {note.url}:"
        f" ask it with --endpoint {note.url}sparql, or stop it to use the store directly"
    )
