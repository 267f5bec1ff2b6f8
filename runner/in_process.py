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
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

from graph.base import GraphStore
from runner.kept import AnswerCache
from runner.pool import Call, Limits, overran
from sic.errors import StoreError

T = TypeVar("T")

THREADS = 4
"""Calls one HTTP process evaluates at once (the rest wait for a thread).

Measured at M with 16 clients asking distinct /id descriptions, two HTTP processes on two
cores: 4 threads each answered 636 req/s (p95 49 ms), 1 thread 489 (p95 70 ms), 8 threads
164 (p95 152 ms): describing is mostly Python, and more threads only take turns at the
interpreter's lock, each turn a context switch."""


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
    ) -> None:
        self.store = store
        self.limits = limits
        self.answers = AnswerCache(answer_cache_bytes)
        self._on_overrun = on_overrun
        self._version = store.version()
        # the process's own threads, fed by a queue: a ThreadPoolExecutor's future chained to
        # an asyncio one, under asyncio.timeout and shield, cost 49 µs per call against 22 µs
        # (a point query answers in about 100 µs); and the loop's default executor is joined
        # when the loop closes, where a call that overran its limit must not hold up the exit
        self._calls: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
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
    ) -> T:
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
        limit = timeout or self.limits.query
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()
        self._calls.put((call, done, loop))
        timer = loop.call_later(limit, self._overran, done, limit)
        try:
            result = await done
        finally:
            timer.cancel()
        if keep:
            self.answers.put(self._version, call.key(), (result,), _weight(result))
        return result

    def _overran(self, done: asyncio.Future[Any], limit: float) -> None:
        """On the loop, when a call's time is up: answer a timeout, and retire the process
        (its thread cannot be stopped; the process's exit stops it)."""
        if not done.done():
            done.set_exception(overran(limit))
            self._on_overrun()

    def _serve_calls(self) -> None:
        """One of the process's threads: run calls until told to stop (None)."""
        while (pending := self._calls.get()) is not None:
            call, done, loop = pending
            outcome: tuple[Any, Exception | None]
            try:
                outcome = (call(self.store), None)
            except Exception as exc:
                outcome = (None, exc)
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
        for _ in self._threads:
            self._calls.put(None)  # a thread still running an overrun call ends with the process


_Pending = tuple[Call, "asyncio.Future[Any]", asyncio.AbstractEventLoop]


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
