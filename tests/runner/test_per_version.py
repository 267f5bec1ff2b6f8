"""Background work per store version: done once per version, adopted, and never blocking."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from graph.base import GraphStore
from runner.per_version import PerVersion
from sic.errors import QueryTimeout


class FakeRunner:
    """A runner whose store version the test sets, counting calls and renewals."""

    def __init__(self) -> None:
        self.current = "v1"
        self.calls = 0
        self.renewed = 0
        self.fail = False

    async def version(self) -> str:
        return self.current

    async def call(self, fn: Callable[..., Any], *args: Any, timeout: float | None = None) -> Any:
        self.calls += 1
        if self.fail:
            raise QueryTimeout("the request ran longer than 1 s and was stopped")
        return fn(self.current)  # the fake's "store" is its version

    async def renew(self) -> None:
        self.renewed += 1


def work(store: GraphStore) -> tuple[str, str]:
    return str(store), f"fitted on {store}"


def test_work_runs_once_per_version_and_is_adopted() -> None:
    runner = FakeRunner()
    adopted: list[tuple[str, str]] = []
    per = PerVersion(runner, work, lambda v, r: adopted.append((v, r)) is None, timeout=5)  # type: ignore[arg-type]

    async def scenario() -> None:
        await per.once()
        await per.once()  # same version: nothing to do
        runner.current = "v2"
        await per.once()

    asyncio.run(scenario())
    assert adopted == [("v1", "fitted on v1"), ("v2", "fitted on v2")]
    assert runner.calls == 2 and runner.renewed == 2
    assert per.done == "v2" and not per.running


def test_a_failed_run_gives_the_version_up_and_keeps_what_was_adopted() -> None:
    runner = FakeRunner()
    adopted: list[tuple[str, str]] = []
    per = PerVersion(runner, work, lambda v, r: adopted.append((v, r)) is None, timeout=5)  # type: ignore[arg-type]

    async def scenario() -> None:
        await per.once()
        runner.current, runner.fail = "v2", True
        await per.once()
        await per.once()  # given up: not retried on the same version

    asyncio.run(scenario())
    assert adopted == [("v1", "fitted on v1")]
    assert runner.calls == 2 and runner.renewed == 1
    assert per.done == "v2"


def test_the_loop_picks_up_a_new_version_by_itself() -> None:
    runner = FakeRunner()
    adopted: list[str] = []
    per = PerVersion(runner, work, lambda v, r: adopted.append(v) is None, timeout=5, interval=0.01)  # type: ignore[arg-type]

    async def scenario() -> None:
        per.start()
        for _ in range(200):
            if adopted == ["v1"]:
                break
            await asyncio.sleep(0.01)
        runner.current = "v3"
        for _ in range(200):
            if adopted[-1:] == ["v3"]:
                break
            await asyncio.sleep(0.01)
        await per.close()

    asyncio.run(scenario())
    assert adopted == ["v1", "v3"]


def test_nothing_is_renewed_when_the_result_changes_nothing() -> None:
    runner = FakeRunner()
    per = PerVersion(runner, work, lambda v, r: False, timeout=5)  # type: ignore[arg-type]
    asyncio.run(per.once())
    assert runner.calls == 1 and runner.renewed == 0 and per.done == "v1"
