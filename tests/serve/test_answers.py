"""Answers of every size and format, computed every time, from a real `sic serve`.

A client may ask for a few bytes or for tens of megabytes, in any of the ten formats the
service offers. Every answer is made in a forked worker, framed back over a socket pair to the
server process and written out by uvicorn; large answers are where a short read, a blocked
channel or a mis-set Content-Type would show, and they only show on the real process. So this
module generates its own data (200,000 triples, 40,000 of them long literals with characters
that every syntax must escape), serves it with the answer cache off and every limit out of the
way, and asks for answers from about 1 KB to about 50 MB, SELECT in the four result formats and
CONSTRUCT / DESCRIBE in the six RDF syntaxes. Each answer must be 200, say its format, parse
with pyoxigraph (Python's csv for CSV, which pyoxigraph does not read back) and hold exactly
the rows or triples asked for, each with the right value.

Everything runs twice, with the memory copy of the store (the default) and without it
(SIC_MEMORY_COPY_LIMIT=0, the workers read the disk store): one module-scoped service per mode,
over copies of one store loaded once.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pyoxigraph as ox
import pytest

EX = "http://example.org/serve/"
ITEMS = 40_000
"""Items in the generated data; each has five triples: 200,000 triples in all."""
TRIPLES_PER_ITEM = 5
TEXT_CHARS = 1_400
"""Characters of each item's long literal (ex:text): 40,000 of them make 56 MB of text."""
GROUPS = 100

# the generous limits every answer of this module needs (none may be cut, none stopped)
SERVICE_ENV = {
    "SIC_RESULT_LIMIT": "1000000",
    "SIC_ANSWER_CACHE_MB": "0",  # every answer is computed, none is served again from memory
    "SIC_QUERY_TIMEOUT": "60",
}
MODES = {
    "memory-copy": {},  # the default: a store of 200k triples is copied into memory
    "disk": {"SIC_MEMORY_COPY_LIMIT": "0"},
}
MODE_LOG_LINE = {"memory-copy": "reading from memory", "disk": "reading from the store"}

TIMEOUT = httpx.Timeout(120.0, connect=5.0)
PREFIX = f"PREFIX ex: <{EX}>\n"

SIZES = {
    "1KB": 1_000,
    "20KB": 20_000,
    "100KB": 100_000,
    "1MB": 1_000_000,
    "10MB": 10_000_000,
    "50MB": 50_000_000,
}
HEAVY = {"10MB", "50MB"}
"""Sizes marked slow: they are most of this module's time, yet stay in the default run."""


@dataclass(frozen=True)
class Fmt:
    """One format a client may ask for, and how the test reads it back."""

    media_type: str
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None

    @property
    def content_type(self) -> str:
        """What the service must answer: text types say their charset (api.negotiation)."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


SELECT_FORMATS = (
    Fmt("application/sparql-results+json", results=ox.QueryResultsFormat.JSON),
    Fmt("application/sparql-results+xml", results=ox.QueryResultsFormat.XML),
    Fmt("text/csv"),  # pyoxigraph refuses to parse CSV results (lossy): read with csv
    Fmt("text/tab-separated-values", results=ox.QueryResultsFormat.TSV),
)
RDF_FORMATS = (
    Fmt("text/turtle", rdf=ox.RdfFormat.TURTLE),
    Fmt("application/n-triples", rdf=ox.RdfFormat.N_TRIPLES),
    Fmt("application/ld+json", rdf=ox.RdfFormat.JSON_LD),
    Fmt("application/rdf+xml", rdf=ox.RdfFormat.RDF_XML),
    Fmt("application/n-quads", rdf=ox.RdfFormat.N_QUADS),
    Fmt("application/trig", rdf=ox.RdfFormat.TRIG),
)

# Bytes one row (or triple) takes in each format, measured on this data: they turn a target
# size into a LIMIT. `label` rows are short (for the ~1 KB answers), `text` rows long.
ROW_BYTES: dict[str, dict[str, int]] = {
    "label": {
        "application/sparql-results+json": 140,
        "application/sparql-results+xml": 190,
        "text/csv": 50,
        "text/tab-separated-values": 60,
        "text/turtle": 60,
        "application/n-triples": 90,
        "application/ld+json": 120,
        "application/rdf+xml": 110,
        "application/n-quads": 90,
        "application/trig": 60,
    },
    "text": {
        "application/sparql-results+json": 1_510,
        "application/sparql-results+xml": 1_540,
        "text/csv": 1_440,
        "text/tab-separated-values": 1_440,
        "text/turtle": 1_475,
        "application/n-triples": 1_475,
        "application/ld+json": 1_490,
        "application/rdf+xml": 1_535,
        "application/n-quads": 1_475,
        "application/trig": 1_475,
    },
}
DESCRIBED_BYTES = 1_800
"""Bytes of one item's description (its five triples) in any RDF syntax, roughly."""

