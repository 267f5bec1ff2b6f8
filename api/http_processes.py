"""Several HTTP processes over one store: reads answered where they arrive.

One Python process answering HTTP and handing every query to a worker spent about 800 µs of
CPU per point query at M, where the engine's own work is about 150 µs; Oxigraph server answered
six times as many (bench/RESULTS.md). So `sic serve` forks HTTP processes (SIC_HTTP_PROCESSES,
one per core by default) that all accept on the public socket. Each holds a copy-on-write
snapshot of the store's memory copy and answers SPARQL queries and linked-data reads from it,
in-process (runner.in_process); everything else it passes on (api.forward) to the service
process, which listens on a private Unix socket and keeps its worker pool, its writes and its
kept state as before.

Reading your own writes. The service counts writes in a number the HTTP processes share
(`published`): a process answers from its snapshot only while the number is the one it was
forked at. The service raises it as soon as a write commits, before the writer is answered, so
any later request, on any connection, is passed on to the service until a new generation of
HTTP processes, forked from the store as it is now, takes over; the old one stops accepting,
finishes what it was answering, and exits.

Time limits. A query that overruns its limit in an HTTP process is answered 503 and the
process retires (it passes on every later request, stops accepting and exits within
SHUTDOWN_GRACE seconds, the query with it); the service forks one to take its place.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any

from api.balanced_accept import EMPTY, BalancedAcceptor
from api.coalesced_writes import JoinedWrites
from api.forward import CLIENT_HEADER, SCHEME_HEADER, Forward
from api.settings import Settings
from graph.base import GraphStore
from runner.channel import Channel, ChannelClosed, pair
from runner.pool import Limits, WorkerPool, _detach_from_parent
from sic.errors import StoreError

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 5.0
"""Seconds a retiring HTTP process gives the requests it is answering before it exits."""

_SLOTS = 64
"""Slots of connection counts (api.balanced_accept): more than ever live at once, retiring
HTTP processes included."""

_READY_TIMEOUT = 10.0
"""Seconds a new HTTP process has to start answering before it is stopped and forked again."""

Scope = dict[str, Any]


def default_count() -> int:
    """One HTTP process per core: each answers reads on its own core, the service's too."""
    return os.cpu_count() or 1


def answered_here(scope: Scope) -> bool:
    """Whether an HTTP process answers this request from its snapshot (a read of the present:
    a SPARQL query, a linked-data description), rather than passing it on."""
    if scope["type"] != "http" or b"asof=" in scope.get("query_string", b"").lower():
        return False
    path: str = scope["path"]
    method: str = scope["method"]
    if path == "/sparql":
        return method in ("GET", "HEAD", "POST")
    return path.startswith("/id/") and method in ("GET", "HEAD")


# -- in the service process -------------------------------------------------------------------


