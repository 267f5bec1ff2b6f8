"""The HTTP service under load: ours, the closest peer and the floor, with wrk on loopback.

- ours: `sic serve` on the store the other sections loaded, as configured by default (answers
  kept per store version, data held in memory), and again with SIC_ANSWER_CACHE_MB=0, where
  every request is computed: wrk repeats one query, so the first shows a kept answer served
  again and the second what computing it costs; and a third time computing from the disk store
  (SIC_MEMORY_COPY_LIMIT=0 too), with each one's start-up time and memory;
- peer: rdflib-endpoint (FastAPI over rdflib, from PyPI) serving the same N-Triples file;
- floor: Oxigraph server (the Rust engine behind pyoxigraph) on the same file;
- Python floor: a bare ASGI app under uvicorn answering a fixed result (bench.bare_asgi), the
  most any one-process Python HTTP front can answer here, whatever it computes.
Each is started on a free 127.0.0.1 port, warmed, measured with 1, 4 and 16 connections, and
stopped. Point query: one organisation's triples. Engine-bound query: projects per objective.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
POINT = "SELECT ?p ?o WHERE { <https://w3id.org/4p1000/id/organisation/org000001> ?p ?o }"
ENGINE = (
    "PREFIX sic: <https://w3id.org/4p1000/ontology#> "
    "SELECT ?objective (COUNT(?project) AS ?projects) WHERE { "
    "?project sic:addresses ?activity . ?activity sic:objective ?objective } "
    "GROUP BY ?objective ORDER BY ?objective"
)
CONNECTIONS = (1, 4, 16)
_BARE_FLAGS = ("--host", "127.0.0.1", "--loop", "asyncio", "--http", "httptools",
               "--no-access-log", "--log-level", "warning", "--port")  # fmt: skip
CONFIGS: dict[str, dict[str, str]] = {
    "ours": {"SIC_FIT_TIMEOUT": "0"},
    "ours_uncached": {"SIC_ANSWER_CACHE_MB": "0", "SIC_FIT_TIMEOUT": "0"},
    "ours_disk": {"SIC_ANSWER_CACHE_MB": "0", "SIC_MEMORY_COPY_LIMIT": "0", "SIC_FIT_TIMEOUT": "0"},
    "ours_one_process": {
        "SIC_ANSWER_CACHE_MB": "0",
        "SIC_HTTP_PROCESSES": "0",
        "SIC_FIT_TIMEOUT": "0",
    },
}
"""How ours is started: as configured; every answer computed; computed from the disk store;
computed with one HTTP process handing every request to a query worker (as before
api.http_processes).

The rankings' weights are not fitted (SIC_FIT_TIMEOUT=0): a fit at start holds one of the two
cores for a minute or two at M, which would be measured instead of the HTTP path."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status < 500:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"server at {url} did not come up in {timeout:.0f} s")


