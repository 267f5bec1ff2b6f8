"""The clients people really use, against a real `sic serve`: SPARQLWrapper, rdflib, curl.

Each client has its own idea of the protocol: the Accept header it sends (SPARQLWrapper lists
several types at once, rdflib's SPARQLStore asks for XML), GET or POST, how it reads the
Content-Type. A service that answers httpx well can still fail one of them, so each is run as
it comes, over HTTP on 127.0.0.1, against `sic serve` with the reference data. The last tests
read results with pyoxigraph, the reader of every Oxigraph-based client (and of Oxigraph's own
SERVICE federation).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from itertools import islice
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, RDFXML, TURTLE, XML, SPARQLWrapper

SIC = "https://w3id.org/4p1000/ontology#"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


def fresh(query: str) -> str:
    """The query with a random comment in front: computed, not served from a cache."""
    return f"# {uuid.uuid4().hex}\n{query}"


def activities(limit: int) -> str:
    return fresh(
        f"PREFIX sic: <{SIC}>\nSELECT ?a WHERE {{ ?a a sic:Activity }} ORDER BY ?a LIMIT {limit}"
    )


def describe_one(iri: str) -> str:
    return fresh(f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}")


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select(reference_service: Any, method: str) -> None:
    """SPARQLWrapper's SELECT, read as JSON and as XML, by GET and by POST."""
    sw = SPARQLWrapper(f"{reference_service.url}/sparql")
    sw.setTimeout(30)
    sw.setMethod(method)
    sw.setQuery(activities(5))
    sw.setReturnFormat(JSON)
    result = sw.query()
    assert result.info()["content-type"] == "application/sparql-results+json"
    payload = result.convert()
    assert isinstance(payload, dict)
    rows = payload["results"]["bindings"]
    assert len(rows) == 5
    assert all(r["a"]["value"].startswith("https://w3id.org/4p1000/id/activity/") for r in rows)
    sw.setReturnFormat(XML)
    document = sw.queryAndConvert()
    assert len(document.getElementsByTagName("result")) == 5  # type: ignore[union-attr]


# SPARQLWrapper reads RDF/XML through rdflib's ConjunctiveGraph, which rdflib 7.6 deprecates
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_construct(reference_service: Any, reference_activity: str) -> None:
    """SPARQLWrapper's CONSTRUCT, as Turtle (bytes it hands over) and RDF/XML (a graph)."""
    sw = SPARQLWrapper(f"{reference_service.url}/sparql")
    sw.setTimeout(30)
    sw.setQuery(describe_one(reference_activity))
    sw.setReturnFormat(TURTLE)
    result = sw.query()
    assert result.info()["content-type"] == "text/turtle; charset=utf-8"
    turtle = result.convert()
    assert isinstance(turtle, bytes)
    triples = list(ox.parse(turtle, ox.RdfFormat.TURTLE))
    assert len(triples) >= 3
    assert {t.subject for t in triples} == {ox.NamedNode(reference_activity)}
    sw.setQuery(describe_one(reference_activity))
    sw.setReturnFormat(RDFXML)
    graph = sw.queryAndConvert()
    assert isinstance(graph, Graph)
    assert len(graph) == len(triples)


def test_rdflib_sparqlstore_iterates_triples(
    reference_service: Any, reference_activity: str
) -> None:
    """rdflib's Graph over SPARQLStore turns triple patterns into queries; they must work."""
    graph = Graph(store=SPARQLStore(f"{reference_service.url}/sparql", timeout=30))
    about = list(graph.triples((URIRef(reference_activity), None, None)))
    assert len(about) >= 3
    assert (URIRef(reference_activity), RDF.type, URIRef(f"{SIC}Activity")) in about
    some = list(islice(graph.triples((None, RDF.type, URIRef(f"{SIC}Activity"))), 3))
    assert len(some) == 3
    assert all(str(s).startswith("https://w3id.org/4p1000/id/activity/") for s, _, _ in some)
    assert graph.query(fresh(f"ASK {{ <{reference_activity}> ?p ?o }}")).askAnswer is True


WRITE_OUT = "%{http_code}\t%{content_type}"
"""What curl prints once done (-w): the status and the Content-Type, for the test to read."""


def _curl(*args: str, out: Path) -> tuple[int, str]:
    """Run curl (no retries, no proxy, 30 s at most); returns (status, Content-Type)."""
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed on this machine")
    done = subprocess.run(
        [curl, "-sS", "--noproxy", "*", "--max-time", "30", "-o", str(out), "-w", WRITE_OUT, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    code, _, content_type = done.stdout.partition("\t")
    return int(code), content_type


def test_curl_get_post_and_construct(
    reference_service: Any, reference_activity: str, tmp_path: Path
) -> None:
    """curl as people type it: -G --data-urlencode, a raw sparql-query POST, a CONSTRUCT."""
    url = f"{reference_service.url}/sparql"
    out = tmp_path / "answer"
    code, kind = _curl("-G", "--data-urlencode", f"query={activities(4)}", url, out=out)
    assert (code, kind) == (200, "application/sparql-results+json")
    assert len(json.loads(out.read_bytes())["results"]["bindings"]) == 4

    code, kind = _curl(
        *("-H", "Content-Type: application/sparql-query", "-H", "Accept: text/csv"),
        *("--data-binary", activities(3), url),
        out=out,
    )
    assert (code, kind) == (200, "text/csv; charset=utf-8")
    assert out.read_text(encoding="utf-8").splitlines()[0] == "a"
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4

    code, kind = _curl(
        *("-H", "Accept: application/n-triples", "--data-urlencode"),
        *(f"query={describe_one(reference_activity)}", url),
        out=out,
    )
    assert (code, kind) == (200, "application/n-triples")
    assert len(list(ox.parse(out.read_bytes(), ox.RdfFormat.N_TRIPLES))) >= 3


PADDED = " padded\tvalue\n "
"""A literal with whitespace at both ends: significant, and easy for a reader to lose."""


@pytest.mark.parametrize(
    "fmt",
    [ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.TSV],
    ids=["json", "xml", "tsv"],
)
def test_results_survive_an_oxigraph_reader(
    reference_service: Any, fmt: ox.QueryResultsFormat
) -> None:
    """A literal's boundary whitespace reaches a pyoxigraph reader intact, in every format.

    XML keeps such whitespace, but Oxigraph's SPARQL XML results reader trims the unescaped
    kind (oxigraph#1881); Oxigraph's own writer escapes it (`&#32;`, oxigraph#1049) so that
    readers which trim still get the value. An answer meant for every client escapes it too.
    """
    literal = json.dumps(PADDED)  # a SPARQL string with \t and \n escapes
    query = fresh(f"SELECT ?v WHERE {{ VALUES ?v {{ {literal} }} }}")
    with httpx.Client(timeout=TIMEOUT) as http:
        response = http.get(
            f"{reference_service.url}/sparql",
            params={"query": query},
            headers={"Accept": fmt.media_type},
        )
    assert response.status_code == 200
    solutions = ox.parse_query_results(response.content, fmt)
    assert isinstance(solutions, ox.QuerySolutions)
    values = [s["v"].value for s in solutions]
    assert values == [PADDED], response.text
