"""The worker pool stops workers without waiting for the kernel on the event loop."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import pyoxigraph as ox

from graph.base import PreparedWrite
from graph.embedded import EmbeddedStore
from graph.results import SelectResult
from runner.channel import pair
from runner.pool import Call, Limits, WorkerPool, _Worker


class SlowToEnd:
    """A process whose end takes as long as the test wants (a worker tearing down its memory)."""

    def __init__(self) -> None:
        self.killed = False
        self.ended = threading.Event()
        self.joined_on: list[str] = []

    def is_alive(self) -> bool:
        return not self.ended.is_set()

    def kill(self) -> None:
        self.killed = True

    def join(self, timeout: float | None = None) -> None:
        self.joined_on.append(threading.current_thread().name)
        self.ended.wait(timeout)


def test_kill_returns_before_the_process_has_ended() -> None:
    process = SlowToEnd()
    parent, child = pair()
    child.close()
    worker = _Worker(process, parent, generation=1)  # type: ignore[arg-type]

    worker.kill()

    assert process.killed
    assert process.is_alive(), "kill() waited for the end"
    process.ended.set()
    for thread in threading.enumerate():
        if thread.name == "sic-reap":
            thread.join(timeout=5)
    assert process.joined_on == ["sic-reap"], "the end is awaited on the reaper thread"


def test_kill_waits_when_asked() -> None:
    process = SlowToEnd()
    process.ended.set()
    parent, child = pair()
    child.close()
    worker = _Worker(process, parent, generation=1)  # type: ignore[arg-type]

    worker.kill(wait=True)

    assert process.joined_on == [threading.current_thread().name]


def _prepare(store: EmbeddedStore, n: int) -> PreparedWrite:
    """A write's preparation in a worker, as the service does it (the worker is retired after)."""
    return store.prepare_update(f'INSERT DATA {{ <urn:ex:s{n}> <urn:ex:p> "{n}" }}')


def _children_of(pid: int) -> dict[int, str]:
    """pid -> state of the processes whose parent is `pid` ("Z": ended, not yet reaped)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found[int(entry.name)] = fields[0]
    return found


def _zombies() -> list[int]:
    return [pid for pid, state in _children_of(os.getpid()).items() if state == "Z"]


def test_retired_workers_are_reaped_and_close_leaves_no_child(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")

    earlier = set(_zombies())  # children other tests of this process left behind

    async def scenario() -> set[int]:
        # generous limits: the suite runs on two shared cores
        pool = WorkerPool(store, size=2, limits=Limits(query=120, write=120))
        await pool.start()
        forked: set[int] = set()
        try:
            for n in range(3):
                forked |= {w.pid for w in pool._workers}
                await pool.write(Call(_prepare, (n,)), store.commit)
                await pool.refresh()
            forked |= {w.pid for w in pool._workers}
            for _ in range(200):  # the reaper threads run on their own
                if not set(_zombies()) - earlier:
                    break
                await asyncio.sleep(0.05)
            assert not set(_zombies()) - earlier, "retired workers were left unreaped"
        finally:
            await pool.close()
        return forked

    forked = asyncio.run(scenario())

    assert len(forked) >= 2 + 3, "each write retired its worker and forked a new generation"
    assert not set(_children_of(os.getpid())) & forked, "close() left workers behind"
    rows = store.query("SELECT ?o WHERE { ?s <urn:ex:p> ?o }")
    assert isinstance(rows, SelectResult)
    values = sorted(o.value for row in rows if isinstance(o := row["o"], ox.Literal))
    assert values == ["0", "1", "2"], "every write committed"
    store.close()
