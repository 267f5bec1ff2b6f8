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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
        # not the loop's default executor: that one is joined when the loop closes, and a
        # call that overran its limit must not hold up the process's exit
        self._threads = ThreadPoolExecutor(THREADS, thread_name_prefix="sic-call")

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
        if keep:
            found = self.answers.get(self._version, call.key())
            if found is not None:
                return found[0]  # type: ignore[no-any-return]
        limit = timeout or self.limits.query
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._threads, call, self.store)
        try:
            async with asyncio.timeout(limit):
                result: T = await asyncio.shield(future)
        except TimeoutError:
            self._on_overrun()
            raise overran(limit) from None
        if keep:
            self.answers.put(self._version, call.key(), (result,), _weight(result))
        return result

    async def write(self, prepare: Call | None, commit: Callable[[Any], T]) -> T:
        raise StoreError("an HTTP process never writes: writes go to the service process")

    async def refresh(self) -> None:
        return None  # a snapshot: a newer store is another generation of HTTP processes

    async def version(self) -> str:
        return self._version

    async def renew(self) -> None:
        return None

    async def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)


def _weight(result: object) -> int:
    """Bytes an answer is counted for in the kept answers (its text when it is text)."""
    if isinstance(result, bytes | str):
        return len(result)
    if isinstance(result, tuple | list):
        return sum(_weight(item) for item in result) + 64
    return 1024
