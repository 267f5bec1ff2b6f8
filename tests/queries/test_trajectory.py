"""Indicator trajectories: the straight-line projection to the end of 2030 and its verdict.

The math is checked on exact series; the reading of indicator-trajectory.rq on the bundled
reference data (whose illustrative observations were made to show each verdict) and on the
minimal workbook with tests/data/workbooks/indicator-sheets/ copied in.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from queries.trajectory import (
    HEIGHT,
    TARGET_DAY,
    WIDTH,
    Point,
    chart,
    csv_rows,
    fit,
    judge,
    known_objective_trajectories,
    objective_trajectories,
    trajectory,
)
from sic.errors import NotFound

DATA = Path(__file__).resolve().parents[1] / "data" / "workbooks"


def _yearly(*values: float, start: int = 2020) -> list[Point]:
    return [Point(date(start + i, 12, 31), v, "observation") for i, v in enumerate(values)]


def test_a_straight_series_is_projected_exactly() -> None:
    line = fit(_yearly(10, 12, 14, 16))  # two a year from the end of 2020
    assert line is not None
    assert line.per_year == pytest.approx(2.0, rel=1e-3)
    assert line.at(TARGET_DAY) == pytest.approx(30.0, rel=1e-3)


def test_the_line_is_the_least_squares_fit() -> None:
    line = fit([Point(date(2020, 1, 1), 0, "baseline"), *_yearly(4, 0, start=2021)])
    assert line is not None
    # x in years from 2020-01-01: about 0, 2, 3 (mean 5/3); y 0, 4, 0 (mean 4/3):
    # sum(dx * dy) = 4/3 and sum(dx^2) = 14/3, so the slope is 2/7 a year
    assert line.per_year == pytest.approx(2 / 7, rel=2e-2)


@pytest.mark.parametrize(
    ("values", "target", "expected"),
    [
        ((10, 12, 14, 16), 30, "on_track"),
        ((10, 12, 14, 16), 31, "off_track"),
        ((100, 90, 80), 20, "on_track"),  # a target below the start is reached from above
        ((100, 95, 92), 20, "off_track"),
        ((10,), 30, "not_enough_data"),
        ((), 30, "not_enough_data"),
        ((10, 12), None, "no_target"),
    ],
)
def test_the_verdict(values: tuple[float, ...], target: float | None, expected: str) -> None:
    points = _yearly(*values)
    assert judge(points, target, fit(points)) == expected


def test_two_values_on_one_day_give_no_pace() -> None:
    same = [Point(date(2024, 12, 31), 1, "observation"), Point(date(2024, 12, 31), 3, "baseline")]
    assert fit(same) is None
    assert trajectory("x", "x", "u", same, 5).status == "not_enough_data"


def test_the_chart_stays_in_its_box_and_ends_at_the_2030_target() -> None:
    t = trajectory("x", "x", "u", _yearly(10, 12, 14, 16), 40)
    c = chart(t)
    assert len(c.values) == 4
    for x, y, _ in c.values:
        assert 0 <= x <= WIDTH and 0 <= y <= HEIGHT
    assert c.target is not None and c.projection is not None
    assert c.projection[2] == c.target[0]  # the projection ends at the end of 2030
    assert c.projection[3] > c.target[1]  # 30 is drawn below the target of 40 (y grows down)
    assert [year for _, year in c.years][-1] == 2030


@pytest.fixture(scope="module")
def with_sheets(
    tmp_path_factory: pytest.TempPathFactory,
    load_workbook: Callable[[Path], EmbeddedStore],
) -> Iterator[EmbeddedStore]:
    folder = tmp_path_factory.mktemp("trajectory") / "minimal"
    shutil.copytree(DATA / "minimal", folder)
    for name in ("indicators.csv", "observations.csv"):
        shutil.copy(DATA / "indicator-sheets" / name, folder / name)
    store = load_workbook(folder)
    yield store
    store.close()


def test_the_fixture_sheets(with_sheets: EmbeddedStore) -> None:
    (a2,) = objective_trajectories(with_sheets, "A2")
    assert [p.kind for p in a2.points] == ["baseline", "observation", "observation"]
    assert a2.status == "on_track"  # 8 -> 12 -> 15.5 is about 2.4 a year: 32 by 2030
    assert a2.projected_2030 == pytest.approx(32.1, abs=0.3)
    (b1,) = objective_trajectories(with_sheets, "B1")
    assert b1.status == "not_enough_data" and b1.target_2050 == 100
    assert objective_trajectories(with_sheets, "A1") == []


def test_the_reference_data_shows_every_verdict(reference: EmbeddedStore) -> None:
    verdicts = {
        t.indicator: t.status
        for code in ("A1", "A2", "C1", "C3", "D4", "F2")
        for t in objective_trajectories(reference, code)
    }
    assert verdicts == {
        "a1-ndcs-with-soc": "no_target",
        "a2-projects-supported": "not_enough_data",
        "c1-awareness-events": "on_track",
        "c3-top-institutions": "off_track",
        "d4-partners-in-alliances": "not_enough_data",
        "f2-resources-mobilised": "off_track",
    }
    (c3,) = objective_trajectories(reference, "C3")
    assert c3.points[0] == Point(date(2020, 12, 31), 20.0, "baseline")
    assert c3.projected_2030 == pytest.approx(60.9, abs=0.1)
    assert c3.illustrative


def test_csv_rows_hold_what_the_chart_draws(reference: EmbeddedStore) -> None:
    rows = csv_rows(objective_trajectories(reference, "C3"))
    assert [r["kind"] for r in rows] == [
        "baseline", "observation", "observation", "observation", "projection", "target_2030",
    ]  # fmt: skip
    assert rows[0]["value"] == "20" and rows[-1] == {
        "indicator": "c3-top-institutions",
        "name": "Top funding institutions reached",
        "unit": "institutions",
        "kind": "target_2030",
        "date": "2030-12-31",
        "value": "80",
        "note": "",
        "name_lang": "en",
    }
    assert rows[4]["note"] == "off_track"


def test_names_come_in_the_reader_s_language_else_english(reference: EmbeddedStore) -> None:
    """indicators.csv names A1's indicator in French, not in Spanish: a French page gets the
    French name, a Spanish one the English name marked as English (so pages can badge it)."""
    (french,) = objective_trajectories(reference, "A1", "fr")
    assert french.name.startswith("CDN qui précisent") and french.name_lang == "fr"
    (spanish,) = objective_trajectories(reference, "A1", "es")
    assert spanish.name.startswith("NDCs that specify") and spanish.name_lang == "en"
    (c3,) = objective_trajectories(reference, "C3", "es")
    assert all(p.note_lang == "en" for p in c3.points if p.kind == "observation")
    assert c3.illustrative
    rows = csv_rows([spanish, c3])
    assert rows[0]["name_lang"] == "en"
    assert {r["note_lang"] for r in rows if r["kind"] == "observation"} == {"en"}


def test_an_unknown_objective_is_not_found(reference: EmbeddedStore) -> None:
    with pytest.raises(NotFound):
        known_objective_trajectories(reference, "Z9")
    assert known_objective_trajectories(reference, "B1") == []


def test_a_2050_target_carries_the_chart_on_to_2050() -> None:
    t = trajectory("x", "x", "u", _yearly(10, 12, 14, 16), 40, target_2050=90)
    c = chart(t)
    assert c.target is not None and c.target_2050 is not None and c.projection is not None
    assert c.target[0] < c.target_2050[0] <= WIDTH  # 2050 right of 2030, inside the box
    assert c.target_2050[1] < c.target[1]  # 90 is drawn above 40 (y grows down)
    assert 0 <= c.target_2050[1] <= HEIGHT
    assert c.projection[2] == c.target[0]  # the pace is still carried to 2030 only
    assert [year for _, year in c.years][-1] == 2050
    without = chart(trajectory("x", "x", "u", _yearly(10, 12, 14, 16), 40))
    assert without.target_2050 is None
    assert c.values[0][0] < without.values[0][0] or c.values[-1][0] < without.values[-1][0]
