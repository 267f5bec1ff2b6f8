"""Every catalogue question right after a one-project write, as the service answers it.

The service keeps its network projections and follows each write before it forks the workers
that answer (queries.network.keep_up). Here, on a store folder (copy it first: this writes),
each run submits one project idea the way `POST /api/projects` does (mapped and validated
with SHACL, then committed), brings the kept projections up to the new version, and then asks
every question once: each is the first call of its kind on that version, with no answer kept
(answers of the previous version are dropped by the follow).

    python -m bench.after_write STORE [--runs 3] [--cold] [--json FILE]

`--cold` also times each question after its projections are dropped, which is what every
question paid after a write before (built again from SPARQL, in each worker).
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from pathlib import Path
from typing import Any

from api.models import ProjectIdea
from bench.measure import peak_memory_mb, summarise
from bench.queries import PARAMS
from graph.embedded import EmbeddedStore
from graph.factory import open_store
from queries import catalogue, learned, network
from queries.submission import prepare_submission

EXTRA: dict[str, dict[str, str]] = {
    "candidates-for-project": {"project": "prj000001"},
    "funders-for-activity": {"activity": "A1.001"},
}


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


def _seconds(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure(store: EmbeddedStore, runs: int, cold: bool) -> dict[str, Any]:
    """Seconds per phase of a write and per question after it (see the module docstring)."""
    learned.defer_fits()  # as the service does: rankings never wait for a fit
    built = _seconds(lambda: network.keep_up(store))
    phases: dict[str, list[float]] = {"validate": [], "commit": [], "follow": []}
    after: dict[str, list[float]] = {}
    rebuilt: dict[str, list[float]] = {}
    for n in range(runs):
        idea = _idea(network.projections(store), n)
        started = time.perf_counter()
        prepared = prepare_submission(store, idea.submission(), store.base)
        validated = time.perf_counter()
        store.commit(prepared)
        committed = time.perf_counter()
        network.keep_up(store)
        followed = time.perf_counter()
        gc.freeze()  # as a worker forked after the follow does (runner.pool._worker_main)
        phases["validate"].append(validated - started)
        phases["commit"].append(committed - validated)
        phases["follow"].append(followed - committed)
        for q in catalogue.questions():
            params = {**PARAMS, **EXTRA}.get(q.name, {})
            after.setdefault(q.name, []).append(
                _seconds(lambda q=q, p=params: catalogue.run(store, q.name, p))
            )
    if cold:
        for q in catalogue.questions():
            params = {**PARAMS, **EXTRA}.get(q.name, {})
            network._cache.pop(store, None)
            rebuilt[q.name] = [_seconds(lambda q=q, p=params: catalogue.run(store, q.name, p))]
        network.keep_up(store)
    return {
        "triples": sum(s.triples for s in store.sources()),
        "kept_build_s": built,
        "write": {k: summarise(v).as_dict() for k, v in phases.items()},
        "after_write": {k: summarise(v).as_dict() for k, v in after.items()},
        "rebuilt": {k: summarise(v).as_dict() for k, v in rebuilt.items()},
        "peak_rss_mib": peak_memory_mb(),
    }


def _ms(figures: dict[str, Any]) -> str:
    return f"{figures['median'] * 1000:,.1f} ms ({figures['low'] * 1000:,.1f}-{figures['high'] * 1000:,.1f}, n={figures['runs']})"


def report(result: dict[str, Any]) -> str:
    lines = [
        f"{result['triples']:,} triples; kept projections built in {result['kept_build_s']:.1f} s;"
        f" peak RSS {result['peak_rss_mib']:,.0f} MiB",
        "",
        "| write phase | time |",
        "|---|---|",
        *(f"| {k} | {_ms(v)} |" for k, v in result["write"].items()),
        "",
        "| question | right after a one-project write | rebuilt (before) |",
        "|---|---|---|",
    ]
    for name, figures in result["after_write"].items():
        cold = result["rebuilt"].get(name)
        lines.append(f"| {name} | {_ms(figures)} | {_ms(cold) if cold else ''} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path, help="store folder (it is written to: use a copy)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="also time the rebuilt projections")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    store = open_store(args.store)
    assert isinstance(store, EmbeddedStore), "an embedded store folder"
    store.hold_in_memory(10_000_000)
    result = measure(store, args.runs, args.cold)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    store.close()


if __name__ == "__main__":
    main()
