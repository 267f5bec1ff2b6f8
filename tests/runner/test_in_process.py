"""The runner of an HTTP process: calls on its threads, the time limit kept by retiring."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from graph.base import GraphStore
from runner.in_process import InProcessRunner
from runner.pool import Limits
from sic.errors import QueryTimeout, StoreError


class _Store:
    """Just what the runner reads of a store: its version."""

    def version(self) -> str:
        return "v1"


class _Calls:
    """Counts the calls made (hashable, as a kept answer's key needs)."""

    def __init__(self) -> None:
        self.made = 0


def _count(store: Any, calls: _Calls) -> int:
    calls.made += 1
    return calls.made


def _wait(store: Any, release: threading.Event) -> str:
    release.wait(10)
    return "late"


def _thread_name(store: Any) -> str:
    return threading.current_thread().name


def _runner(overruns: list[int], cache: int = 0) -> InProcessRunner:
    store: GraphStore = _Store()  # type: ignore[assignment]
    return InProcessRunner(
        store,
        limits=Limits(query=0.2),
        on_overrun=lambda: overruns.append(1),
        answer_cache_bytes=cache,
    )


def test_a_call_runs_on_the_runners_own_threads() -> None:
    runner = _runner([])
    try:
        name = asyncio.run(runner.call(_thread_name))
    finally:
        asyncio.run(runner.close())
    assert name.startswith("sic-call")


def test_an_overrun_answers_a_timeout_and_retires_the_process() -> None:
    overruns: list[int] = []
    runner = _runner(overruns)
    release = threading.Event()
    try:
        with pytest.raises(QueryTimeout, match="SIC_QUERY_TIMEOUT"):
            asyncio.run(runner.call(_wait, release))
    finally:
        release.set()
        asyncio.run(runner.close())
    assert overruns == [1]


def test_kept_answers_are_served_again_only_when_asked() -> None:
    runner = _runner([], cache=1 << 20)
    calls = _Calls()

    async def run() -> list[int]:
        return [
            await runner.call(_count, calls, keep=True),
            await runner.call(_count, calls, keep=True),
            await runner.call(_count, calls),
        ]

    try:
        answers = asyncio.run(run())
    finally:
        asyncio.run(runner.close())
    assert answers == [1, 1, 2]


def test_an_http_process_never_writes() -> None:
    runner = _runner([])
    try:
        with pytest.raises(StoreError, match="never writes"):
            asyncio.run(runner.write(None, lambda prepared: prepared))
        assert asyncio.run(runner.version()) == "v1"
    finally:
        asyncio.run(runner.close())


def _slow(store: Any, release: threading.Event) -> str:
    """A long call that lets go of the interpreter (as the engine does while it evaluates)."""
    release.wait(10)
    return threading.current_thread().name


def _runner_with_time(spill_after: float) -> InProcessRunner:
    store: GraphStore = _Store()  # type: ignore[assignment]
    return InProcessRunner(
        store, limits=Limits(query=30.0), on_overrun=lambda: None, spill_after=spill_after
    )


def test_short_calls_keep_to_one_thread() -> None:
    """Calls that end before the spill time are all taken by one thread (threads taking turns
    at the interpreter's lock answered slower), even when many wait at once."""
    runner = _runner_with_time(spill_after=30.0)

    async def run() -> set[str]:
        return set(await asyncio.gather(*(runner.call(_thread_name) for _ in range(200))))

    try:
        names = asyncio.run(run())
    finally:
        asyncio.run(runner.close())
    assert len(names) == 1


def test_a_long_call_lets_another_thread_take_the_next() -> None:
    """A call still running after the spill time does not hold up the calls behind it; once
    it ends, one thread is allowed again."""
    runner = _runner_with_time(spill_after=0.005)
    release = threading.Event()

    async def run() -> tuple[str, list[str], int, int]:
        slow = asyncio.ensure_future(runner.call(_slow, release))
        await asyncio.sleep(0.05)  # the slow call has started, and run past the spill time
        quick = await asyncio.wait_for(
            asyncio.gather(*(runner.call(_thread_name) for _ in range(20))), timeout=5
        )
        assert not slow.done(), "the quick calls did not wait for the slow one"
        release.set()
        slow_thread = await slow
        await asyncio.gather(*(runner.call(_thread_name) for _ in range(50)))
        with runner._gate:  # every call ended: every thread let in for one has left again
            return slow_thread, quick, runner._allowed, runner._taking

    try:
        slow_thread, quick, allowed, taking = asyncio.run(run())
    finally:
        release.set()
        asyncio.run(runner.close())
    assert slow_thread not in quick
    assert allowed == 1
    assert taking <= 2  # the thread waiting for the next call, and one about to wait at the gate


def test_closing_ends_every_thread() -> None:
    runner = _runner_with_time(spill_after=0.005)
    asyncio.run(runner.call(_thread_name))
    asyncio.run(runner.close())
    for thread in runner._threads:
        thread.join(timeout=5)
        assert not thread.is_alive()


class _Slowly:
    """Solutions that come `delay` seconds apart (no closure: nothing keeps them in a cycle,
    so they are freed on the thread that made them, as pyoxigraph requires)."""

    def __init__(self, solutions: Any, delay: float) -> None:
        self.solutions = solutions
        self.variables = solutions.variables
        self.delay = delay

    def __iter__(self) -> Any:
        for row in self.solutions:
            time.sleep(self.delay)
            yield row


def _rows(store: Any, count: int, delay: float) -> str:
    """Reads `count` rows of a query, each `delay` seconds apart, as the engine's rows come."""
    import pyoxigraph as ox

    from graph.results import from_solutions

    scratch = ox.Store()
    for i in range(count):
        scratch.add(
            ox.Quad(ox.NamedNode(f"http://e/{i}"), ox.NamedNode("http://e/p"), ox.Literal(i))
        )
    solutions = scratch.query("SELECT ?s WHERE { ?s ?p ?o }")
    assert isinstance(solutions, ox.QuerySolutions)

    result = from_solutions(_Slowly(solutions, delay), None)  # type: ignore[arg-type]
    return f"{threading.current_thread().name}: {len(result.rows)}"


def _read_here(count: int, delay: float) -> str:
    runner = _runner([])
    try:
        return asyncio.run(runner.call(_rows, count, delay, here=True))
    finally:
        asyncio.run(runner.close())


def test_a_call_here_runs_on_the_event_loop() -> None:
    assert _read_here(10, 0.0) == "MainThread: 10"


def test_a_call_here_that_reads_rows_too_long_runs_again_on_a_thread() -> None:
    # 200 rows 50 µs apart: past HERE_FOR (2 ms) while reading, so read again on a thread
    answer = _read_here(200, 0.00005)
    assert answer.startswith("sic-call_") and answer.endswith(": 200")


def test_an_error_here_is_the_callers_as_on_a_thread() -> None:
    runner = _runner([])
    try:
        with pytest.raises(StoreError, match="refused"):
            asyncio.run(runner.call(_refuse, here=True))
    finally:
        asyncio.run(runner.close())


def _refuse(store: Any) -> None:
    raise StoreError("refused")
