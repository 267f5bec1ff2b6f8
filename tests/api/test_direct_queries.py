"""A plain GET /sparql answered without the app's routing (api.direct_queries): the same answer
as the app's, byte for byte, and everything else left to the app, errors included, computed once.
"""

from __future__ import annotations

import shutil
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.direct_queries import DirectQueries
from runner.in_process import InProcessRunner
from runner.pool import Limits

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

ORG = "https://w3id.org/4p1000/id/organisation/"
POINT = "SELECT ?p ?o WHERE { ?s a <https://w3id.org/4p1000/ontology#Activity> ; ?p ?o } LIMIT 40"
ALL = "SELECT * WHERE { ?s ?p ?o }"  # past the result limit below: cut, and said so
GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/4p1000/ontology#Objective> ; ?p ?o }"
ONTOLOGY = "https://w3id.org/4p1000/ontology"

ANSWERED_DIRECTLY: list[tuple[dict[str, str], dict[str, str]]] = [
    ({"query": POINT}, {}),
    ({"query": POINT}, {"Accept": "application/sparql-results+json"}),
    ({"query": POINT}, {"Accept": "application/sparql-results+xml"}),
    ({"query": POINT}, {"Accept": "text/csv"}),
    ({"query": POINT}, {"Accept": "text/tab-separated-values"}),
    ({"query": POINT}, {"Accept": "*/*"}),
    ({"query": POINT}, {"Accept": "text/csv;q=0.5, application/sparql-results+xml"}),
    ({"query": ALL}, {}),
    ({"query": "ASK { ?s ?p ?o }"}, {}),
    ({"query": "ASK { ?s ?p ?o }"}, {"Accept": "application/sparql-results+xml"}),
    ({"query": GRAPH}, {}),
    ({"query": GRAPH}, {"Accept": "application/n-triples"}),
    ({"query": GRAPH}, {"Accept": "application/ld+json"}),
    ({"query": f"DESCRIBE <{ORG}x>"}, {"Accept": "text/turtle"}),
    ({"query": POINT, "default-graph-uri": ONTOLOGY}, {}),
    ({"query": "SELECT * { ?s ?p ?o } LIMIT 3", "named-graph-uri": ONTOLOGY}, {}),
]

LEFT_TO_THE_APP: list[tuple[dict[str, str], dict[str, str]]] = [
    ({}, {}),  # the service description
    ({"query": POINT}, {"Accept": "text/html"}),  # a browser: the results page
    ({"query": POINT, "asOf": "2026-01-01"}, {}),
    ({"query": POINT, "lang": "fr"}, {}),
    ({"query": POINT}, {"Cookie": "sic_lang=fr"}),
    ({"query": POINT}, {"Origin": "http://elsewhere.example"}),
    ({"query": POINT, "query2": "x"}, {}),
    ({"query": "x" * 3000}, {}),  # past SIC_MAX_QUERY_KB: the app refuses it
]

FAILING: list[tuple[dict[str, str], dict[str, str]]] = [
    ({"query": "SELEC ?x WHERE { ?x ?y ?z }"}, {}),
    ({"query": "SELECT ?x WHERE { ?x ?y ?z"}, {"Accept-Language": "fr"}),
    ({"query": "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"}, {}),
    ({"query": GRAPH}, {"Accept": "application/sparql-results+json"}),  # 406
    ({"query": POINT}, {"Accept": "image/png"}),  # 406
]


