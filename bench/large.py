"""Embedded or remote: load, whole-graph validation and the catalogue on one N-Triples file.

Why: the other sections measure the embedded store at S and M, where it wins. The README must
say at what size a SPARQL server becomes the better home for the data, so this measures, once
and in one run on the same file, the embedded store and Oxigraph server reached through the
remote backend (graph/remote.py), each the way a user would meet it:

- load: `sic load FILE` (the ontology, then the file as one source), with its phases and peak
  memory; beside it the floor, `oxigraph load` of the same file;
- validation: `sic validate` on the store (whole graph);
- catalogue: the time to build the network projections (`queries.network.keep_up`), then every
  question once cold (its first call) and once warm (answers forgotten, so it is computed).

Every step runs in a forked child under a time budget: a step that would take hours is
reported as over its budget, and what it finished before (a catalogue's first questions)
is kept. CPU is the child's user+sys (and the server's, for the remote steps); memory its peak
resident set. Usage:

    python -m bench.generate L --out /tmp/L
    python -m bench.large /tmp/L/data.nt --size L --out bench/large-L.json [--budget 1800]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.measure import machine
from bench.queries import PARAMS

Record = dict[str, Any]
Step = Callable[[], Iterator[Record]]

TIMEOUT = 120.0  # SIC_ENDPOINT_TIMEOUT's default: what a user's remote store gets


def _cpu_of(pid: int) -> float:
    """User+sys seconds a live process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _memory_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory now (VmRSS) or at its peak (VmHWM), in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


MEMORY_MB = 12_000.0
"""The step and the server together may hold this much: the machine is shared, and a step
that would need more is a finding to report, not a reason to push others out of memory."""


def run_step(step: Step, budget: float, server: int | None = None) -> Record:
    """Run `step` in a forked child; merge what it yields; stop it after `budget` seconds or
    once it and the server hold more than MEMORY_MB."""
    read, write = os.pipe()
    server_cpu = _cpu_of(server) if server else 0.0
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: stream each record as one JSON line
        os.close(read)
        with os.fdopen(write, "w") as out:
            try:
                for record in step():
                    out.write(json.dumps(record) + "\n")
                    out.flush()
                code = 0
            except BaseException as exc:
                out.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:2000]}) + "\n")
                traceback.print_exc()
                code = 1
        os._exit(code)
    os.close(write)
    result: Record = {}
    buffer = b""
    while True:
        left = budget - (time.perf_counter() - started)
        held = _memory_mb(pid) + (_memory_mb(server) if server else 0.0)
        if left <= 0 or held > MEMORY_MB:
            os.kill(pid, signal.SIGKILL)
            if left <= 0:
                result["over_budget_s"] = budget
            else:
                result["over_memory_mb"] = round(held)
            break
        ready, _, _ = select.select([read], [], [], min(left, 5.0))
        if not ready:
            continue
        chunk = os.read(read, 1 << 16)
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            _merge(result, json.loads(line))
    os.close(read)
    _, _, usage = os.wait4(pid, 0)
    result["wall_s"] = round(time.perf_counter() - started, 2)
    result["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 2)
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024)
    if server:
        result["server_cpu_s"] = round(_cpu_of(server) - server_cpu, 2)
    return result


def _merge(into: Record, record: Record) -> None:
    for key, value in record.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            into[key].update(value)
        else:
            into[key] = value


def load_step(open_store: Callable[[], Any], nt: Path) -> Step:
    """`sic load FILE`: the ontology, then the file as one source; phases as the CLI shows."""

    def step() -> Iterator[Record]:
        from graph.bootstrap import ensure_ontology
        from loaders.source import read_source
        from sic.progress import Step as Progress

        phases: dict[str, float] = {}

        def progress(s: Progress) -> None:
            if s.finished:
                phases[s.phase] = round(s.elapsed, 2)

        with open_store() as store:
            started = time.perf_counter()
            ensure_ontology(store, command="bench.large")
            yield {"ontology_s": round(time.perf_counter() - started, 2)}
            started = time.perf_counter()
            (info,) = store.load_source(
                read_source(nt, base=store.base), command="bench.large", progress=progress
            )
            yield {"load_s": round(time.perf_counter() - started, 2), "phases": phases}
            yield {"triples": info.triples}

    return step


