"""The command line's own words in French and Spanish, read through a pipe.

`sic queries`, `sic query`, `sic match` and `sic gaps` take `--lang fr|es` (or SIC_LANG): the
tables' titles, the catalogue's column titles and `(required)`, the row counts and the summary
line of `sic gaps` are then in that language, while the columns of an answer keep the names
that csv and json use. English stays the default, word for word.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLANTED = ROOT / "tests" / "data" / "workbooks" / "planted"
QUESTIONS = ROOT / "queries" / "locales"


def sic(*args: str, lang: str | None = None) -> subprocess.CompletedProcess[str]:
    """`sic ARGS` through pipes, with SIC_LANG set to `lang` (or unset)."""
    command = [str(Path(sys.executable).parent / "sic"), *args]
    env = {**os.environ, "COLUMNS": "80", "TERM": "xterm-256color"}
    env.pop("FORCE_COLOR", None)
    env.pop("SIC_LANG", None)
    if lang is not None:
        env["SIC_LANG"] = lang
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def summary(name: str, lang: str) -> str:
    """A question's summary in `lang`, as the table's title shows it (no final stop)."""
    told = json.loads((QUESTIONS / f"questions.{lang}.json").read_text(encoding="utf-8"))
    return str(told[name]["summary"]).rstrip(".")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("languages") / "store"
    done = sic("load", str(PLANTED), "--store", str(folder))
    assert done.returncode == 0, done.stderr
    return str(folder)


@pytest.mark.parametrize(
    ("lang", "title", "header", "required"),
    [
        ("fr", "Questions", ["question", "paramètres", "résumé"], "(obligatoire)"),
        ("es", "Preguntas", ["pregunta", "parámetros", "resumen"], "(obligatorio)"),
    ],
)
def test_the_catalogue_table_in_the_chosen_language(
    lang: str, title: str, header: list[str], required: str
) -> None:
    for done in (sic("queries", "--lang", lang), sic("queries", lang=lang)):
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert lines[0] == title
        assert lines[1].split() == header
        assert required in done.stdout and "(required)" not in done.stdout
        assert summary("coverage-by-objective", lang) in done.stdout


def test_the_catalogue_table_in_english_by_default() -> None:
    lines = sic("queries").stdout.splitlines()
    assert lines[0] == "Questions"
    assert lines[1].split() == ["question", "parameters", "summary"]
    assert "(required)" in "\n".join(lines)


def test_gaps_in_french_from_sic_lang(store: str) -> None:
    done = sic("gaps", "--store", store, lang="fr")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == summary("uncovered-activities", "fr")
    assert "3 lignes" in lines
    assert "Couverture par objectif" in lines
    # the columns keep the names csv and json use
    assert lines[1].split()[:2] == ["activity", "title"]
    for english in ("rows", "Coverage per objective", "Global-Facility activities"):
        assert english not in done.stdout
    assert done.stderr.startswith("3 activités du dispositif mondial non couvertes ;")
    assert "uncovered" not in done.stderr


def test_the_option_wins_over_sic_lang(store: str) -> None:
    done = sic("gaps", "--store", store, "--lang", "es", lang="fr")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == summary("uncovered-activities", "es")
    assert "Cobertura por objetivo" in lines and "3 filas" in lines
    assert done.stderr.startswith("3 actividades del mecanismo global sin cubrir;")


def test_gaps_stay_english_by_default(store: str) -> None:
    done = sic("gaps", "--store", store)
    lines = done.stdout.splitlines()
    assert lines[0] == "Global-Facility activities that no live project addresses (the gaps)"
    assert "3 rows" in lines and "Coverage per objective" in lines
    assert "3 uncovered Global-Facility activities" in done.stderr


def test_match_and_query_follow_the_language(store: str) -> None:
    matched = sic("match", "A2.02", "--top", "2", "--store", store, lang="es")
    assert matched.returncode == 0, matched.stderr
    lines = matched.stdout.splitlines()
    assert lines[0] == summary("candidates-for-activity", "es")
    assert lines[-1] == "2 filas"
    assert "Comparte" in matched.stdout and "Shares" not in matched.stdout
    asked = sic("query", "coverage-by-objective", "--store", store, "--lang", "fr")
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.splitlines()[0] == summary("coverage-by-objective", "fr")
    assert asked.stdout.splitlines()[-1] == "3 lignes"
    # a question that writes sentences answers in the chosen language unless told otherwise
    ask = ("query", "candidates-for-activity", "-p", "activity=A2.02", "-p", "top=1")
    french = sic(*ask, "--store", store, "--lang", "fr")
    assert french.returncode == 0, french.stderr
    assert "Partage" in french.stdout and "Shares" not in french.stdout
    english = sic(*ask, "-p", "lang=en", "--store", store, "--lang", "fr")
    assert english.stdout.splitlines()[0] == summary("candidates-for-activity", "fr")
    assert "Shares" in english.stdout and "Partage" not in english.stdout


@pytest.mark.parametrize("command", ["queries", "gaps"])
def test_a_language_not_spoken_is_a_usage_error(store: str, command: str) -> None:
    args = [command] if command == "queries" else [command, "--store", store]
    done = sic(*args, lang="de")
    assert done.returncode == 2
    assert "en, fr, es" in done.stderr and "SIC_LANG" in done.stderr
