from __future__ import annotations

import http
import os
import re
import shutil
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # starlette asks for httpx2 and warns when it falls back to httpx; the client is the same
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def reference() -> Path:
    return ROOT / "data" / "reference"


@pytest.fixture(scope="session")
def reference_store(tmp_path_factory: pytest.TempPathFactory, reference: Path) -> Path:
    """An on-disk store holding the ontology and the reference workbook (read-only in tests)."""
    from typer.testing import CliRunner

    from api.cli import app

    path = tmp_path_factory.mktemp("ref") / "store"
    result = CliRunner().invoke(app, ["load", str(reference), "--store", str(path)])
    assert result.exit_code == 0, result.output
    return path


# -- the HTTP service: apps, live servers, listeners, and the W3C protocol runner ---------------
# (shared through fixtures: test modules do not import each other)

WRITE_TOKEN = "test-write-token-0123456789"


@pytest.fixture(scope="session")
def write_token() -> str:
    """The SIC_WRITE_TOKEN of every test service that takes writes."""
    return WRITE_TOKEN


@pytest.fixture(scope="session")
def write_checker() -> Any:
    """One SHACL write validator for every throwaway store (building one costs about a second)."""
    from graph.validation import WriteChecker

    return WriteChecker()


@pytest.fixture
def memory_store(write_checker: Any) -> Iterator[Any]:
    """An empty in-memory store (no ontology, nothing published)."""
    from graph.embedded import EmbeddedStore

    store = EmbeddedStore(None, checker=write_checker)
    yield store
    store.close()


@pytest.fixture(params=["memory", "disk-with-memory-copy"])
def served_store(
    request: pytest.FixtureRequest, write_checker: Any, tmp_path: Path
) -> Iterator[Any]:
    """An empty store as the service holds one: in memory, or on disk read from a memory copy.

    The second replays every write on the copy (graph.embedded): the write tests run on both.
    """
    from graph.embedded import EmbeddedStore

    path = None if request.param == "memory" else tmp_path / "served"
    store = EmbeddedStore(path, checker=write_checker)
    if path is not None:
        assert store.hold_in_memory(1_000_000)
    yield store
    store.close()


@pytest.fixture
def reference_copy(reference_store: Path, tmp_path: Path) -> Path:
    """A private on-disk copy of the reference store, free to write to."""
    copy = tmp_path / "store"
    shutil.copytree(reference_store, copy)
    return copy


