"""Loads over HTTP (api.routes.loads, api.loads): accepted at once, run as `sic load` runs, polled.

In-process (TestClient): the resource's contract (202 and Location, the states, the phases in
order with their counts, the located problems of a refused load and a store left as it was,
the write token, the limits of a body and of a zip), and the page that drives it. The same
load on a real `sic serve`, with a generated workbook of realistic size, is in
tests/serve/test_loads.py.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.loads import Busy, LoadJobs, ReadLimits, Upload
from loaders.archive import ArchiveLimits, check_archive, unpack_workbook, workbook_members
from sic.errors import LoaderError
from sic.progress import PHASES

TOKEN_HEADER = "Authorization"
ZIP = "application/zip"


def zipped(folder: Path, *, prefix: str = "") -> bytes:
    """The CSV files of a folder as a zip, each under `prefix` (what zipping a folder gives)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, prefix + path.name)
    return out.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def auth(token: str) -> dict[str, str]:
    return {TOKEN_HEADER: f"Bearer {token}"}


def wait_until_over(client: TestClient, location: str, token: str) -> list[dict[str, Any]]:
    """Every status seen while polling `location`, the last one done or failed."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answer = client.get(location, headers=auth(token))
        assert answer.status_code == 200, answer.text
        seen.append(answer.json())
        if seen[-1]["state"] in ("done", "failed"):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"the load did not end: {seen[-1]}")


def post_load(
    client: TestClient, body: bytes, token: str, *, source: str, kind: str = ZIP, **params: str
) -> Any:
    return client.post(
        "/api/loads",
        params={"source": source, **params},
        content=body,
        headers={**auth(token), "Content-Type": kind},
    )


@pytest.fixture
def client(make_client: Callable[..., TestClient], memory_store: Any) -> TestClient:
    return make_client(memory_store)


@pytest.fixture
def broken_workbook(reference: Path, tmp_path: Path) -> Path:
    """The reference workbook with an unknown objective (row 2) and category (row 3)."""
    folder = tmp_path / "broken"
    shutil.copytree(reference, folder)
    activities = folder / "activities.csv"
    lines = activities.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace("A1.01,A1,MON", "A1.01,Z9,MON", 1)
    lines[2] = lines[2].replace("A1.02,A1,POL", "A1.02,A1,NOPE", 1)
    activities.write_text("".join(lines), encoding="utf-8")
    return folder


# -- a load that succeeds ----------------------------------------------------------------------


def test_a_zipped_workbook_loads_in_the_background_and_is_queryable_after(
    client: TestClient, memory_store: Any, reference: Path, write_token: str
) -> None:
    answer = post_load(client, zipped(reference, prefix="reference/"), write_token, source="wb")
    assert answer.status_code == 202, answer.text
    location = answer.headers["location"]
    accepted = answer.json()
    assert location == f"/api/loads/{accepted['id']}"
    assert accepted["state"] in ("queued", "running") and accepted["source"] == "wb"

    seen = wait_until_over(client, location, write_token)
    last = seen[-1]
    assert last["state"] == "done", (last["detail"], last["problems"][:3])
    assert [p["name"] for p in last["phases"]] == list(PHASES)
    assert all(p["finished"] for p in last["phases"])
    by_name = {p["name"]: p for p in last["phases"]}
    assert by_name["read"]["unit"] == "rows" and by_name["read"]["done"] > 100
    assert by_name["map"]["total"] == by_name["map"]["done"]
    stored = last["loaded"][0]
    assert stored["name"] == "wb" and stored["graph"].endswith("/graph/wb")
    assert by_name["commit"]["done"] == stored["triples"] > 1000
    assert last["problems"] == [] and last["detail"] is None
    # every status seen shows phases in the order they run, and the current one last
    for status in seen:
        names = [p["name"] for p in status["phases"]]
        assert names == list(PHASES[: len(names)])
        assert status["phase"] == (names[-1] if names else None)

    # read your writes: the workers were refreshed after the commit
    ask = client.get(
        "/sparql",
        params={"query": "ASK { GRAPH ?g { <https://w3id.org/4p1000/id/activity/A1.01> ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert ask.json()["boolean"] is True
    assert {s.name for s in memory_store.sources()} == {"ontology", "wb"}
    provenance = memory_store.source("wb")
    assert provenance.command.startswith("POST /api/loads") and provenance.origin.startswith(
        "request body"
    )


def test_a_source_of_that_name_is_replaced_only_when_asked(
    client: TestClient, reference: Path, write_token: str
) -> None:
    body = zipped(reference)
    first = post_load(client, body, write_token, source="wb")
    assert wait_until_over(client, first.headers["location"], write_token)[-1]["state"] == "done"

    again = post_load(client, body, write_token, source="wb")
    refused = wait_until_over(client, again.headers["location"], write_token)[-1]
    assert refused["state"] == "failed" and "already loaded" in refused["detail"]

    swapped = post_load(client, body, write_token, source="wb", replace="true")
    assert wait_until_over(client, swapped.headers["location"], write_token)[-1]["state"] == "done"


def test_one_rdf_file_loads_as_a_source_by_its_content_type(
    client: TestClient, memory_store: Any, write_token: str
) -> None:
    turtle = b"<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> 'A' .\n"
    answer = post_load(client, turtle, write_token, source="extra", kind="text/turtle")
    assert answer.status_code == 202, answer.text
    last = wait_until_over(client, answer.headers["location"], write_token)[-1]
    assert last["state"] == "done", (last["detail"], last["problems"][:3])
    assert [p["name"] for p in last["phases"]] == ["stage", "validate", "commit"]
    assert last["loaded"] == [
        {"name": "extra", "graph": "https://w3id.org/4p1000/graph/extra", "triples": 1}
    ]


# -- a load that is refused --------------------------------------------------------------------


def test_a_broken_workbook_shows_located_problems_and_stores_nothing(
    client: TestClient, memory_store: Any, broken_workbook: Path, write_token: str
) -> None:
    before = memory_store.sources()
    answer = post_load(client, zipped(broken_workbook), write_token, source="broken")
    last = wait_until_over(client, answer.headers["location"], write_token)[-1]
    assert last["state"] == "failed"
    assert "nothing was stored" in last["detail"]
    assert last["problem_count"] == 2
    located = {(p["file"], p["row"], p["column"]) for p in last["problems"]}
    assert located == {("activities.csv", 2, "objective"), ("activities.csv", 3, "category")}
    assert last["problems"][0]["where"] == "activities.csv, row 2, column 'objective'"
    assert last["problems"][0]["whereTranslations"] == {  # the load page shows the reader's
        "fr": "activities.csv, ligne 2, colonne 'objective'",
        "es": "activities.csv, fila 2, columna 'objective'",
    }
    assert "'Z9' is not in objectives.csv" in last["problems"][0]["message"]
    assert [p["name"] for p in last["phases"]] == ["read", "map"]
    assert memory_store.sources() == before


def test_a_syntax_error_in_an_rdf_file_is_located_by_line(
    client: TestClient, memory_store: Any, write_token: str
) -> None:
    broken = (
        b"<https://example.org/a> <https://example.org/p> 'A' .\n<https://example.org/b> oops\n"
    )
    answer = post_load(client, broken, write_token, source="extra", kind="text/turtle")
    last = wait_until_over(client, answer.headers["location"], write_token)[-1]
    assert last["state"] == "failed"
    (problem,) = last["problems"]
    assert problem["file"] == "request body" and problem["row"] == 2
    assert all(s.name != "extra" for s in memory_store.sources())


def test_data_that_breaks_the_shapes_is_refused_with_the_violations(
    client: TestClient, memory_store: Any, write_token: str
) -> None:
    bad = b"""@prefix sic: <https://w3id.org/4p1000/ontology#> .
