"""The server-side SVG of an indicator's trajectory marks its 2050 target, as the uPlot chart
does, and says it in words beside the chart (for screen readers, print and no JavaScript).

The indicators and their targets are read from each objective's trajectory CSV, the same
figures the page draws; an indicator without a 2050 target has no such mark.
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from api.i18n import Ui

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


@pytest.fixture(scope="module")
def client(reference_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    settings = Settings(
        store=reference_store,
        query_workers=1,
        iati_sample=False,
        accounts_db=tmp_path_factory.mktemp("acc") / "accounts.sqlite3",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def targets_2050(client: Any) -> dict[str, dict[str, float | None]]:
    """{objective: {indicator: its 2050 target or None}} from the trajectory CSVs."""
    with (REFERENCE / "indicators.csv").open(encoding="utf-8") as f:
        objectives = sorted({r["objective"] for r in csv.DictReader(f)})
    found: dict[str, dict[str, float | None]] = {}
    for objective in objectives:
        data = client.get(f"/objectives/{objective}/trajectory.csv").text
        for row in csv.DictReader(io.StringIO(data)):
            key = row["indicator"].rsplit("/", 1)[-1]
            found.setdefault(objective, {}).setdefault(key, None)
            if row["kind"] == "target_2050":
                found[objective][key] = float(row["value"])
    return found


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_each_2050_target_is_marked_and_said(client: Any, lang: str) -> None:
    ui = Ui(lang)
    by_objective = targets_2050(client)
    assert any(v is not None for ind in by_objective.values() for v in ind.values())
    assert any(v is None for ind in by_objective.values() for v in ind.values())
    for objective, indicators in by_objective.items():
        client.cookies.clear()
        html = client.get(
            f"/id/objective/{objective}", params={"lang": lang}, headers={"Accept": "text/html"}
        ).text
        for key, target in indicators.items():
            figure = re.search(
                rf'<figure class="trajectory" data-indicator="(?:[^"]*/)?{re.escape(key)}"'
                r".*?</figure>",
                html,
                re.S,
            )
            assert figure, (objective, key)
            text = unescape(figure.group(0))
            mark = re.search(r'<line class="target-2050"[^>]*><title>([^<]*)</title>', text)
            if target is None:
                assert mark is None and 'class="target-2050"' not in text, key
                continue
            assert mark, key
            assert mark.group(1) == f"{ui('charts.target_2050')}: {ui.number(target)}"
            unit = re.search(r'<span class="note" lang="en">\((.*?)\)</span></figcaption>', text)
            assert unit, key
            verdict = text.split('<p class="verdict">', 1)[1].split("</p>", 1)[0]
            said = ui("indicators.target_2050_text", target=ui.number(target), unit=unit.group(1))
            assert said in verdict, (key, verdict)
            label = re.search(r'<svg class="trajectory-chart"[^>]*aria-label="([^"]*)"', text)
            assert label and "2050" in label.group(1)
