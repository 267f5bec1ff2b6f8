"""The catalogue told in three languages: every question and parameter has its French and
Spanish texts, the locale files name nothing the catalogue lacks, and a missing text falls
back to English marked as English."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from queries.catalogue import question, questions
from queries.question_text import (
    described_in,
    english_fingerprint,
    question_text,
    translations,
)
from queries.sentences import LANGUAGES, LOCALES_DIR

OTHERS = [lang for lang in LANGUAGES if lang != "en"]


@pytest.mark.parametrize("lang", OTHERS)
def test_every_question_and_parameter_is_translated(lang: str) -> None:
    missing = []
    for q in questions():
        told = question_text(q, lang)
        texts = {"title": told.title, "summary": told.summary}
        if q.description:
            texts["description"] = told.description
        for p in q.params:
            texts[f"{p.name}.label"] = told.param(p.name).label
            if p.description:
                texts[f"{p.name}.help"] = told.param(p.name).help
        missing += [f"{q.name}: {key}" for key, t in texts.items() if t.lang != lang or not t.text]
    assert not missing, f"questions.{lang}.json lacks: {', '.join(missing)}"


def test_english_titles_and_labels_come_from_the_english_file() -> None:
    missing = []
    for q in questions():
        english = translations("en").get(q.name, {})
        if not english.get("title"):
            missing.append(f"{q.name}: title")
        labels = english.get("params", {})
        missing += [f"{q.name}: {p.name}" for p in q.params if p.name not in labels]
    assert not missing, f"questions.en.json lacks: {', '.join(missing)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_locale_files_name_only_what_the_catalogue_has(lang: str) -> None:
    names = {q.name: {p.name for p in q.params} for q in questions()}
    data = json.loads((LOCALES_DIR / f"questions.{lang}.json").read_text(encoding="utf-8"))
    stale = [n for n in data if n not in names]
    stale += [
        f"{n}.{p}"
        for n, t in data.items()
        if n in names
        for p in t.get("params", {})
        if p not in names[n]
    ]
    assert not stale, f"questions.{lang}.json names what the catalogue lacks: {stale}"


@pytest.mark.parametrize("lang", OTHERS)
def test_translations_follow_the_english_they_translate(lang: str) -> None:
    """A header whose English changed since its translation names the entry to update."""
    stale = [
        f"{q.name} (source {translations(lang).get(q.name, {}).get('source')!r}, now"
        f" {english_fingerprint(q)!r})"
        for q in questions()
        if translations(lang).get(q.name, {}).get("source") != english_fingerprint(q)
    ]
    assert not stale, f"questions.{lang}.json translates English that has changed: {stale}"


def test_the_fingerprint_changes_with_the_english() -> None:
    q = question("brokers")
    changed = dataclasses.replace(q, description=q.description + " More.")
    assert english_fingerprint(changed) != english_fingerprint(q)
    assert english_fingerprint(dataclasses.replace(q)) == english_fingerprint(q)


@pytest.mark.parametrize("lang", OTHERS)
def test_translations_keep_the_column_and_code_names(lang: str) -> None:
    """A description names columns (brings, still_uncovered) and properties: a translation
    must keep those words as they are, or the reader looks for a column that is not there."""
    lost = []
    for q in questions():
        english = q.description
        told = question_text(q, lang).description.text
        for word in set(re.findall(r"\b[a-z]+_[a-z_]+\b|\bsic:\w+", english)):
            if word not in told:
                lost.append(f"{q.name}: {word}")
    assert not lost, lost


def test_english_is_the_header_and_missing_texts_fall_back_marked() -> None:
    q = question("uncovered-activities")
    english = question_text(q, "en")
    assert english.summary.text == q.summary and english.summary.lang == "en"
    assert english.title.text == "Uncovered activities"
    spanish = question_text(q, "es")
    assert spanish.summary.lang == "es" and spanish.summary.text != q.summary
    assert spanish.param("objective").label.text == "Objetivo estratégico"
    unknown = spanish.param("colour")
    assert unknown.label.text == "colour" and unknown.label.lang == "en"
    part = question("activity-context")  # a building block: not translated, so English, marked
    told = question_text(part, "fr")
    assert told.summary.text == part.summary and told.summary.lang == "en"


def test_described_in_a_language_keeps_the_machine_fields() -> None:
    q = question("candidates-for-activity")
    told: dict[str, Any] = described_in(q, "fr")
    assert told["name"] == q.name and told["columns"] == list(q.columns)
    assert told["title"] == "Candidats pour une activité" and told["language"] == "fr"
    top = next(p for p in told["params"] if p["name"] == "top")
    assert top["label"] == "Combien" and top["description"] == "combien de candidats"
    assert top["default"] == 10 and top["max"] == 200.0


def test_sic_queries_in_spanish() -> None:
    runner = CliRunner()
    table = runner.invoke(app, ["queries", "--lang", "es"])
    assert table.exit_code == 0, table.output
    assert "Actividades del mecanismo global" in table.output
    as_json = runner.invoke(app, ["queries", "--lang", "fr", "--format", "json"])
    found = {q["name"]: q for q in json.loads(as_json.output)}
    assert found["brokers"]["title"] == "Passerelles"
    refused = runner.invoke(app, ["queries", "--lang", "de"])
    assert refused.exit_code == 2