def service_settings(**overrides: Any) -> Any:
    """Settings for a test service: two query workers, the test token, no other source (the
    IATI sample included)."""
    from api.settings import Settings

    values: dict[str, Any] = {"query_workers": 2, "write_token": WRITE_TOKEN, "iati_sample": False}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """A factory of TestClients over a running app (lifespan entered), closed after the test.

    `make_client(opened, **settings)` serves a store the test opened; with `opened=None` the
    app opens `settings.store` itself. Server errors become 500 responses, as in production.
    """
    from api.app import create_app

    clients: list[TestClient] = []

    def make(opened: Any = None, **overrides: Any) -> TestClient:
        overrides.setdefault("accounts_db", tmp_path / "accounts.sqlite3")  # none unless made
        app = create_app(service_settings(**overrides), store=opened)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in reversed(clients):
        client.__exit__(None, None, None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """A uvicorn server started by a test: its base URL and the app it serves."""

    url: str
    app: Any


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """A factory of real uvicorn servers on free 127.0.0.1 ports, each in a thread.

    `live_server(opened, **settings)` as for make_client; stopped after the test.
    """
    import uvicorn

    from api.app import create_app

    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(opened: Any = None, **overrides: Any) -> LiveServer:
        port = free_port()
        overrides.setdefault("accounts_db", tmp_path / f"accounts-{port}.sqlite3")
        app = create_app(service_settings(**overrides), store=opened)
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        servers.append((server, thread))
        return LiveServer(f"http://127.0.0.1:{port}", app)

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it is offered."""

    url: str
    connections: list[bytes] = field(default_factory=list)


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A local 'remote server': any request the service is tricked into making lands here."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.05)
    found = Listener(f"http://127.0.0.1:{server.getsockname()[1]}/graph")
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    found.connections.append(conn.recv(4096))
                except OSError:
                    found.connections.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield found
    stop.set()
    thread.join(timeout=5)
    server.close()


# -- the W3C SPARQL 1.1 Protocol and Graph Store Protocol manifests ---------------------------

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
HTS = "http://www.w3.org/2011/http-statusCodes#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-quads",
    "application/trig",
}


@dataclass
class W3CRequest:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes | None
    statuses: list[tuple[int, int]]
    boolean: bool | None = None
    result_format: str | None = None
    content_type: str | None = None
    expected_body: str | None = None
    location_variable: str | None = None


@dataclass
class W3CCase:
    id: str
    name: str
    graph_data: list[tuple[Path, str]]
    requests: list[W3CRequest]

    def __str__(self) -> str:
        return self.id


def _status_ranges(term: str) -> tuple[int, int]:
    """hts:StatusCode2xx is a class of codes; hts:OK, hts:Created ... are single codes."""
    name = term.removeprefix(HTS)
    if name.startswith("StatusCode") and name.endswith("xx"):
        first = int(name[len("StatusCode")]) * 100
        return first, first + 99
    words = re.findall(r"[A-Z][a-z]+|[A-Z]+(?![a-z])", name)
    code = http.HTTPStatus["_".join(w.upper() for w in words)].value
    return code, code


def read_w3c_manifest(path: Path) -> list[W3CCase]:
    """Every entry of a W3C protocol manifest, in manifest order, read with rdflib."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.collection import Collection

    g = Graph()
    g.parse(path, format="turtle")
    mf, ht = (lambda n: URIRef(MF + n)), (lambda n: URIRef(HT + n))
    manifest = next(
        g.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), mf("Manifest"))
    )
    cases: list[W3CCase] = []
    for entry in Collection(g, g.value(manifest, mf("entries"))):
        action = g.value(entry, mf("action"))
        graph_data = [
            (
                path.parent / str(g.value(d, URIRef(UT + "graph"))).rsplit("/", 1)[-1],
                str(g.value(d, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))),
            )
            for d in g.objects(entry, URIRef(UT + "graphData"))
        ]
        requests = []
        for req in Collection(g, g.value(action, ht("requests"))):
            headers = []
            for h in (
                Collection(g, g.value(req, ht("headers"))) if g.value(req, ht("headers")) else []
            ):
                headers.append(
                    (str(g.value(h, ht("fieldName"))), str(g.value(h, ht("fieldValue"))))
                )
            body_node = g.value(req, ht("body"))
            body = None
            if body_node is not None:
                chars = str(g.value(body_node, URIRef(CNT + "chars")))
                encoding = str(g.value(body_node, URIRef(CNT + "characterEncoding")) or "UTF-8")
                body = chars.encode(encoding)
            resp = g.value(req, ht("resp"))
            expected = W3CRequest(
                method=str(g.value(req, ht("methodName"))),
                path=str(g.value(req, ht("absolutePath"))),
                headers=headers,
                body=body,
                statuses=[_status_ranges(str(s)) for s in g.objects(resp, mf("expectedStatus"))],
            )
            boolean = g.value(resp, mf("expectedBoolean"))
            if isinstance(boolean, Literal):
                expected.boolean = bool(boolean.toPython())
            fmt = g.value(resp, mf("expectedFormat"))
            expected.result_format = str(fmt) if fmt is not None else None
            location = g.value(resp, mf("expectedLocation"))
            expected.location_variable = str(location) if location is not None else None
            resp_headers = g.value(resp, ht("headers"))
            if resp_headers is not None:
                for h in Collection(g, resp_headers):
                    if str(g.value(h, ht("fieldName"))).lower() == "content-type":
                        expected.content_type = str(g.value(h, ht("fieldValue")))
            resp_body = g.value(resp, ht("body"))
            if resp_body is not None:
                expected.expected_body = str(g.value(resp_body, URIRef(CNT + "chars")))
            requests.append(expected)
        cases.append(
            W3CCase(
                str(entry).rsplit("#", 1)[-1], str(g.value(entry, mf("name"))), graph_data, requests
            )
        )
    return cases


def w3c_root() -> Path:
    """Where the W3C manifests are: W3C_PROTOCOL_TESTS, default the copy in tests/data (taken
    verbatim from w3c/rdf-tests, see its SOURCE.txt), so the suite needs nothing outside."""
    default = Path(__file__).resolve().parents[1] / "data" / "w3c-protocol"
    return Path(os.environ.get("W3C_PROTOCOL_TESTS", str(default))) / "sparql" / "sparql11"