def validate_step(open_store: Callable[[], Any]) -> Step:
    """`sic validate` on the store: every SHACL result over the whole published union."""

    def step() -> Iterator[Record]:
        with open_store() as store:
            started = time.perf_counter()
            found = store.validate_all()
            errors = sum(1 for v in found if v.severity == "Violation")
            yield {"validate_s": round(time.perf_counter() - started, 2), "violations": errors}
            yield {"results": len(found)}

    return step


def catalogue_step(open_store: Callable[[], Any]) -> Step:
    """The projections built once, then each question cold (first call) and warm (computed)."""

    def step() -> Iterator[Record]:
        from queries import catalogue, network
        from sic.errors import KGError

        with open_store() as store:
            started, cpu = time.perf_counter(), time.process_time()
            network.keep_up(store)
            yield {
                "keep_up_s": round(time.perf_counter() - started, 2),
                "keep_up_cpu_s": round(time.process_time() - cpu, 2),  # this process only
            }
            for q in catalogue.questions():
                params = PARAMS.get(q.name, {})
                row: Record = {}
                try:
                    for run in ("cold", "warm"):
                        network.projections(store)._answers.clear()
                        started = time.perf_counter()
                        answer = catalogue.run(store, q.name, params)
                        row[run] = round(time.perf_counter() - started, 3)
                    row["rows"] = len(answer.rows)
                except KGError as exc:  # one question's failure is a finding, not the end
                    row["error"] = f"{type(exc).__name__}: {exc}"[:500]
                yield {"questions": {q.name: row}}

    return step


def bulk_step(path: Path, location: Path) -> Step:
    """`oxigraph load` of a file into a fresh server database: the engine's bulk loader (the
    floor for the N-Triples file, the move for a dump)."""

    def step() -> Iterator[Record]:
        from tests.graph.servers import oxigraph_program

        location.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        done = subprocess.run(
            [oxigraph_program(), "load", "--location", str(location), "--file", str(path)],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr.decode(errors="replace")[-1000:])
        yield {"load_s": round(time.perf_counter() - started, 2)}

    return step


def export_step(folder: Path, dump: Path) -> Step:
    """`sic export` of an embedded store to N-Quads: what a server is moved from."""

    def step() -> Iterator[Record]:
        import pyoxigraph as ox

        from graph.embedded import EmbeddedStore

        started = time.perf_counter()
        with EmbeddedStore(folder) as store, dump.open("wb") as out:
            store.dump(out, ox.RdfFormat.N_QUADS)
        yield {"export_s": round(time.perf_counter() - started, 2)}
        yield {"dump_mb": round(dump.stat().st_size / 2**20)}

    return step


def embedded(nt: Path, root: Path, budget: float) -> Record:
    from graph.embedded import EmbeddedStore

    folder = root / "embedded"

    def open_store() -> Any:
        return EmbeddedStore(folder)

    out: Record = {"load": run_step(load_step(open_store, nt), budget)}
    if "load_s" in out["load"]:
        out["validate"] = run_step(validate_step(open_store), budget)
        out["catalogue"] = run_step(catalogue_step(open_store), budget)
    out["disk_mb"] = _size_mb(folder)
    return out