class _Counted:
    """The store, counting the queries it runs (a request failing on the direct path must not
    be computed again by the app)."""

    def __init__(self, store: Any, sleep: float = 0.0) -> None:
        self._store = store
        self.queries = 0
        self.sleep = sleep

    def query(self, *args: Any, **kwargs: Any) -> Any:
        self.queries += 1
        if self.sleep:
            time.sleep(self.sleep)
        return self._store.query(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


class _Seen:
    """ASGI app in front of the app: counts the requests that reach it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests += 1
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def store(reference_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from graph.embedded import EmbeddedStore

    copy = tmp_path_factory.mktemp("direct") / "store"
    shutil.copytree(reference_store, copy)
    opened = EmbeddedStore(copy)
    assert opened.hold_in_memory(1_000_000)
    yield opened
    opened.close()


def _settings(tmp_path: Path) -> Any:
    from api.settings import Settings

    return Settings(
        iati_sample=False,
        result_limit=200,
        max_query_kb=2,
        fit_timeout=0,
        accounts_db=tmp_path / "accounts.sqlite3",
    )


class _Service:
    """The app as an HTTP process serves it, with and without the direct path in front."""

    def __init__(self, store: Any, tmp_path: Path, query_timeout: float = 10.0) -> None:
        self.settings = _settings(tmp_path)
        self.store = _Counted(store)
        self.runner = InProcessRunner(
            self.store,  # type: ignore[arg-type]
            limits=Limits(query=query_timeout),
            on_overrun=lambda: None,
        )
        app = create_app(self.settings, store=self.store, runner=self.runner)  # type: ignore[arg-type]
        self.app = _Seen(app)
        self.plain = TestClient(self.app, raise_server_exceptions=False)
        self.direct = TestClient(
            DirectQueries(self.app, self.settings, self.runner), raise_server_exceptions=False
        )

    def __enter__(self) -> _Service:
        self.plain.__enter__()
        self.direct.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.direct.__exit__(None, None, None)
        self.plain.__exit__(None, None, None)


@pytest.fixture
def service(store: Any, tmp_path: Path) -> Iterator[_Service]:
    with _Service(store, tmp_path) as s:
        yield s


def _both(
    service: _Service, params: dict[str, str], headers: dict[str, str]
) -> tuple[Any, Any, int]:
    """The app's answer, the answer with the direct path in front, and how many requests of
    the second reached the app."""
    by_app = service.plain.get("/sparql", params=params, headers=headers)
    seen = service.app.requests
    direct = service.direct.get("/sparql", params=params, headers=headers)
    return by_app, direct, service.app.requests - seen


def _same(a: Any, b: Any) -> None:
    assert a.status_code == b.status_code, (a.text, b.text)
    assert sorted(a.headers.multi_items()) == sorted(b.headers.multi_items())
    assert a.content == b.content


@pytest.mark.parametrize(("params", "headers"), ANSWERED_DIRECTLY)
def test_a_plain_query_is_answered_directly_as_the_app_answers_it(
    service: _Service, params: dict[str, str], headers: dict[str, str]
) -> None:
    by_app, direct, reached = _both(service, params, headers)
    assert reached == 0, "answered by the app, not directly"
    assert direct.status_code == 200, direct.text
    _same(direct, by_app)


def test_a_cut_answer_says_so_directly_too(service: _Service) -> None:
    direct = service.direct.get("/sparql", params={"query": ALL})
    assert direct.headers["SIC-Result-Truncated"] == "200"
    assert len(direct.json()["results"]["bindings"]) == 200


@pytest.mark.parametrize(("params", "headers"), LEFT_TO_THE_APP)
def test_anything_else_is_left_to_the_app(
    service: _Service, params: dict[str, str], headers: dict[str, str]
) -> None:
    by_app, direct, reached = _both(service, params, headers)
    assert reached == 1
    if "query" in params and "asOf" not in params:
        _same(direct, by_app)
    else:  # the service description's blank nodes and a moment's age differ from call to call
        assert direct.status_code == by_app.status_code
        assert direct.headers["content-type"] == by_app.headers["content-type"]


def test_other_methods_and_paths_are_left_to_the_app(service: _Service) -> None:
    for method, path in (("HEAD", "/sparql"), ("POST", "/sparql"), ("GET", "/sparql/")):
        seen = service.app.requests
        service.direct.request(method, path, params={"query": POINT})
        assert service.app.requests == seen + 1, (method, path)


@pytest.mark.parametrize(("params", "headers"), FAILING)
def test_an_error_is_answered_by_the_app_without_computing_again(
    service: _Service, params: dict[str, str], headers: dict[str, str]
) -> None:
    by_app = service.plain.get("/sparql", params=params, headers=headers)
    before = service.store.queries
    direct = service.direct.get("/sparql", params=params, headers=headers)
    assert 400 <= direct.status_code < 500
    assert service.store.queries - before <= 1
    _same(direct, by_app)


def test_a_query_past_its_time_limit_is_answered_503_once(store: Any, tmp_path: Path) -> None:
    with _Service(store, tmp_path, query_timeout=0.2) as slow:
        slow.store.sleep = 0.6
        seen = slow.app.requests
        direct = slow.direct.get("/sparql", params={"query": POINT})
        assert direct.status_code == 503
        assert "time" in direct.json()["detail"].lower()
        assert slow.store.queries == 1
        assert slow.app.requests == seen + 1  # the app said it, from the error met directly
        time.sleep(0.5)  # the thread's query ends before the store is closed
