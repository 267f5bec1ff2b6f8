"""Work that can be stopped: a pool of forked worker processes over the embedded store.

pyoxigraph cannot cancel a running query, and a Python computation cannot be interrupted from
outside either; a process can be killed. Each worker is forked from the service after the
store is open, so it inherits the store (the in-memory copy, or the disk store's handle) and
the imported code. It runs one `Call` at a time from its channel (runner.channel): a SPARQL
query with its serialisation, a named question, the data of a page, the evaluation and
validation of a write. The parent only waits on the channel from its event loop, so slow work
costs it nothing. When a call's time limit expires the parent SIGKILLs the worker, forks a
replacement and raises QueryTimeout; the store in the parent is untouched (a worker never
writes to it).

A forked worker sees the store as it was at the fork. Writes are evaluated and validated in a
worker (which may change its private copy of the data while doing so, and is retired after),
then committed in the parent, on one dedicated thread that also does every fork (so no commit
is half-way through when a worker is forked). After a commit, and whenever `store.version()` is
found to have changed (checked at most every VERSION_CHECK_INTERVAL seconds), the pool forks a
new generation and retires the old one. A write through the pool returns once committed and
the refresh follows in the background; every later call finds the store newer than its workers
and waits for that refresh, so a client reads its own writes.

Fairness: a call that has run for longer than SLOW_AFTER seconds counts as slow, and its
worker gets a lower CPU priority (nice), so the short calls of others keep their share of the
processors; the worker is retired once its call ends. When calls wait while some worker is
busy with a slow call, the pool forks extra workers (up to `max_size`) rather than queue them
behind runaways, and keeps them while slow calls run; one client (one address) may run at most
`max_size - 1` slow calls at once, so someone else always has a worker.

Measured on two shared cores, with the reference data: a point query costs about 125 µs in a
worker and about 300 µs of the parent's CPU (HTTP, routing, the channel). Forking a worker
takes 10-25 ms: at start, after a write, after a kill.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import gc
import logging
import multiprocessing
import os
import signal
import stat
import threading
import time
import traceback
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any, Protocol, TypeVar

from graph.base import GraphStore
from runner.channel import Channel, ChannelClosed, decode, frame, pair
from runner.kept import AnswerCache
from sic.errors import KGError, QueryError, QueryTimeout, StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

VERSION_CHECK_INTERVAL = 0.05
"""Seconds between two looks at store.version() on the call path (writes made elsewhere)."""

SLOW_AFTER = 0.5
"""Seconds after which a running call counts as slow (see the module docstring)."""

SLOW_NICENESS = 10
"""How much lower the CPU priority of a worker running a slow call becomes."""

_READY_TIMEOUT = 5.0
"""Seconds a new worker has to read the store once before it is given up (and another forked).

A fork copies the locks of every thread, and a thread of a native library (RocksDB's own, for
a store on disk) may hold one at that instant; a worker that inherited it would wait for ever.
Such a worker is killed and forked again, which is why the service never reads the store from
any thread but the one that forks (runner.pool.StoreThread), and workers read memory copies."""

_FORK_ATTEMPTS = 3

STUCK_AFTER = 3.0
"""Seconds a worker may hold a call without using any CPU before it counts as stuck.

A call in a worker computes (a query, a parse, a validation: CPU all along) or waits on the
disk for a moment. A worker that uses no CPU for seconds with a call in hand and no reply
under way waits on a lock no thread of its own will release: one copied held by its fork
(see _READY_TIMEOUT; a probe at start cannot try every lock). It is killed and the call is
given to another worker, within the same time limit, instead of the client waiting it out."""

_STUCK_CHECK = 0.5
"""Seconds between two looks at the CPU time of a worker that has a call."""

_STUCK_RETRIES = 2
"""Times one call is given to another worker after a worker was found stuck on it."""

STACK_SIGNAL = signal.SIGUSR1
"""Makes a worker write its Python stacks to its standard error (faulthandler)."""

_STACKS_WRITTEN = 0.3
"""Seconds a stuck worker is given to write its stacks before it is killed."""

_REAP_TIMEOUT = 10.0
"""Seconds a killed worker's end is awaited (by a reaper thread, or at close)."""

