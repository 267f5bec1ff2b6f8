"""`?asOf=`: every read of the service answered on the dataset as it was at a past moment.

One application-wide dependency (`read_as_of`) reads `asOf` from the query string (or, for a
query POSTed to /sparql as a form, from the form), finds where the moment falls among the
recorded changes (graph.as_of.position, in a worker) and, unless nothing changed since, puts
the snapshot of that moment on the request. The store, runner and service dependencies
(api.deps) and the routes that run in a worker (api.in_worker) then answer on it, so pages,
the JSON API, /id/... and /sparql need nothing of their own. Snapshots are built on the store
thread between writes (the present they start from is one version) and kept per app in a
small LRU (SIC_AS_OF_SNAPSHOTS); each kept snapshot has its own pool of forked workers
(runner.pool.WorkerPool over the snapshot), so a query on a moment is stopped at its time limit
by killing the worker that runs it, as on the present: on a thread it could not be stopped.

A write with `asOf` is refused (400): the past is not edited. Every answer on a moment carries
`SIC-As-Of` (the moment, UTC, to the microsecond) and `SIC-As-Of-Change` (the sequence number
of the last change it includes; 0 before the first), and `SIC-As-Of-Note` when the moment is
before the first change (an empty dataset) or is the present.
"""

from __future__ import annotations

import asyncio
import collections
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qsl

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import Settings
from graph import as_of
from graph.base import GraphStore
from runner.pool import Limits, Runner, WorkerPool
from sic.errors import QueryError

PARAMETER = "asOf"
HEADER = "SIC-As-Of"
CHANGE_HEADER = "SIC-As-Of-Change"
NOTE_HEADER = "SIC-As-Of-Note"
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class AsOf:
    """The moment a request reads, and what answers it there."""

    moment: as_of.Moment
    where: as_of.Position
    store: GraphStore
    runner: Runner

    @property
    def note(self) -> str:
        if self.where.before_first:
            return f"before the first recorded change ({self.where.first}): the dataset is empty"
        if self.where.present:
            return "nothing changed since: this is the present"
        return ""


def chosen(request: Request) -> AsOf | None:
    """The moment the request reads, when it named one."""
    return cast(AsOf | None, getattr(request.state, "as_of", None))


def store_of(request: Request) -> GraphStore:
    found = chosen(request)
    return found.store if found is not None else cast(GraphStore, request.app.state.store)


def runner_of(request: Request) -> Runner:
    found = chosen(request)
    return found.runner if found is not None else cast(Runner, request.app.state.runner)


async def _given(request: Request) -> str | None:
    if PARAMETER in request.query_params:
        return request.query_params[PARAMETER]
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method == "POST" and media == _FORM and _path(request) == "/sparql":
        try:
            pairs = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True)
        except (UnicodeDecodeError, ValueError):
            return None  # the route answers what is wrong with its body
        for key, value in pairs:
            if key == PARAMETER:
                return value
    return None


def _path(request: Request) -> str:
    return str(getattr(request.scope.get("route"), "path", ""))


async def read_as_of(request: Request) -> None:
    """The application-wide dependency (see the module docstring).

    :raises QueryError: a malformed moment, or a write that names one (400).
    :raises TooLarge: the snapshot would exceed SIC_AS_OF_MAX_TRIPLES (413).
    """
    given = await _given(request)
    if given is None:
        return
    moment = as_of.parse_moment(given)
    if request.method not in _READS and _path(request) != "/sparql":
        raise QueryError(
            "asOf reads the dataset as it was; a write changes the present: send it without asOf"
        )
    settings = cast(Settings, request.app.state.settings)
    runner = cast(Runner, request.app.state.runner)
    store = cast(GraphStore, request.app.state.store)
    where = await runner.call(as_of.position, moment)
    if where.present:
        request.state.as_of = AsOf(moment, where, store, runner)
        return
    snapshot = await _snapshot(request, runner, store, where.sequence, settings)
    workers = await _workers(request, snapshot, settings)
    request.state.as_of = AsOf(moment, where, snapshot, workers)


class _Pools:
    """The worker pools of the kept snapshots, one per change sequence, the least recently
    used closed first (as many as SIC_AS_OF_SNAPSHOTS, at least one)."""

    def __init__(self, size: int) -> None:
        self.size = max(size, 1)
        self.kept: collections.OrderedDict[int, WorkerPool] = collections.OrderedDict()
        self.lock = asyncio.Lock()
        self.closing: set[asyncio.Task[None]] = set()

    async def close(self) -> None:
        pools = list(self.kept.values())
        self.kept.clear()
        for pool in pools:
            await pool.close()
        if self.closing:
            await asyncio.gather(*self.closing, return_exceptions=True)


async def _workers(request: Request, snapshot: as_of.Snapshot, settings: Settings) -> WorkerPool:
    pools = getattr(request.app.state, "as_of_pools", None)
    if pools is None:
        pools = _Pools(settings.as_of_snapshots)
        request.app.state.as_of_pools = pools
    async with pools.lock:
        found = pools.kept.get(snapshot.sequence)
        if found is not None and found.store is snapshot:
            pools.kept.move_to_end(snapshot.sequence)
            return found
        limits = Limits(query=settings.query_timeout, write=settings.update_timeout)
        pool = WorkerPool(snapshot, size=1, max_size=2, limits=limits)
        try:
            await pool.start()
        except BaseException:
            await pool.close()  # what it forked before failing, and its store thread
            raise
        if found is not None:  # the snapshot was rebuilt (dropped from its LRU meanwhile)
            _close_later(pools, found)
        pools.kept[snapshot.sequence] = pool
        while len(pools.kept) > pools.size:
            _, oldest = pools.kept.popitem(last=False)
            _close_later(pools, oldest)
        return pool


def _close_later(pools: _Pools, pool: WorkerPool) -> None:
    """Close a pool no longer kept once the calls it runs end (their own time limits)."""

    async def close() -> None:
        await asyncio.sleep(pool.limits.query)
        await pool.close()

    task = asyncio.get_running_loop().create_task(close())
    pools.closing.add(task)
    task.add_done_callback(pools.closing.discard)


async def close_pools(state: Any) -> None:
    """At the service's end: stop the workers of every kept moment."""
    pools = getattr(state, "as_of_pools", None)
    if isinstance(pools, _Pools):
        await pools.close()


async def _snapshot(
    request: Request, runner: Runner, store: GraphStore, sequence: int, settings: Settings
) -> as_of.Snapshot:
    kept = getattr(request.app.state, "as_of_snapshots", None)
    if kept is None:
        kept = as_of.Snapshots(settings.as_of_snapshots, settings.as_of_max_triples)
        request.app.state.as_of_snapshots = kept
    found = kept.get(sequence)
    if found is not None:
        return found

    def make(n: int) -> as_of.Snapshot:
        return as_of.build(store, n, max_triples=settings.as_of_max_triples)

    # on the store thread, between two writes (runner.pool: only that thread reads the store)
    return await runner.write(None, lambda _: kept.obtain(sequence, make))


class AsOfHeaders:
    """Adds SIC-As-Of and SIC-As-Of-Change to every answer given on a moment."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                state: dict[str, Any] = scope.get("state") or {}
                found = state.get("as_of")
                if isinstance(found, AsOf):
                    headers = MutableHeaders(scope=message)
                    headers[HEADER] = found.moment.iso
                    headers[CHANGE_HEADER] = str(found.where.sequence)
                    if found.note:
                        headers[NOTE_HEADER] = found.note
            await send(message)

        await self.app(scope, receive, sending)