<https://w3id.org/4p1000/id/activity/X1> a sic:Activity .
"""
    answer = post_load(client, bad, write_token, source="bad", kind="text/turtle")
    last = wait_until_over(client, answer.headers["location"], write_token)[-1]
    assert last["state"] == "failed", last
    assert "SHACL violation" in last["detail"]
    assert last["problems"] and all(p["focusNode"] for p in last["problems"])
    # each rule's sentence in French and Spanish too, for the load page to show the reader's
    assert all(set(p["translations"]) == {"fr", "es"} for p in last["problems"])
    assert any(p["translations"]["fr"].startswith("Une activité") for p in last["problems"])
    assert [p["name"] for p in last["phases"]] == ["stage", "validate"]
    assert all(s.name != "bad" for s in memory_store.sources())


# -- the request ------------------------------------------------------------------------------


def test_loads_need_the_write_token(client: TestClient, reference: Path, write_token: str) -> None:
    body = zipped(reference)
    assert client.post("/api/loads?source=wb", content=body).status_code == 401
    assert post_load(client, body, "wrong", source="wb").status_code == 403
    accepted = post_load(client, body, write_token, source="wb")
    location = accepted.headers["location"]
    assert client.get(location).status_code == 401
    assert client.get(location, headers=auth("wrong")).status_code == 403
    wait_until_over(client, location, write_token)


def test_a_read_only_service_takes_no_load(
    make_client: Callable[..., TestClient], memory_store: Any, reference: Path
) -> None:
    client = make_client(memory_store, write_token=None)
    answer = client.post("/api/loads?source=wb", content=zipped(reference))
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("kind", "body", "source", "status", "said"),
    [
        ("text/plain", b"x", "wb", 415, "not text/plain"),
        ("application/pdf", b"x", "wb", 415, "not application/pdf"),
        ("text/turtle; charset=latin-1", b"x", "wb", 415, "UTF-8"),
        (ZIP, b"", "wb", 400, "empty"),
        (ZIP, b"not a zip", "wb", 400, "not a zip archive"),
        (ZIP, zip_of({"notes.txt": b"hello"}), "wb", 400, "no CSV file"),
        (ZIP, zip_of({"../goals.csv": b"code\n"}), "wb", 400, "outside the archive"),
        (ZIP, zip_of({"a/goals.csv": b"code\n", "b/x.csv": b"y\n"}), "wb", 400, "one folder"),
        (ZIP, zip_of({"goals.csv": b"code\n"}), "ontology", 400, "kept by the store"),
        (ZIP, zip_of({"goals.csv": b"code\n"}), "Sources", 400, "kept by the store"),
        (ZIP, zip_of({"goals.csv": b"code\n"}), "../x", 422, ""),
    ],
)
def test_a_body_that_is_no_load_is_refused_at_once(
    client: TestClient,
    write_token: str,
    kind: str,
    body: bytes,
    source: str,
    status: int,
    said: str,
) -> None:
    answer = post_load(client, body, write_token, source=source, kind=kind)
    assert answer.status_code == status, answer.text
    assert said in str(answer.json()["detail"])


def test_a_body_over_the_upload_limit_is_refused(
    make_client: Callable[..., TestClient], memory_store: Any, reference: Path, write_token: str
) -> None:
    client = make_client(memory_store, max_upload_mb=0.01)
    answer = post_load(client, zipped(reference), write_token, source="wb")
    assert answer.status_code == 413
    assert "SIC_MAX_UPLOAD_MB" in answer.json()["detail"]


def test_a_zip_that_unpacks_past_the_limit_is_refused_unread(
    make_client: Callable[..., TestClient], memory_store: Any, write_token: str
) -> None:
    client = make_client(memory_store, max_upload_mb=1)
    bomb = zip_of({"goals.csv": b"code\n" + b"A" * (3 << 20)})  # about 3 KB, 3 MB unpacked
    assert len(bomb) < 1 << 20
    answer = post_load(client, bomb, write_token, source="wb")
    assert answer.status_code == 400
    assert (
        "unpacks to more than 1 MB (SIC_MAX_UPLOAD_MB)" in answer.json()["problems"][0]["message"]
    )


def test_an_unknown_load_is_404(client: TestClient, write_token: str) -> None:
    answer = client.get(f"/api/loads/{'0' * 32}", headers=auth(write_token))
    assert answer.status_code == 404


# -- the table of loads -----------------------------------------------------------------------


class _Writes:
    """A runner that takes writes in turn, on a thread, like the pool's store thread."""

    async def write(self, prepare: Any, commit: Callable[[Any], Any]) -> Any:
        return await asyncio.to_thread(commit, None)