class FromHttpProcess:
    """The service's side of its private socket: who asked, as the HTTP process saw them."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == CLIENT_HEADER:
                    host, _, port = value.decode("latin-1").rpartition(":")
                    scope["client"] = (host, int(port) if port.isdigit() else 0)
                elif name == SCHEME_HEADER and value in (b"http", b"https"):
                    scope["scheme"] = value.decode("latin-1")
        await self.app(scope, receive, send)


class ServiceBehindHttpProcesses:
    """The service process's ASGI app when HTTP processes answer the public socket: its own
    app behind FromHttpProcess, and the HTTP processes started once its pool runs (they are
    forked from it) and stopped before it stops."""

    def __init__(self, app: Any, processes: HttpProcesses) -> None:
        self.app = app
        self.inner = FromHttpProcess(app)
        self.processes = processes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.inner(scope, receive, send)
            return

        async def receive_then_stop() -> Any:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                await self.processes.close()
            return message

        async def send_then_start(message: Any) -> None:
            if message["type"] == "lifespan.startup.complete":
                runner = self.app.state.runner
                if isinstance(runner, WorkerPool):
                    try:
                        await self.processes.start(runner)
                    except Exception as exc:
                        log.exception("the HTTP processes could not be started")
                        await send({"type": "lifespan.startup.failed", "message": str(exc)})
                        return
            await send(message)

        await self.app(scope, receive_then_stop, send_then_start)


@dataclass
class _Process:
    process: BaseProcess
    chan: Channel
    published: int
    slot: int
    slots: Any
    retired: bool = False

    def stop(self, how: signal.Signals = signal.SIGUSR2) -> None:
        """Ask it to retire (RETIRE_SIGNAL: its snapshot is old) or, with SIGTERM, to finish
        what it answers and exit (uvicorn's graceful shutdown, when the service stops)."""
        self.slots[self.slot] = EMPTY  # it accepts no more: the others stop deferring to it
        if not self.retired:
            self.retired = True
            with contextlib.suppress(ProcessLookupError, OSError):
                os.kill(self.process.pid or 0, how)


@dataclass
class HttpProcesses:
    """The service's HTTP processes: forked, replaced, renewed after each write.

    :param listening: the public socket, bound and listening; every HTTP process accepts on it.
    :param service_path: the Unix socket the service process answers on (passed-on requests).
    :param service_socket: that socket, bound and listening (the service's uvicorn serves it).
    """

    store: GraphStore
    settings: Settings
    listening: socket.socket
    service_path: str
    service_socket: socket.socket
    count: int
    access_log: bool = False
    _published: Any = field(init=False)
    _slots: Any = field(init=False)
    _forked: int = field(default=0, init=False)
    _processes: list[_Process] = field(default_factory=list, init=False)
    _pool: WorkerPool | None = field(default=None, init=False)
    _renewing: asyncio.Task[None] | None = field(default=None, init=False)
    _closed: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        # shared memory, created before any fork: every HTTP process reads the same number
        self._published = multiprocessing.get_context("fork").RawValue("Q", 0)
        # how many connections each HTTP process holds (api.balanced_accept), one slot per
        # process in turn: a retiring process and its replacement never share one
        self._slots = multiprocessing.get_context("fork").RawArray("i", [EMPTY] * _SLOTS)

    async def start(self, pool: WorkerPool) -> None:
        """Fork the first generation (once the service's pool runs) and follow every write."""
        self._pool = pool
        pool.changed.append(self._store_changed)
        await self._renew()
        if not self._current():
            raise StoreError("no HTTP process could be started")

    def _store_changed(self, version: str) -> None:
        """On the service's loop, right after a commit: no HTTP process answers from its
        snapshot from now on; a new generation is forked behind."""
        self._published.value += 1
        if self._renewing is None or self._renewing.done():
            self._renewing = asyncio.get_running_loop().create_task(self._renew())

    async def _renew(self) -> None:
        """Fork until `count` HTTP processes answer from the store as it is now (writes made
        meanwhile make another round); after three forks that start none, give up: every
        request is then passed on to the service, slower but exact."""
        if self._pool is not None:
            # the query workers first: a question right after a write waits for them, while
            # a read that finds no fresh HTTP process is passed on to the service meanwhile
            await self._pool.refresh()
        failures = 0
        while not self._closed and self._current() < self.count and failures < 3:
            if not await self._fork_generation():
                failures += 1
        if not self._closed and self._current() < self.count:
            log.error("HTTP processes missing: the service process answers every request")

    def _current(self) -> int:
        return sum(
            1 for p in self._processes if not p.retired and p.published == self._published.value
        )

    async def _fork_generation(self) -> bool:
        """Fork the HTTP processes missing; False when none of them started."""
        assert self._pool is not None
        published = self._published.value
        missing = self.count - self._current()
        if missing <= 0:
            return True
        started = await self._pool.on_store_thread(lambda: self._fork(missing, published))
        ready: list[_Process] = []
        loop = asyncio.get_running_loop()
        for process in started:
            try:
                message = await loop.run_in_executor(
                    None, functools.partial(process.chan.recv, timeout=_READY_TIMEOUT)
                )
            except (ChannelClosed, OSError, TimeoutError):
                message = ("failed",)
            if message[0] == "ready":
                ready.append(process)
                self._watch(process)
            else:
                log.error("an HTTP process did not start; it was stopped")
                _kill(process)
        self._processes = [p for p in self._processes if p.process.is_alive()] + ready
        for process in self._processes:
            if process.published != self._published.value:
                process.stop()
        return bool(ready)

    def _fork(self, count: int, published: int) -> list[_Process]:
        """On the store thread: fork `count` HTTP processes from the store as it is now."""
        self.store.dataset()  # known before the fork, as for the query workers
        gc.freeze()
        context = multiprocessing.get_context("fork")
        started = []
        for _ in range(count):
            parent, child = pair()
            slot = self._forked % _SLOTS
            self._forked += 1
            process = context.Process(
                target=_http_process_main,
                args=(child, self, published, slot),
                daemon=True,
                name="sic-http",
            )
            try:
                process.start()
            except BaseException:
                parent.close()
                raise
            finally:
                child.close()
            started.append(_Process(process, parent, published, slot, self._slots))
        return started

    def _watch(self, process: _Process) -> None:
        """Replace an HTTP process that ends or retires by itself (a query overran its limit)."""
        loop = asyncio.get_running_loop()
        process.chan.set_nonblocking()

        def readable() -> None:
            try:
                process.chan.feed()  # "retiring", then "ended": either way one is wanted
            except ChannelClosed:
                loop.remove_reader(process.chan.fileno())
                process.chan.close()
            process.slots[process.slot] = EMPTY
            if not process.retired:
                process.retired = True
                if not self._closed and (self._renewing is None or self._renewing.done()):
                    self._renewing = loop.create_task(self._renew())

        loop.add_reader(process.chan.fileno(), readable)

    def pids(self) -> list[int]:
        return [p.process.pid for p in self._processes if p.process.pid and not p.retired]

    async def close(self) -> None:
        """Stop every HTTP process (they finish what they answer, within SHUTDOWN_GRACE)."""
        self._closed = True
        if self._renewing is not None:
            self._renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._renewing
        loop = asyncio.get_running_loop()
        for process in self._processes:
            if not process.chan.closed:
                with contextlib.suppress(ValueError, OSError):
                    loop.remove_reader(process.chan.fileno())
            process.retired = False
            process.stop(signal.SIGTERM)
        deadline = time.monotonic() + SHUTDOWN_GRACE + 2
        for process in self._processes:
            await loop.run_in_executor(
                None, process.process.join, max(0.0, deadline - time.monotonic())
            )
            _kill(process)


def _kill(process: _Process) -> None:
    process.slots[process.slot] = EMPTY
    if process.process.is_alive():
        with contextlib.suppress(ProcessLookupError, OSError):
            os.kill(process.process.pid or 0, signal.SIGKILL)
        process.process.join(5)
    process.chan.close()


# -- in an HTTP process -----------------------------------------------------------------------


class _Front:
    """The ASGI app of an HTTP process: answer here, or pass on (see answered_here)."""

    def __init__(self, here: Any, elsewhere: Forward, fresh: Callable[[], bool]) -> None:
        self.here = here
        self.elsewhere = elsewhere
        self.fresh = fresh

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan" or (answered_here(scope) and self.fresh()):
            await self.here(scope, receive, send)
        else:
            await self.elsewhere(scope, receive, send)


RETIRE_SIGNAL = signal.SIGUSR2
"""Tells an HTTP process its snapshot is old: stop accepting, then exit (see _HttpProcess)."""


def _closing(send: Any) -> Any:
    """`send` with `Connection: close` on the answer's head."""

    async def closing(message: Any) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message["headers"], (b"connection", b"close")]}
        await send(message)

    return closing