W3C_MANIFESTS = {
    "w3c_protocol_case": "protocol/manifest.ttl",
    "w3c_gsp_case": "graph-store-protocol/manifest-indirect.ttl",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per W3C manifest entry, for tests using `w3c_protocol_case` / `w3c_gsp_case`."""
    for fixture, manifest in W3C_MANIFESTS.items():
        if fixture in metafunc.fixturenames:
            path = w3c_root() / manifest
            cases = read_w3c_manifest(path) if path.exists() else []
            metafunc.parametrize(fixture, cases, ids=[c.id for c in cases])


_RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _normal_type(content_type: str) -> str:
    return ";".join(p.strip().lower() for p in content_type.split(";"))


def _is_query_request(req: W3CRequest) -> bool:
    headers = {k.lower(): v for k, v in req.headers}
    if _media(headers.get("content-type")) == "application/sparql-query":
        return True
    query = req.path.partition("?")[2]
    body = (req.body or b"").decode("utf-8", errors="replace")
    return any(k == "query" for k, _ in parse_qsl(query) + parse_qsl(body))


def w3c_endpoint(case: W3CCase, req: W3CRequest, path: str) -> tuple[str, bool]:
    """Where a manifest request goes here, and whether it needs the write token.

    The manifests send everything to `/sparql/` and `/gsp`, and say that an endpoint may use
    other paths, and separate ones for queries and updates. Here queries go to /sparql, updates
    (any request of an `update` test that is not itself a query) to /update, and graph store
    requests to /data. Writes carry the bearer token, so that every refusal a test expects
    comes from the protocol, not from the missing token.
    """
    if path.startswith("/gsp"):
        return "/data" + path[len("/gsp") :], req.method not in ("GET", "HEAD")
    rest = path[len("/sparql/") :] if path.startswith("/sparql/") else path[len("/sparql") :]
    if "update" in case.id and not _is_query_request(req):
        return "/update" + rest, True
    return "/sparql" + rest, False


def run_w3c_case(case: W3CCase, client: TestClient, token: str) -> None:
    """Replay one manifest entry against a running app and check every expected response."""
    import pyoxigraph as ox
    from rdflib import Graph
    from rdflib.compare import isomorphic

    auth = {"authorization": f"Bearer {token}"}
    for data, graph in case.graph_data:
        put = client.put(
            "/data",
            params={"graph": graph},
            content=data.read_bytes(),
            headers={"content-type": "application/n-triples", **auth},
        )
        assert put.status_code in (201, 204), f"{case.id}: loading {data.name}: {put.text}"
    variables: dict[str, str] = {}
    for number, req in enumerate(case.requests, start=1):
        path, body = req.path, req.body
        for name, value in variables.items():
            path = path.replace(name, value)
            body = body.replace(name.encode(), value.encode()) if body is not None else None
        url, writes = w3c_endpoint(case, req, path)
        headers = dict(req.headers)
        if writes:
            headers.update(auth)
        response = client.request(req.method, url, content=body, headers=headers)
        where = f"{case.id} #{number} {req.method} {url}"
        code = response.status_code
        assert any(lo <= code <= hi for lo, hi in req.statuses), f"{where}: {code} {response.text}"
        if req.location_variable:
            assert "location" in response.headers, f"{where}: no Location"
            variables[req.location_variable] = response.headers["location"]
        media = _media(response.headers.get("content-type"))
        if req.result_format == "boolean":
            assert media in ("application/sparql-results+json", "application/sparql-results+xml"), (
                where
            )
            fmt = ox.QueryResultsFormat.from_media_type(media)
            answer = ox.parse_query_results(response.content, format=fmt)
            assert isinstance(answer, ox.QueryBoolean), where
            if req.boolean is not None:
                assert bool(answer) is req.boolean, f"{where}: expected {req.boolean}"
        elif req.result_format == "tabular":
            assert media in RESULT_TYPES, f"{where}: {media}"
        elif req.result_format == "RDF":
            assert media in RDF_TYPES, f"{where}: {media}"
            Graph().parse(data=response.content, format=_RDFLIB_FORMATS[media])
        if req.content_type is not None:
            actual = response.headers.get("content-type", "")
            assert _normal_type(actual) == _normal_type(req.content_type), f"{where}: {actual}"
        if req.expected_body is not None:
            expected = Graph().parse(
                data=req.expected_body, format=_RDFLIB_FORMATS[_media(req.content_type)]
            )
            got = Graph().parse(data=response.content, format=_RDFLIB_FORMATS[media])
            assert isomorphic(expected, got), f"{where}:\n{response.text}"


@pytest.fixture
def w3c_run() -> Callable[[W3CCase, TestClient, str], None]:
    """The W3C protocol runner (a fixture, since test modules do not import one another)."""
    return run_w3c_case


@pytest.fixture
def w3c_manifest_counts() -> dict[str, int]:
    """How many entries each W3C manifest has (skips, saying why, when they are absent)."""
    root = w3c_root()
    if not root.exists():
        pytest.skip(f"the W3C manifests are not at {root} (set W3C_PROTOCOL_TESTS)")
    return {name: len(read_w3c_manifest(root / path)) for name, path in W3C_MANIFESTS.items()}
