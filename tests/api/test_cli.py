from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_reference_loads_and_conforms(reference_store: Path) -> None:
    code, out = run("validate", "--store", str(reference_store))
    assert code == 0, out
    assert "conforms" in out
    code, out = run("sources", "--store", str(reference_store))
    assert code == 0 and "reference" in out and "ontology" in out


def test_stats(reference_store: Path) -> None:
    code, out = run("stats", "--store", str(reference_store))
    assert code == 0
    assert "sic:Activity" in out and "sic:Organisation" in out


def test_sparql_formats(reference_store: Path, tmp_path: Path) -> None:
    query = (
        "PREFIX sic: <https://w3id.org/4p1000/ontology#> "
        "SELECT ?o (COUNT(?a) AS ?n) WHERE { ?a a sic:Activity ; sic:objective ?o } "
        "GROUP BY ?o ORDER BY ?o"
    )
    code, out = run("sparql", query, "--store", str(reference_store), "--format", "csv")
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["o"].endswith("/id/objective/A1")
    assert sum(int(r["n"]) for r in rows) >= 40
    code, out = run("sparql", query, "--store", str(reference_store), "--format", "json")
    assert code == 0 and json.loads(out)["head"]["vars"] == ["o", "n"]
    rq = tmp_path / "q.rq"
    rq.write_text("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 3")
    code, out = run("sparql", f"@{rq}", "--store", str(reference_store), "--format", "ntriples")
    assert code == 0 and out.count(" .\n") == 3
    code, out = run("sparql", "SELEC nonsense", "--store", str(reference_store))
    assert code == 2 and "error" in out


def test_export_then_load_is_identical(reference_store: Path, tmp_path: Path) -> None:
    for fmt, ext in [("nquads", "nq"), ("trig", "trig"), ("jsonld", "jsonld")]:
        dump = tmp_path / f"dump.{ext}"  # a dump in any of them brings its own ontology
        code, out = run(
            "export", "--store", str(reference_store), "--format", fmt, "--out", str(dump)
        )
        assert code == 0, out
        fresh = tmp_path / f"fresh-{fmt}"
        code, out = run("load", str(dump), "--store", str(fresh))
        assert code == 0, out
        again = tmp_path / f"again-{fmt}.nq"
        code, _ = run("export", "--store", str(fresh), "--out", str(again))
        original = tmp_path / f"orig-{fmt}.nq"
        run("export", "--store", str(reference_store), "--out", str(original))
        a = ox.Dataset(ox.parse(path=str(original)))
        b = ox.Dataset(ox.parse(path=str(again)))
        assert len(a) == len(b) > 4000
        assert {str(q) for q in a} == {str(q) for q in b}


def test_broken_workbook_is_refused_with_every_problem_located(
    reference: Path, reference_store: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(reference, broken)
    lines = (broken / "activities.csv").read_text().splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    first[header.index("objective")] = "Z9"
    lines[1] = ",".join(first)
    (broken / "activities.csv").write_text("\n".join(lines) + "\n")
    projects = (broken / "projects.csv").read_text().splitlines()
    p_header = next(csv.reader([projects[0]]))
    row = next(csv.reader([projects[1]]))
    row[p_header.index("stage")] = "dreaming"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(row)
    projects[1] = buf.getvalue().rstrip("\n")
    (broken / "projects.csv").write_text("\n".join(projects) + "\n")

    store = tmp_path / "store"
    shutil.copytree(reference_store, store)
    before = run("export", "--store", str(store))[1]
    code, out = run("load", str(broken), "--store", str(store), "--replace")
    assert code == 1
    flat = " ".join(out.split())
    assert "activities.csv, row 2, column 'objective'" in flat
    assert "projects.csv, row 2, column 'stage'" in flat
    assert "nothing was stored" in flat
    assert run("export", "--store", str(store))[1] == before


def test_shacl_violation_traced_to_cell(reference: Path, tmp_path: Path) -> None:
    broken = tmp_path / "wb"
    shutil.copytree(reference, broken)
    with (broken / "projects.csv").open() as fh:
        projects = list(csv.DictReader(fh))
    fields = list(projects[0].keys())
    for p in projects:
        if p["start"] and p["end"]:
            p["start"], p["end"] = "2030-01-01", "2020-01-01"
            target = p["id"]
            break
    with (broken / "projects.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fields, lineterminator="\n")
        w.writeheader()
        w.writerows(projects)
    code, out = run("validate", str(broken), "--format", "json")
    assert code == 1
    found = [v for v in json.loads(out) if v["severity"] == "Violation"]
    assert any(
        v["file"] == "projects.csv" and v["focus_node"].endswith(f"/project/{target}")
        for v in found
    ), found
    code, out = run("validate", str(broken), "--format", "turtle")
    assert code == 1 and "sh:ValidationReport" in out


@pytest.mark.parametrize(
    "args", [["load"], ["export", "--format", "turtle"], ["validate", "--format", "yaml"]]
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    code, _ = run(*args, "--store", str(tmp_path / "s"))
    assert code == 2


def test_missing_path_is_reported(tmp_path: Path) -> None:
    code, out = run("load", str(tmp_path / "nope"), "--store", str(tmp_path / "s"))
    assert code == 1 and "no such file" in out


def _serve(store: Path, port: int, **env: str) -> subprocess.Popen[str]:
    sic = Path(sys.executable).parent / "sic"
    return subprocess.Popen(
        [str(sic), "serve", "--store", str(store), "--port", str(port)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **env},
    )


def _first_lines(proc: subprocess.Popen[str], until: str) -> str:
    assert proc.stderr is not None
    seen = ""
    deadline = time.monotonic() + 60
    while until not in seen and time.monotonic() < deadline and proc.poll() is None:
        seen += proc.stderr.readline()
    return seen


@pytest.mark.parametrize(
    ("env", "where"),
    [({}, "reading from memory"), ({"SIC_MEMORY_COPY_LIMIT": "0"}, "reading from the store")],
)
def test_serve_reads_the_reference_data_from_memory_unless_told_not_to(
    reference_store: Path, tmp_path: Path, env: dict[str, str], where: str
) -> None:
    copy = tmp_path / "store"
    shutil.copytree(reference_store, copy)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/4p1000/ontology#Activity> }"
    code, out = run("sparql", query, "--store", str(copy), "--format", "csv")
    assert code == 0, out
    expected = out.split()[-1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = _serve(copy, port, **env)
    try:
        assert where in _first_lines(proc, "serving on")
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/sparql", params={"query": query}, timeout=10
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.json()["results"]["bindings"][0]["n"]["value"] == expected != "0"
    finally:
        proc.terminate()
        proc.communicate(timeout=30)  # also closes the pipe