def _http_process_main(chan: Channel, owner: HttpProcesses, published: int, slot: int) -> None:
    """The life of a forked HTTP process; it always ends here, with os._exit, so that no
    thread still running an overrun call is waited for."""
    _detach_from_parent(chan.fileno(), owner.listening.fileno())
    try:
        _HttpProcess(chan, owner, published, slot).run()
    except BaseException:
        log.exception("an HTTP process stopped")
    finally:
        with contextlib.suppress(OSError):
            chan.send(("ended",))
        logging.shutdown()
        os._exit(0)


class _HttpProcess:
    """One HTTP process: uvicorn on the inherited public socket, over the app with an
    in-process runner, in front of the service (see answered_here).

    Retiring (its snapshot is old, or a call overran its time limit) does not drop the
    connections it holds: a client may be sending its next request on one at that very moment.
    It stops accepting, passes on what still arrives with `Connection: close`, so each client
    reconnects to the new generation, and exits once its connections are gone, or after
    SHUTDOWN_GRACE seconds (as long as uvicorn keeps an idle connection anyway).
    """

    def __init__(self, chan: Channel, owner: HttpProcesses, published: int, slot: int) -> None:
        import uvicorn

        from api.app import create_app
        from api.direct_queries import DirectQueries
        from runner.in_process import InProcessRunner

        self.chan = chan
        self.owner = owner
        self.published = published
        self.slot = slot
        self.acceptor: BalancedAcceptor | None = None
        self.retiring = False
        settings = owner.settings
        owner.store.settle(rehearse=False)
        owner.store.probe()
        runner = InProcessRunner(
            owner.store,
            limits=Limits(query=settings.query_timeout, write=settings.update_timeout),
            on_overrun=self.retire,
            answer_cache_bytes=int(settings.answer_cache_mb * 2**20),
        )
        # no background fits here: questions are answered by the service process
        settings = settings.model_copy(update={"fit_timeout": 0})
        app = create_app(settings, store=owner.store, runner=runner)
        front = _Front(
            DirectQueries(app, settings, runner), Forward(owner.service_path), self.fresh
        )
        config = uvicorn.Config(
            front,
            log_level="warning",
            access_log=owner.access_log,
            loop="none",  # the process's own (run)
            lifespan="on",
            # what it answers when it retires is let finish, however long a request passed on
            # to the service takes (a large upload): nothing it answers itself outlasts the
            # time limit, and when the service stops it kills what is left (close)
            timeout_graceful_shutdown=None,
        )
        self.server = uvicorn.Server(config)

    def fresh(self) -> bool:
        """Whether the snapshot is still the store as it is (no write since the fork)."""
        return not self.retiring and self.owner._published.value == self.published

    def run(self) -> None:
        # uvloop, whatever the service process runs on (`sic serve --loop`): an HTTP process
        # does little but read requests and write answers, and on uvloop it answered point
        # queries at M 13-15% faster (9.9-11.2k against 8.8-9.9k req/s at 4 connections,
        # 12.6-13.4k against 11.0-11.2k at 16), /id lookups as fast
        loop: asyncio.AbstractEventLoop
        try:
            import uvloop
        except ImportError:  # not on Windows
            loop = asyncio.new_event_loop()
        else:
            loop = uvloop.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        # uvicorn listens on nothing: the acceptor hands it the connections it takes
        task = asyncio.create_task(self.server.serve(sockets=[]))
        while not self.server.started and not task.done():
            await asyncio.sleep(0.005)
        if self.server.started:
            config, state = self.server.config, self.server.server_state
            app_state = self.server.lifespan.state

            def protocol() -> asyncio.Protocol:
                made: asyncio.Protocol = config.http_protocol_class(  # type: ignore[call-arg]
                    config=config, server_state=state, app_state=app_state
                )  # as uvicorn's own server makes them
                return JoinedWrites(made)  # an answer's head and body in one send

            self.acceptor = BalancedAcceptor(
                self.owner.listening, protocol, self.owner._slots, self.slot, state.connections
            )
            self.acceptor.start()
            # Ctrl-C reaches the whole process group: the service stops its HTTP processes
            # itself (SIGTERM), after which it forks no others
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            asyncio.get_running_loop().add_signal_handler(RETIRE_SIGNAL, self.retire)
            self.chan.send(("ready", os.getpid()))
        await task

    def retire(self) -> None:
        """On the loop: stop accepting, tell the service (it forks a replacement), wind down."""
        if self.retiring:
            return
        self.retiring = True
        with contextlib.suppress(OSError):
            self.chan.send(("retiring",))
        if self.acceptor is not None:
            self.acceptor.stop()
        asyncio.get_running_loop().create_task(self._wind_down())

    async def _wind_down(self) -> None:
        deadline = time.monotonic() + SHUTDOWN_GRACE
        while self.server.server_state.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        self.server.should_exit = True


