"""The illustrative-data banner: a source whose about note says it is illustrative is named on
every public page, in the reader's language, with the note itself; real data gets no banner."""

from __future__ import annotations

import csv
import html as markup
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REFERENCE_ABOUT = Path(__file__).resolve().parents[2] / "data" / "reference" / "about.csv"
BROWSER = {"Accept": "text/html"}


def _banner(html: str) -> str | None:
    found = re.search(r'<aside class="illustrative" role="note"[^>]*>(.*?)</aside>', html, re.S)
    return None if found is None else markup.unescape(found.group(1))


@pytest.fixture
def client(make_client: Callable[..., Any], reference_copy: Path) -> Any:
    return make_client(store=reference_copy)


@pytest.mark.parametrize("path", ["/", "/gaps", "/id/objective/C3", "/id/organisation/clff"])
def test_every_public_page_names_the_illustrative_source(client: Any, path: str) -> None:
    with REFERENCE_ABOUT.open(encoding="utf-8", newline="") as handle:
        note = {row["key"]: row["value"] for row in csv.DictReader(handle)}["note"]
    html = client.get(path, headers=BROWSER).text
    banner = _banner(html)
    assert banner is not None, path
    assert "Illustrative data" in banner
    assert "the 14 published objectives" in banner and note.split(" (")[0] in banner


def test_the_banner_speaks_the_readers_language(client: Any) -> None:
    banner = _banner(client.get("/", params={"lang": "es"}, headers=BROWSER).text)
    assert banner is not None and "Datos ilustrativos" in banner


def test_no_banner_when_no_source_says_it_is_illustrative(
    make_client: Callable[..., Any], tmp_path: Path
) -> None:
    data = tmp_path / "real.ttl"
    data.write_text(
        "<https://w3id.org/4p1000/id/goal/A> <http://www.w3.org/2000/01/rdf-schema#label> "
        '"Inception & Conceptualization"@en .\n'
    )
    client = make_client(store=tmp_path / "store", data=[data])
    html = client.get("/", headers=BROWSER).text
    assert client.get("/", headers=BROWSER).status_code == 200
    assert _banner(html) is None
