"""The command line read through a pipe: `sic` run as a process whose standard output is a pipe.

A person pipes `sic gaps` into `less`, `grep` or a file: every row must stay on one line (no
wrapping at 80 columns, no word cut in two), each table must say what it is, nothing may be
read as rich markup (`rdfs:label:` is not an emoji code), `--format csv` must give one value
per cell and `--help` must name what options take, not Python types.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLANTED = ROOT / "tests" / "data" / "workbooks" / "planted"
SHAPES = ROOT / "tests" / "data" / "shapes"
BOX = set("│┃┏┓┗┛━─┡┩╇╈┼╭╮╰╯")


def sic(*args: str) -> subprocess.CompletedProcess[str]:
    """`sic ARGS` with standard output and error as pipes, in an 80-column environment."""
    command = [str(Path(sys.executable).parent / "sic"), *args]
    env = {**os.environ, "COLUMNS": "80", "TERM": "xterm-256color"}
    env.pop("FORCE_COLOR", None)
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("pipe") / "store"
    done = sic("load", str(PLANTED), "--store", str(folder))
    assert done.returncode == 0, done.stderr
    return str(folder)


def _tables(text: str) -> list[list[str]]:
    """The plain tables of a command's output: blocks from a title to their `N rows` line."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        blocks[-1].append(line)
        if line.endswith((" rows", " row")) and line.split()[0].isdigit():
            blocks.append([])
    return [b for b in blocks if b]


def test_gaps_prints_two_titled_tables_one_line_per_row(store: str) -> None:
    done = sic("gaps", "--store", store)
    assert done.returncode == 0, done.stderr
    assert not BOX & set(done.stdout) and "\x1b[" not in done.stdout
    uncovered, coverage = _tables(done.stdout)
    assert uncovered[0] == "Global-Facility activities that no live project addresses (the gaps)"
    assert uncovered[1].split() == [
        "activity",
        "title",
        "objective",
        "category",
        "facility",
        "finished_projects",
        "waiting_links",
    ]
    assert [line.split()[0] for line in uncovered[2:-1]] == ["A1.02", "A2.02", "B1.01"]
    assert uncovered[-1] == "3 rows"
    assert coverage[0] == "Coverage per objective"
    assert coverage[1].split()[0] == "objective" and coverage[1].split()[-1] == "title"
    objectives = [line.split()[0] for line in coverage[2:-1]]
    assert objectives == sorted(objectives) and len(objectives) == int(coverage[-1].split()[0])
    # each objective's whole title on its row, however long: nothing wrapped or cut
    titles = {row.split()[0]: row for row in coverage[2:-1]}
    query = sic("query", "coverage-by-objective", "--store", store, "--format", "csv")
    for row in csv.DictReader(io.StringIO(query.stdout)):
        assert titles[row["objective"]].endswith(row["title"])
    assert "3 uncovered Global-Facility activities" in done.stderr


def test_long_rows_are_not_wrapped_in_a_pipe(store: str) -> None:
    done = sic(
        "query", "partnership-opportunities", "-p", "organisation=peat-lab", "--store", store
    )
    assert done.returncode == 0, done.stderr
    (table,) = _tables(done.stdout)
    assert (
        table[0] == "Pairs of organisations with shared interests that have never worked together"
    )
    header = table[1]
    assert header.split()[0] == "organisation_a" and "partnership-" not in done.stdout
    rows = table[2:-1]
    assert len(rows) == int(table[-1].split()[0]) > 0
    assert all(row.split()[0] == "peat-lab" for row in rows)
    assert max(len(line) for line in done.stdout.splitlines()) > 80  # wide, and left so


def test_match_csv_has_one_column_per_reason(store: str) -> None:
    done = sic("match", "B1.01", "--top", "2", "--store", store, "--format", "csv")
    assert done.returncode == 0, done.stderr
    reader = csv.DictReader(io.StringIO(done.stdout))
    rows = list(reader)
    assert reader.fieldnames is not None
    assert "reasons" not in reader.fieldnames and "signals" not in reader.fieldnames
    reasons = [f for f in reader.fieldnames if f.startswith("reasons.")]
    assert "reasons.activity_topics" in reasons
    assert "signals.activity_topics" in reader.fieldnames
    assert [r["organisation"] for r in rows] == ["peat-lab", "bog-institute"]
    assert rows[0]["reasons.activity_topics"].startswith("Shares 2 of 2 topics")
    assert float(rows[0]["signals.activity_topics"]) > 0
    assert not any(cell.lstrip().startswith(("[", "{")) for r in rows for cell in r.values())


def test_a_violation_is_printed_as_text_not_markup() -> None:
    done = sic("validate", str(SHAPES / "person-label-bad.ttl"))
    assert done.returncode == 1
    assert "rdfs:label:" in done.stdout  # rich would read ':label:' as an emoji code
    assert "\N{LABEL}" not in done.stdout + done.stderr
    assert "does not conform" in done.stderr and "nothing was stored" not in done.stderr


