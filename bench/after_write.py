"""Every catalogue question right after a one-project write, through the service's worker pool.

This is the service's path without HTTP: the pool (runner.pool.WorkerPool) validates the write
in a worker and commits it (the writer is answered then), brings the kept network projections
up to the new version (queries.network.keep_up) and forks new workers from that; each question then runs in a worker,
as the first call of its kind on the version, with no answer kept. On a store folder (copy it
first: this writes), each run submits one project idea the way `POST /api/projects` does.

    python -m bench.after_write STORE [--runs 3] [--cold] [--json FILE]

`--cold` also times each question the way the service answered before projections were kept
(SIC_KEEP_PROJECTIONS=false): one write, then the question in a worker that builds them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from api.models import ProjectIdea
from bench.measure import machine, peak_memory_mb, summarise
from bench.queries import PARAMS
from graph.embedded import EmbeddedStore
from graph.factory import open_store
from queries import catalogue, learned, network
from queries.submission import prepare_submission
from runner.pool import Call, Limits, WorkerPool

EXTRA: dict[str, dict[str, str]] = {
    "candidates-for-project": {"project": "prj000001"},
    "funders-for-activity": {"activity": "A1.001"},
}
LIMITS = Limits(query=600.0, write=600.0)


def _params(name: str) -> dict[str, str]:
    return {**PARAMS, **EXTRA}.get(name, {})


def _idea(net: network.Projections, n: int) -> ProjectIdea:
    """A project idea led and joined by organisations of the store, on an activity it has."""
    orgs = sorted(net.organisations)
    activities = sorted({a for pairs in net.group_activities.values() for a, _ in pairs})
    return ProjectIdea.model_validate(
        {
            "id": f"bench-idea-{time.time_ns()}-{n}",
            "title": f"Benchmark idea {n}",
            "stage": "idea",
            "lead": orgs[(7 * n) % len(orgs)],
            "partners": [orgs[(7 * n + 3) % len(orgs)], orgs[(7 * n + 5) % len(orgs)]],
            "activities": [activities[n % len(activities)]],
            "countries": ["SN"],
        }
    )


async def _seconds(work: Awaitable[Any]) -> float:
    """How long awaiting `work` takes (a coroutine does nothing until awaited)."""
    started = time.perf_counter()
    await work
    return time.perf_counter() - started


async def _write(pool: WorkerPool, store: EmbeddedStore, idea: ProjectIdea) -> None:
    prepare = Call(prepare_submission, (idea.submission(), store.base))
    await pool.write(prepare, store.commit)


async def _kept(store: EmbeddedStore, runs: int) -> dict[str, Any]:
    follows: list[float] = []

    def follow() -> None:
        started = time.perf_counter()
        network.keep_up(store)
        follows.append(time.perf_counter() - started)

    pool = WorkerPool(
        store, size=2, limits=LIMITS, warm_up=store.prepare_writes, before_fork=follow
    )
    await pool.start()
    writes: list[float] = []
    forks: list[float] = []
    after: dict[str, list[float]] = {}
    try:
        for n in range(runs):
            idea = _idea(network.projections(store), n)
            writes.append(await _seconds(_write(pool, store, idea)))
            forks.append(await _seconds(pool.refresh()))  # behind the write, before any call
            for q in catalogue.questions():
                took = await _seconds(pool.call(catalogue.run, q.name, _params(q.name)))
                after.setdefault(q.name, []).append(took)
    finally:
        await pool.close()
    return {
        "kept_build_s": follows[0],
        "write_s": summarise(writes).as_dict(),
        "follow_s": summarise(follows[1:]).as_dict(),
        "refresh_s": summarise(forks).as_dict(),
        "after_write": {k: summarise(v).as_dict() for k, v in after.items()},
    }


async def _rebuilt(store: EmbeddedStore) -> dict[str, Any]:
    """Each question in a fresh worker right after a write, projections built there."""
    pool = WorkerPool(store, size=2, limits=LIMITS, warm_up=store.prepare_writes)
    await pool.start()
    out: dict[str, Any] = {}
    try:
        for n, q in enumerate(catalogue.questions()):
            await _write(pool, store, _idea(network.projections(store), 100 + n))
            took = await _seconds(pool.call(catalogue.run, q.name, _params(q.name)))
            out[q.name] = summarise([took]).as_dict()
    finally:
        await pool.close()
    return out


def measure(store: EmbeddedStore, runs: int, cold: bool) -> dict[str, Any]:
    """Seconds of a write and of each question after it (see the module docstring)."""
    learned.defer_fits()  # as the service does: rankings never wait for a fit
    result = asyncio.run(_kept(store, runs))
    result["rebuilt"] = asyncio.run(_rebuilt(store)) if cold else {}
    result["triples"] = sum(s.triples for s in store.sources())
    result["peak_rss_mib"] = peak_memory_mb()
    return result


def _ms(figures: dict[str, Any]) -> str:
    return f"{figures['median'] * 1000:,.1f} ms ({figures['low'] * 1000:,.1f}-{figures['high'] * 1000:,.1f}, n={figures['runs']})"


def report(result: dict[str, Any]) -> str:
    lines = [
        f"{result['triples']:,} triples; kept projections built in {result['kept_build_s']:.1f} s"
        f" (once, at start); peak RSS of the service process {result['peak_rss_mib']:,.0f} MiB",
        "",
        f"One-project write as its client waits for it (validated in a worker, committed):"
        f" {_ms(result['write_s'])}; then, behind it, the projections followed and new workers"
        f" forked: {_ms(result['refresh_s'])}, of which following: {_ms(result['follow_s'])}",
        "",
        "| question | right after a one-project write | projections rebuilt (before) |",
        "|---|---|---|",
    ]
    for name, figures in result["after_write"].items():
        cold = result["rebuilt"].get(name)
        lines.append(f"| {name} | {_ms(figures)} | {_ms(cold) if cold else ''} |")
    return "\n".join(lines)


def page(result: dict[str, Any], command: str) -> str:
    """The figures as a Markdown page of their own (bench/AFTER_WRITE.md)."""
    facts = result.get("machine", {})
    return "\n".join(
        [
            "# Questions right after a write: figures",
            "",
            f"Written by `{command}` on {result.get('measured', '?')}; load average at the"
            f" start {result.get('load', '?')}. Regenerate rather than edit.",
            "",
            ", ".join(f"{k} {v}" for k, v in facts.items()),
            "",
            report(result),
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path, help="store folder (it is written to: use a copy)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="also time the rebuilt projections")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--markdown", type=Path, help="also write them as a page (AFTER_WRITE.md)")
    args = parser.parse_args()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    store = open_store(args.store)
    assert isinstance(store, EmbeddedStore), "an embedded store folder"
    store.hold_in_memory(10_000_000)
    result = measure(store, args.runs, args.cold)
    result |= {"machine": machine(), "measured": time.strftime("%Y-%m-%d %H:%M"), "load": load}
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    if args.markdown:
        command = "python -m bench.after_write M_STORE " + " ".join(sys.argv[2:])
        args.markdown.write_text(page(result, command))
    store.close()


if __name__ == "__main__":
    main()