_DECODE_ON_THREAD = 256 * 1024
"""Replies larger than this many bytes are unpickled on a thread, not on the event loop."""


@dataclass(frozen=True)
class Call:
    """A function to run in a worker on the worker's store: `fn(store, *args)`.

    `fn` must be a module-level function (it travels by name) and `args` picklable; the result
    travels back pickled. Equal calls give equal answers on one store version, which is what
    lets the pool keep answers (`keep=True`).
    """

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()

    def __call__(self, store: GraphStore) -> Any:
        return self.fn(store, *self.args)

    def key(self) -> Hashable:
        return (self.fn.__module__, self.fn.__qualname__, self.args)


@dataclass(frozen=True)
class Limits:
    """Time limits of the work the pool runs."""

    query: float = 10.0
    write: float = 30.0


class Runner(Protocol):
    """What the faces need: run calls under time limits, and writes, one at a time."""

    async def start(self) -> None: ...

    async def call(
        self,
        fn: Callable[..., T],
        *args: Any,
        keep: bool = False,
        client: str | None = None,
        timeout: float | None = None,
    ) -> T: ...

    async def write(self, prepare: Call | None, commit: Callable[[Any], T]) -> T: ...

    async def refresh(self) -> None: ...

    async def version(self) -> str:
        """The store version calls see now."""
        ...

    async def renew(self) -> None:
        """Make later calls see what the service process changed in its own memory (work
        adopted from the background, runner.per_version), and drop the answers kept."""
        ...

    async def close(self) -> None: ...


# -- what travels on the channel --------------------------------------------------------------


def _reply(store: GraphStore, call: Call) -> tuple[str, Any]:
    """("ok", result) or ("error", exception) or ("internal", text): never raises."""
    try:
        return "ok", call(store)
    except KGError as exc:
        return "error", exc
    except Exception as exc:
        if getattr(exc, "travels", False):  # an error of a face that knows how to cross
            return "error", exc
        return "internal", "".join(traceback.format_exception(exc))


def _send_reply(chan: Channel, reply: tuple[str, Any]) -> None:
    try:
        data = frame(reply)
    except Exception as exc:  # an unpicklable result or exception: say so, do not die
        data = frame(("internal", f"the answer could not be sent back: {exc!r} ({reply[0]})"))
    chan.sock.sendall(data)


# -- the worker process -----------------------------------------------------------------------


def _detach_from_parent(*keep: int) -> None:
    """In a fresh worker: drop what belongs to the server (signals, sockets), keep the channel.

    Inherited client and listening sockets would otherwise stay open in the worker, so a
    connection the server closes would not really close; other workers' channels too, so the
    parent would never see a worker's end close. The store's files are not sockets and stay
    open: the worker reads the store through them.
    """
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server; it stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(OSError):
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd in keep or fd <= 2:
                continue
            with contextlib.suppress(OSError):
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.close(fd)


def _worker_main(chan: Channel, store: GraphStore) -> None:
    """Serve calls until the channel closes (the parent exited or retired this worker)."""
    _detach_from_parent(chan.fileno())
    # a worker found stuck is asked where it is before it is killed (see _Worker.ask)
    faulthandler.register(STACK_SIGNAL, all_threads=True)
    # What the worker inherited (the store's copy, the kept projections: millions of objects
    # at M) is never garbage here; without this, each full collection walks all of it (half a
    # second at M, inside some request) and writes to every page it walks, which then stops
    # being shared with the service.
    gc.freeze()
    try:
        store.settle()  # a worker never commits: the store may take its reading shortcuts
        store.probe()  # a lock copied held by the fork shows here, not at a client's call
        chan.send(("ready", store.version()))
    except KGError as exc:
        chan.send(("failed", str(exc)))
        return
    while True:
        try:
            call = chan.recv()
        except (ChannelClosed, OSError, EOFError):
            return
        _send_reply(chan, _reply(store, call))


class WorkerStuck(Exception):
    """A worker held a call without computing anything (see STUCK_AFTER)."""

    def __init__(self, pid: int, seconds: float) -> None:
        super().__init__(f"query worker {pid} used no CPU for {seconds:g} s with a call in hand")
        self.pid = pid


