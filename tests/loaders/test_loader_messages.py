"""The loaders' own problem sentences in English, French and Spanish (issue 17).

The catalogue (loaders.messages) must give every key in every language with the same
parameters; a reader's value must reach each language unchanged; and the English must stay
word for word what it was, since people and other tests match on it.
"""

from __future__ import annotations

import io
import re
import string
import zipfile
from pathlib import Path

import pytest

from loaders import cells
from loaders.archive import ArchiveLimits, workbook_members
from loaders.iati import read_iati
from loaders.messages import LANGUAGES, MESSAGES, say
from loaders.rdf import read_rdf
from loaders.workbook import read_workbook
from sic.errors import LoaderError

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "data" / "workbooks" / "broken-and-rule"
LOADERS = ROOT / "loaders"


def _fields(text: str) -> set[str]:
    """The `{name}` / `{name!r}` parameters of a sentence, conversion included."""
    return {
        f"{name}!{conversion}" if conversion else name
        for _, name, _, conversion in string.Formatter().parse(text)
        if name is not None
    }


def catalogue_faults(messages: dict[str, dict[str, str]]) -> list[str]:
    """What is wrong with a catalogue: a language missing or extra, parameters that differ."""
    faults = []
    for key, sentences in messages.items():
        if set(sentences) != set(LANGUAGES):
            faults.append(f"{key}: languages {sorted(sentences)}")
            continue
        english = _fields(sentences["en"])
        faults += [
            f"{key}: {lang} has {sorted(_fields(text))}, en has {sorted(english)}"
            for lang, text in sentences.items()
            if _fields(text) != english
        ]
    return faults


def test_every_key_is_in_every_language_with_the_same_parameters() -> None:
    assert catalogue_faults(MESSAGES) == []


def test_the_check_finds_a_missing_language_and_a_changed_parameter() -> None:
    broken = {
        "a": {"en": "bad {text!r}", "fr": "invalide {text!r}"},
        "b": {"en": "row {row}", "fr": "ligne {rang}", "es": "fila {row}"},
        "c": {"en": "bad {text!r}", "fr": "invalide {text}", "es": "no válido {text!r}"},
    }
    assert [fault.split(":")[0] for fault in catalogue_faults(broken)] == ["a", "b", "c"]


def test_every_key_the_loaders_name_is_in_the_catalogue() -> None:
    key = re.compile(r'"((?:cell|row|book|about|file|archive|iati|rdf)\.[a-z0-9_]+)"')
    named = set()
    for path in LOADERS.glob("*.py"):
        named |= set(key.findall(path.read_text()))
    assert named and named <= set(MESSAGES)


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_each_sentence_takes_its_values_unchanged(key: str) -> None:
    params = {
        name.split("!")[0]: f"V{i}{name}" for i, name in enumerate(_fields(MESSAGES[key]["en"]))
    }
    english, others = say(key, **params)
    assert [lang for lang, _ in others] == ["es", "fr"]
    for value in params.values():
        for text in [english, *(t for _, t in others)]:
            assert value in text
    assert "{" not in english and all("{" not in t for _, t in others)


@pytest.mark.parametrize(
    ("reader", "text", "english", "french"),
    [
        (cells.date, "2023-13-01", "bad date '2023-13-01': month must be in 1..12", "le mois"),
        (cells.date, "2023-02-30", "bad date '2023-02-30': day is out of range for month", "jour"),
        (cells.date, "1/2/2023", "bad date '1/2/2023': expected an ISO date (YYYY-MM-DD)", "AAAA"),
        (cells.decimal, "1,500", "bad number '1,500': expected a decimal number", "milliers"),
        (cells.country, "XX", "bad country code 'XX': expected an ISO 3166-1", "code de pays"),
        (cells.currency, "euro", "bad currency 'euro': expected a three-letter", "devise"),
        (cells.sdg_iri, "18", "bad SDG '18': expected a goal number 1 to 17", "ODD"),
        (cells.web_iri, "www.fao.org", "bad web address 'www.fao.org'", "adresse web"),
        (cells.language_tag, "French", "bad language 'French'", "langue"),
    ],
)
def test_a_bad_cell_value_is_said_in_three_languages(
    reader: object, text: str, english: str, french: str
) -> None:
    assert callable(reader)
    with pytest.raises(cells.BadValue) as caught:
        reader(text)
    assert str(caught.value).startswith(english)
    said = dict(caught.value.translations)
    assert set(said) == {"fr", "es"}
    assert french in said["fr"] and repr(text) in said["fr"] and repr(text) in said["es"]


