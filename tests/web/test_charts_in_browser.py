"""The dashboard's progress charts and an objective's trajectories drawn by uPlot, in a real
Chromium over the real service (api/static/charts.js over the vendored uPlot).

What a reader gets: on the dashboard and on an objective page, in English and in French, one
uPlot canvas per chart with as many lines as the figures the page carries, named in the page's
language; an indicator's 2030 and 2050 targets and its baseline among them; the server's SVG
still there for screen readers (hidden from the eye only), for print (where the canvas gives
way to it) and for a browser without JavaScript. Every request stays on the service (the
fixture refuses and records any other) and axe-core finds nothing serious.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.server

DRAWN = """() => Array.from(document.querySelectorAll(
    'figure.progress-chart, figure.trajectory')).filter(f => f.querySelector(
    'script.chart-data')).map(f => ({
        expected: JSON.parse(f.querySelector('script.chart-data').textContent),
        canvases: f.querySelectorAll('.chart-live .uplot canvas').length,
        series: f.chart ? f.chart.series.slice(1).map(s => s.label) : null,
        svgRole: f.querySelector('svg[role=img]') ? f.querySelector('svg[role=img]')
            .getBoundingClientRect().width : -1,
        width: f.querySelector('.chart-live') ? f.querySelector('.chart-live')
            .getBoundingClientRect().width : 0,
}))"""


def drawn(page: Any) -> list[dict[str, Any]]:
    page.wait_for_function("window.sicCharts !== undefined")
    found: list[dict[str, Any]] = page.evaluate(DRAWN)
    return found


def expected_series(data: dict[str, Any]) -> list[str]:
    """The lines a chart's figures call for, in the order charts.js draws them."""
    if data["kind"] == "progress":
        return [line["label"] for line in data["lines"]]
    labels = data["labels"]
    names = [labels["values"]]
    if any(kind == "baseline" for _, _, kind in data["points"]):
        names.append(labels["baseline"])
    if data["projection"] is not None:
        names.append(labels["projection"])
    names += [labels[t] for t in ("target_2030", "target_2050") if data[t] is not None]
    return names


@pytest.mark.parametrize(
    ("path", "lang", "words"),
    [
        ("/", "en", "Quarter"),
        ("/?lang=fr", "fr", "Trimestre"),
        ("/id/objective/C1", "en", "2050 target"),
        ("/id/objective/C1?lang=fr", "fr", "cible 2050"),
    ],
)
def test_each_chart_is_drawn_with_its_lines_in_the_pages_language(
    desktop: Any, path: str, lang: str, words: str
) -> None:
    desktop.open(path)
    charts = drawn(desktop.page)
    assert charts, "no chart on the page"
    assert desktop.page.evaluate("document.documentElement.lang") == lang
    for chart in charts:
        assert chart["canvases"] >= 1, chart["expected"]
        assert chart["series"] == expected_series(chart["expected"])
        # the SVG is still there for screen readers, only out of sight
        assert 0 <= chart["svgRole"] <= 1
    # uPlot's stylesheet, asked for by charts.js, is in force (its legend lays out in a table)
    assert desktop.page.evaluate(
        "Array.from(document.styleSheets).some(s => (s.href || '').endsWith('uPlot.min.css'))"
    )
    legend = desktop.page.locator(".chart-live .u-legend").first.inner_text()
    assert words in legend
    assert desktop.accessibility_violations() == []


def test_an_indicator_shows_its_baseline_and_targets(desktop: Any) -> None:
    # no reference indicator has both a baseline and a 2050 target: C3 has the baseline of
    # 2020 and a 2030 target, C1 targets for 2030 and 2050
    desktop.open("/id/objective/C3")
    [chart] = drawn(desktop.page)
    assert chart["series"][:2] == ["values", "baseline 2020"]
    assert "2030 target" in chart["series"] and "2050 target" not in chart["series"]
    desktop.open("/id/objective/C1")
    [chart] = drawn(desktop.page)
    assert {"2030 target", "2050 target"} <= set(chart["series"])
    # the x axis runs on to 2050, where the 2050 target sits
    end = desktop.page.evaluate("document.querySelector('figure.trajectory').chart.scales.x.max")
    assert end > 2050


def test_the_progress_lines_hold_the_pages_figures(desktop: Any) -> None:
    desktop.open("/")
    drawn(desktop.page)
    figures = desktop.page.evaluate(
        """() => Array.from(document.querySelectorAll('figure.progress-chart')).filter(f => f.chart)
            .map(f => ({data: f.chart.data.slice(1), table: Array.from(
                f.querySelectorAll('table.progress-table tbody tr')).map(r => Array.from(
                r.querySelectorAll('td')).map(td => Number(td.dataset.value)))}))"""
    )
    assert len(figures) >= 3
    for f in figures:
        by_row = [list(row) for row in zip(*f["data"], strict=True)]
        assert by_row == f["table"]


