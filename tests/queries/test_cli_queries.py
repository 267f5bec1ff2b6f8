"""`sic queries`, `sic query`, `sic match` and `sic gaps` over the planted workbook."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.remote import RemoteStore

PLANTED = Path(__file__).resolve().parents[2] / "tests" / "data" / "workbooks" / "planted"
runner = CliRunner()


def sic(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "220"})
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("cli") / "store"
    code, out = sic("load", str(PLANTED), "--store", str(folder))
    assert code == 0, out
    return str(folder)


def test_the_catalogue_with_its_parameters() -> None:
    code, out = sic("queries", "--format", "json")
    assert code == 0, out
    found = {q["name"]: q for q in json.loads(out)}
    assert "candidates-for-activity" in found and "network-groups" not in found
    top = next(p for p in found["candidates-for-activity"]["params"] if p["name"] == "top")
    assert top == {
        "name": "top",
        "type": "integer",
        "required": False,
        "default": 10,
        "min": 1.0,
        "max": 200.0,
        "description": "how many candidates",
        "label": "How many",
    }
    code, out = sic("queries", "--all", "--format", "json")
    assert "network-groups" in {q["name"] for q in json.loads(out)}
    code, out = sic("queries")
    assert code == 0 and "uncovered-activities" in out and "activity: activity (required)" in out


def test_query_as_json_csv_and_table(store_dir: str) -> None:
    code, out = sic("query", "uncovered-activities", "--store", store_dir, "--format", "json")
    assert code == 0, out
    rows = json.loads(out)
    assert [r["activity"] for r in rows] == ["A1.02", "A2.02", "B1.01"]
    code, out = sic(
        "query",
        "funding-by-objective",
        "-p",
        "objective=A2",
        "--store",
        store_dir,
        "--format",
        "csv",
    )
    assert code == 0, out
    table = list(csv.DictReader(io.StringIO(out)))
    assert [(r["currency"], r["secured"]) for r in table] == [("EUR", "1100000"), ("USD", "100000")]
    code, out = sic("query", "brokers", "--store", store_dir)
    assert code == 0 and "bridge-ngo" in out and "rows" in out


def test_json_keeps_reasons_as_objects(store_dir: str) -> None:
    code, out = sic("match", "B1.01", "--top", "2", "--store", store_dir, "--format", "json")
    assert code == 0, out
    rows = json.loads(out)
    assert [r["organisation"] for r in rows] == ["peat-lab", "bog-institute"]
    reason = rows[0]["reasons"][0]
    assert set(reason) == {"signal", "weight", "value", "text", "evidence"}
    assert isinstance(rows[0]["signals"], dict)
    code, out = sic("match", "B1.01", "--store", store_dir, "--format", "csv")
    first = next(csv.DictReader(io.StringIO(out)))
    assert first["reasons.activity_topics"] == reason["text"]


def test_reasons_in_the_language_asked(store_dir: str) -> None:
    code, out = sic(
        "match", "B1.01", "--top", "1", "--lang", "fr", "--store", store_dir, "--format", "json"
    )
    assert code == 0, out
    assert json.loads(out)[0]["reasons"][0]["text"].startswith("Partage 2 des 2 thèmes")
    asked = ("query", "funders-for-activity", "-p", "activity=B1.01", "-p", "lang=es")
    code, out = sic(*asked, "-p", "as_of=2025-01-01", "--store", store_dir, "--format", "json")
    assert code == 0, out
    assert "Ningún proyecto sobre la actividad todavía" in out


def test_gaps(store_dir: str) -> None:
    code, out = sic("gaps", "--store", store_dir, "--format", "json")
    assert code == 0, out
    start = out.index("[")
    rows = json.loads(out[start : out.rindex("]") + 1])
    assert [r["activity"] for r in rows] == ["A1.02", "A2.02", "B1.01"]
    assert "3 uncovered Global-Facility activities" in out
    code, out = sic("gaps", "--objective", "B1", "--store", store_dir)
    assert code == 0 and "B1.01" in out and "in_preparation" in out and "A1.02" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("query", "nope"), "no question named 'nope'"),
        (("query", "uncovered-activities", "--param", "colour=red"), "unknown parameter 'colour'"),
        (("query", "uncovered-activities", "--param", "objective"), "expects NAME=VALUE"),
        (("query", "uncovered-activities", "--format", "xml"), "--format must be one of"),
        (("match", "Z9.99"), "no activity 'Z9.99'"),
        (("match", "B1.01", "--top", "0"), "at least 1"),
        (("match", "B1.01", "--lang", "de"), "must be one of en, fr, es, not 'de'"),
    ],
)
def test_usage_errors_exit_2(store_dir: str, args: tuple[str, ...], message: str) -> None:
    code, out = sic(*args, "--store", store_dir)
    assert code == 2
    assert message in " ".join(out.split())


def test_an_endpoint_that_cannot_be_reached_is_an_error() -> None:
    code, out = sic("gaps", "--endpoint", "http://127.0.0.1:9/sparql")
    assert code == 2 and "error" in out


@pytest.mark.server
def test_the_same_answers_from_a_remote_store(
    planted_remote: RemoteStore, oxigraph_server: Any
) -> None:
    endpoint = oxigraph_server.query
    code, out = sic("gaps", "--endpoint", endpoint, "--format", "json")
    assert code == 0, out
    rows = json.loads(out[out.index("[") : out.rindex("]") + 1])
    assert [r["activity"] for r in rows] == ["A1.02", "A2.02", "B1.01"]
    code, out = sic("match", "B1.01", "--top", "1", "--endpoint", endpoint, "--format", "json")
    assert code == 0, out
    assert json.loads(out)[0]["organisation"] == "peat-lab"
    code, out = sic(
        "query",
        "partnership-opportunities",
        "-p",
        "organisation=peat-lab",
        "-p",
        "top=1",
        "--endpoint",
        endpoint,
        "--format",
        "csv",
    )
    assert code == 0, out
    assert next(csv.DictReader(io.StringIO(out)))["organisation_b"] == "bog-institute"