def _pss_mb(pid: int) -> float:
    """Proportional set size of a process and its descendants: pages they share count once."""
    total_kb = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total_kb += next(
                    (int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0
                )
            # children are listed per thread: the workers are forked by the store's thread
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending += [int(c) for c in children.read().split()]
        except OSError:
            continue  # gone meanwhile, or /proc without these files
    return total_kb / 1024


@dataclass
class _Started:
    """A server the benchmark started: how long it took to answer, and its process."""

    seconds: float
    pid: int

    def memory_mb(self) -> float:
        return _pss_mb(self.pid)


@contextmanager
def _server(
    cmd: list[str], probe: str, timeout: float, env: dict[str, str] | None = None
) -> Iterator[_Started]:
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        _wait(probe, timeout)
        yield _Started(time.monotonic() - start, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wrk(
    url: str,
    connections: int,
    duration: int,
    script: str = "report.lua",
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    cmd = [
        "wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{duration}s",
        "--timeout", "30s", "-s", str(HERE / "wrk" / script), url,
    ]  # fmt: skip
    out = subprocess.run(
        cmd, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("{"))
    result: dict[str, Any] = json.loads(line)
    for key in ("p50", "p95", "p99"):
        result[key] = result[key] / 1000  # ms
    return result


def _organisations(sparql_url: str) -> int:
    """How many generated organisations (org000000, org000001, ...) the service holds."""
    query = (
        "SELECT (COUNT(?o) AS ?n) WHERE { ?o a <https://w3id.org/4p1000/ontology#Organisation> "
        'FILTER (STRSTARTS(STR(?o), "https://w3id.org/4p1000/id/organisation/org")) }'
    )
    request = urllib.request.Request(
        _query_url(sparql_url, query), headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.load(response)
    return max(1, int(answer["results"]["bindings"][0]["n"]["value"]))


def _query_url(base: str, query: str, accept_param: str = "") -> str:
    return f"{base}?query={urllib.parse.quote(query)}{accept_param}"


def _measure(sparql_url: str, duration: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, query in (("point", POINT), ("engine", ENGINE)):
        url = _query_url(sparql_url, query)
        _wrk(url, 1, 2)  # warm
        out[name] = {str(c): _wrk(url, c, duration) for c in CONNECTIONS}
    return out


def http_section(
    store_dir: Path, nt: Path, duration: int = 10, *, peer: bool = True
) -> dict[str, Any]:
    """Throughput and latency of ours, the peer and the floor (see the module docstring).

    `peer=False` leaves rdflib-endpoint out (it takes many minutes to parse a large file).
    """
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (Debian package wrk)"}
    results: dict[str, Any] = {"duration_s": duration, "connections": list(CONNECTIONS)}

    for config, env in CONFIGS.items():
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with _server(
            [str(BIN / "sic"), "serve", "--store", str(store_dir), "--port", str(port)],
            base + "/sparql",
            300,
            env={**os.environ, **env},
        ) as started:
            results[config] = _measure(base + "/sparql", duration)
            results[config]["startup_s"] = started.seconds
            results[config]["memory_mb"] = started.memory_mb()
            if config in ("ours", "ours_uncached", "ours_one_process"):
                # a crawler's pattern: every organisation's IRI in turn, so that computed,
                # no description is ever served twice within a cell
                count = {"SIC_BENCH_ID_COUNT": str(_organisations(base + "/sparql"))}
                _wrk(base + "/id/organisation/org000001", 1, 2, "ids.lua", env=count)
                results[config]["id_lookup"] = {
                    str(c): _wrk(base, c, duration, "ids.lua", env=count) for c in CONNECTIONS
                }

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with _server(
        [sys.executable, "-m", "uvicorn", "bench.bare_asgi:app", *_BARE_FLAGS, str(port)],
        base + "/sparql",
        60,
    ):
        results["python_floor"] = _measure(base + "/sparql", duration)

    if peer:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with _server(
            [
                str(BIN / "rdflib-endpoint"),
                "serve",
                str(nt),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            base + "/?query=ASK%7B%7D",  # rdflib-endpoint's CLI serves SPARQL at the root path
            1800,
        ):
            results["peer"] = _measure(base + "/", duration)

    location = Path(tempfile.mkdtemp(prefix="sic-bench-oxigraph-"))
    try:
        subprocess.run(
            [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(nt)],
            check=True,
            capture_output=True,
        )
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with _server(
            [
                str(BIN / "oxigraph"),
                "serve-read-only",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            base + "/query?query=ASK%7B%7D",
            120,
        ):
            results["floor"] = _measure(base + "/query", duration)
    finally:
        shutil.rmtree(location, ignore_errors=True)
    for kind in ("point", "engine"):
        for c in CONNECTIONS:
            ours = results["ours"][kind][str(c)]["rps"]
            uncached = results["ours_uncached"][kind][str(c)]["rps"]
            peer_rps = max(results["peer"][kind][str(c)]["rps"], 1e-9) if peer else float("nan")
            results.setdefault("ratios", {})[f"{kind}@{c}"] = {
                "ours_over_peer": ours / peer_rps,
                "uncached_over_peer": uncached / peer_rps,
                "ours_over_floor": ours / max(results["floor"][kind][str(c)]["rps"], 1e-9),
                "uncached_over_floor": uncached / max(results["floor"][kind][str(c)]["rps"], 1e-9),
                "one_process_over_floor": results["ours_one_process"][kind][str(c)]["rps"]
                / max(results["floor"][kind][str(c)]["rps"], 1e-9),
                "python_floor_over_floor": results["python_floor"][kind][str(c)]["rps"]
                / max(results["floor"][kind][str(c)]["rps"], 1e-9),
            }
    return results


def main() -> None:
    """`python -m bench.http STORE NTRIPLES [--duration S] [--no-peer] [--json FILE]`."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path, help="store folder `sic serve` opens")
    parser.add_argument("ntriples", type=Path, help="the same data as N-Triples (the others)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per cell")
    parser.add_argument("--no-peer", action="store_true", help="leave rdflib-endpoint out")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    results = http_section(args.store, args.ntriples, args.duration, peer=not args.no_peer)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if "peer" not in results:
        results["peer"] = {
            kind: {str(c): {"rps": float("nan"), "p50": 0.0, "p95": 0.0, "p99": 0.0}
                   for c in CONNECTIONS}
            for kind in ("point", "engine")
        }  # fmt: skip
    from bench.report import _http_table

    print("\n".join(_http_table({"http": results})))


if __name__ == "__main__":
    main()
