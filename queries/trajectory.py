"""Each indicator's trajectory toward its 2030 target: a straight line through its values.

The Secretariat asks one question of an indicator: at the pace seen so far, will it reach its
2030 target? A least-squares line through the baseline and the observations, carried to the end
of 2030, answers it without pretending to more than a few yearly values can say; with fewer than
two dated values there is no pace, and the answer is "not enough data". The words are the
pages' (api/locales/indicators.*.json); this module gives the status, the numbers and the
chart's geometry, so the page and its CSV download show the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import pyoxigraph as ox

from graph.base import GraphStore
from queries.answer import Row
from queries.sparql import named_rows
from sic.errors import NotFound
from sic.iris import mint

TARGET_DAY = date(2030, 12, 31)
"""A 2030 target is met when the value is reached by the end of 2030."""

TARGET_2050_DAY = date(2050, 12, 31)
"""Where a chart marks the 2050 target: the end of that year, as the 2030 one."""

DAYS_PER_YEAR = 365.2425

Status = Literal["on_track", "off_track", "not_enough_data", "no_target"]

CSV_COLUMNS = (
    "indicator",
    "name",
    "unit",
    "kind",
    "date",
    "value",
    "note",
    "name_lang",
    "note_lang",
)
"""The columns of an objective's trajectory CSV: every value its charts draw, one per row;
`name_lang` and `note_lang` say the language of the name and the note (English where the data
lacks the reader's)."""


@dataclass(frozen=True)
class Point:
    """One dated value of an indicator: its baseline or one observation."""

    when: date
    value: float
    kind: Literal["baseline", "observation"]
    note: str = ""
    note_lang: str = "en"
    """The language the note is in: the reader's, or English where the data lacks theirs."""


@dataclass(frozen=True)
class Line:
    """value = slope * years since `origin` + intercept (the least-squares fit)."""

    origin: date
    slope: float
    intercept: float

    def at(self, when: date) -> float:
        return self.slope * _years(self.origin, when) + self.intercept

    @property
    def per_year(self) -> float:
        return self.slope


def _years(origin: date, when: date) -> float:
    return (when - origin).days / DAYS_PER_YEAR


def fit(points: Sequence[Point]) -> Line | None:
    """The least-squares line through the points, None when fewer than two distinct dates."""
    if len({p.when for p in points}) < 2:
        return None
    origin = min(p.when for p in points)
    xs = [_years(origin, p.when) for p in points]
    ys = [p.value for p in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return Line(origin, slope, mean_y - slope * mean_x)


def judge(points: Sequence[Point], target: float | None, line: Line | None) -> Status:
    """On track when the line reaches the target by the end of 2030, in the target's direction.

    A target above the first value is to be reached from below (more events, more partners); a
    target below it from above (fewer emissions): the projection must be at least, or at most,
    the target.
    """
    if target is None:
        return "no_target"
    if line is None:
        return "not_enough_data"
    projected = line.at(TARGET_DAY)
    start = min(points, key=lambda p: p.when).value
    return (
        "on_track"
        if (projected >= target if target >= start else projected <= target)
        else "off_track"
    )


@dataclass(frozen=True)
class Trajectory:
    """One indicator, its dated values and what the straight line says of its 2030 target."""

    indicator: str
    name: str
    unit: str
    target_2030: float | None
    target_2050: float | None
    points: tuple[Point, ...]
    line: Line | None = field(default=None)
    status: Status = "no_target"
    name_lang: str = "en"
    """The language the name is in: the reader's, or English where the data lacks theirs."""

    @property
    def projected_2030(self) -> float | None:
        return None if self.line is None else self.line.at(TARGET_DAY)

    @property
    def illustrative(self) -> bool:
        """True when a value drawn is marked as not published (its note says so)."""
        return any(_says_illustrative(p.note) for p in self.points)


ILLUSTRATIVE_WORDS = ("illustrative", "ilustrativ")
"""How a note says a value is not published, in English and French ("illustrative"), Spanish."""


def _says_illustrative(note: str) -> bool:
    lowered = note.lower()
    return any(word in lowered for word in ILLUSTRATIVE_WORDS)


def trajectory(
    indicator: str,
    name: str,
    unit: str,
    points: Iterable[Point],
    target_2030: float | None,
    target_2050: float | None = None,
    name_lang: str = "en",
) -> Trajectory:
    ordered = tuple(sorted(points, key=lambda p: (p.when, p.kind != "baseline")))
    line = fit(ordered)
    return Trajectory(
        indicator,
        name,
        unit,
        target_2030,
        target_2050,
        ordered,
        line,
        judge(ordered, target_2030, line),
        name_lang,
    )


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value if isinstance(value, (int, float, Decimal)) else Decimal(str(value)))


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def from_rows(rows: Iterable[Row]) -> list[Trajectory]:
    """Group indicator-trajectory.rq's rows (one per observation) into trajectories."""
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = str(row["indicator"])
        entry = found.setdefault(key, {"row": row, "points": []})
        when, value = _day(row.get("date")), _number(row.get("value"))
        if when is not None and value is not None:
            note, note_lang = str(row.get("note") or ""), str(row.get("note_lang") or "en")
            entry["points"].append(Point(when, value, "observation", note, note_lang))
    result = []
    for key, entry in found.items():
        row, points = entry["row"], entry["points"]
        baseline, since = _number(row.get("baseline")), _day(row.get("baseline_date"))
        if baseline is not None and since is not None:
            points.append(Point(since, baseline, "baseline"))
        result.append(
            trajectory(
                key,
                str(row.get("name") or key),
                str(row.get("unit") or ""),
                points,
                _number(row.get("target_2030")),
                _number(row.get("target_2050")),
                str(row.get("name_lang") or "en") if row.get("name") else "en",
            )
        )
    return result


def objective_trajectories(store: GraphStore, code: str, lang: str = "en") -> list[Trajectory]:
    """Every indicator of one objective, in indicator order (none: an empty list); names and
    notes in `lang` where the data has them, else in English (`name_lang`, `note_lang` say)."""
    objective = ox.NamedNode(str(mint("objective", code, store.base)))
    rows = named_rows(store, "indicator-trajectory", objective=objective, lang=ox.Literal(lang))
    return from_rows(rows)


def known_objective_trajectories(
    store: GraphStore, code: str, lang: str = "en"
) -> list[Trajectory]:
    """As objective_trajectories, for an objective that must exist.

    :raises NotFound: no such objective (an unknown code is not an objective without indicators).
    """
    objective = ox.NamedNode(str(mint("objective", code, store.base)))
    if not named_rows(store, "objective-details", objective=objective):
        raise NotFound(f"no objective {code!r}")
    return objective_trajectories(store, code, lang)


def csv_rows(trajectories: Iterable[Trajectory]) -> list[dict[str, Any]]:
    """What each chart draws, as rows: the baseline, the observations, the projection to the
    end of 2030 and the targets (dated at the end of their year)."""
    rows: list[dict[str, Any]] = []
    for t in trajectories:
        common = {
            "indicator": t.indicator,
            "name": t.name,
            "unit": t.unit,
            "name_lang": t.name_lang,
        }
        for p in t.points:
            rows.append(
                {
                    **common,
                    "kind": p.kind,
                    "date": p.when.isoformat(),
                    "value": _plain(p.value),
                    "note": p.note,
                    "note_lang": p.note_lang if p.note else "",
                }
            )
        if t.projected_2030 is not None:
            rows.append(
                {
                    **common,
                    "kind": "projection",
                    "date": TARGET_DAY.isoformat(),
                    "value": _plain(round(t.projected_2030, 2)),
                    "note": t.status,
                }
            )
        for year, target in ((2030, t.target_2030), (2050, t.target_2050)):
            if target is not None:
                rows.append(
                    {
                        **common,
                        "kind": f"target_{year}",
                        "date": f"{year}-12-31",
                        "value": _plain(target),
                        "note": "",
                    }
                )
    return rows


def _plain(value: float) -> str:
    """A number as CSV writes it: no trailing `.0` on whole numbers."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# -- the chart's geometry ------------------------------------------------------------------------

WIDTH, HEIGHT = 480, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 16, 12, 28


@dataclass(frozen=True)
class Chart:
    """Where an SVG draws one trajectory: in user units of a WIDTH x HEIGHT view box."""

    values: tuple[tuple[float, float, Point], ...]
    projection: tuple[float, float, float, float] | None
    target: tuple[float, float] | None
    years: tuple[tuple[float, int], ...]
    ticks: tuple[tuple[float, float], ...]
    width: int = WIDTH
    height: int = HEIGHT
    target_2050: tuple[float, float] | None = None
    """The 2050 target's marker, when the indicator has one: the axis then runs to 2050."""


def chart(t: Trajectory) -> Chart:
    """The coordinates of the values, the projection line and the 2030 target marker, and
    the 2050 target's where there is one (the axis then runs on to 2050, as the interactive
    chart's does, so that the reader sees how far the objective has still to go after 2030)."""
    first = min([p.when for p in t.points] + [date(2020, 1, 1)])
    start = date(first.year, 1, 1)
    end = TARGET_DAY if t.target_2050 is None else TARGET_2050_DAY
    span = _years(start, end) or 1.0
    candidates = [p.value for p in t.points] + [
        v for v in (t.target_2030, t.projected_2030, t.target_2050) if v is not None
    ]
    top = max([0.0, *candidates]) * 1.1 or 1.0
    bottom = min([0.0, *candidates])
    inner_w, inner_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(when: date) -> float:
        return round(PAD_LEFT + inner_w * _years(start, when) / span, 1)

    def y(value: float) -> float:
        return round(PAD_TOP + inner_h * (top - value) / ((top - bottom) or 1.0), 1)

    projection = None
    if t.line is not None:
        last = max(p.when for p in t.points)
        projection = (x(last), y(t.line.at(last)), x(TARGET_DAY), y(t.line.at(TARGET_DAY)))
    target = None if t.target_2030 is None else (x(TARGET_DAY), y(t.target_2030))
    target_2050 = None if t.target_2050 is None else (x(TARGET_2050_DAY), y(t.target_2050))
    every = 2 if end == TARGET_DAY else 5  # about six year labels either way
    labelled = range(start.year, end.year + 1, every)
    years = tuple((x(date(year, 1, 1)), year) for year in labelled)
    ticks = tuple((y(v), v) for v in (bottom, (top + bottom) / 2, top))
    return Chart(
        tuple((x(p.when), y(p.value), p) for p in t.points),
        projection,
        target,
        years,
        ticks,
        target_2050=target_2050,
    )
