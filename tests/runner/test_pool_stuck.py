"""A worker that waits on a lock it inherited held is found, killed and replaced.

A fork copies every lock as it stands: one that a thread of the parent held at that instant
stays held for ever in the child. Such a worker must not cost a client its whole time limit.
The locks here are made to be held on purpose, the first time only (a marker file says
whether a first time has been), so the retried call or the re-forked worker succeeds.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import pytest

from graph.base import GraphStore
from graph.embedded import EmbeddedStore
from runner import pool as pool_module
from runner.pool import Limits, WorkerPool


def _first_time(marker: Path) -> bool:
    try:
        marker.touch(exist_ok=False)
    except FileExistsError:
        return False
    return True


def _block_the_first_time(store: GraphStore, marker: str) -> int:
    """Wait, without using CPU, on a lock nobody will release, if no call came before."""
    if _first_time(Path(marker)):
        held = threading.Lock()
        held.acquire()
        held.acquire()  # for ever: as a lock copied held by a fork
    return os.getpid()


def _compute(store: GraphStore, seconds: float) -> int:
    """Use the CPU for `seconds` (a long query), then answer."""
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return os.getpid()


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stuck after 1 s without CPU, looked at every 0.2 s (3 s and 0.5 s in the service)."""
    monkeypatch.setattr(pool_module, "STUCK_AFTER", 1.0)
    monkeypatch.setattr(pool_module, "_STUCK_CHECK", 0.2)


def test_a_stuck_call_goes_to_another_worker(
    tmp_path: Path, quick: None, capfd: pytest.CaptureFixture[str]
) -> None:
    store = EmbeddedStore(tmp_path / "store")
    marker = tmp_path / "first"

    async def scenario() -> tuple[int, set[int], set[int]]:
        pool = WorkerPool(store, size=2, limits=Limits(query=60, write=60))
        await pool.start()
        try:
            before = {w.pid for w in pool._workers}
            started = time.monotonic()
            answered_by = await pool.call(_block_the_first_time, str(marker))
            took = time.monotonic() - started
            assert took < 30, f"the client waited {took:.1f} s"
            for _ in range(100):  # the stuck worker is killed a moment after
                if not any(_alive(pid) for pid in before - {answered_by}):
                    break
                await asyncio.sleep(0.05)
            return answered_by, before, {w.pid for w in pool._workers}
        finally:
            await pool.close()

    answered_by, before, after = asyncio.run(scenario())
    store.close()

    assert marker.exists(), "the first worker took the call"
    stuck = before - {answered_by} if answered_by in before else before
    assert stuck, "one worker was stuck"
    assert not any(_alive(pid) for pid in stuck), "the stuck worker was killed"
    assert len(after) == 2, "a new worker took the stuck one's place"
    err = capfd.readouterr().err
    assert "_block_the_first_time" in err, "the stuck worker wrote where it was"


def test_a_long_computation_is_not_taken_for_stuck(tmp_path: Path, quick: None) -> None:
    store = EmbeddedStore(tmp_path / "store")

    async def scenario() -> tuple[int, set[int]]:
        pool = WorkerPool(store, size=1, max_size=1, limits=Limits(query=60, write=60))
        await pool.start()
        try:
            first = {w.pid for w in pool._workers}
            return await pool.call(_compute, 2.5), first
        finally:
            await pool.close()

    answered_by, first = asyncio.run(scenario())
    store.close()
    assert answered_by in first, "the computing worker answered, it was not replaced"


class _ProbeStuckOnce(EmbeddedStore):
    """A store whose first worker's probe waits for ever (a lock copied held by the fork)."""

    marker: Path

    def probe(self) -> None:
        if _first_time(self.marker):
            held = threading.Lock()
            held.acquire()
            held.acquire()
        super().probe()


def test_a_worker_stuck_at_its_probe_is_forked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool_module, "_READY_TIMEOUT", 1.0)
    store = _ProbeStuckOnce(tmp_path / "store")
    store.marker = tmp_path / "first"

    async def scenario() -> int:
        pool = WorkerPool(store, size=2, limits=Limits(query=60, write=60))
        await pool.start()
        try:
            assert len(pool._workers) == 2
            return await pool.call(_compute, 0.0)
        finally:
            await pool.close()

    assert asyncio.run(scenario()) > 0
    store.close()
    assert store.marker.exists(), "a worker's probe was stuck"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_closing_right_after_giving_up_stops_the_stuck_worker(
    tmp_path: Path, quick: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stuck worker is killed a moment after it is given up (its stacks are written first);
    a pool closed within that moment still stops it and closes its channel."""
    monkeypatch.setattr(pool_module, "_STACKS_WRITTEN", 30.0)
    store = EmbeddedStore(tmp_path / "store")
    marker = tmp_path / "first"

    async def scenario() -> tuple[set[int], list[bool]]:
        pool = WorkerPool(store, size=2, limits=Limits(query=60, write=60))
        await pool.start()
        before = {w.pid for w in pool._workers}
        answered_by = await pool.call(_block_the_first_time, str(marker))
        spawned = list(pool._spawned)
        await pool.close()
        return before - {answered_by}, [w.chan.closed for w in spawned]

    stuck, closed = asyncio.run(scenario())
    store.close()
    assert stuck
    assert not any(_alive(pid) for pid in stuck), "the stuck worker outlived its pool"
    assert all(closed), "a worker's channel was left open"