def test_the_table_keeps_the_last_loads_and_bounds_those_waiting(memory_store: Any) -> None:
    turtle = b"<https://example.org/a> <https://example.org/p> 'A' .\n"
    jobs = LoadJobs(keep=2, max_pending=2)

    def submit(name: str) -> str:
        return jobs.submit(
            Upload(turtle, "rdf", ox.RdfFormat.TURTLE),
            source=name,
            replace=False,
            store=memory_store,
            runner=_Writes(),  # type: ignore[arg-type]
            limits=ReadLimits(ArchiveLimits(1 << 20), 64),
        ).id

    async def over(ids: list[str]) -> None:
        while any(getattr(jobs.status(i), "state", "") in ("queued", "running") for i in ids):
            await asyncio.sleep(0.01)

    async def scenario() -> None:
        first = [submit("s0"), submit("s1")]
        with pytest.raises(Busy):
            submit("s9")
        await over(first)
        later = [submit("s2"), submit("s3")]
        await over(later)
        assert [jobs.status(i) is not None for i in first + later] == [False, False, True, True]
        await jobs.close()

    asyncio.run(scenario())
    assert {"s0", "s1", "s2", "s3"} <= {s.name for s in memory_store.sources()}


# -- zips ------------------------------------------------------------------------------------


def test_a_zipped_folder_unpacks_to_bare_file_names(tmp_path: Path) -> None:
    data = zip_of(
        {
            "wb/goals.csv": b"code,title\nA,x\n",
            "wb/notes.txt": b"ignored",
            "__MACOSX/wb/._goals.csv": b"junk",
        }
    )
    folder = tmp_path / "out"
    folder.mkdir()
    unpack_workbook(data, folder, ArchiveLimits(1 << 20), "body")
    assert [p.name for p in folder.iterdir()] == ["goals.csv"]


