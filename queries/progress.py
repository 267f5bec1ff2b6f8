"""Progress per quarter: activities addressed, projects per stage, funding secured.

Quarters rather than months: the reference data has a few dozen projects and funding lines
spread over seven years, so most months would show nothing moving, and funders report and
meet by quarter. Each series is read from dated facts of the graph (the `.rq` blocks
queries/blocks/pages/progress-*.rq) and binned here, every quarter from the first dated fact
to the quarter of `until` (today, or the moment `?asOf=` names):

- activities: distinct activities addressed at the quarter's end by a project that was
  running then (started on or before, not ended before; only projects past the proposal
  stage, whose dates are real rather than planned);
- projects: projects started on or before the quarter's end, under the stage they are at
  today (the change history starts when the data was loaded, so it holds no earlier stages);
- funding: committed plus disbursed amounts dated on or before the quarter's end, summed per
  objective and currency (never converted, never added across currencies).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from graph.base import GraphStore
from queries.answer import Row
from queries.sparql import named_rows

SERIES: tuple[str, ...] = ("activities", "projects", "funding")
"""The series the dashboard draws and /dashboard/progress.csv serves, by name."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def end(self) -> dt.date:
        """The quarter's last day."""
        first_of_next = (
            dt.date(self.year + 1, 1, 1)
            if self.number == 4
            else dt.date(self.year, 3 * self.number + 1, 1)
        )
        return first_of_next - dt.timedelta(days=1)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


@dataclass(frozen=True)
class Line:
    """One line of a series: its key (a stage, an objective) and a value per quarter."""

    key: str
    values: tuple[Decimal, ...]


@dataclass(frozen=True)
class Series:
    """One progress series: quarters, and lines over them (several charts for funding: one
    per currency, the `group`)."""

    name: str
    group: str
    quarters: tuple[Quarter, ...]
    lines: tuple[Line, ...]

    def rows(self) -> list[dict[str, Any]]:
        """Long-form rows: quarter, quarter end, group, key, value."""
        return [
            {
                "quarter": str(q),
                "quarter_end": q.end.isoformat(),
                "group": self.group,
                "key": line.key,
                "value": line.values[i],
            }
            for i, q in enumerate(self.quarters)
            for line in self.lines
        ]


CSV_COLUMNS: tuple[str, ...] = ("series", "quarter", "quarter_end", "group", "key", "value")


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def quarters(first: dt.date | None, until: dt.date) -> tuple[Quarter, ...]:
    """Every quarter from the one of `first` to the one of `until` (none without a first)."""
    if first is None or first > until:
        return ()
    out, q, last = [], Quarter.of(first), Quarter.of(until)
    while q <= last:
        out.append(q)
        q = q.next()
    return tuple(out)


def activities_series(rows: Sequence[Row], span: Sequence[Quarter]) -> Series:
    """Distinct activities addressed by a project running at each quarter's end."""
    dated = [
        (start, _date(r["end"]), str(r["activity"]))
        for r in rows
        if (start := _date(r["start"])) is not None
    ]
    counts = tuple(
        Decimal(
            len({a for start, end, a in dated if start <= q.end and (end is None or end >= q.end)})
        )
        for q in span
    )
    return Series("activities", "", tuple(span), (Line("activities", counts),))


def projects_series(rows: Sequence[Row], span: Sequence[Quarter]) -> Series:
    """Projects started by each quarter's end, per stage (today's), stages in their order."""
    order = {str(r["stage"]): int(r["stage_order"] or 0) for r in rows}
    starts: dict[str, list[dt.date]] = defaultdict(list)
    for r in rows:
        if (start := _date(r["start"])) is not None:
            starts[str(r["stage"])].append(start)
    stages = sorted(order, key=lambda s: (order[s] == 0, order[s], s))
    lines = []
    for stage in stages:
        dates = sorted(starts[stage])
        values = tuple(Decimal(bisect_right(dates, q.end)) for q in span)
        lines.append(Line(stage, values))
    return Series("projects", "", tuple(span), tuple(lines))


def funding_series(rows: Sequence[Row], span: Sequence[Quarter]) -> list[Series]:
    """Secured amounts dated by each quarter's end, one series per currency, a line per
    objective (cumulative)."""
    by_currency: dict[str, dict[str, list[tuple[dt.date, Decimal]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for r in rows:
        day = _date(r["date"])
        if day is None:
            continue
        by_currency[str(r["currency"])][str(r["objective"])].append(
            (day, Decimal(str(r["amount"])))
        )
    out = []
    for currency in sorted(by_currency):
        lines = tuple(
            Line(objective, _cumulative(sorted(dated), span))
            for objective, dated in sorted(by_currency[currency].items())
        )
        out.append(Series("funding", currency, tuple(span), lines))
    return out


def _cumulative(
    dated: Sequence[tuple[dt.date, Decimal]], span: Sequence[Quarter]
) -> tuple[Decimal, ...]:
    """The running total of date-ordered amounts at each quarter's end."""
    totals, running = [], Decimal(0)
    for amount in (a for _, a in dated):
        running += amount
        totals.append(running)
    dates = [d for d, _ in dated]
    return tuple(totals[n - 1] if (n := bisect_right(dates, q.end)) else Decimal(0) for q in span)


@dataclass(frozen=True)
class Progress:
    """The three series over one span of quarters."""

    until: dt.date
    quarters: tuple[Quarter, ...]
    activities: Series
    projects: Series
    funding: tuple[Series, ...]

    def series(self, name: str) -> list[Series]:
        """The series `name` (one of SERIES) as a list (funding has one per currency)."""
        if name == "activities":
            return [self.activities]
        if name == "projects":
            return [self.projects]
        if name == "funding":
            return list(self.funding)
        raise KeyError(name)

    def csv_rows(self, name: str) -> list[dict[str, Any]]:
        return [{"series": s.name, **row} for s in self.series(name) for row in s.rows()]


def _first(dates: Iterable[dt.date | None]) -> dt.date | None:
    found = [d for d in dates if d is not None]
    return min(found) if found else None


@dataclass(frozen=True)
class Facts:
    """The dated facts the series are binned from: they change only with the data, so the
    faces keep them per store version and bin them for the day asked."""

    activities: list[Row]
    projects: list[Row]
    funding: list[Row]


def read_facts(store: GraphStore) -> Facts:
    """The rows of the three progress-*.rq blocks."""
    return Facts(
        named_rows(store, "progress-activities"),
        named_rows(store, "progress-projects"),
        named_rows(store, "progress-funding"),
    )


def binned(facts: Facts, until: dt.date) -> Progress:
    """The three series, every quarter from the first dated fact to the quarter of `until`.

    Facts dated after `until` (a planned start, a future line) count in no quarter shown.
    """
    first = _first(
        [_date(r["start"]) for r in facts.activities]
        + [_date(r["start"]) for r in facts.projects]
        + [_date(r["date"]) for r in facts.funding]
    )
    span = quarters(first, until)
    return Progress(
        until=until,
        quarters=span,
        activities=activities_series(facts.activities, span),
        projects=projects_series(facts.projects, span),
        funding=tuple(funding_series(facts.funding, span)),
    )


def progress(store: GraphStore, until: dt.date) -> Progress:
    """The three series of `store` up to the quarter of `until` (read_facts, then binned)."""
    return binned(read_facts(store), until)


def latest(series: Series) -> Mapping[str, Decimal]:
    """Each line's value in the last quarter (what the series says today)."""
    return {line.key: line.values[-1] for line in series.lines if line.values}
