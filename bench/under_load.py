"""Point queries while runaways and a large upload run: `python -m bench.under_load`.

One `sic serve` on the reference data, every answer computed (SIC_ANSWER_CACHE_MB=0), all on
127.0.0.1. wrk sends point queries on 16 connections, first alone (the baseline, same run),
then while 4 clients keep sending runaway queries (each stopped at SIC_QUERY_TIMEOUT and sent
again), then while one client keeps uploading 200,000 triples (10 MB of N-Triples, a Graph Store
PUT), then with both.
Reported: point-query throughput and p50/p95/p99, and what the runaways and uploads got.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.http import BIN, _free_port, _query_url, _server, _wrk

POINT = "SELECT ?p ?o WHERE { <https://w3id.org/4p1000/id/activity/A1.05> ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } # "
PHASES = (
    ("alone", 0, False),
    ("4 runaway queries", 4, False),
    ("uploads of 200k triples", 0, True),
    ("both", 4, True),
)
"""(name, runaway clients, an upload client) of each phase, measured one after the other."""
TOKEN = secrets.token_urlsafe(24)  # this run only


def _runaways(base: str, stop: threading.Event, got: Counter[str]) -> None:
    with httpx.Client(timeout=120) as client:
        n = 0
        while not stop.is_set():
            n += 1
            r = client.get(f"{base}/sparql", params={"query": f"{RUNAWAY}{n}"})
            got[f"runaway {r.status_code}"] += 1


def _uploads(base: str, stop: threading.Event, got: Counter[str], took: list[float]) -> None:
    body = b"".join(
        b'<http://example.org/s%d> <http://example.org/p> "v%d" .\n' % (i, i)
        for i in range(200_000)
    )
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"}
    with httpx.Client(timeout=300) as client:
        while not stop.is_set():
            start = time.perf_counter()
            r = client.put(
                f"{base}/data", params={"graph": "http://example.org/upload"}, content=body,
                headers=headers,
            )  # fmt: skip
            took.append(time.perf_counter() - start)
            got[f"upload {r.status_code}"] += 1


def measure(duration: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="sic-bench-under-load-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(BIN / "sic"), "serve", "--store", str(root / "store"), "--port", str(port)]
    env = {
        **os.environ,
        "SIC_ANSWER_CACHE_MB": "0",
        "SIC_WRITE_TOKEN": TOKEN,
        "SIC_UPDATE_TIMEOUT": "60",
    }
    url = _query_url(f"{base}/sparql", POINT, "&format=json")
    phases: dict[str, Any] = {}
    got: Counter[str] = Counter()
    took: list[float] = []
    try:
        with _server(command, f"{base}/sparql", 300, env=env):
            _wrk(url, 1, 2)  # warm
            for phase, runaways, upload in PHASES:
                stop = threading.Event()
                threads = [
                    threading.Thread(target=_runaways, args=(base, stop, got))
                    for _ in range(runaways)
                ]
                if upload:
                    threads.append(threading.Thread(target=_uploads, args=(base, stop, got, took)))
                for t in threads:
                    t.start()
                if threads:
                    time.sleep(3)  # the runaways are running, the first upload on its way
                phases[phase] = _wrk(url, 16, duration)
                stop.set()
                for t in threads:
                    t.join()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {"phases": phases, "got": dict(got), "upload_s": took}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per phase")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian package wrk)")
    r = measure(args.duration)
    print(f"wrk, 16 connections of point queries, {args.duration} s per phase\n")
    print("| phase | req/s | p50 ms | p95 ms | p99 ms | errors | non-2xx |")
    print("|---|---|---|---|---|---|---|")
    for phase, w in r["phases"].items():
        print(
            f"| {phase} | {w['rps']:,.0f} | {w['p50']:.1f} | {w['p95']:.1f} | {w['p99']:.1f} "
            f"| {w['errors']} | {w['non2xx']} |"
        )
    uploads = ", ".join(f"{s:.1f}" for s in r["upload_s"])
    print(f"\nmeanwhile: {r['got']}; each upload took (s): {uploads}")


if __name__ == "__main__":
    main()
