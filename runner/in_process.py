"""Calls answered in the process that received the request: the runner of an HTTP process.

An HTTP process (api.http_processes) holds a forked snapshot of the store that never changes,
and answers SPARQL queries and linked-data reads from it itself. Handing each request to a
query worker cost as much again as the query (about 400 µs of the service's CPU and 400 µs of
a worker's per point query at M, bench/RESULTS.md); here a call runs on one of the process's
threads, and pyoxigraph lets go of the interpreter while it evaluates, so the event loop keeps
answering others.

A thread cannot be stopped, so the time limit is kept by the process: a call that overruns it
is answered 503 at once and `on_overrun` is told, which retires this process (it stops taking
requests, lets those under way finish for a few seconds, then exits, and the work with it).
The process is never the store's writer: `write` is refused (writes are sent to the service).
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

from graph.base import GraphStore
from graph.results import OutOfTime, rows_until
from runner.kept import AnswerCache
from runner.pool import Call, Limits, overran
from sic.errors import StoreError

T = TypeVar("T")

THREADS = 4
"""Calls one HTTP process may evaluate at once, when calls run long (see SPILL_AFTER)."""

SPILL_AFTER = 0.05
"""Seconds a call runs before one more thread may take the next call.

While calls are short, one thread takes them all: threads taking turns at the interpreter's
lock only slowed each other. In A/B runs at M (2 HTTP processes on 2 cores, 16 clients asking
distinct /id descriptions, which are mostly Python), every call on any of 4 threads gave a p95
of 25-32 ms; one thread 17-19 ms; a second thread let in after 5 ms 26-29 ms (descriptions
waiting for the lock ran past 5 ms, and let in more threads); after 50 ms 17-18 ms, as one
thread. Point queries were as fast or faster (7,000-8,500 req/s at 4 connections, 8,900-9,300
at 16). A call running longer is mostly the engine, which lets go of the lock, so another
thread takes the next call rather than have it wait behind (a runaway query must not stall the
process until its time limit); up to THREADS at once."""


HERE_FOR = 0.002
"""Seconds a call run on the event loop itself (`call(..., here=True)`) may read rows before it
is dropped and run again on a thread.