def _served(folder: Path, out: Record, steps: Callable[[Callable[[], Any], int], None]) -> None:
    """Start Oxigraph server on `folder`/db, run `steps` with a RemoteStore opener and the
    server's pid, and record the server's peak memory and disk."""
    from graph.remote import RemoteStore
    from tests.graph.servers import start_oxigraph

    server = start_oxigraph(folder)
    try:

        def open_store() -> Any:
            return RemoteStore(
                server.query, update_endpoint=server.update, gsp_endpoint=server.gsp,
                timeout=TIMEOUT,
            )  # fmt: skip

        steps(open_store, server.process.pid)
        out["server_peak_rss_mb"] = round(_memory_mb(server.process.pid, "VmHWM"))
    finally:
        server.stop()
    out["disk_mb"] = _size_mb(folder / "db")


def remote(
    nt: Path, root: Path, budget: float, moved: Path | None, dump: Path | None = None
) -> Record:
    """`sic load` through the remote backend; then, given an embedded store (`moved`) or its
    `sic export` dump, the move the README advises: `sic export`, `oxigraph load` of the dump,
    `oxigraph serve`. Validation and the catalogue run on the server the move filled, else on
    the loaded one."""
    out: Record = {"floor": run_step(bulk_step(nt, root / "floor"), budget)}
    shutil.rmtree(root / "floor", ignore_errors=True)

    def read(open_store: Callable[[], Any], pid: int) -> None:
        out["validate"] = run_step(validate_step(open_store), budget, pid)
        out["catalogue"] = run_step(catalogue_step(open_store), budget, pid)

    def load(open_store: Callable[[], Any], pid: int) -> None:
        out["load"] = run_step(load_step(open_store, nt), budget, pid)
        if "load_s" in out["load"] and moved is None and dump is None:
            read(open_store, pid)

    _served(root / "server", out, load)
    shutil.rmtree(root / "server", ignore_errors=True)
    if moved is not None or dump is not None:
        if dump is None and moved is not None:
            dump = root / "dump.nq"
            out["export"] = run_step(export_step(moved, dump), budget)
        assert dump is not None
        out["bulk_load_dump"] = run_step(bulk_step(dump, root / "moved" / "db"), budget)
        if dump.is_relative_to(root):
            dump.unlink(missing_ok=True)
        if "load_s" in out["bulk_load_dump"]:
            out["moved"] = {}
            _served(root / "moved", out["moved"], read)
    return out


def _size_mb(folder: Path) -> int:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ntriples", type=Path)
    parser.add_argument("--size", required=True, help="label: M, L")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--budget", type=float, default=1800.0, help="seconds per step")
    parser.add_argument("--only", choices=["embedded", "remote"])
    parser.add_argument(
        "--move",
        type=Path,
        help="an embedded store holding the file, moved to the server (default: the one the "
        "embedded section loaded in this run)",
    )
    parser.add_argument("--dump", type=Path, help="its `sic export` dump, made already")
    args = parser.parse_args(argv)
    result: Record = {"size": args.size, "file": str(args.ntriples)}
    if args.out.exists():  # keep the other backend's figures when re-running one
        result = json.loads(args.out.read_text())
    result["lines"] = sum(1 for _ in args.ntriples.open("rb"))
    result["machine"] = machine()
    root = Path(tempfile.mkdtemp(prefix="sic-bench-large-"))
    try:
        for name in ("embedded", "remote"):
            if args.only not in (None, name):
                continue
            when = {
                "started": dt.datetime.now().isoformat(timespec="seconds"),
                "load_average": os.getloadavg(),
                "budget_s": args.budget,
                "command": "python -m bench.large " + " ".join(argv or sys.argv[1:]),
            }
            if name == "embedded":
                figures = embedded(args.ntriples, root, args.budget)
            else:
                moved = args.move or root / "embedded"
                figures = remote(
                    args.ntriples,
                    root,
                    args.budget,
                    moved if moved.exists() else None,
                    args.dump,
                )
            result[name] = {**when, **figures}
            result[name]["load_average_after"] = os.getloadavg()
            args.out.write_text(json.dumps(result, indent=1) + "\n")
            print(json.dumps({name: result[name]}, indent=1), flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
