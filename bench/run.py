"""One command for the whole benchmark: `python -m bench.run --size S|M|L [--quick]`.

Generates the data if needed, runs every section in the same process on the same data (ours,
the peer and the floor side by side), and writes bench/RESULTS.md, bench/results-{size}.json
and plots. Sections: load and validation (bench.load), the question catalogue (bench.queries),
the HTTP service under concurrent clients (bench.http).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.generate import SIZES, generate_workbook, tile_ntriples, write_ntriples
from bench.measure import machine, peak_memory_mb

HERE = Path(__file__).resolve().parent
DATA = HERE / "out"


def ensure_data(size: str) -> Path:
    """The N-Triples file for a size, generated on first use (deterministic)."""
    if size == "L":
        target = DATA / "L" / "data.nt"
        if not target.exists():
            m = ensure_data("M")
            target.parent.mkdir(parents=True, exist_ok=True)
            tile_ntriples(m, target, 10)
        return target
    target = DATA / size / "data.nt"
    if not target.exists():
        generate_workbook(SIZES[size], DATA / size / "workbook")
        write_ntriples(DATA / size / "workbook", target)
    return target


def run(
    size: str,
    runs: int,
    sections: list[str],
    naive: bool,
    quick: bool = False,
    naive_budget: float = 300.0,
    http_seconds: int = 10,
) -> dict[str, Any]:
    """Every requested section on one size; returns the figures as plain data."""
    from bench.load import load_section

    nt = ensure_data(size)
    results: dict[str, Any] = {
        "size": size,
        "machine": machine(),
        "runs": runs,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    if "load" in sections:
        results["load"] = load_section(nt, runs)
    store_dir = Path(tempfile.mkdtemp(prefix="sic-bench-store-"))
    try:
        if "queries" in sections or "http" in sections:
            from bench.load import _NoValidation
            from graph.bootstrap import ensure_ontology
            from graph.embedded import EmbeddedStore
            from loaders.rdf import read_rdf

            # validation was measured by the load section; this copy only serves the questions
            store = EmbeddedStore(store_dir / "store", checker=_NoValidation())
            ensure_ontology(store)
            store.load_source(read_rdf(nt, name="bench"))
            if "queries" in sections:
                from bench.queries import naive_store, queries_section

                results["queries"] = queries_section(
                    store,
                    naive_store(store) if naive else None,
                    runs=max(5, runs * 3),
                    naive_budget=10.0 if quick else naive_budget,
                )
            store.close()
            if "http" in sections:
                from bench.http import http_section

                results["http"] = http_section(
                    store_dir / "store", nt, duration=3 if quick else http_seconds
                )
    finally:
        shutil.rmtree(store_dir, ignore_errors=True)
    results["peak_memory_mb"] = peak_memory_mb()
    return results


SECTIONS = ("load", "queries", "http")


def keep_other_sections(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The new figures, plus the sections this run did not measure from the last results.

    Each section keeps the date it was measured (`measured`), so a section re-run alone (say the
    HTTP service after a change to it) says so in RESULTS.md instead of passing for one run.
    """
    dates = dict(old.get("measured") or {s: old["started"] for s in SECTIONS if s in old})
    if old.get("load_rerun") and "load" in old:
        dates["load"] = old["load_rerun"]
    merged = dict(new)
    for section in SECTIONS:
        if section in new:
            dates[section] = new["started"]
        elif section in old:
            merged[section] = old[section]
    merged["measured"] = {s: dates[s] for s in SECTIONS if s in merged}
    merged.pop("load_rerun", None)
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S", choices=["XS", "S", "M", "L"])
    parser.add_argument("--runs", type=int, default=None, help="repeats per measurement")
    parser.add_argument("--quick", action="store_true", help="size S, few runs: under 5 minutes")
    parser.add_argument("--sections", default="load,queries,http")
    parser.add_argument("--no-naive", action="store_true", help="skip the rdflib comparisons")
    parser.add_argument(
        "--naive-budget", type=float, default=300.0, help="seconds per naive answer"
    )
    parser.add_argument("--http-seconds", type=int, default=10, help="seconds per wrk cell")
    args = parser.parse_args()
    if args.size == "L" and not args.quick:
        print("size L runs only on request: it needs about 10 GB of disk and an hour")
    size = "S" if args.quick else args.size
    runs = args.runs or (2 if args.quick else 3)
    results = run(
        size,
        runs,
        args.sections.split(","),
        naive=not args.no_naive,
        quick=args.quick,
        naive_budget=args.naive_budget,
        http_seconds=args.http_seconds,
    )
    # a quick run is a smoke test: its figures never replace the published ones in bench/
    folder = DATA / "quick" if args.quick else HERE
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"results-{size}.json"
    if out.exists() and not args.quick:
        results = keep_other_sections(json.loads(out.read_text()), results)
    out.write_text(json.dumps(results, indent=2) + "\n")
    from bench.report import write_report

    report = write_report(folder)
    print(f"wrote {out} and {report}")


if __name__ == "__main__":
    main()