# -- the parent side --------------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    """The parent's handle on one worker: its process, its channel, the reply it awaits.

    The channel stays registered with the event loop for the worker's whole life, so a call
    costs no epoll registration; a channel that closes with no call waiting means the worker
    died.
    """

    process: BaseProcess
    chan: Channel
    generation: int
    busy: bool = False
    slow: bool = False
    extra: bool = False
    client: str | None = None  # whose slow call it runs
    waiter: asyncio.Future[Any] | None = None
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        assert self.process.pid is not None  # set once started
        return self.process.pid

    def watch(self, loop: asyncio.AbstractEventLoop, on_death: Callable[[_Worker], None]) -> None:
        """Start listening to the channel (on the event loop's thread)."""
        self._loop = loop
        self.chan.set_nonblocking()

        def readable() -> None:
            try:
                messages = self.chan.feed()
            except ChannelClosed as exc:
                self._unwatch()
                if self.waiter is not None and not self.waiter.done():
                    self.waiter.set_exception(exc)
                else:
                    on_death(self)
                return
            for message in messages:
                if self.waiter is not None and not self.waiter.done():
                    self.waiter.set_result(message)
                else:
                    log.error("query worker %s sent a message nobody asked for", self.pid)

        loop.add_reader(self.chan.fileno(), readable)

    def _unwatch(self) -> None:
        if self._loop is not None and not self.chan.closed:
            with contextlib.suppress(Exception):
                self._loop.remove_reader(self.chan.fileno())
        self._loop = None

    async def ask(self, call: Call, *, large: bool = False) -> Any:
        """Send a call and wait for its reply (the caller bounds the wait).

        Pickling a `large` call (a write's body) and unpickling a large reply happen on a
        thread, so that megabytes never hold the event loop that answers everyone else.
        """
        loop = asyncio.get_running_loop()
        self.waiter = waiter = loop.create_future()
        data = await asyncio.to_thread(frame, call) if large else frame(call)
        await loop.sock_sendall(self.chan.sock, data)
        watch = loop.call_later(_STUCK_CHECK, self._look, waiter, self._progress(), 0.0)
        try:
            body: bytes = await waiter
        finally:
            watch.cancel()
        if len(body) > _DECODE_ON_THREAD:
            return await asyncio.to_thread(decode, body)
        return decode(body)

    def _progress(self) -> tuple[int, int] | None:
        """(CPU clock ticks used, reply bytes received) while the worker is asleep; None while
        it runs or waits on the disk, or where /proc cannot tell."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            if fields[0] in (b"R", b"D"):
                return None
            return int(fields[11]) + int(fields[12]), self.chan.received
        except (OSError, IndexError, ValueError):
            return None

    def _look(
        self, waiter: asyncio.Future[Any], seen: tuple[int, int] | None, still: float
    ) -> None:
        """Every _STUCK_CHECK seconds of a call: fail it with WorkerStuck once the worker has
        slept STUCK_AFTER seconds without using CPU or sending a byte of its reply."""
        if waiter.done() or self._loop is None:
            return
        now = self._progress()
        still = still + _STUCK_CHECK if now is not None and now == seen else 0.0
        if still >= STUCK_AFTER:
            with contextlib.suppress(OSError):
                os.kill(self.pid, STACK_SIGNAL)  # its stacks, to the service's standard error
            waiter.set_exception(WorkerStuck(self.pid, still))
            return
        self._loop.call_later(_STUCK_CHECK, self._look, waiter, now, still)

    def lower_priority(self) -> None:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self.pid, SLOW_NICENESS)

    def kill(self, *, wait: bool = False) -> None:
        """SIGKILL the worker; its end is awaited on a reaper thread unless `wait`.

        The kernel takes tens of milliseconds to tear down a worker that wrote to its copy of
        the data (one that prepared a write: 35-60 ms at M). Awaited here, on the event loop,
        that stalled every request, and a write's commit, for as long.
        """
        self._unwatch()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.cancel()
        with contextlib.suppress(OSError):
            self.chan.close()
        if self.process.is_alive():
            self.process.kill()
        if wait:
            self.process.join(timeout=_REAP_TIMEOUT)
        else:
            threading.Thread(
                target=self.process.join, args=(_REAP_TIMEOUT,), name="sic-reap", daemon=True
            ).start()


class StoreThread:
    """One thread for everything that changes the store or forks from it, one call at a time."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sic-store")

    async def call(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    def later(self, fn: Callable[[], object]) -> None:
        """Run `fn` after what is queued, answering no one (a failure is only logged)."""

        def run() -> None:
            try:
                fn()
            except Exception:
                log.exception("background work on the store thread failed")

        self._executor.submit(run)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class WorkerPool:
    """Pre-forked workers over an embedded store; see the module docstring.

    :param store: the store the workers inherit (open before the pool starts).
    :param size: how many calls may run at once in the ordinary way.
    :param limits: time limits of queries and of writes.
    :param answer_cache_bytes: room for answers kept per store version; 0: none.
    :param max_size: workers at most, extras forked while slow calls run included (default 2x).
    :param warm_up: run in the parent before the first fork, so every worker inherits what it
        prepares (imported parsers, parsed shapes) instead of doing it again.
    :param before_fork: run in the parent, on the store thread, before each new generation is
        forked: brings what the service keeps computed from the data up to the store's version
        (queries.network.keep_up), so that every worker inherits it; a failure is logged and
        the workers compute it themselves.
    """

    def __init__(
        self,
        store: GraphStore,
        *,
        size: int,
        limits: Limits,
        answer_cache_bytes: int = 0,
        max_size: int | None = None,
        warm_up: Callable[[], None] | None = None,
        before_fork: Callable[[], object] | None = None,
    ) -> None:
        self.store = store
        store.tidy_later = True  # a writer is answered before the store is tidied
        self.size = size
        self.max_size = max(max_size or 2 * size, size)
        self.limits = limits
        self.answers = AnswerCache(answer_cache_bytes)
        self._warm_up = warm_up
        self._before_fork = before_fork
        self._thread = StoreThread()
        self._idle: list[_Worker] = []
        self._waiting: list[asyncio.Future[_Worker]] = []
        self._slow_by_client: dict[str, int] = {}
        self._client_changed: dict[str, asyncio.Event] = {}
        self._workers: set[_Worker] = set()
        self._generation = 0
        self._version: str | None = None
        self._checked = 0.0
        self._refresh_lock = asyncio.Lock()
        self._write_lock = asyncio.Lock()
        self._context = multiprocessing.get_context("fork")
        self._closed = False
        self._forking = 0
        self._background: set[asyncio.Task[Any]] = set()
        self._spawned: set[_Worker] = set()
        """Every worker forked and not yet seen killed, adopted or not: one forked behind a
        call that was cancelled, or given up and due to be killed a moment later, is still
        stopped (and its channel closed) by `close`."""
        self.changed: list[Callable[[str], None]] = []
        """Told the store's new version, on the event loop, as soon as a write through the pool
        has committed (before its writer is answered) or a refresh finds the store changed:
        what else reads a snapshot of the store (api.http_processes) stops using it then."""

    # -- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        if self._warm_up is not None:
            await self._thread.call(self._warm_up)
        await self._refresh(force=True)

    async def close(self) -> None:
        self._closed = True
        for worker in list(self._workers):
            worker.kill(wait=True)
        self._workers.clear()
        self._idle.clear()
        for waiter in self._waiting:
            if not waiter.done():
                waiter.cancel()
        # what runs behind writes (a refresh, a stand-in) finds the pool closed and stops, or
        # kills what it forked meanwhile; only then does the store thread go
        pending = [task for task in self._background if not task.done()]
        if pending:
            _, late = await asyncio.wait(pending, timeout=_REAP_TIMEOUT)
            for task in late:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for worker in list(self._workers):
            worker.kill(wait=True)
        self._workers.clear()
        self._thread.close()
        for worker in list(self._spawned):
            if not worker.chan.closed:
                worker.kill(wait=True)
        self._spawned.clear()

    def pids(self) -> list[int]:
        """The live workers' process ids (for monitoring)."""
        return sorted(w.pid for w in self._workers)

    # -- forking ------------------------------------------------------------------------------

    def _fork(self, count: int, generation: int) -> list[_Worker]:
        """Fork `count` workers and wait until each has read the store (on the store thread)."""
        ready: list[_Worker] = []
        for _ in range(_FORK_ATTEMPTS):
            ready += self._fork_once(count - len(ready), generation)
            if len(ready) == count:
                break
        if not ready:
            raise StoreError("no query worker could be started")
        return ready

    def _fork_once(self, count: int, generation: int) -> list[_Worker]:
        self.store.dataset()  # known before the fork, so a worker need not read it
        self._spawned = {w for w in self._spawned if not w.chan.closed}
        started: list[_Worker] = []
        for _ in range(count):
            parent, child = pair()
            process = self._context.Process(
                target=_worker_main, args=(child, self.store), daemon=True, name="sic-query"
            )
            try:
                process.start()
            except BaseException:
                parent.close()
                raise
            finally:
                child.close()
            started.append(_Worker(process, parent, generation))
            self._spawned.add(started[-1])
        ready: list[_Worker] = []
        for worker in started:
            with contextlib.suppress(ChannelClosed, OSError, TimeoutError):
                message = worker.chan.recv(timeout=_READY_TIMEOUT)
                if message[0] == "ready":
                    ready.append(worker)
                    continue
            log.error("a query worker did not start; it was stopped")
            worker.kill()
        return ready

    def _generation_of(self, generation: int) -> list[_Worker]:
        """On the store thread: bring kept state up to date (before_fork), then fork."""
        if self._before_fork is not None:
            try:
                self._before_fork()
            except Exception:
                log.exception("kept state could not follow the store; workers will build it")
        # what lives on here (the store's copy, the kept projections) is out of the collector's
        # sight from now on: a full collection walked it all (half a second at M, on whichever
        # thread allocated, the event loop's too) and dirtied pages the workers share
        gc.freeze()
        return self._fork(self.size, generation)

    def _adopt(self, workers: list[_Worker]) -> None:
        loop = asyncio.get_running_loop()
        for worker in workers:
            worker.watch(loop, self._died)
            self._workers.add(worker)
            self._make_idle(worker)

    async def _refresh(self, *, force: bool = False) -> None:
        """Fork a new generation if the store changed since the last one (or when forced).

        The old generation keeps answering until the new one is ready; then its idle workers
        are stopped at once and its busy ones when their call ends.

        :raises StoreError: if no worker could be started (the old generation stays).
        """
        async with self._refresh_lock:
            version = await self._thread.call(self.store.version)
            self._checked = time.monotonic()
            if not force and version == self._version:
                return
            generation = self._generation + 1
            workers = await self._thread.call(lambda: self._generation_of(generation))
            if self._closed:  # closed while forking (a refresh behind a write)
                for worker in workers:
                    worker.kill()
                return
            old = list(self._workers)
            changed = version != self._version
            self._generation, self._version = generation, version
            if changed:
                self._tell_changed(version)
            self._idle.clear()
            for worker in old:
                if not worker.busy:
                    self._retire(worker)
            self._adopt(workers)

    async def _replace(self, count: int = 1, *, extra: bool = False) -> None:
        """Fork workers of the current generation to stand in for lost (or busy) ones."""
        generation = self._generation
        self._forking += count
        try:
            workers = await self._thread.call(lambda: self._fork(count, generation))
        except StoreError:
            log.exception("could not replace a query worker")
            return
        finally:
            self._forking -= count
        if self._closed or generation != self._generation:
            for worker in workers:
                worker.kill()
            return
        for worker in workers:
            worker.extra = extra
        self._adopt(workers)

    def _background_task(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _retire(self, worker: _Worker) -> None:
        self._workers.discard(worker)
        with contextlib.suppress(ValueError):
            self._idle.remove(worker)
        worker.kill()

    def _give_up(self, worker: _Worker, stuck: WorkerStuck) -> None:
        """Take a stuck worker out of service now (its call goes to another one) and kill it
        a moment later, once it has written its stacks to the service log."""
        log.error("%s: killed, and its call given to another worker", stuck)
        if worker.client is not None:
            self._slow_done(worker.client)
            worker.client = None
        self._workers.discard(worker)
        with contextlib.suppress(ValueError):
            self._idle.remove(worker)
        asyncio.get_running_loop().call_later(_STACKS_WRITTEN, worker.kill)
        if not self._closed and worker.generation == self._generation and not worker.extra:
            self._background_task(self._replace())

    def _died(self, worker: _Worker) -> None:
        """An idle worker's channel closed (killed from outside, out of memory): replace it."""
        log.error("query worker %s stopped while idle; replacing it", worker.pid)
        self._discard(worker)

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker whose state is unknown, and fork a replacement in the background."""
        self._retire(worker)
        if not self._closed and worker.generation == self._generation and not worker.extra:
            self._background_task(self._replace())

    def _stale(self) -> bool:
        """Whether the store changed since the workers were forked. A store that knows its
        version locally is asked every time (an attribute read), so a write made beside the
        pool is never answered from older data; others at most every VERSION_CHECK_INTERVAL."""
        local = self.store.version_is_local
        if not local and time.monotonic() - self._checked < VERSION_CHECK_INTERVAL:
            return False
        self._checked = time.monotonic()
        return self.store.version() != self._version

    # -- scheduling ---------------------------------------------------------------------------

    def _make_idle(self, worker: _Worker) -> None:
        """Hand a free worker to the first caller waiting for one, else keep it idle."""
        while self._waiting:
            waiter = self._waiting.pop(0)
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _grow(self) -> None:
        """Fork an extra worker when calls wait while some worker is busy with a slow call."""
        slow = any(w.busy and w.slow for w in self._workers)
        room = len(self._workers) + self._forking < self.max_size
        if slow and room and self._waiting and not self._closed:
            self._background_task(self._replace(extra=True))

    async def _acquire(self) -> _Worker:
        while True:
            if self._idle:
                worker = self._idle.pop()
            else:
                waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
                self._waiting.append(waiter)
                self._grow()
                try:
                    worker = await waiter
                except BaseException:
                    if waiter.done() and not waiter.cancelled():
                        self._make_idle(waiter.result())  # handed over as we gave up
                    with contextlib.suppress(ValueError):
                        self._waiting.remove(waiter)
                    raise
            if worker in self._workers:  # skip one that died or was retired meanwhile
                return worker

    async def _client_turn(self, client: str | None) -> None:
        """Wait while `client` already holds all but one of the workers with slow calls.

        Quick calls are never held back; slow ones are what could take every worker, so one
        client may run at most `max_size - 1` of them at once and someone else always has a
        worker (the pool grows up to `max_size` while slow calls run).
        """
        if client is None:
            return
        while self._slow_by_client.get(client, 0) >= max(1, self.max_size - 1):
            changed = self._client_changed.setdefault(client, asyncio.Event())
            changed.clear()
            await changed.wait()

    def _slow_done(self, client: str | None) -> None:
        if client is None or client not in self._slow_by_client:
            return
        self._slow_by_client[client] -= 1
        if self._slow_by_client[client] <= 0:
            del self._slow_by_client[client]
        event = self._client_changed.get(client)
        if event is not None:
            event.set()

    def _watch_slow(self, worker: _Worker, client: str | None) -> asyncio.TimerHandle:
        def slow() -> None:
            if worker.busy:
                worker.slow = True
                worker.lower_priority()
                if client is not None:
                    self._slow_by_client[client] = self._slow_by_client.get(client, 0) + 1
                    worker.client = client
                self._grow()

        return asyncio.get_running_loop().call_later(SLOW_AFTER, slow)

    # -- running ------------------------------------------------------------------------------

    async def call(
        self,
        fn: Callable[..., T],
        *args: Any,
        keep: bool = False,
        client: str | None = None,
        timeout: float | None = None,
    ) -> T:
        """Run `fn(store, *args)` in a worker, within the time limit (queueing included).

        `keep`: serve an equal call's answer again until the next write. `client`: who asks
        (an address), so that one client never holds more than half the workers.

        :raises QueryTimeout: the limit expired; a worker running the call was killed and is
            being replaced.
        :raises KGError: as `fn` raises it.
        """
        call = Call(fn, args)
        if self._closed:
            raise StoreError("the service is shutting down")
        if self._stale():
            await self._refresh()
        version = self._version
        key = call.key() if keep else None
        if key is not None and version is not None:
            kept = self.answers.get(version, key)
            if kept is not None:
                return kept  # type: ignore[no-any-return]
        result, size, current = await self._run(call, timeout or self.limits.query, client)
        if key is not None and current and version is not None:
            self.answers.put(version, key, result, size)
        return result  # type: ignore[no-any-return]

    async def _run(
        self, call: Call, limit: float, client: str | None, *, dirties: bool = False
    ) -> tuple[Any, int, bool]:
        """(result, its size in bytes, whether computed on the current generation)."""
        setting = "SIC_UPDATE_TIMEOUT" if dirties else "SIC_QUERY_TIMEOUT"
        worker: _Worker | None = None
        timer: asyncio.TimerHandle | None = None
        try:
            async with asyncio.timeout(limit):
                await self._client_turn(client)
                for attempt in range(_STUCK_RETRIES + 1):
                    worker = await self._acquire()
                    worker.busy = True
                    timer = self._watch_slow(worker, client)
                    try:
                        reply = await worker.ask(call, large=dirties)
                        break
                    except WorkerStuck as stuck:
                        timer.cancel()
                        timer = None
                        self._give_up(worker, stuck)
                        worker = None
                        if attempt == _STUCK_RETRIES:
                            raise QueryTimeout(
                                f"{attempt + 1} query workers in a row stopped responding to "
                                "this request; nothing was answered and nothing was changed",
                                retry_after=1,
                            ) from None
        except TimeoutError:
            if worker is None:
                raise QueryTimeout(
                    f"every worker stayed busy for {limit:g} s ({setting}); try again later",
                    retry_after=max(1, round(limit / 2)),
                ) from None
            self._discard(worker)
            raise QueryTimeout(
                f"the request ran longer than {limit:g} s ({setting}) and was stopped"
            ) from None
        except (ChannelClosed, OSError):
            if worker is not None:
                log.error("query worker %s stopped while running a request", worker.pid)
                self._discard(worker)
            raise QueryError(
                "the process running this request stopped while it ran (a parser or the engine "
                "failed on it); nothing was answered and nothing was changed"
            ) from None
        except BaseException:
            if worker is not None:
                self._discard(worker)  # cancelled mid-call: the worker's state is unknown
            raise
        finally:
            if timer is not None:
                timer.cancel()
            if worker is not None and worker.client is not None:
                self._slow_done(worker.client)
                worker.client = None
        assert worker is not None  # the loop above ends with an answer or raises
        current = worker.generation == self._generation
        size = worker.chan.last_size
        status, payload = reply
        if dirties and status == "ok":
            # its private copy of the data changed: never reuse it. No stand-in is forked: the
            # write commits next and a new generation is forked behind it (a stand-in would
            # hold the store thread, and the commit, for the length of a fork: 100 ms at M)
            self._retire(worker)
        elif dirties:
            self._discard(worker)  # refused: nothing else forks, so a stand-in is
        else:
            self._release(worker)
        if status == "error":
            raise payload
        if status != "ok":
            log.error("a worker failed: %s", payload)
            raise RuntimeError("the worker failed; the details are in the service log")
        return payload, size, current

    def _release(self, worker: _Worker) -> None:
        worker.busy = False
        worker.waiter = None
        current = worker.generation == self._generation and not self._closed
        needed = bool(self._waiting) or any(w.busy and w.slow for w in self._workers)
        if current and not worker.slow and (not worker.extra or needed):
            self._make_idle(worker)  # (an extra only while slow calls run or calls wait)
            return
        # an old generation, a worker at low priority, an extra no longer needed: not kept
        self._retire(worker)
        if current and worker.slow and not worker.extra:
            self._background_task(self._replace())

    # -- writing ------------------------------------------------------------------------------

    async def write(self, prepare: Call | None, commit: Callable[[Any], T]) -> T:
        """One write: `prepare` in a worker (evaluate, parse, validate: killable, under the
        write time limit), then `commit(prepared)` on the store thread, then a refresh.

        Writes take turns, so a write is prepared on the version it commits to.
        """
        async with self._write_lock:
            prepared: Any = None
            if prepare is not None:
                if self._stale() or self._version != self.store.version():
                    await self._refresh()
                prepared, _, _ = await self._run(prepare, self.limits.write, None, dirties=True)
            try:
                result = await self._thread.call(lambda: commit(prepared))
                self._tell_changed(self.store.version())
            finally:
                # the writer is answered once the write is durable; the new generation is
                # forked behind it, and every later call and write waits for it (`_stale`), so
                # a client still reads its own writes. A fork costs 100-300 ms at M.
                self._background_task(self._after_write(stand_in=prepare is not None))
            self._thread.later(self.store.tidy)
            return result

    def _tell_changed(self, version: str) -> None:
        for listener in self.changed:
            try:
                listener(version)
            except Exception:
                log.exception("a reader of the store could not be told it changed")

    async def on_store_thread(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the thread that commits and forks (no commit is half-way through then,
        and no native lock is held by another thread of this process: safe to fork)."""
        return await self._thread.call(fn)

    async def _after_write(self, *, stand_in: bool) -> None:
        """Behind a write: a new generation if it changed the store, else (nothing changed,
        or the commit failed) a stand-in for the worker that prepared it, which was retired."""
        if self._stale():
            await self.refresh()
        elif stand_in and not self._closed:
            await self._replace()

    async def refresh(self) -> None:
        """Make the workers see the store as it is now (for a write made elsewhere)."""
        try:
            await self._refresh()
        except StoreError:  # the write stands; the next call retries the refresh
            log.exception("query workers could not be refreshed after a write")

    async def version(self) -> str:
        if self._stale():
            await self.refresh()
        if self._version is not None:
            return self._version
        return await self._thread.call(self.store.version)

    async def renew(self) -> None:
        """A new generation of workers, forked from the service as it is now."""
        self.answers.forget()
        try:
            await self._refresh(force=True)
        except StoreError:
            log.exception("query workers could not be renewed")


def overran(limit: float) -> QueryTimeout:
    """The error of a call answered from this process's threads past its time limit."""
    return QueryTimeout(f"the request ran longer than {limit:g} s (SIC_QUERY_TIMEOUT)")


class ThreadRunner:
    """Calls on threads, for stores that run queries elsewhere (a remote SPARQL server).

    The remote server's own timeout ends the work there; here the time limit answers 503.
    """

    def __init__(self, store: GraphStore, *, limits: Limits) -> None:
        self.store = store
        self.limits = limits
        self._lock = threading.Lock()

    async def start(self) -> None:
        return None

    async def call(
        self,
        fn: Callable[..., T],
        *args: Any,
        keep: bool = False,
        client: str | None = None,
        timeout: float | None = None,
    ) -> T:
        limit = timeout or self.limits.query
        try:
            async with asyncio.timeout(limit):
                return await asyncio.to_thread(fn, self.store, *args)
        except TimeoutError:
            raise overran(limit) from None

    async def write(self, prepare: Call | None, commit: Callable[[Any], T]) -> T:
        def locked() -> T:
            with self._lock:
                prepared = prepare(self.store) if prepare is not None else None
                return commit(prepared)

        return await asyncio.to_thread(locked)

    async def refresh(self) -> None:
        return None  # nothing is cached here: every query goes to the store

    async def version(self) -> str:
        return await asyncio.to_thread(self.store.version)

    async def renew(self) -> None:
        return None  # calls run in this process: they see its memory already

    async def close(self) -> None:
        return None


def runner_for(
    store: GraphStore,
    *,
    limits: Limits,
    workers: int = 0,
    answer_cache_bytes: int = 0,
    before_fork: Callable[[], object] | None = None,
) -> Runner:
    """Killable worker processes when this process reads the store itself (`workers` of them,
    0: `default_pool_size`), threads when a server evaluates the queries.

    The pool first prepares in the service what every worker would otherwise prepare again
    after each fork: the shapes that validate writes (about a second).
    """
    if not store.reads_in_process:
        return ThreadRunner(store, limits=limits)
    return WorkerPool(
        store,
        size=workers or default_pool_size(),
        limits=limits,
        answer_cache_bytes=answer_cache_bytes,
        warm_up=store.prepare_writes,
        before_fork=before_fork,
    )


def default_pool_size() -> int:
    """One worker per core, and at least four, so that a few slow queries never hold up the rest.

    On two shared cores, two and four workers served point queries at rates that the machine's
    other load made indistinguishable (1,700-3,000 req/s either way); four keep answering with
    two runaway queries in flight. SIC_QUERY_WORKERS sets it.
    """
    return max(4, os.cpu_count() or 1)
