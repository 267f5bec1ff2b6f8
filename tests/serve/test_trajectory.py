"""An objective's indicator trajectories on a real `sic serve`: the objective page draws each
indicator as an SVG made on the server (no script, no CDN), says the verdict in the reader's
language, and links the CSV of the very values it draws."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import httpx


def test_objective_page_draws_trajectories_and_their_csv_downloads(
    reference_service: Any,
) -> None:
    with httpx.Client(base_url=reference_service.url, timeout=60) as http:
        page = http.get("/id/objective/C3", headers={"Accept": "text/html"})
        assert page.status_code == 200
        html = page.text
        figure = re.search(
            r'<figure class="trajectory" data-indicator="c3-top-institutions" '
            r'data-status="off_track">(.*?)</figure>',
            html,
            re.S,
        )
        assert figure, "the C3 indicator is drawn"
        svg = figure.group(1)
        assert "<svg" in svg and 'class="projection"' in svg and 'class="target"' in svg
        assert svg.count('<circle class="value"') == 4  # the baseline and three observations
        assert "Off track" in svg and "60.9 institutions by the end of 2030" in svg
        assert "illustrative, not published" in svg
        # the SVG needs no script: the only scripts of the section are its figures as JSON,
        # which api/static/charts.js (issue 17) redraws with the vendored uPlot
        section = html.split('<section id="indicators"')[1].split("</section>")[0]
        assert re.findall(r"<script[^>]*>", section) == [
            '<script type="application/json" class="chart-data">'
        ]

        french = http.get(
            "/id/objective/C1", params={"lang": "fr"}, headers={"Accept": "text/html"}
        )
        assert "En bonne voie" in french.text

        link = re.search(r'href="([^"]*/objectives/C3/trajectory\.csv[^"]*)" download', html)
        assert link, "the page links the data of its charts"
        download = http.get(link.group(1))
        assert download.status_code == 200
        assert download.headers["content-type"].startswith("text/csv")
        assert "trajectory-C3.csv" in download.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(download.text)))
        assert [r["kind"] for r in rows] == [
            "baseline", "observation", "observation", "observation", "projection", "target_2030",
        ]  # fmt: skip
        assert rows[0]["value"] == "20" and rows[-1]["value"] == "80"

        missing = http.get("/objectives/Z9/trajectory.csv")
        assert missing.status_code == 404
        assert "no objective 'Z9'" in missing.text

        http.cookies.clear()  # another reader: the French page above remembered French
        none = http.get("/id/objective/B1", headers={"Accept": "text/html"})
        assert "No indicator measures this objective yet." in none.text