def test_an_archive_that_lies_about_its_sizes_is_cut_at_the_limit(tmp_path: Path) -> None:
    """A directory that declares a small size: Python's zipfile stops inflating there (a
    CRC error), and what is unpacked never passes the limit either way."""
    data = bytearray(zip_of({"goals.csv": b"A" * 50_000}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")  # declared size: 10 bytes
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(LoaderError) as refused:
        unpack_workbook(bytes(data), folder, ArchiveLimits(1 << 20), "body")
    assert "goals.csv" in str(refused.value)
    assert sum(p.stat().st_size for p in folder.iterdir()) <= 1 << 20


def test_an_archive_with_too_many_entries_is_refused() -> None:
    data = zip_of({f"f{n}.txt": b"" for n in range(5)})
    with pytest.raises(LoaderError, match="5 entries; at most 4"):
        check_archive(data, ArchiveLimits(1 << 20, max_members=4), "body")
    with pytest.raises(LoaderError, match="at most 4"):
        workbook_members(data, ArchiveLimits(1 << 20, max_members=4), "body")


# -- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "title"),
    [("en", "Load a workbook"), ("fr", "Charger un classeur"), ("es", "Cargar un libro")],
)
def test_the_page_uploads_and_polls_in_the_reader_s_language(
    client: TestClient, lang: str, title: str
) -> None:
    page = client.get(f"/load?lang={lang}")
    assert page.status_code == 200 and page.headers["content-language"] == lang
    assert title in page.text
    assert 'data-endpoint="/api/loads"' in page.text and "/static/load.js" in page.text
    script = client.get("/static/load.js")
    assert script.status_code == 200
    assert "Location" in script.text and "setTimeout" in script.text


def test_the_page_of_a_read_only_service_says_so(
    make_client: Callable[..., TestClient], memory_store: Any
) -> None:
    page = make_client(memory_store, write_token=None).get("/load")
    assert "read-only" in page.text and "disabled" in page.text


def test_a_broken_workbook_s_problems_carry_their_french_and_spanish(
    client: TestClient, broken_workbook: Path, write_token: str
) -> None:
    """Issue 17: the loader's own sentences reach the load page (and its JSON) translated."""
    answer = post_load(client, zipped(broken_workbook), write_token, source="broken")
    last = wait_until_over(client, answer.headers["location"], write_token)[-1]
    assert last["state"] == "failed"
    first = last["problems"][0]
    assert first["message"] == "objective 'Z9' is not in objectives.csv"
    assert set(first["translations"]) == {"fr", "es"}
    assert first["translations"]["fr"] == "objectif 'Z9' ne figure pas dans objectives.csv"
    assert first["translations"]["es"] == "objetivo 'Z9' no está en objectives.csv"
