"""The front-end libraries the service serves itself (api/static/vendor/, fetched by
scripts/vendor): each with its licence and a SOURCE note naming the package, version and
registry integrity, served compressed to a browser that accepts it."""

from __future__ import annotations

import gzip
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.settings import Settings

with warnings.catch_warnings():
    # starlette asks for httpx2 and warns when it falls back to httpx; the client is the same
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

VENDOR = Path(__file__).resolve().parents[2] / "api" / "static" / "vendor"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "vendor"


@pytest.fixture
def client(memory_store: Any) -> Iterator[TestClient]:
    """The service over an empty store: the assets need no data."""
    settings = Settings(store=Path("/nonexistent/unused"), query_workers=1)
    with TestClient(create_app(settings, store=memory_store)) as c:
        yield c


@pytest.mark.parametrize(
    ("folder", "package"), [("yasgui", "@zazuko/yasgui"), ("cytoscape", "cytoscape")]
)
def test_each_library_says_where_it_comes_from(folder: str, package: str) -> None:
    note = (VENDOR / folder / "SOURCE").read_text(encoding="utf-8")
    assert re.search(rf"^package:\s+{re.escape(package)}$", note, re.M)
    version = re.search(r"^version:\s+(\S+)$", note, re.M)
    integrity = re.search(r"^integrity:\s+(sha512-\S+)$", note, re.M)
    assert version and integrity
    # the note and the script that re-fetches agree on what was fetched
    script = SCRIPT.read_text(encoding="utf-8")
    assert integrity.group(1) in script and version.group(1) in script
    assert (
        (VENDOR / folder / "LICENSE").read_text(encoding="utf-8").startswith(("MIT", "Copyright"))
    )
    listed = set(re.findall(r"^  (\S+)$", note, re.M))
    assert listed == {p.name for p in (VENDOR / folder).iterdir()} - {"SOURCE"}


def test_scripts_are_sent_compressed_when_the_browser_accepts_it(client: TestClient) -> None:
    path = "/static/vendor/yasgui/yasgui.min.js"
    original = (VENDOR / "yasgui" / "yasgui.min.js").read_bytes()
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert plain.headers.get("content-encoding") is None and plain.content == original
    raw = client.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.headers["vary"] == "Accept-Encoding"
    assert int(raw.headers["content-length"]) < len(original) / 3
    assert raw.content == original  # httpx undoes the compression: the same file
    assert raw.headers["etag"] != plain.headers["etag"]  # each encoding its own tag
    again = {"Accept-Encoding": "gzip", "If-None-Match": raw.headers["etag"]}
    assert client.get(path, headers=again).status_code == 304
    with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as streamed:
        body = b"".join(streamed.iter_raw())
    assert gzip.decompress(body) == original