A point query answers in about 0.1 ms; its hand-off to a thread and back cost about a tenth of
the service's CPU per answer (futex and eventfd wake-ups, the interpreter's lock passed back and
forth): at M on 2 cores, 4 connections, 227 against 193 µs per answer (medians of 3 A/B rounds,
with api.coalesced_writes and api.malloc_tuning, which it needs: bench/RESULTS.md). What one
such call can hold up the loop for is this, plus serialising what it read."""


class _State:
    """Where one call is: queued, running, finished; and whether it let one more thread in."""

    __slots__ = ("finished", "spilled", "started", "timer")

    def __init__(self) -> None:
        self.started = False
        self.finished = False
        self.spilled = False
        self.timer: asyncio.TimerHandle | None = None


_FAILED: ContextVar[tuple[Hashable, Exception] | None] = ContextVar("failed", default=None)
"""A call that failed earlier in this request, and how (see InProcessRunner.replay)."""


class InProcessRunner:
    """Calls on this process's threads over a store snapshot that no write changes."""

    def __init__(
        self,
        store: GraphStore,
        *,
        limits: Limits,
        on_overrun: Callable[[], None],
        answer_cache_bytes: int = 0,
        spill_after: float = SPILL_AFTER,
    ) -> None:
        self.store = store
        self.spill_after = spill_after
        self.limits = limits
        self.answers = AnswerCache(answer_cache_bytes)
        self._on_overrun = on_overrun
        self._version = store.version()
        # the process's own threads, fed by a queue: a ThreadPoolExecutor's future chained to
        # an asyncio one, under asyncio.timeout and shield, cost 49 µs per call against 22 µs
        # (a point query answers in about 100 µs); and the loop's default executor is joined
        # when the loop closes, where a call that overran its limit must not hold up the exit
        self._calls: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        # threads allowed to take calls (1, plus one per call running past SPILL_AFTER), and
        # threads taking them (waiting on the queue or running one); see _serve_calls
        self._gate = threading.Condition()
        self._allowed = 1
        self._taking = 0
        self._closed = False
        self._threads = [
            threading.Thread(target=self._serve_calls, name=f"sic-call_{i}", daemon=True)
            for i in range(THREADS)
        ]
        for thread in self._threads:
            thread.start()

    async def start(self) -> None:
        return None

    async def call(
        self,
        fn: Callable[..., T],
        *args: Any,
        keep: bool = False,
        client: str | None = None,
        timeout: float | None = None,
        here: bool = False,
    ) -> T:
        """`fn(store, *args)` on one of the process's threads, within the time limit; or, with
        `here`, on the event loop itself first (for calls that only read rows from one index
        scan, graph.one_pattern), and on a thread if it reads rows for longer than HERE_FOR."""
        call = Call(fn, args)
        failed = _FAILED.get()
        if failed is not None and failed[0] == call.key():
            _FAILED.set(None)
            raise failed[1]
        keep = keep and self.answers.max_bytes > 0
        if keep:
            found = self.answers.get(self._version, call.key())
            if found is not None:
                return found[0]  # type: ignore[no-any-return]
        result: Any = self._here(call) if here else _NOT_HERE
        if result is _NOT_HERE:
            result = await self._on_thread(call, timeout or self.limits.query)
        if keep:
            self.answers.put(self._version, call.key(), (result,), _weight(result))
        return result  # type: ignore[no-any-return]

    def _here(self, call: Call) -> Any:
        """The call run on the loop, or _NOT_HERE if it read rows past HERE_FOR."""
        try:
            with rows_until(time.monotonic() + HERE_FOR):
                return call(self.store)
        except OutOfTime:
            return _NOT_HERE

    async def _on_thread(self, call: Call, limit: float) -> Any:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Any] = loop.create_future()
        state = _State()
        self._calls.put((call, done, loop, state))
        timer = loop.call_later(limit, self._overran, done, limit)
        state.timer = loop.call_later(self.spill_after, self._spill, state, loop)
        try:
            return await done
        finally:
            timer.cancel()
            state.timer.cancel()

    def _overran(self, done: asyncio.Future[Any], limit: float) -> None:
        """On the loop, when a call's time is up: answer a timeout, and retire the process
        (its thread cannot be stopped; the process's exit stops it)."""
        if not done.done():
            done.set_exception(overran(limit))
            self._on_overrun()

    def _spill(self, state: _State, loop: asyncio.AbstractEventLoop) -> None:
        """On the loop, SPILL_AFTER after a call was handed over: if it is still running, one
        more thread may take calls until it ends; if it still waits for a thread, look again
        later (a queue behind short calls needs no more threads)."""
        with self._gate:
            if state.finished:
                return
            if state.started:
                state.spilled = True
                self._allowed += 1
                self._gate.notify()
                return
        state.timer = loop.call_later(self.spill_after, self._spill, state, loop)

    def _serve_calls(self) -> None:
        """One of the process's threads: take calls while allowed (see SPILL_AFTER), until
        told to stop (None). A thread keeps its turn from call to call, so while calls are
        short one thread answers them all, without handing the interpreter back and forth."""
        gate = self._gate
        while True:
            with gate:
                while self._taking >= min(self._allowed, THREADS) and not self._closed:
                    gate.wait()
                if self._closed:
                    return
                self._taking += 1
            pending = self._calls.get()
            if pending is None:
                return
            call, done, loop, state = pending
            state.started = True
            outcome: tuple[Any, Exception | None]
            try:
                outcome = (call(self.store), None)
            except Exception as exc:
                outcome = (None, exc)
            with gate:
                state.finished = True
                self._taking -= 1
                if state.spilled:
                    self._allowed -= 1
            try:
                loop.call_soon_threadsafe(_settle, done, *outcome)
            except RuntimeError:  # the loop closed meanwhile: nobody waits for it
                return

    def replay(self, fn: Callable[..., Any], *args: Any, error: Exception) -> None:
        """Have the next call of `fn(store, *args)` in this request (this task's context) raise
        `error` instead of running: a request that failed on the direct path is answered by the
        app (api.direct_queries), which then meets the same error without computing again."""
        _FAILED.set((Call(fn, args).key(), error))

    async def write(self, prepare: Call | None, commit: Callable[[Any], T]) -> T:
        raise StoreError("an HTTP process never writes: writes go to the service process")

    async def refresh(self) -> None:
        return None  # a snapshot: a newer store is another generation of HTTP processes

    async def version(self) -> str:
        return self._version

    async def renew(self) -> None:
        return None

    async def close(self) -> None:
        with self._gate:
            self._closed = True
            self._gate.notify_all()
        for _ in self._threads:
            self._calls.put(None)  # a thread still running an overrun call ends with the process


_NOT_HERE = object()

_Pending = tuple[Call, "asyncio.Future[Any]", asyncio.AbstractEventLoop, _State]


def _settle(done: asyncio.Future[Any], result: Any, error: Exception | None) -> None:
    """On the loop: hand a call's outcome to whoever still waits for it."""
    if done.done():  # answered as overrun, or the request was cancelled
        return
    if error is not None:
        done.set_exception(error)
    else:
        done.set_result(result)


def _weight(result: object) -> int:
    """Bytes an answer is counted for in the kept answers (its text when it is text)."""
    if isinstance(result, bytes | str):
        return len(result)
    if isinstance(result, tuple | list):
        return sum(_weight(item) for item in result) + 64
    return 1024
