"""The optional indicators and observations sheets: what they become, and how a bad one is told.

tests/data/workbooks/indicator-sheets/ holds the two sheets for the minimal workbook's
objectives; each test copies them into a private copy of the minimal workbook, breaks one cell,
and expects exactly one problem at that file, row and column.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from loaders.workbook import read_workbook
from sic.errors import LoaderError, Location
from sic.vocab import SIC

if TYPE_CHECKING:
    from conftest import EditableWorkbook

SHEETS = Path(__file__).resolve().parents[1] / "data" / "workbooks" / "indicator-sheets"
ID = "https://w3id.org/4p1000/id/"
QB = Namespace("http://purl.org/linked-data/cube#")
REF_PERIOD = URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refPeriod")
OBS_VALUE = URIRef("http://purl.org/linked-data/sdmx/2009/measure#obsValue")


@pytest.fixture
def book(minimal_copy: EditableWorkbook) -> EditableWorkbook:
    for name in ("indicators.csv", "observations.csv"):
        shutil.copy(SHEETS / name, minimal_copy.path / name)
    return minimal_copy


def test_good_sheets_load_as_data_cube_sets_and_observations(book: EditableWorkbook) -> None:
    graph = read_workbook(book.path).graph
    indicator = URIRef(ID + "indicator/a2-projects")
    assert (indicator, RDF.type, SIC.Indicator) in graph
    assert (indicator, RDF.type, QB.DataSet) in graph
    assert (indicator, QB.structure, SIC.IndicatorStructure) in graph
    assert (indicator, SIC.objective, URIRef(ID + "objective/A2")) in graph
    assert (indicator, RDFS.label, Literal("Projets soutenus chaque année", lang="fr")) in graph
    assert (indicator, SIC.unit, Literal("projects per year")) in graph
    assert graph.value(indicator, SIC.baselineValue).toPython() == Decimal(8)
    assert graph.value(indicator, SIC.baselineDate) == Literal("2020-12-31", datatype=XSD.date)
    assert graph.value(indicator, SIC.targetValue2030).toPython() == Decimal(30)
    assert graph.value(indicator, SIC.targetValue2050) is None
    assert (indicator, DCTERMS.source, URIRef("https://example.org/a2")) in graph

    observation = URIRef(ID + "observation/a2-projects.2023-12-31")
    assert (observation, RDF.type, SIC.IndicatorObservation) in graph
    assert (observation, RDF.type, QB.Observation) in graph
    assert (observation, QB.dataSet, indicator) in graph
    assert graph.value(observation, REF_PERIOD) == Literal("2023-12-31", datatype=XSD.date)
    assert graph.value(observation, OBS_VALUE).toPython() == Decimal("15.5")
    note = Literal("Illustrative value, not published.", lang="en")
    assert (observation, SKOS.note, note) in graph
    assert len(set(graph.subjects(RDF.type, SIC.IndicatorObservation))) == 3


def test_the_sheets_are_optional(minimal_copy: EditableWorkbook) -> None:
    graph = read_workbook(minimal_copy.path).graph
    assert list(graph.subjects(RDF.type, SIC.Indicator)) == []


@dataclass(frozen=True)
class Case:
    """One way to break the indicator sheets, and the one problem it must give."""

    kind: str
    edit: Callable[[EditableWorkbook], None]
    location: Location
    message: str


CASES = [
    Case(
        "missing-column",
        lambda b: b.drop_column("indicators.csv", "unit"),
        Location("indicators.csv", 1, "unit"),
        "missing required column",
    ),
    Case(
        "missing-unit",
        lambda b: b.set("indicators.csv", 3, "unit", ""),
        Location("indicators.csv", 3, "unit"),
        "missing required value: expected a unit in words",
    ),
    Case(
        "unknown-objective",
        lambda b: b.set("indicators.csv", 2, "objective", "Z9"),
        Location("indicators.csv", 2, "objective"),
        "'Z9'",
    ),
    Case(
        "target-in-words",
        lambda b: b.set("indicators.csv", 2, "target_2030", "at least 30"),
        Location("indicators.csv", 2, "target_2030"),
        "bad number 'at least 30'",
    ),
    Case(
        "baseline-without-date",
        lambda b: b.set("indicators.csv", 2, "baseline_date", ""),
        Location("indicators.csv", 2, "baseline_date"),
        "a baseline needs its date",
    ),
    Case(
        "bad-baseline-date",
        lambda b: b.set("indicators.csv", 2, "baseline_date", "2020"),
        Location("indicators.csv", 2, "baseline_date"),
        "bad date '2020'",
    ),
    Case(
        "duplicate-indicator",
        lambda b: b.append(
            "indicators.csv",
            {"id": "a2-projects", "objective": "A1", "name": "Again", "unit": "plans"},
        ),
        Location("indicators.csv", 4, "id"),
        "a2-projects",
    ),
    Case(
        "unknown-indicator",
        lambda b: b.set("observations.csv", 4, "indicator", "b1-plan"),
        Location("observations.csv", 4, "indicator"),
        "'b1-plan'",
    ),
    Case(
        "missing-date",
        lambda b: b.set("observations.csv", 2, "date", ""),
        Location("observations.csv", 2, "date"),
        "missing required value: expected an ISO date",
    ),
    Case(
        "value-with-thousands-separator",
        lambda b: b.set("observations.csv", 3, "value", "1,500"),
        Location("observations.csv", 3, "value"),
        "bad number '1,500'",
    ),
    Case(
        "duplicate-observation",
        lambda b: b.set("observations.csv", 3, "date", "2022-12-31"),
        Location("observations.csv", 3, "date"),
        "duplicate observation: indicator 'a2-projects' already has a value on 2022-12-31 in row 2",
    ),
    Case(
        "source-not-a-web-address",
        lambda b: b.set("observations.csv", 2, "source", "annual report"),
        Location("observations.csv", 2, "source"),
        "annual report",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.kind for case in CASES])
def test_a_broken_sheet_is_refused_at_its_cell(case: Case, book: EditableWorkbook) -> None:
    case.edit(book)
    with pytest.raises(LoaderError) as caught:
        read_workbook(book.path)
    problems = caught.value.problems
    assert [p.location for p in problems] == [case.location], problems
    assert case.message in problems[0].message, problems[0].message