# -- the data ---------------------------------------------------------------------------------

_TRICKY = 'a "quoted" word & <b>not a tag</b> \\ back, a\ttab, a new\nline, é ü ß 中文 😀; '
"""Characters every syntax must escape or encode, in every long literal."""
_WORDS = [
    "soil",
    "carbon",
    "farm",
    "climate",
    "root",
    "water",
    "humus",
    "crop",
    "tree",
    "field",
    "nitrogen",
    "biomass",
    "ledger",
    "fund",
    "village",
    "grass",
    "pasture",
    "compost",
    "mulch",
    "rain",
    "erosion",
    "seed",
    "yield",
    "market",
]
_POOL = [
    " ".join(random.Random(k).choice(_WORDS) for _ in range(TEXT_CHARS // 4)) for k in range(211)
]


def item(i: int) -> str:
    return f"{EX}item/{i}"


def index_of(iri: str) -> int:
    assert iri.startswith(f"{EX}item/"), iri
    return int(iri.rsplit("/", 1)[1])


def label_of(i: int) -> str:
    return f"Item {i} é"


def text_of(i: int) -> str:
    """Item i's long literal: distinct per item, the same on every run."""
    return (f"Text of item {i}: {_TRICKY}{_POOL[i % len(_POOL)]}")[:TEXT_CHARS]


def _nt_literal(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def write_data(path: Path) -> int:
    """Write the generated N-Triples (ITEMS items, TRIPLES_PER_ITEM each); returns the count."""
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    with path.open("w", encoding="utf-8") as out:
        for i in range(ITEMS):
            s = f"<{item(i)}>"
            out.write(
                f"{s} {rdf_type} <{EX}Item> .\n"
                f'{s} <{EX}index> "{i}"^^{integer} .\n'
                f"{s} <{EX}label> {_nt_literal(label_of(i))}@en .\n"
                f"{s} <{EX}group> <{EX}group/{i % GROUPS}> .\n"
                f"{s} <{EX}text> {_nt_literal(text_of(i))} .\n"
            )
    return ITEMS * TRIPLES_PER_ITEM


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store holding the generated data, loaded once (`sic load`, ~20 s on two cores)."""
    folder = tmp_path_factory.mktemp("big-data")
    data = folder / "items.nt"
    write_data(data)
    store = folder / "store"
    sic = Path(sys.executable).parent / "sic"
    done = subprocess.run(
        [str(sic), "load", str(data), "--store", str(store)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data.unlink()  # 77 MB the services do not need
    yield store
    shutil.rmtree(folder, ignore_errors=True)  # 110 MB pytest would keep for three runs


@pytest.fixture(scope="module", params=list(MODES))
def big_service(
    request: pytest.FixtureRequest,
    big_store: Path,
    sic_service_for_session: Callable[..., Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Any]]:
    """(mode, service): `sic serve` over a copy of the generated store, in one reading mode."""
    mode = str(request.param)
    copy = tmp_path_factory.mktemp(f"big-{mode}") / "store"
    shutil.copytree(big_store, copy)
    service = sic_service_for_session(store=copy, env={**SERVICE_ENV, **MODES[mode]})
    try:
        yield mode, service
    finally:
        service.stop()
        shutil.rmtree(copy, ignore_errors=True)


@pytest.fixture(scope="module")
def client(big_service: tuple[str, Any]) -> Iterator[httpx.Client]:
    """One keep-alive client per service, as a program reading many answers would hold."""
    with httpx.Client(base_url=big_service[1].url, timeout=TIMEOUT) as http:
        yield http


# -- asking and reading back ------------------------------------------------------------------


def fresh(query: str) -> str:
    """The query with a random comment in front: no cache on the way may have seen it."""
    return f"# {uuid.uuid4().hex}\n{PREFIX}{query}"


def ask(http: httpx.Client, query: str, fmt: Fmt, *, post: bool) -> httpx.Response:
    """GET for the smaller answers, a POSTed form for the larger: clients do both."""
    headers = {"Accept": fmt.media_type}
    if post:
        return http.post("/sparql", data={"query": fresh(query)}, headers=headers)
    return http.get("/sparql", params={"query": fresh(query)}, headers=headers)


def check_response(response: httpx.Response, fmt: Fmt) -> None:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == fmt.content_type
    assert "sic-result-truncated" not in response.headers


def select_rows(body: bytes, fmt: Fmt) -> list[tuple[str, str]]:
    """(subject IRI, literal value) of every row of a two-variable SELECT answer."""
    if fmt.results is None:  # CSV: the header, then plain values
        reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
        header = next(reader)
        assert header == ["s", "v"]
        return [(s, v) for s, v in reader]
    solutions = ox.parse_query_results(body, fmt.results)
    assert isinstance(solutions, ox.QuerySolutions)
    assert [v.value for v in solutions.variables] == ["s", "v"]
    rows = []
    for solution in solutions:
        s, v = solution["s"], solution["v"]
        assert isinstance(s, ox.NamedNode) and isinstance(v, ox.Literal)
        rows.append((s.value, v.value))
    if fmt.results == ox.QueryResultsFormat.XML:
        # pyoxigraph's XML reader trims a literal's unescaped boundary whitespace (XML keeps
        # it; test_xml_results_survive_an_oxigraph_reader is about that): the values are read
        # with a faithful XML parser, the structure above with pyoxigraph
        faithful = _xml_rows(body)
        assert [s for s, _ in faithful] == [s for s, _ in rows]
        return faithful
    return rows


_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


def _xml_rows(body: bytes) -> list[tuple[str, str]]:
    """(s, v) of a SPARQL XML answer read with the standard library, whitespace kept."""
    rows = []
    for result in ElementTree.fromstring(body).iter(f"{_RESULTS}result"):
        values = {b.get("name"): b[0].text or "" for b in result.iter(f"{_RESULTS}binding")}
        rows.append((values["s"], values["v"]))
    return rows


@dataclass(frozen=True)
class Stated:
    """One triple of an answer as text: subject and predicate IRIs, the object's value."""

    subject: str
    predicate: str
    object: str


def triples(body: bytes, fmt: Fmt) -> list[Stated]:
    """Every triple of an RDF answer; all in the default graph (N-Quads and TriG too)."""
    assert fmt.rdf is not None
    stated = []
    for quad in ox.parse(body, fmt.rdf):
        assert quad.graph_name == ox.DefaultGraph(), quad
        assert isinstance(quad.subject, ox.NamedNode), quad
        assert isinstance(quad.object, ox.NamedNode | ox.Literal), quad
        stated.append(Stated(quad.subject.value, quad.predicate.value, quad.object.value))
    return stated


PREAMBLE = 1_500
"""Bytes of the prefixes that Turtle, TriG and RDF/XML answers declare before any triple."""


def check_size(body: bytes, target: int) -> None:
    """The answer is about the size the case is about (the LIMIT came from ROW_BYTES)."""
    assert target / 2 <= len(body) <= target * 2 + PREAMBLE, f"{len(body)} B, not ~{target}"


def value_of(kind: str) -> Callable[[int], str]:
    return label_of if kind == "label" else text_of


def cases(formats: tuple[Fmt, ...], sizes: dict[str, int]) -> list[Any]:
    return [
        pytest.param(
            fmt,
            name,
            id=f"{fmt.media_type.split('/')[1]}-{name}",
            marks=[pytest.mark.slow] if name in HEAVY else [],
        )
        for name in sizes
        for fmt in formats
    ]


# -- the tests --------------------------------------------------------------------------------


def test_the_service_reads_as_its_mode_says(big_service: tuple[str, Any]) -> None:
    """Both modes really differ: the service says at start where it reads from."""
    mode, service = big_service
    assert MODE_LOG_LINE[mode] in service.log_text()


@pytest.mark.parametrize(("fmt", "size"), cases(SELECT_FORMATS, SIZES))
def test_select_answers_of_every_size(client: httpx.Client, fmt: Fmt, size: str) -> None:
    """A SELECT of ~1 KB to ~50 MB arrives whole, in the format asked, every row right."""
    target = SIZES[size]
    kind = "label" if target < 5_000 else "text"
    limit = max(1, target // ROW_BYTES[kind][fmt.media_type])
    query = f"SELECT ?s ?v WHERE {{ ?s ex:{kind} ?v }} LIMIT {limit}"
    response = ask(client, query, fmt, post=target > 100_000)
    check_response(response, fmt)
    check_size(response.content, target)
    rows = select_rows(response.content, fmt)
    assert len(rows) == limit
    expected = value_of(kind)
    assert len({s for s, _ in rows}) == limit
    wrong = [s for s, v in rows if v != expected(index_of(s))]
    assert not wrong, f"{len(wrong)} rows with another value, e.g. {wrong[:3]}"


@pytest.mark.parametrize(("fmt", "size"), cases(RDF_FORMATS, SIZES))
def test_construct_answers_of_every_size(client: httpx.Client, fmt: Fmt, size: str) -> None:
    """A CONSTRUCT of ~1 KB to ~50 MB arrives whole in each RDF syntax, every triple right."""
    target = SIZES[size]
    kind = "label" if target < 5_000 else "text"
    limit = max(1, target // ROW_BYTES[kind][fmt.media_type])
    query = f"CONSTRUCT {{ ?s ex:{kind} ?v }} WHERE {{ ?s ex:{kind} ?v }} LIMIT {limit}"
    response = ask(client, query, fmt, post=target > 100_000)
    check_response(response, fmt)
    check_size(response.content, target)
    stated = triples(response.content, fmt)
    assert len(stated) == limit
    assert {t.predicate for t in stated} == {f"{EX}{kind}"}
    assert len({t.subject for t in stated}) == limit
    expected = value_of(kind)
    wrong = [t for t in stated if t.object != expected(index_of(t.subject))]
    assert not wrong, f"{len(wrong)} triples with another value, e.g. {wrong[:2]}"


DESCRIBE_SIZES = {name: SIZES[name] for name in ("20KB", "1MB", "10MB")}


@pytest.mark.parametrize(("fmt", "size"), cases(RDF_FORMATS, DESCRIBE_SIZES))
def test_describe_answers_of_every_size(client: httpx.Client, fmt: Fmt, size: str) -> None:
    """DESCRIBE of many resources: each one's five triples, in each RDF syntax."""
    target = DESCRIBE_SIZES[size]
    count = max(1, target // DESCRIBED_BYTES)
    query = f"DESCRIBE ?s WHERE {{ ?s ex:index ?i FILTER(?i < {count}) }}"
    response = ask(client, query, fmt, post=target > 100_000)
    check_response(response, fmt)
    check_size(response.content, target)
    stated = triples(response.content, fmt)
    per_subject = Counter(t.subject for t in stated)
    assert set(per_subject) == {item(i) for i in range(count)}
    assert set(per_subject.values()) == {TRIPLES_PER_ITEM}
    texts = {t.subject: t.object for t in stated if t.predicate == f"{EX}text"}
    assert all(v == text_of(index_of(s)) for s, v in texts.items()) and len(texts) == count


CONCURRENT_FORMATS = (*SELECT_FORMATS, *RDF_FORMATS[:4])
CONCURRENT_ROWS = 3_000
"""Rows of each concurrent answer: about 4.5 MB each, 36 MB in flight at once."""


def _fetch_range(url: str, number: int, fmt: Fmt, start: threading.Barrier) -> tuple[int, float]:
    """One client: its own connection, its own slice of the items, its own format."""
    low = number * 5_000
    high = low + CONCURRENT_ROWS
    where = f"?s ex:index ?i ; ex:text ?v FILTER(?i >= {low} && ?i < {high})"
    if fmt.rdf is None:
        query = f"SELECT ?s ?v WHERE {{ {where} }}"
    else:
        query = f"CONSTRUCT {{ ?s ex:text ?v }} WHERE {{ {where} }}"
    with httpx.Client(base_url=url, timeout=TIMEOUT) as http:
        start.wait(timeout=30)
        began = time.monotonic()
        response = ask(http, query, fmt, post=True)
        took = time.monotonic() - began
    check_response(response, fmt)
    if fmt.rdf is None:
        rows = select_rows(response.content, fmt)
    else:
        rows = [(t.subject, t.object) for t in triples(response.content, fmt)]
    assert sorted(index_of(s) for s, _ in rows) == list(range(low, high)), f"client {number}"
    assert all(v == text_of(index_of(s)) for s, v in rows), f"client {number}"
    return len(response.content), took


@pytest.mark.slow
def test_eight_clients_fetch_large_answers_at_once(big_service: tuple[str, Any]) -> None:
    """Eight clients at once, each a different multi-MB answer: all 200, all whole, none mixed.

    Concurrent answers share the server's event loop, the workers' channels and the sockets:
    an answer cut short, stalled behind another or delivered to the wrong client shows here.
    """
    _, service = big_service
    start = threading.Barrier(len(CONCURRENT_FORMATS))
    with ThreadPoolExecutor(max_workers=len(CONCURRENT_FORMATS)) as pool:
        futures = [
            pool.submit(_fetch_range, service.url, number, fmt, start)
            for number, fmt in enumerate(CONCURRENT_FORMATS)
        ]
        results = [f.result(timeout=180) for f in futures]
    sizes = [size for size, _ in results]
    assert all(size > 4_000_000 for size in sizes), sizes