@pytest.mark.parametrize("command", [[], ["load"], ["query"], ["serve"], ["validate"], ["match"]])
def test_help_names_what_options_take(command: list[str]) -> None:
    done = sic(*command, "--help")
    assert done.returncode == 0, done.stderr
    for python_type in ("<bool>", "<list[", "<str>", "<int>", "<path>", "<Path>", "{paths}"):
        assert python_type not in done.stdout, python_type
    assert not BOX & set(done.stdout)
    if command == ["query"]:
        assert "--param NAME=VALUE" in done.stdout and "--store DIR" in done.stdout
    if command == ["load"]:
        assert "Usage: sic load [OPTIONS] PATH..." in done.stdout


def test_validate_and_load_report_every_problem_in_one_pass(tmp_path: Path) -> None:
    broken = ROOT / "tests" / "data" / "workbooks" / "broken-and-rule"
    where = [
        "objectives.csv, row 3, column 'facility'",
        "projects.csv, row 2, column 'start'",
        "funding.csv, row 5, column 'amount'",
    ]
    checked = sic("validate", str(broken))
    assert checked.returncode == 1
    assert [
        line.split(": ")[0].removeprefix("error ") for line in checked.stderr.splitlines()[:3]
    ] == where
    assert checked.stderr.splitlines()[-1] == "3 problem(s)"  # validate never stores anything
    loaded = sic("load", str(broken), "--store", str(tmp_path / "store"))
    assert loaded.returncode == 1
    assert loaded.stderr.splitlines()[-1] == "3 problem(s); nothing was stored."
    # a rule's problem, found in the same pass, in the language asked for
    french = sic("validate", str(broken), "--lang", "fr").stderr.splitlines()
    assert french[2].startswith(
        "erreur funding.csv, ligne 5, colonne 'amount' : Un financement doit"
    )
    assert french[2].endswith("(valeur : -100000)")
    assert french[-1] == "3 problème(s)"


def test_validate_says_the_rules_in_french_through_a_pipe() -> None:
    """Issue 17: `--lang fr` (or SIC_LANG) says each rule's sentence in French, the value
    filled in; --format json keeps the English `message` and adds `translated`."""
    bad = str(SHAPES / "activity-code-prefix-bad.ttl")
    done = sic("validate", bad, "--lang", "fr")
    assert done.returncode == 1, done.stderr
    assert "Le code d'une activité (colonne 'code') doit commencer par" in done.stdout
    assert "An activity's code" not in done.stdout and "{?" not in done.stdout
    assert "\x1b[" not in done.stdout
    env = {**os.environ, "COLUMNS": "80", "SIC_LANG": "es"}
    spanish = subprocess.run(
        [str(Path(sys.executable).parent / "sic"), "validate", bad],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "El código de una actividad (columna 'code') debe empezar" in spanish.stdout
    as_json = sic("validate", bad, "--lang", "fr", "--format", "json")
    records = json.loads(as_json.stdout)
    prefix = [r for r in records if r["source_shape"] == "sicsh:Activity-codePrefix"]
    assert prefix and prefix[0]["message"].startswith("An activity's code")
    assert prefix[0]["translated"]["lang"] == "fr"
    assert prefix[0]["translated"]["message"].startswith("Le code d'une activité")
    wrong = sic("validate", bad, "--lang", "de")
    assert wrong.returncode == 2 and "de" in wrong.stderr


def test_a_refused_load_says_the_rules_in_french_through_a_pipe(tmp_path: Path) -> None:
    bad = str(SHAPES / "activity-code-prefix-bad.ttl")
    done = sic("load", bad, "--store", str(tmp_path / "store"), "--lang", "fr")
    assert done.returncode == 1, done.stderr
    assert "doit commencer par le code de son objectif" in done.stderr
    assert "must start with the code of its objective" not in done.stderr


def test_validate_says_the_loader_s_own_problems_in_french_through_a_pipe() -> None:
    """Issue 17: a workbook's structural problems (a bad cell value, an unknown code), not only
    the rules', are said in the language asked for; the values stay as typed."""
    broken = str(ROOT / "tests" / "data" / "workbooks" / "broken-and-rule")
    french = sic("validate", broken, "--lang", "fr")
    assert french.returncode == 1
    lines = french.stderr.splitlines()
    assert lines[0] == (
        "erreur objectives.csv, ligne 3, colonne 'facility' : "
        "type de dispositif : valeur inconnue 'Global Facility' ; valeurs possibles : core, global"
    )
    assert lines[1] == (
        "erreur projects.csv, ligne 2, colonne 'start' : "
        "date invalide '2023-13-01' : le mois doit être entre 1 et 12"
    )
    assert "unknown facility" not in french.stderr and "bad date" not in french.stderr
    spanish = sic("validate", broken, "--lang", "es").stderr
    assert "fecha no válida '2023-13-01': el mes debe estar entre 1 y 12" in spanish
    english = sic("validate", broken).stderr
    assert "bad date '2023-13-01': month must be in 1..12" in english
