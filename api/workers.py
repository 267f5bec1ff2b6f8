"""Queries that can be stopped: a pool of forked worker processes over the embedded store.

pyoxigraph cannot cancel a running query, but a process can be killed. Each worker is forked
from the service after the store is open, so it inherits the store (in memory or on disk) and
the imported code; it runs one query at a time from a pipe: screen it (api.security), execute
it, negotiate and serialise the answer, and send back the bytes. The parent only waits on the
pipe from its event loop, so a slow query costs it nothing. When the time limit expires the
parent SIGKILLs the worker, forks a replacement and answers 503; the store in the parent is
untouched (a worker never writes).

A forked worker sees the store as it was at the fork. Writes happen in the parent, on one
dedicated thread that also does every fork (so no write is half-way through when a worker is
forked); after a write, and whenever `store.version()` is found to have changed (checked at most
every `VERSION_CHECK_INTERVAL` seconds on the query path), the pool forks a new generation and
retires the old one, so queries see new data. Writes through this service's own routes refresh
the pool before they answer: a client reads its own writes.

Measured on two shared cores, with the reference data: a point query costs about 125 µs in a
worker and about 300 µs of the parent's CPU (HTTP, routing, the pipe); uvicorn answers about
2,000-3,000 point queries/s at 16 connections (wrk on the same machine), and an aggregation
over the activities about 650/s with p90 35 ms. Forking a worker takes 10-25 ms: at start,
after a write, after a kill.

Stores that are not embedded (a remote SPARQL server) need no process: `ThreadRunner` runs the
same screening and serialisation in a thread and relies on the remote server's own timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import re
import signal
import stat
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol, TypeVar

import pyoxigraph as ox

from api.answers import AnswerCache
from api.negotiation import RDF_FORMATS, RESULT_FORMATS, NotAcceptable, choose
from api.security import screen_query, warm_up
from graph.base import GraphStore
from graph.results import AskResult, GraphResult, SelectResult
from sic.errors import KGError, NotFound, QueryError, QueryTimeout, StoreError, StoreUnavailable
from sic.vocab import PREFIXES

log = logging.getLogger(__name__)

T = TypeVar("T")

VERSION_CHECK_INTERVAL = 0.05
"""Seconds between two looks at store.version() on the query path (writes made elsewhere)."""

_READY_TIMEOUT = 10.0
"""Seconds a new worker has to read the store once before it is given up."""


@dataclass(frozen=True)
class QueryJob:
    """One query to run, with everything needed to answer it without the request.

    `default_graph` / `named_graphs` are the protocol's dataset (None: not given, the query's
    own FROM clauses or the store's published union apply). `accept` is the raw Accept header:
    the worker negotiates once it knows whether the answer is a result or a graph.
    """

    sparql: str
    accept: str | None = None
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    limit: int | None = None
    base_iri: str | None = None


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised answer: its Content-Type, its bytes, and whether the limit cut it."""

    content_type: str
    body: bytes
    truncated: bool = False
    kind: str = "select"


