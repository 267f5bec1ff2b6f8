"""The geometry of the dashboard's progress charts, drawn as server-side SVG.

No chart library and no CDN: api/templates/_progress_chart.html writes the SVG from the
points computed here (a line per stage, objective or the one count, over the quarters), with a
title, a description and the same figures as a table beside it, and a link to the CSV.
`until` is the day the series end at: today, or the moment `?asOf=` names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fastapi import Request

from api import as_of
from api.responses import cached
from graph.base import GraphStore
from queries.page_data import View
from queries.progress import Progress, Series, binned, read_facts

WIDTH = 640
HEIGHT = 220
LEFT = 96
RIGHT = 36
TOP = 12
BOTTOM = 28
YEAR = 4
"""Quarters in a year: each legend says what a line was a year before its last quarter."""
PALETTE: tuple[str, ...] = (
    "#1b6f5c",
    "#c2581c",
    "#3b5ba5",
    "#8a3f8f",
    "#b08900",
    "#5b7f2a",
    "#a3333d",
    "#4a4a4a",
)


@dataclass(frozen=True)
class DrawnLine:
    key: str
    colour: str
    points: str
    values: tuple[Decimal, ...]
    earlier: Decimal | None  # a year before the last quarter (what moved since), if drawn


@dataclass(frozen=True)
class Chart:
    """One chart: its series, the lines as SVG points, the axis labels."""

    series: Series
    lines: tuple[DrawnLine, ...]
    top: Decimal
    ticks: tuple[tuple[float, str], ...]  # (x, quarter) for the quarters labelled
    earlier_quarter: str  # the quarter a year before the last one ("" if not drawn)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: int = HEIGHT - BOTTOM
    top_y: int = TOP


def until_of(request: Request) -> dt.date:
    """The day the series end at: the `?asOf=` moment's date, else today (UTC)."""
    chosen = as_of.chosen(request)
    if chosen is not None:
        return chosen.moment.at.date()
    return dt.datetime.now(dt.UTC).date()


def chart(series: Series) -> Chart:
    """Lines scaled into the plot area: x by quarter, y from 0 to the largest value."""
    count = len(series.quarters)
    top = max((v for line in series.lines for v in line.values), default=Decimal(0))
    scale = top if top > 0 else Decimal(1)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(v: Decimal) -> float:
        return HEIGHT - BOTTOM - float(v / scale) * plot_h

    lines = tuple(
        DrawnLine(
            key=line.key,
            colour=PALETTE[n % len(PALETTE)],
            points=" ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(line.values)),
            values=line.values,
            earlier=line.values[-1 - YEAR] if count > YEAR else None,
        )
        for n, line in enumerate(series.lines)
    )
    step = max(1, count // 8)
    ticks = tuple((x(i), str(q)) for i, q in enumerate(series.quarters) if i % step == 0)
    earlier = str(series.quarters[-1 - YEAR]) if count > YEAR else ""
    return Chart(series, lines, top, ticks, earlier)


def charts(data: Progress) -> dict[str, list[Chart]]:
    """Every chart of the Progress section, by series name."""
    return {
        "activities": [chart(data.activities)],
        "projects": [chart(data.projects)],
        "funding": [chart(s) for s in data.funding],
    }


def progress_page(request: Request, view: View) -> dict[str, Any]:
    """What the dashboard's Progress section needs: the charts and the day they end at."""
    until = until_of(request)
    return {
        "progress_charts": charts(series_of(request, view.store, until)),
        "progress_until": until.isoformat(),
    }


def series_of(request: Request, store: GraphStore, until: dt.date) -> Progress:
    """The progress series up to `until`, from facts kept per store version (the queries run
    once per version; binning them for a day costs a fraction of that)."""
    facts = cached(request, "progress-facts", read_facts).get(store, store.version())
    return binned(facts, until)
