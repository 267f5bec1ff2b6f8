"""Content negotiation: the Accept-header rules, then the matrix over every kind of answer.

Every cell sends one Accept header for one kind of query and checks the Content-Type and that
the body parses in that format (with pyoxigraph, not with our own serialisers).
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.negotiation import RDF_FORMATS, RESULT_FORMATS, NotAcceptable, choose, parse_accept
from api.settings import Settings
from graph.embedded import EmbeddedStore

with warnings.catch_warnings():
    # starlette asks for httpx2 and warns when it falls back to httpx; the client is the same
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv; charset=utf-8"
TSV = "text/tab-separated-values; charset=utf-8"
TURTLE = "text/turtle; charset=utf-8"
NT = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
NQ = "application/n-quads"
TRIG = "application/trig"

# -- the rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        ("application/xml", XML),
        ("text/xml", XML),
        ("text/*", "text/csv"),
        ("text/csv;q=0.5, application/sparql-results+xml", XML),
        ("text/csv, application/sparql-results+xml", "text/csv"),  # equal q: listed first
        ("*/*;q=0.1, text/tab-separated-values;q=0.2", "text/tab-separated-values"),
        ("*/*, application/sparql-results+json;q=0", XML),  # q=0 refuses
        ("text/*;q=0.9, text/csv;q=0.1", "text/tab-separated-values"),  # most specific decides
        (BROWSER, XML),
        ("application/sparql-results+json; charset=utf-8", JSON),  # parameters ignored
        ("garbage, text/csv", "text/csv"),  # a malformed range is skipped
        ("text/csv;q=abc, application/json;q=0.5", JSON),  # a malformed weight counts for 0
    ],
)
def test_results(accept: str | None, expected: str) -> None:
    assert choose(RESULT_FORMATS, accept).media_type == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        ("application/json", JSONLD),
        ("application/xml", RDFXML),
        ("text/plain", NT),
        ("application/x-turtle", "text/turtle"),
        (BROWSER, RDFXML),
        ("application/n-quads;q=0.9, application/trig", TRIG),
        ("text/turtle;q=0.2, application/*;q=0.3", NT),  # first application/* type we have
    ],
)
def test_graphs(accept: str | None, expected: str) -> None:
    assert choose(RDF_FORMATS, accept).media_type == expected


@pytest.mark.parametrize("accept", ["image/png", "text/turtle;q=0", "application/pdf, text/html"])
def test_nothing_acceptable(accept: str) -> None:
    with pytest.raises(NotAcceptable) as caught:
        choose(RESULT_FORMATS, accept)
    assert JSON in caught.value.offered


def test_parse_accept_keeps_order_and_weights() -> None:
    ranges = parse_accept("text/html;level=1;q=0.7, */*;q=0.1, image/*")
    assert [(r.type, r.subtype, r.q, r.position) for r in ranges] == [
        ("text", "html", 0.7, 0),
        ("*", "*", 0.1, 1),
        ("image", "*", 1.0, 2),
    ]
    assert parse_accept("*/html, nonsense, text/") == []


# -- the matrix over the service --------------------------------------------------------------

SELECT = "SELECT ?s ?label WHERE { VALUES (?s ?label) { (<http://e/a> 'A') (<http://e/b> 'B') } }"
ASK = "ASK { }"
CONSTRUCT = "CONSTRUCT { <http://e/a> <http://e/p> 'x', 'y' } WHERE { }"
DESCRIBE = "DESCRIBE <http://e/nothing>"


def _result_format(content_type: str) -> ox.QueryResultsFormat:
    fmt = ox.QueryResultsFormat.from_media_type(content_type.split(";")[0])
    assert fmt is not None
    return fmt


def _rdf_format(content_type: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(content_type.split(";")[0])
    assert fmt is not None
    return fmt


MATRIX: list[tuple[str, str | None, str | int]] = [
    (SELECT, None, JSON),
    (SELECT, "*/*", JSON),
    (SELECT, JSON, JSON),
    (SELECT, "application/json", JSON),
    (SELECT, XML, XML),
    (SELECT, "application/xml", XML),
    (SELECT, "text/csv", CSV),
    (SELECT, "text/tab-separated-values", TSV),
    (SELECT, "text/turtle", 406),
    (ASK, None, JSON),
    (ASK, XML, XML),
    (ASK, "text/csv", CSV),
    (ASK, "application/ld+json", 406),
    (CONSTRUCT, None, TURTLE),
    (CONSTRUCT, "*/*", TURTLE),
    (CONSTRUCT, "text/turtle", TURTLE),
    (CONSTRUCT, NT, NT),
    (CONSTRUCT, "text/plain", NT),
    (CONSTRUCT, JSONLD, JSONLD),
    (CONSTRUCT, "application/json", JSONLD),
    (CONSTRUCT, RDFXML, RDFXML),
    (CONSTRUCT, "application/xml", RDFXML),
    (CONSTRUCT, NQ, NQ),
    (CONSTRUCT, TRIG, TRIG),
    (CONSTRUCT, JSON, 406),
    (DESCRIBE, None, TURTLE),
    (DESCRIBE, NT, NT),
]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """One service for the whole matrix (the queries read no data)."""
    store = EmbeddedStore(None)
    with TestClient(create_app(Settings(query_workers=2), store=store)) as c:
        yield c
    store.close()


@pytest.mark.parametrize(("query", "accept", "expected"), MATRIX)
def test_matrix(client: Any, query: str, accept: str | None, expected: str | int) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    for r in (
        client.get("/sparql", params={"query": query}, headers=headers),
        client.post("/sparql", data={"query": query}, headers=headers),
    ):
        if isinstance(expected, int):
            assert r.status_code == expected
            assert "acceptable" in r.json()
            continue
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == expected
        assert r.headers["vary"] == "Accept"
        if expected == CSV:  # pyoxigraph refuses to read CSV results (a lossy format)
            lines = list(csv.reader(io.StringIO(r.text)))
            assert lines == (
                [["s", "label"], ["http://e/a", "A"], ["http://e/b", "B"]]
                if query == SELECT
                else [["_askResult"], ["true"]]
            )
        elif query == SELECT:
            rows = list(ox.parse_query_results(r.content, format=_result_format(expected)))
            assert sorted(row["label"].value for row in rows) == ["A", "B"]
        elif query == ASK:
            answer = ox.parse_query_results(r.content, format=_result_format(expected))
            assert bool(answer) is True
        else:
            triples = list(ox.parse(r.content, format=_rdf_format(expected)))
            assert len(triples) == (2 if query == CONSTRUCT else 0)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [(None, TURTLE), ("application/ld+json", JSONLD), ("text/plain", NT), ("text/xml", RDFXML)],
)
def test_service_description_formats(client: Any, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    r = client.get("/sparql", headers=headers)
    assert r.headers["content-type"] == expected
    assert list(ox.parse(r.content, format=_rdf_format(expected)))


def test_graph_store_reads_negotiate_too(
    make_client: Callable[..., Any], memory_store: Any, write_token: str
) -> None:
    c = make_client(memory_store)
    c.put(
        "/data",
        params={"graph": "http://e/g"},
        content=b"<http://e/a> <http://e/p> <http://e/b> .",
        headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {write_token}"},
    )
    for accept, expected in [(None, TURTLE), ("application/json", JSONLD), ("text/plain", NT)]:
        headers = {"Accept": accept} if accept is not None else {}
        r = c.get("/data", params={"graph": "http://e/g"}, headers=headers)
        assert r.headers["content-type"] == expected
        assert len(list(ox.parse(r.content, format=_rdf_format(expected)))) == 1
    assert (
        c.get("/data", params={"graph": "http://e/g"}, headers={"Accept": JSON}).status_code == 406
    )


def test_the_examples_in_the_docstrings_hold() -> None:
    import doctest

    import api.negotiation

    failures, tests = doctest.testmod(api.negotiation)
    assert tests >= 3 and failures == 0


@pytest.mark.parametrize(("query", "posted"), [(SELECT, XML), (CONSTRUCT, RDFXML)])
def test_a_browser_following_a_link_gets_a_page_and_a_post_the_format(
    client: Any, query: str, posted: str
) -> None:
    """A /sparql?query= link opened in a browser answers a page (api.routes.pages
    results_page); a POST, which no link makes, keeps the protocol's choice for that Accept."""
    page = client.get("/sparql", params={"query": query}, headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    form = client.post("/sparql", data={"query": query}, headers={"Accept": BROWSER})
    assert form.status_code == 200 and form.headers["content-type"] == posted