# -- set-up by `sic serve` --------------------------------------------------------------------


@contextlib.contextmanager
def http_processes(
    settings: Settings, store: GraphStore, host: str, port: int, access_log: bool
) -> Iterator[HttpProcesses | None]:
    """HTTP processes for `sic serve`, when the settings want some and the store is read from
    memory in this process (a snapshot to fork); None otherwise (the service answers HTTP).

    Binds the public socket here, so that every HTTP process inherits it, and makes the
    service's private socket in a folder only this user can enter.
    """
    count = default_count() if settings.http_processes is None else settings.http_processes
    if not count or not store.reads_in_process or not getattr(store, "in_memory", False):
        yield None
        return
    listening = _listen(host, port)
    private = tempfile.mkdtemp(prefix="sic-serve-")
    os.chmod(private, 0o700)
    path = os.path.join(private, "service.sock")
    # bound here, before any HTTP process answers: a request passed on while the service's
    # uvicorn is still starting waits in the backlog instead of finding no socket
    service = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        service.bind(path)
        service.listen(2048)
        yield HttpProcesses(store, settings, listening, path, service, count, access_log)
    finally:
        service.close()
        listening.close()
        shutil.rmtree(private, ignore_errors=True)


def _listen(host: str, port: int) -> socket.socket:
    """The public socket, bound and listening, inherited by every HTTP process.

    :raises StoreError: it cannot be bound (the port is taken, the host is not this machine's).
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise StoreError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise StoreError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock
