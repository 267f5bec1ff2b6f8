"""uvloop against asyncio's own loop under `sic serve`, in one run: `python -m bench.loops`.

Whether uvloop still pays now that the worker channel no longer depends on the pipe's
blocking mode. Both services serve the same reference store with every answer computed
(SIC_ANSWER_CACHE_MB=0); wrk sends a point query, an engine-bound query and a large answer
(every triple of the reference data as JSON) with 1, 4 and 16 connections.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.http import BIN, ENGINE, _free_port, _query_url, _server, _wrk

POINT = "SELECT ?p ?o WHERE { <https://w3id.org/4p1000/id/activity/A1.05> ?p ?o }"
LARGE = "SELECT * WHERE { ?s ?p ?o }"
QUERIES = {"point": POINT, "engine": ENGINE, "large": LARGE}
CONNECTIONS = (1, 4, 16)


def measure(store: Path, loop: str, duration: int) -> dict[str, dict[int, dict[str, Any]]]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}/sparql"
    command = [str(BIN / "sic"), "serve", "--store", str(store), "--port", str(port)]
    env = {**os.environ, "SIC_ANSWER_CACHE_MB": "0"}
    out: dict[str, dict[int, dict[str, Any]]] = {}
    with _server([*command, "--loop", loop], base, 300, env=env):
        for name, query in QUERIES.items():
            url = _query_url(base, query, "&format=json")
            _wrk(url, 1, 2)  # warm
            out[name] = {c: _wrk(url, c, duration) for c in CONNECTIONS}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per cell")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian package wrk)")
    root = Path(tempfile.mkdtemp(prefix="sic-bench-loops-"))
    try:
        store = root / "store"  # the first service fills it with the reference data
        figures = {loop: measure(store, loop, args.duration) for loop in ("uvloop", "asyncio")}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"wrk, {args.duration} s per cell, SIC_ANSWER_CACHE_MB=0; req/s and p95 ms\n")
    print(
        "| query | connections | uvloop req/s | asyncio req/s | uvloop/asyncio | p95 uv | p95 as |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in QUERIES:
        for c in CONNECTIONS:
            uv, aio = figures["uvloop"][name][c], figures["asyncio"][name][c]
            print(
                f"| {name} | {c} | {uv['rps']:,.0f} | {aio['rps']:,.0f} "
                f"| {uv['rps'] / aio['rps']:.2f}x | {uv['p95']:.1f} | {aio['p95']:.1f} |"
            )


if __name__ == "__main__":
    main()