def test_a_phone_gets_charts_as_wide_as_its_screen(phone: Any) -> None:
    phone.open("/id/objective/C1")
    [chart] = drawn(phone.page)
    assert 240 <= chart["width"] <= 390
    overflow = phone.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1


@pytest.mark.parametrize("path", ["/", "/id/objective/C1", "/reports/objective/C1"])
def test_print_shows_the_servers_svg_and_not_the_canvas(desktop: Any, path: str) -> None:
    desktop.open(path)
    drawn(desktop.page)
    desktop.page.emulate_media(media="print")
    shown = desktop.page.evaluate(
        """() => ({
            live: Array.from(document.querySelectorAll('.chart-live'))
                .filter(e => e.getBoundingClientRect().height > 0).length,
            svg: Array.from(document.querySelectorAll('svg.line-chart, svg.trajectory-chart'))
                .filter(e => e.getBoundingClientRect().width > 100).length,
        })"""
    )
    assert shown["live"] == 0 and shown["svg"] >= 1


@pytest.mark.parametrize("path", ["/", "/id/objective/C1"])
def test_without_javascript_the_svg_and_its_figures_remain(visit_factory: Any, path: str) -> None:
    visit = visit_factory(locale="en-GB", java_script_enabled=False)
    asked: list[str] = []
    visit.page.on("request", lambda request: asked.append(request.url))
    visit.open(path)
    page = visit.page
    page.wait_for_load_state("networkidle")
    # uPlot's stylesheet is the script's to ask for: without JavaScript it costs nothing
    assert not [url for url in asked if url.endswith(".css") and "uplot" in url]
    assert page.locator(".chart-live").count() == 0
    svgs = page.locator("svg.line-chart, svg.trajectory-chart")
    assert svgs.count() >= 1
    box = svgs.first.bounding_box()
    assert box is not None and box["width"] > 100
    # the figures the script would draw are plain JSON, parsed here as the script would
    first = page.locator("script.chart-data").first.text_content()
    assert json.loads(first or "{}")["kind"] in {"progress", "trajectory"}


@pytest.mark.parametrize("path", ["/", "/id/objective/C1"])
def test_the_charts_stay_within_a_phone_budget(phone: Any, path: str) -> None:
    """What the charts cost a phone, compressed as the service sends them (issue 17, measured
    on `sic serve` of the reference data, HTML plus its assets gzipped: the dashboard 26.8 kB
    before uPlot and 54.3 kB with it, /id/objective/C1 13.7 kB and 39.0 kB; uPlot is 22.0 kB
    of that, charts.js 2.9 kB, the figures as JSON 2.4 kB on the dashboard; uPlot's
    stylesheet, 0.8 kB, is asked for by charts.js)."""
    sizes: dict[str, int] = {}
    phone.page.on(
        "response",
        lambda response: sizes.__setitem__(
            response.url, response.request.sizes()["responseBodySize"]
        ),
    )
    phone.open(path)
    drawn(phone.page)
    phone.page.wait_for_load_state("networkidle")
    library = next(url for url in sizes if url.endswith("uPlot.iife.min.js"))
    assert sizes[library] < 25_000  # 51 kB as a file
    charts = sum(size for url, size in sizes.items() if "uplot" in url or "charts.js" in url)
    assert charts < 30_000, sizes
    assert sum(sizes.values()) < 60_000, sizes


LEGENDS = """() => Array.from(
    document.querySelectorAll('figure.progress-chart.charted')).map(f => ({
    shown: Array.from(f.querySelectorAll('ul.legend, .u-legend')).filter(
        l => l.getClientRects().length > 0 && getComputedStyle(l).visibility !== 'hidden').length,
    text: f.innerText,
    labels: JSON.parse(f.querySelector('script.chart-data').textContent).lines.map(l => l.label),
}))"""


@pytest.mark.parametrize("path", ["/", "/?lang=es"])
def test_a_phone_shows_each_progress_chart_s_legend_once(phone: Any, path: str) -> None:
    phone.open(path)
    drawn(phone.page)
    figures = phone.page.evaluate(LEGENDS)
    assert figures, "no progress chart was drawn"
    for figure in figures:
        assert figure["shown"] == 1, figure["labels"]
        for label in figure["labels"]:
            assert figure["text"].count(label) == 1, (label, figure["text"])
    phone.shoot("progress-legend")
