"""Hostile input against a real `sic serve`: every probe ends in a 4xx within its time limit,
point queries keep being answered meanwhile, and the data is as it was.

The probes are the ones an adversarial run found (deep nesting that crashed the parsers,
unbounded bodies and literals, XML entity expansion, parsing on the event loop, runaway
updates, raw file names in headers, invalid UTF-8, text/plain read as N-Triples), made by the
test itself and bounded in size and time. All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

POINT = "SELECT * WHERE { <https://w3id.org/4p1000/id/activity/A1.05> ?p ?o } # "
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } # "
SETTINGS = {
    "SIC_QUERY_TIMEOUT": "4",
    "SIC_UPDATE_TIMEOUT": "4",
    "SIC_MAX_UPLOAD_MB": "24",
    "SIC_ANSWER_CACHE_MB": "0",
}


@dataclass
class Service:
    url: str
    token: str
    client: httpx.Client

    def auth(self, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **headers}


@pytest.fixture(scope="module")
def service(sic_service_for_session: Callable[..., Any]) -> Iterator[Service]:
    live = sic_service_for_session(env=SETTINGS)
    with httpx.Client(base_url=live.url, timeout=60) as client:
        yield Service(live.url, live.token, client)
    live.stop()


def raw_request(
    service: Service, line: str, headers: dict[str, str], body: bytes
) -> tuple[int, bytes]:
    """One request written by hand on a socket (httpx refuses a body shorter than its declared
    length), and the status and body of the answer, read until the server closes or 10 s."""
    url = httpx.URL(service.url)
    with socket.create_connection((url.host, url.port or 80), timeout=10) as conn:
        head = [line, f"Host: {url.host}", "Connection: close"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        received = b""
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := conn.recv(65536):
                received += chunk
                if b"\r\n\r\n" in received and received.endswith(b"}"):
                    break
    status_line, _, rest = received.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def checksum(service: Service) -> str:
    """The dataset as the dump gives it (deterministic bytes for the same data)."""
    r = service.client.get("/dump.nq.gz")
    assert r.status_code == 200
    return hashlib.sha256(r.content).hexdigest()


@dataclass
class Watch:
    """Point queries sent one after another while a probe runs: their latencies."""

    url: str
    seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        n = 0
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set():
                n += 1
                started = time.monotonic()
                r = client.get("/sparql", params={"query": POINT + str(n)})
                self.seconds.append(time.monotonic() - started)
                if r.status_code != 200:
                    self.failures.append(f"{r.status_code} {r.text[:200]}")
                time.sleep(0.02)


def probing(service: Service, probe: Callable[[], httpx.Response]) -> tuple[httpx.Response, Watch]:
    """Run `probe` while point queries are watched; the data must not change."""
    before = checksum(service)
    watch = Watch(service.url)
    thread = threading.Thread(target=watch.run)
    thread.start()
    try:
        response = probe()
    finally:
        time.sleep(0.3)
        watch.stop.set()
        thread.join()
    assert checksum(service) == before
    assert not watch.failures, watch.failures[:3]
    assert watch.seconds, "no point query was answered meanwhile"
    return response, watch


def refused(response: httpx.Response, *codes: int) -> None:
    assert response.status_code in codes, f"{response.status_code}: {response.text[:300]}"
    assert response.headers["content-type"].startswith("application/json")
    assert "SIC_" in response.json()["detail"] or response.status_code in (401, 403, 415)


def quick(watch: Watch, limit: float = 0.1) -> None:
    """Point queries stayed quick: their median under `limit`, none stalled."""
    assert statistics.median(watch.seconds) < limit, sorted(watch.seconds)[-5:]
    assert max(watch.seconds) < 1.0, sorted(watch.seconds)[-5:]


# -- 1, 2: deep nesting ---------------------------------------------------------------------


def test_a_jsonld_body_nested_deep_is_refused_and_the_service_lives(service: Service) -> None:
    body = '{"@id": "http://example.org/a", "http://example.org/p": ' * 10_000
    body += '"x"' + "}" * 10_000

    def probe() -> httpx.Response:
        return service.client.put(
            "/data",
            params={"graph": "http://example.org/deep"},
            content=body.encode(),
            headers=service.auth(**{"Content-Type": "application/ld+json"}),
        )

    response, watch = probing(service, probe)
    refused(response, 400)
    assert "SIC_MAX_NESTING" in response.json()["detail"]
    quick(watch)


@pytest.mark.parametrize(
    ("where", "query"),
    [
        ("/sparql", "SELECT * WHERE " + "{" * 5_000 + "}" * 5_000),
        (
            "/sparql",
            "SELECT * WHERE { ?s ?p ?o FILTER (" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
        ),
        ("/update", "INSERT { <urn:a> <urn:b> 1 } WHERE " + "{" * 1_000 + "}" * 1_000),
    ],
    ids=["groups", "parentheses", "update"],
)
def test_deep_queries_and_updates_are_refused(service: Service, where: str, query: str) -> None:
    def probe() -> httpx.Response:
        if where == "/update":
            return service.client.post(
                "/update",
                content=query,
                headers=service.auth(**{"Content-Type": "application/sparql-update"}),
            )
        return service.client.post(
            "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
        )

    response, _ = probing(service, probe)
    refused(response, 400)
    assert "SIC_MAX_NESTING" in response.json()["detail"]


def test_a_project_nested_deep_is_refused(service: Service) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    response = service.client.post(
        "/api/projects", content=body, headers=service.auth(**{"Content-Type": "application/json"})
    )
    refused(response, 400, 413)


# -- 3: sizes -------------------------------------------------------------------------------


def test_a_long_query_text_is_413(service: Service) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (1 << 20)
    response = service.client.post(
        "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    refused(response, 413)
    assert "SIC_MAX_QUERY_KB" in response.json()["detail"]


def test_a_body_over_the_limit_is_refused_before_it_is_read(service: Service) -> None:
    """A declared length over the limit is refused at once; a body sent in chunks is cut off
    at the limit, and anonymous or not, no body over the limit is ever held whole."""
    status, body = raw_request(
        service,
        "PUT /data?graph=http%3A%2F%2Fexample.org%2Fbig HTTP/1.1",
        {
            "Authorization": f"Bearer {service.token}",
            "Content-Type": "application/n-triples",
            "Content-Length": str(100 << 20),  # declared, never sent: no client would send it
        },
        b"x" * 100,
    )
    assert status == 413, body
    assert b"SIC_MAX_UPLOAD_MB" in body

    def chunks() -> Iterator[bytes]:
        line = b'<http://example.org/s> <http://example.org/p> "' + b"y" * 1000 + b'" .\n'
        for _ in range(30 * 1024):  # 30 MB, past SIC_MAX_UPLOAD_MB=24
            yield line

    streamed = service.client.post(
        "/data",
        params={"graph": "http://example.org/big"},
        content=chunks(),
        headers={"Content-Type": "application/n-triples"},
    )
    refused(streamed, 401, 413)  # no token: refused before the body is read


def test_a_literal_larger_than_the_parsers_buffer_is_413(service: Service) -> None:
    body = b'<http://example.org/s> <http://example.org/p> "' + b"z" * (17 << 20) + b'" .\n'

    def probe() -> httpx.Response:
        return service.client.put(
            "/data",
            params={"graph": "http://example.org/literal"},
            content=body,
            headers=service.auth(**{"Content-Type": "application/n-triples"}),
        )

    response, _ = probing(service, probe)
    assert response.status_code in (400, 413), response.text[:300]


# -- 4: XML entities ------------------------------------------------------------------------


def test_xml_entities_are_never_expanded(service: Service) -> None:
    entities = '<!ENTITY a0 "xxxxxxxxxx">'
    for i in range(1, 10):
        entities += f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">'
    body = (
        f'<?xml version="1.0"?><!DOCTYPE r [{entities}]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">'
        "<ex:p>&a9;</ex:p></rdf:Description></rdf:RDF>"
    )

    def probe() -> httpx.Response:
        return service.client.put(
            "/data",
            params={"graph": "http://example.org/xml"},
            content=body.encode(),
            headers=service.auth(**{"Content-Type": "application/rdf+xml"}),
        )

    started = time.monotonic()
    response, watch = probing(service, probe)
    assert time.monotonic() - started < 5
    assert response.status_code == 400 and "ENTITY" in response.json()["detail"]
    quick(watch)


# -- 5, 6: slow writes and runaways never stall the rest --------------------------------------


def test_a_large_upload_is_parsed_away_from_the_event_loop(service: Service) -> None:
    lines = b"".join(
        b'<http://example.org/s%d> <http://example.org/p> "v%d" .\n' % (i, i)
        for i in range(100_000)  # 5 MB: parsed, validated and committed within 4 s
    )

    def probe() -> httpx.Response:
        return service.client.put(
            "/data",
            params={"graph": "http://example.org/large"},
            content=lines,
            headers=service.auth(**{"Content-Type": "application/n-triples"}),
        )

    before = checksum(service)
    watch = Watch(service.url)
    thread = threading.Thread(target=watch.run)
    thread.start()
    try:
        response = probe()
    finally:
        time.sleep(0.3)
        watch.stop.set()
        thread.join()
    assert response.status_code == 201, response.text[:300]
    assert not watch.failures
    quick(watch, limit=0.1)
    deleted = service.client.delete(
        "/data", params={"graph": "http://example.org/large"}, headers=service.auth()
    )
    assert deleted.status_code == 204
    assert checksum(service) == before  # a standalone graph: the dump holds data graphs


def test_runaway_queries_do_not_take_every_worker(service: Service) -> None:
    results: list[int] = []

    def runaway(n: int) -> None:
        with httpx.Client(base_url=service.url, timeout=30) as client:
            r = client.post(
                "/sparql",
                content=RUNAWAY + str(n),
                headers={"Content-Type": "application/sparql-query"},
            )
            results.append(r.status_code)

    threads = [threading.Thread(target=runaway, args=(n,)) for n in range(4)]

    def probe() -> httpx.Response:
        for t in threads:
            t.start()
        time.sleep(1.5)  # the runaways are running now; point queries are being watched
        for t in threads:
            t.join()
        return service.client.get("/sparql", params={"query": POINT + "last"})

    response, watch = probing(service, probe)
    assert response.status_code == 200
    assert results == [503] * 4
    quick(watch)


def test_a_runaway_update_is_stopped_by_its_own_limit(service: Service) -> None:
    update = "INSERT { ?a <http://example.org/x> ?f } WHERE { ?a ?b ?c . ?d ?e ?f }"

    def probe() -> httpx.Response:
        return service.client.post(
            "/update",
            content=update,
            headers=service.auth(**{"Content-Type": "application/sparql-update"}),
        )

    started = time.monotonic()
    response, watch = probing(service, probe)
    assert response.status_code == 503 and "SIC_UPDATE_TIMEOUT" in response.json()["detail"]
    assert time.monotonic() - started < 8
    quick(watch)
    after = service.client.post(  # the next write goes through at once
        "/update",
        content="INSERT DATA { GRAPH <http://example.org/after> { <urn:a> <urn:b> 1 } }",
        headers=service.auth(**{"Content-Type": "application/sparql-update"}),
    )
    assert after.status_code == 204


# -- 7, 8: headers, encodings, types --------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/queries/a%22%3B%20x%3D.csv",
        "/queries/a%0D%0ASet-Cookie:%20x.csv",
        "/activities/%F0%9F%92%A9/alliance.csv",
        "/activities/%F0%9F%92%A9/candidates.csv",
    ],
)
def test_file_names_from_the_url_never_break_a_header(service: Service, path: str) -> None:
    response = service.client.get(path)
    assert response.status_code < 500
    disposition = response.headers.get("content-disposition", "")
    assert "\r" not in disposition and "\n" not in disposition
    assert "set-cookie" not in {k.lower() for k in response.headers}
    if disposition:
        assert disposition.count('"') == 2


@pytest.mark.parametrize(
    "path", ["/api/gaps?objective=%FF%FE", "/sparql?query=%FF", "/gaps?objective=%C0%AF"]
)
def test_invalid_utf8_is_400_everywhere(service: Service, path: str) -> None:
    response = service.client.get(path)
    assert response.status_code == 400, response.text[:200]


def test_text_plain_is_not_read_as_rdf(service: Service) -> None:
    response = service.client.put(
        "/data",
        params={"graph": "http://example.org/plain"},
        content=b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .",
        headers=service.auth(**{"Content-Type": "text/plain"}),
    )
    assert response.status_code == 415


def test_a_wrong_token_is_never_echoed(service: Service) -> None:
    secret = "not-the-token-but-a-long-guess-123"
    response = service.client.post(
        "/update",
        content="CLEAR DEFAULT",
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 403 and secret not in response.text