def _dataset(job: QueryJob, text: str) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The dataset to run with: the protocol's, else the query's FROM clauses, else None.

    Whichever names the dataset, a part it leaves out is empty (SPARQL 1.1 §13.2), and the
    store only ever resolves the IRIs to its own published graphs.
    """
    from_clauses = screen_query(text)
    if job.default_graph is not None or job.named_graphs is not None:
        return job.default_graph or (), job.named_graphs or ()
    if from_clauses is not None:
        return from_clauses.default, from_clauses.named
    return None, None


def with_base(job: QueryJob) -> tuple[str, int]:
    """The query text with the service's BASE in front, and how many characters that added.

    The store's query interface takes no base IRI, so the service-defined BASE of the SPARQL
    protocol (SIC_BASE_IRI, a validated setting, never request input) is declared in the text,
    on the first line so that error positions keep their line numbers. The query's own BASE, if
    any, comes later and wins.
    """
    if not job.base_iri:
        return job.sparql, 0
    prefix = f"BASE {ox.NamedNode(job.base_iri)} "
    return prefix + job.sparql, len(prefix)


def _unshift(message: str, added: int) -> str:
    """Report positions on the first line as the client wrote them (see with_base)."""
    if not added:
        return message
    return _FIRST_LINE.sub(lambda m: f"{m.group(1)}1:{max(int(m.group(2)) - added, 1)}", message)


_FIRST_LINE = re.compile(r"(^|\D)1:(\d+)")


def execute(store: GraphStore, job: QueryJob) -> QueryAnswer:
    """Screen, run, negotiate and serialise one query (in a worker, or a thread for remote stores).

    :raises QueryError: malformed or refused (SERVICE).
    :raises NotAcceptable: no format for this kind of answer matches the Accept header.
    :raises StoreError: the store failed.
    """
    text, added = with_base(job)
    try:
        default_graph, named_graphs = _dataset(job, text)
        result = store.query(
            text, limit=job.limit, default_graph=default_graph, named_graphs=named_graphs
        )
    except QueryError as exc:
        raise QueryError(_unshift(str(exc), added)) from None
    if isinstance(result, GraphResult):
        fmt = choose(RDF_FORMATS, job.accept)
        assert fmt.rdf is not None  # every row of RDF_FORMATS has one
        body = result.serialize(fmt.rdf, prefixes=PREFIXES)
        return QueryAnswer(fmt.content_type, body, result.truncated, "graph")
    fmt = choose(RESULT_FORMATS, job.accept)
    assert fmt.results is not None  # every row of RESULT_FORMATS has one
    if isinstance(result, AskResult):
        return QueryAnswer(fmt.content_type, result.serialize(fmt.results), False, "ask")
    assert isinstance(result, SelectResult)
    return QueryAnswer(fmt.content_type, result.serialize(fmt.results), result.truncated)


# -- what travels on the pipe -----------------------------------------------------------------

_ERRORS: dict[str, type[KGError]] = {
    cls.__name__: cls for cls in (QueryError, StoreError, StoreUnavailable, NotFound)
}


def _reply(store: GraphStore, job: QueryJob) -> tuple[str, object]:
    """("ok", answer) or ("error", (kind, message)): exceptions do not cross the pipe.

    (Not all of them pickle: ValidationFailed's constructor takes violations, not a message.)
    """
    try:
        return "ok", execute(store, job)
    except NotAcceptable as exc:
        return "error", ("NotAcceptable", exc.offered)
    except KGError as exc:
        kind = type(exc).__name__ if type(exc).__name__ in _ERRORS else "StoreError"
        return "error", (kind, str(exc))
    except Exception as exc:  # a bug must not kill the worker; the parent logs it
        return "error", ("internal", f"{type(exc).__name__}: {exc}")


def _raise(error: object) -> None:
    assert isinstance(error, tuple) and len(error) == 2  # built by _reply
    kind: str = error[0]
    payload: Any = error[1]
    if kind == "NotAcceptable":
        offered = [f for f in (*RESULT_FORMATS, *RDF_FORMATS) if f.media_type in payload]
        raise NotAcceptable(offered)
    exc_type = _ERRORS.get(kind)
    if exc_type is None:
        log.error("query worker failed: %s", payload)
        raise RuntimeError("the query worker failed")
    raise exc_type(payload)


# -- the worker process -------------------------------------------------------------------------


def _detach_from_parent(keep: int) -> None:
    """In a fresh worker: drop what belongs to the server (signals, sockets), keep the pipe.

    Inherited client and listening sockets would otherwise stay open in the worker, so a
    connection the server closes would not really close. The store's files are not sockets and
    stay open: the worker reads the store through them.
    """
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server; it stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(OSError):
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd == keep or fd <= 2:
                continue
            with contextlib.suppress(OSError):
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.close(fd)


def _worker_main(conn: Connection, store: GraphStore) -> None:
    """Serve jobs until the pipe closes (the parent exited or retired this worker)."""
    _detach_from_parent(conn.fileno())
    try:
        store.settle()  # a worker never writes: the store may take its reading shortcuts
        conn.send(("ready", store.version()))
    except KGError as exc:
        conn.send(("failed", str(exc)))
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_reply(store, job))


# -- the parent side ----------------------------------------------------------------------------


class _Worker:
    """The parent's handle on one worker: its process, its pipe, and the reply it awaits.

    The pipe stays registered with the event loop for the worker's whole life, so a query
    costs no epoll registration; a readable pipe with no query waiting means the worker died.
    """

    def __init__(self, process: BaseProcess, conn: Connection, generation: int) -> None:
        self.process = process
        self.conn = conn
        self.generation = generation
        self.busy = False
        self.waiter: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def pid(self) -> int:
        assert self.process.pid is not None  # set once started
        return self.process.pid

    def watch(self, loop: asyncio.AbstractEventLoop, on_death: Callable[[_Worker], None]) -> None:
        """Start listening to the pipe (on the event loop's thread)."""
        self._loop = loop

        def readable() -> None:
            if self.waiter is not None:
                if not self.waiter.done():
                    self.waiter.set_result(None)
            elif self.conn.poll(0):
                # Nothing was asked, yet the pipe is readable: only an EOF does that. (A
                # readiness event queued before the last reply was read finds nothing.)
                on_death(self)

        loop.add_reader(self.conn.fileno(), readable)

    def kill(self) -> None:
        if self._loop is not None and not self.conn.closed:
            self._loop.remove_reader(self.conn.fileno())
            self._loop = None
        if self.waiter is not None and not self.waiter.done():
            self.waiter.cancel()
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class QueryRunner(Protocol):
    """What the routes need: run a query under the time limit, and serialise writes."""

    async def start(self) -> None: ...

    async def run(self, job: QueryJob) -> QueryAnswer: ...

    async def write(self, fn: Callable[[], T]) -> T: ...

    async def refresh(self) -> None: ...

    async def close(self) -> None: ...


class StoreThread:
    """One thread for everything that changes the store or forks from it, one call at a time."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sic-store")

    async def call(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class WorkerPool:
    """Pre-forked query workers over an embedded store; see the module docstring.

    :param store: the store the workers inherit (open before the pool starts).
    :param size: how many queries may run at once.
    :param timeout: seconds a query may take, queueing for a worker included.
    :param answer_cache_bytes: room for answers kept per store version (api.answers); 0: none.
    """

    def __init__(
        self, store: GraphStore, *, size: int, timeout: float, answer_cache_bytes: int = 0
    ) -> None:
        self.store = store
        self.size = size
        self.timeout = timeout
        self.answers = AnswerCache(answer_cache_bytes)
        self._thread = StoreThread()
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: set[_Worker] = set()
        self._generation = 0
        self._version: str | None = None
        self._checked = 0.0
        self._refresh_lock = asyncio.Lock()
        self._context = multiprocessing.get_context("fork")
        self._closed = False
        self._background: set[asyncio.Task[None]] = set()

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        warm_up()
        await self._refresh(force=True)

    async def close(self) -> None:
        self._closed = True
        for worker in list(self._workers):
            worker.kill()
        self._workers.clear()
        self._thread.close()

    def pids(self) -> list[int]:
        """The live workers' process ids (for tests and monitoring)."""
        return sorted(w.pid for w in self._workers)

    # -- forking ------------------------------------------------------------------------------

    def _fork(self, count: int, generation: int) -> list[_Worker]:
        """Fork `count` workers and wait until each has read the store (on the store thread)."""
        started: list[_Worker] = []
        for _ in range(count):
            parent, child = self._context.Pipe(duplex=True)
            process = self._context.Process(
                target=_worker_main, args=(child, self.store), daemon=True, name="sic-query"
            )
            process.start()
            child.close()
            started.append(_Worker(process, parent, generation))
        ready: list[_Worker] = []
        for worker in started:
            if worker.conn.poll(_READY_TIMEOUT):
                with contextlib.suppress(EOFError, OSError):
                    message = worker.conn.recv()
                    if message[0] == "ready":
                        ready.append(worker)
                        continue
            log.error("a query worker did not start; it was stopped")
            worker.kill()
        if not ready:
            raise StoreError("no query worker could be started")
        return ready

    def _adopt(self, workers: list[_Worker]) -> None:
        loop = asyncio.get_running_loop()
        for worker in workers:
            worker.watch(loop, self._died)
            self._workers.add(worker)
            self._idle.put_nowait(worker)

    async def _refresh(self, *, force: bool = False) -> None:
        """Fork a new generation if the store changed since the last one (or when forced).

        The old generation keeps answering until the new one is ready; then its idle workers
        are stopped at once and its busy ones when their query ends.

        :raises StoreError: if no worker could be started (the old generation stays).
        """
        async with self._refresh_lock:
            version = await self._thread.call(self.store.version)
            self._checked = time.monotonic()
            if not force and version == self._version:
                return
            generation = self._generation + 1
            workers = await self._thread.call(lambda: self._fork(self.size, generation))
            old = list(self._workers)
            self._generation, self._version = generation, version
            while not self._idle.empty():
                self._idle.get_nowait()
            for worker in old:
                if not worker.busy:
                    self._retire(worker)
            self._adopt(workers)

    async def _replace(self) -> None:
        """Fork one worker of the current generation to stand in for a lost one."""
        generation = self._generation
        try:
            workers = await self._thread.call(lambda: self._fork(1, generation))
        except StoreError:
            log.exception("could not replace a query worker")
            return
        if self._closed or generation != self._generation:
            for worker in workers:
                worker.kill()
            return
        self._adopt(workers)

    def _retire(self, worker: _Worker) -> None:
        self._workers.discard(worker)
        worker.kill()

    def _died(self, worker: _Worker) -> None:
        """An idle worker's pipe closed (killed from outside, out of memory): replace it."""
        log.error("query worker %s stopped while idle; replacing it", worker.pid)
        self._discard(worker)

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker whose state is unknown, and fork a replacement in the background."""
        self._retire(worker)
        if not self._closed and worker.generation == self._generation:
            task = asyncio.get_running_loop().create_task(self._replace())
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    def _stale(self) -> bool:
        if time.monotonic() - self._checked < VERSION_CHECK_INTERVAL:
            return False
        self._checked = time.monotonic()
        return self.store.version() != self._version

    # -- running ------------------------------------------------------------------------------

    async def _acquire(self) -> _Worker:
        while True:
            worker = await self._idle.get()
            if worker in self._workers:  # skip one that died while queued
                return worker

    async def run(self, job: QueryJob) -> QueryAnswer:
        """Run one query in a worker, within the time limit (queueing for a worker included).

        :raises QueryTimeout: the limit expired; a worker running the query was killed and is
            being replaced.
        :raises QueryError, NotAcceptable, StoreError: as `execute` raises them.
        """
        if self._closed:
            raise StoreError("the service is shutting down")
        if self._stale():
            await self._refresh()
        if self._version is not None:
            kept = self.answers.get(self._version, job)
            if kept is not None:
                return kept
        worker: _Worker | None = None
        try:
            async with asyncio.timeout(self.timeout):
                worker = await self._acquire()
                worker.busy = True
                worker.waiter = asyncio.get_running_loop().create_future()
                worker.conn.send(job)
                await worker.waiter
            reply: tuple[str, object] = worker.conn.recv()
        except TimeoutError:
            if worker is None:
                raise QueryTimeout(
                    f"every query worker stayed busy for {self.timeout:g} s; try again later"
                ) from None
            self._discard(worker)
            raise QueryTimeout(
                f"the query ran longer than {self.timeout:g} s and was stopped"
            ) from None
        except (EOFError, OSError):
            if worker is not None:
                self._discard(worker)
            raise StoreError("the query worker stopped unexpectedly") from None
        except BaseException:
            if worker is not None:
                self._discard(worker)  # cancelled mid-query: the worker's state is unknown
            raise
        current = worker.generation == self._generation
        self._release(worker)
        status, payload = reply
        if status != "ok":
            _raise(payload)
        assert isinstance(payload, QueryAnswer)
        if current and self._version is not None:
            self.answers.put(self._version, job, payload)
        return payload

    def _release(self, worker: _Worker) -> None:
        worker.busy = False
        worker.waiter = None
        if worker.generation != self._generation or self._closed:
            self._retire(worker)
        else:
            self._idle.put_nowait(worker)

    # -- writing ------------------------------------------------------------------------------

    async def write(self, fn: Callable[[], T]) -> T:
        """Run a change on the store thread, then refresh the workers so they see it.

        Writes belong here: they are serialised with the forks, and the next query sees them.
        """
        result = await self._thread.call(fn)
        await self.refresh()
        return result

    async def refresh(self) -> None:
        """Make the workers see the store as it is now (for a write made elsewhere)."""
        try:
            await self._refresh()
        except StoreError:  # the write stands; the next query retries the refresh
            log.exception("query workers could not be refreshed after a write")


class ThreadRunner:
    """Queries on a thread, for stores that run them elsewhere (a remote SPARQL server).

    Nothing here executes the query, so nothing needs killing: the time limit answers 503 and
    the remote server's own timeout ends the work there.
    """

    def __init__(self, store: GraphStore, *, timeout: float) -> None:
        self.store = store
        self.timeout = timeout
        self._lock = threading.Lock()

    async def start(self) -> None:
        return None

    async def run(self, job: QueryJob) -> QueryAnswer:
        try:
            async with asyncio.timeout(self.timeout):
                return await asyncio.to_thread(execute, self.store, job)
        except TimeoutError:
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s") from None

    async def write(self, fn: Callable[[], T]) -> T:
        def locked() -> T:
            with self._lock:
                return fn()

        return await asyncio.to_thread(locked)

    async def refresh(self) -> None:
        return None  # nothing is cached here: every query goes to the store

    async def close(self) -> None:
        return None


def default_pool_size() -> int:
    """One worker per core, and at least four, so that a few slow queries never hold up the rest.

    On two shared cores, two and four workers served point queries at rates that the machine's
    other load made indistinguishable (1,700-3,000 req/s either way); four keep answering with
    two runaway queries in flight. SIC_QUERY_WORKERS sets it.
    """
    return max(4, os.cpu_count() or 1)