def test_a_broken_workbook_s_structural_problems_carry_french_and_spanish() -> None:
    with pytest.raises(LoaderError) as caught:
        read_workbook(BROKEN)
    problems = {p.location.column: p for p in caught.value.problems}
    facility, start = problems["facility"], problems["start"]
    assert facility.message == "unknown facility 'Global Facility'; expected one of: core, global"
    assert facility.message_in("fr") == (
        "type de dispositif : valeur inconnue 'Global Facility' ; valeurs possibles : core, global"
    )
    assert start.message_in("es") == "fecha no válida '2023-13-01': el mes debe estar entre 1 y 12"
    assert all({lang for lang, _ in p.translations} == {"fr", "es"} for p in problems.values())


def test_a_suggestion_is_said_in_the_reader_s_language() -> None:
    english, others = say(
        "row.unknown_value_hint",
        noun="facility",
        text="globl",
        suggestion="global",
        allowed="core, global",
    )
    assert english == (
        "unknown facility 'globl' (did you mean 'global'?); expected one of: core, global"
    )
    assert dict(others)["fr"] == (
        "type de dispositif : valeur inconnue 'globl' (vouliez-vous dire 'global' ?) ; "
        "valeurs possibles : core, global"
    )


def test_a_refused_archive_is_said_in_three_languages() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", b"no workbook here")
        archive.writestr("a/x.csv", b"id\n1\n")
        archive.writestr("b/y.csv", b"id\n1\n")
    with pytest.raises(LoaderError) as caught:
        workbook_members(out.getvalue(), ArchiveLimits(1 << 20), "book.zip")
    (problem,) = caught.value.problems
    assert problem.message == "the CSV files must be in one folder, not in a, b"
    assert problem.message_in("fr") == (
        "les fichiers CSV doivent être dans un seul dossier, pas dans a, b"
    )
    with pytest.raises(LoaderError) as caught:
        workbook_members(b"not a zip", ArchiveLimits(1 << 20), "book.zip")
    assert caught.value.problems[0].message_in("es").startswith("no es un archivo zip: ")


def test_an_iati_activity_s_problem_is_said_inside_its_own_language(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(
        '<iati-activities version="2.03"><iati-activity>'
        "<iati-identifier>XM-1</iati-identifier>"
        '<reporting-org ref="XM-ORG"><narrative>Org</narrative></reporting-org>'
        "<title><narrative>T</narrative></title>"
        '<activity-status code="99"/>'
        "</iati-activity></iati-activities>",
        encoding="utf-8",
    )
    with pytest.raises(LoaderError) as caught:
        read_iati(path, base="https://w3id.org/4p1000/")
    status = [p for p in caught.value.problems if "activity-status" in p.message]
    assert status and status[0].message.startswith("activity 'XM-1': unknown activity-status '99'")
    assert status[0].message_in("fr").startswith("activité 'XM-1' : activity-status inconnu '99'")
    assert status[0].message_in("es").startswith("actividad 'XM-1': activity-status desconocido")


def test_an_rdf_file_of_unknown_format_is_refused_in_three_languages(tmp_path: Path) -> None:
    path = tmp_path / "data.rdfx"
    path.write_text("<a> <b> <c> .", encoding="utf-8")
    with pytest.raises(LoaderError) as caught:
        read_rdf(path)
    (problem,) = caught.value.problems
    assert problem.message.startswith("unknown RDF format ('.rdfx'): expected a file name ending")
    assert problem.message_in("fr").startswith("format RDF inconnu ('.rdfx') : ")
    assert problem.message_in("es").startswith("formato RDF desconocido ('.rdfx'): ")
