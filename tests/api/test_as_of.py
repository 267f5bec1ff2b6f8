"""`?asOf=` (api.as_of): pages, the JSON API, /id/... and /sparql answer on the dataset as it
was; bad moments and writes with a moment are refused (400).

An app over a copy of the reference store; one SPARQL update moves a project to another stage
between two moments, and every face is asked about both.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sic.iris import mint

BASE = "https://w3id.org/4p1000/"
SIC = "https://w3id.org/4p1000/ontology#"
PROJECT = str(mint("project", "soil-project-incubator", BASE))
MOVE = f"""PREFIX sic: <{SIC}>
DELETE {{ <{PROJECT}> sic:stage ?old }}
INSERT {{ <{PROJECT}> sic:stage sic:StageTeam }}
WHERE {{ <{PROJECT}> sic:stage ?old }}"""
ASK_TEAM = f"ASK {{ <{PROJECT}> <{SIC}stage> <{SIC}StageTeam> }}"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


def _now() -> str:
    time.sleep(0.01)
    moment = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    time.sleep(0.01)
    return moment.replace("+00:00", "Z")


@pytest.fixture
def moved(
    make_client: Callable[..., Any], reference_copy: Path, write_token: str
) -> tuple[Any, str, str]:
    """(client, a moment before the move, a moment after it)."""
    client = make_client(store=reference_copy)
    before = _now()
    answer = client.post(
        "/update",
        content=MOVE,
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {write_token}",
        },
    )
    assert answer.status_code == 204, answer.text
    return client, before, _now()


def _ask(client: Any, **params: str) -> bool:
    answer = client.get("/sparql", params={"query": ASK_TEAM, **params}, headers=JSON)
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["boolean"])


def test_sparql_answers_as_of_a_moment_by_get_and_post(moved: tuple[Any, str, str]) -> None:
    client, before, after = moved
    assert _ask(client) is True
    assert _ask(client, asOf=after) is True
    assert _ask(client, asOf=before) is False
    posted = client.post("/sparql", data={"query": ASK_TEAM, "asOf": before}, headers=JSON)
    assert posted.status_code == 200, posted.text
    assert posted.json()["boolean"] is False
    answer = client.get("/sparql", params={"query": ASK_TEAM, "asOf": before}, headers=JSON)
    assert answer.headers["SIC-As-Of"] == before
    change = int(answer.headers["SIC-As-Of-Change"])
    later = client.get("/sparql", params={"query": ASK_TEAM, "asOf": after}, headers=JSON)
    assert int(later.headers["SIC-As-Of-Change"]) == change + 1
    assert "SIC-As-Of" not in client.get("/sparql", params={"query": ASK_TEAM}).headers


def test_before_the_first_change_the_dataset_is_empty(moved: tuple[Any, str, str]) -> None:
    client, _, _ = moved
    answer = client.get("/sparql", params={"query": COUNT, "asOf": "2001-01-01"}, headers=JSON)
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"]["bindings"][0]["n"]["value"] == "0"
    assert answer.headers["SIC-As-Of-Change"] == "0"
    assert answer.headers["SIC-As-Of"] == "2001-01-01T23:59:59.999999Z"  # a date: its end
    assert "before the first recorded change" in answer.headers["SIC-As-Of-Note"]


def test_a_future_moment_is_the_present(moved: tuple[Any, str, str]) -> None:
    client, _, _ = moved
    assert _ask(client, asOf="2999-12-31") is True
    answer = client.get("/sparql", params={"query": ASK_TEAM, "asOf": "2999-12-31"})
    assert answer.headers["SIC-As-Of-Note"] == "nothing changed since: this is the present"


@pytest.mark.parametrize("bad", ["yesterday", "2026-02-30", "2026-03-01T12:00:00", "1/3/2026"])
def test_a_bad_moment_is_refused_with_a_message(moved: tuple[Any, str, str], bad: str) -> None:
    client, _, _ = moved
    answer = client.get("/sparql", params={"query": ASK_TEAM, "asOf": bad}, headers=JSON)
    assert answer.status_code == 400
    assert "asOf must be a date" in answer.text
    page = client.get("/", params={"asOf": bad}, headers={"Accept": "text/html"})
    assert page.status_code == 400
    assert "asOf must be a date" in page.text


def test_writes_with_a_moment_are_refused(moved: tuple[Any, str, str], write_token: str) -> None:
    client, before, _ = moved
    auth = {"Authorization": f"Bearer {write_token}"}
    update = client.post(
        "/update",
        params={"asOf": before},
        content=MOVE,
        headers={"Content-Type": "application/sparql-update", **auth},
    )
    assert update.status_code == 400
    assert "asOf" in update.text
    put = client.put(
        "/data",
        params={"graph": BASE + "graph/x", "asOf": before},
        content=b"<http://e/s> <http://e/p> <http://e/o> .",
        headers={"Content-Type": "application/n-triples", **auth},
    )
    assert put.status_code == 400
    assert _ask(client) is True  # nothing was written, nothing was undone


def test_linked_data_answers_as_of_a_moment(moved: tuple[Any, str, str]) -> None:
    client, before, after = moved
    path = PROJECT.removeprefix(BASE.rstrip("/"))
    accept = {"Accept": "application/n-triples"}
    then = client.get(path, params={"asOf": before}, headers=accept)
    now = client.get(path, params={"asOf": after}, headers=accept)
    assert then.status_code == now.status_code == 200
    assert f"<{SIC}StageTeam>" in now.text
    assert f"<{SIC}StageTeam>" not in then.text
    assert then.headers["ETag"] != now.headers["ETag"]


def test_the_json_history_ends_at_the_moment(moved: tuple[Any, str, str]) -> None:
    client, before, after = moved
    path = "/api/resources/project/soil-project-incubator/history"
    then = client.get(path, params={"asOf": before})
    now = client.get(path, params={"asOf": after})
    assert then.status_code == now.status_code == 200, then.text
    assert len(now.json()["changes"]) == len(then.json()["changes"]) + 1


def test_pages_show_the_banner_and_keep_the_moment_in_links(moved: tuple[Any, str, str]) -> None:
    client, before, _ = moved
    html = {"Accept": "text/html"}
    for lang, words in (("en", "this is the dataset as it was"), ("fr", "tel qu"), ("es", "tal")):
        page = client.get("/", params={"asOf": before, "lang": lang}, headers=html)
        assert page.status_code == 200, page.text
        assert 'class="as-of"' in page.text
        assert words in page.text
        assert f"asOf={before.replace(':', '%3A')}" in page.text  # links keep the moment
    gaps = client.get("/gaps", params={"asOf": before}, headers=html)
    assert gaps.status_code == 200
    assert f'<input type="hidden" name="asOf" value="{before}">' in gaps.text  # forms keep it
    plain = client.get("/", headers=html)
    assert 'class="as-of"' not in plain.text
    assert "asOf=" not in plain.text


def test_the_command_line_answers_as_of_a_moment(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, [*args, "--store", str(tmp_path / "store")])
        return result.exit_code, result.output

    data = tmp_path / "a.ttl"
    data.write_text('<http://e.org/s> <http://e.org/p> "old" .\n', encoding="utf-8")
    assert run("load", str(data))[0] == 0
    between = _now()
    data.write_text('<http://e.org/s> <http://e.org/p> "new" .\n', encoding="utf-8")
    assert run("load", str(data), "--replace")[0] == 0
    query = "SELECT ?o WHERE { <http://e.org/s> <http://e.org/p> ?o }"
    code, now = run("sparql", query, "--format", "csv")
    assert code == 0 and "new" in now and "old" not in now
    code, then = run("sparql", query, "--format", "csv", "--as-of", between)
    assert code == 0, then
    assert "old" in then and "new" not in then
    code, empty = run("sparql", query, "--format", "csv", "--as-of", "2001-01-01")
    assert code == 0 and "old" not in empty and "new" not in empty
    code, bad = run("sparql", query, "--as-of", "last week")
    assert code != 0 and "asOf must be a date" in bad


def test_every_page_answers_on_an_empty_moment(moved: tuple[Any, str, str]) -> None:
    client, _, _ = moved
    path = PROJECT.removeprefix(BASE.rstrip("/"))
    for page in ("/", "/gaps", "/network", "/queries", "/search?q=soil", path):
        answer = client.get(page, params={"asOf": "2001-01-01"}, headers={"Accept": "text/html"})
        assert answer.status_code < 500, (page, answer.text[:300])
    found = client.get(path, params={"asOf": "2001-01-01"}, headers={"Accept": "text/html"})
    assert found.status_code == 404  # the project was not there yet


def test_a_runaway_query_on_a_moment_is_stopped_in_its_worker(
    live_server: Callable[..., Any], reference_copy: Path, write_token: str
) -> None:
    """A moment's queries run in forked workers of their own (api.as_of): past the time limit
    the worker running one is killed, as on the present, and the moment keeps answering."""
    import os

    import httpx

    server = live_server(store=reference_copy, query_timeout=1.0, query_workers=1)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        before = _now()
        moved = client.post(
            "/update",
            content=MOVE,
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {write_token}",
            },
        )
        assert moved.status_code == 204, moved.text
        first = client.get("/sparql", params={"query": ASK_TEAM, "asOf": before}, headers=JSON)
        assert first.status_code == 200 and first.json()["boolean"] is False
        pools = server.app.state.as_of_pools
        (pool,) = pools.kept.values()
        workers = set(pool.pids())
        assert workers and not workers & set(server.app.state.runner.pids())
        runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        start = time.monotonic()
        stopped = client.get("/sparql", params={"query": runaway, "asOf": before}, headers=JSON)
        assert stopped.status_code == 503 and "stopped" in stopped.json()["detail"]
        assert time.monotonic() - start < 5
        killed = workers - set(pool.pids())
        assert killed
        gone_by = time.monotonic() + 3
        while time.monotonic() < gone_by and any(_alive(os, pid) for pid in killed):
            time.sleep(0.05)
        assert not any(_alive(os, pid) for pid in killed)
        again = client.get("/sparql", params={"query": ASK_TEAM, "asOf": before}, headers=JSON)
        assert again.status_code == 200 and again.json()["boolean"] is False


def _alive(os: Any, pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
