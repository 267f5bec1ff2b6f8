"""GET /id/{kind}/{key}: content negotiation, what a description holds, 404s and ETags."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.settings import Settings
from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from graph.update import Delta
from graph.validation import WriteChecker
from loaders.source import read_source
from queries.describe import CONTEXT_FILE, compactor

with warnings.catch_warnings():
    # starlette asks for httpx2 and warns when it falls back to httpx; the client is the same
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BASE = "https://w3id.org/4p1000/"
SIC = "https://w3id.org/4p1000/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
ACTIVITY = ox.NamedNode(BASE + "id/activity/A1.04")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@contextmanager
def serve(store: EmbeddedStore, **overrides: Any) -> Iterator[TestClient]:
    """A client of a running app (lifespan entered) over a store the test opened."""
    values: dict[str, Any] = {"store": Path("/nonexistent/unused"), "query_workers": 1}
    settings = Settings(**{**values, **overrides})
    with TestClient(create_app(settings, store=store)) as client:
        yield client


def loaded_store(reference: Path, checker: WriteChecker, base: str = BASE) -> EmbeddedStore:
    store = EmbeddedStore(None, base=base, checker=checker)
    ensure_ontology(store)
    store.load_source(read_source(reference, base=store.base))
    return store


@pytest.fixture(scope="module")
def store(reference: Path, write_checker: WriteChecker) -> Iterator[EmbeddedStore]:
    st = loaded_store(reference, write_checker)
    yield st
    st.close()


@pytest.fixture(scope="module")
def client(store: EmbeddedStore) -> Iterator[TestClient]:
    with serve(store) as c:
        yield c


def parse(body: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    """The triples of a response body; JSON-LD is read with our context inlined (offline)."""
    if fmt == ox.RdfFormat.JSON_LD:
        document = json.loads(body)
        document["@context"] = json.loads(CONTEXT_FILE.read_text())["@context"]
        body = json.dumps(document).encode()
    return {q.triple for q in ox.parse(body, format=fmt)}


# -- negotiation matrix -------------------------------------------------------------------

MATRIX = [
    # (Accept, ?format=, expected media type, RDF syntax to read it with, or None for HTML)
    ("text/turtle", None, "text/turtle", ox.RdfFormat.TURTLE),
    ("application/ld+json", None, "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", None, "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", None, "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/json", None, "application/ld+json", ox.RdfFormat.JSON_LD),
    ("text/html", None, "text/html", None),
    (BROWSER, None, "text/html", None),
    ("*/*", None, "text/turtle", ox.RdfFormat.TURTLE),
    (None, None, "text/turtle", ox.RdfFormat.TURTLE),
    ("text/*", None, "text/turtle", ox.RdfFormat.TURTLE),
    ("text/html;q=0.5, text/turtle", None, "text/turtle", ox.RdfFormat.TURTLE),
    (
        "text/turtle;q=0.2, application/ld+json;q=0.9",
        None,
        "application/ld+json",
        ox.RdfFormat.JSON_LD,
    ),
    ("application/rdf+xml, text/turtle;q=0", None, "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("text/html", "turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("text/turtle", "jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("text/turtle", "ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("text/turtle", "rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("image/png", "html", "text/html", None),
]


@pytest.mark.parametrize(("accept", "fmt", "media_type", "syntax"), MATRIX)
@pytest.mark.parametrize("key", ["A1.04", "does-not-exist"])
def test_negotiation_matrix(
    client: TestClient,
    accept: str | None,
    fmt: str | None,
    media_type: str,
    syntax: ox.RdfFormat | None,
    key: str,
) -> None:
    """Every (Accept, ?format=) pair gets the right media type, for a found and a missing IRI,
    and the body is a valid document of that type (an empty one for a 404)."""
    headers = {"Accept": accept} if accept is not None else {}
    params = {"format": fmt} if fmt else {}
    r = client.get(f"/id/activity/{key}", headers=headers, params=params)
    found = key == "A1.04"
    assert r.status_code == (200 if found else 404)
    assert r.headers["content-type"].split(";")[0] == media_type
    # pages also speak the reader's language (api.i18n), and go compressed to a client that
    # takes gzip, as this one does (api.html_gzip)
    assert r.headers["vary"] == (
        "Accept, Accept-Language, Accept-Encoding, Cookie"
        if media_type == "text/html"
        else "Accept"
    )
    assert r.headers["etag"].startswith('"')
    if syntax is None:
        assert "<!doctype html>" in r.text.lower()
        assert (
            ("<h1>Technical assistance to countries" in r.text)
            if found
            else ("Not found" in r.text)
        )
        return
    triples = parse(r.content, syntax)
    if found:
        assert ox.Triple(ACTIVITY, RDF_TYPE, ox.NamedNode(SIC + "Activity")) in triples
    else:
        assert triples == set()


@pytest.mark.parametrize("accept", ["image/png", "application/pdf, text/*;q=0, */*;q=0"])
def test_nothing_acceptable_is_406(client: TestClient, accept: str) -> None:
    r = client.get("/id/activity/A1.04", headers={"Accept": accept})
    assert r.status_code == 406
    assert "text/turtle" in r.json()["detail"]


def test_bad_format_parameter_is_refused(client: TestClient) -> None:
    assert client.get("/id/activity/A1.04", params={"format": "pdf"}).status_code == 422


def test_every_rdf_format_says_the_same(client: TestClient) -> None:
    """Turtle, JSON-LD, N-Triples and RDF/XML are one graph written four ways."""
    graphs = [
        parse(client.get("/id/activity/A1.04", params={"format": name}).content, syntax)
        for name, syntax in [
            ("turtle", ox.RdfFormat.TURTLE),
            ("jsonld", ox.RdfFormat.JSON_LD),
            ("ntriples", ox.RdfFormat.N_TRIPLES),
            ("rdfxml", ox.RdfFormat.RDF_XML),
        ]
    ]
    assert graphs[0] and all(g == graphs[0] for g in graphs[1:])


def test_link_header_lists_alternates(client: TestClient) -> None:
    link = client.get("/id/activity/A1.04").headers["link"]
    for media_type in ("text/html", "text/turtle", "application/ld+json", "application/rdf+xml"):
        assert f'type="{media_type}"' in link


# -- what a description holds -------------------------------------------------------------


def turtle(client: TestClient, path: str) -> set[ox.Triple]:
    r = client.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    return parse(r.content, ox.RdfFormat.TURTLE)


def test_description_has_own_triples_from_the_store(
    client: TestClient, store: EmbeddedStore
) -> None:
    described = turtle(client, "/id/activity/A1.04")
    own = store.raw.quads_for_pattern(ACTIVITY, None, None, None)
    assert {q.triple for q in own} <= described


def test_description_names_what_it_links_to(client: TestClient) -> None:
    described = turtle(client, "/id/activity/A1.04")
    objective = ox.NamedNode(BASE + "id/objective/A1")
    assert ox.Triple(ACTIVITY, ox.NamedNode(SIC + "objective"), objective) in described
    assert any(t.subject == objective and t.predicate == RDFS_LABEL for t in described)
    # the class is named too (from the ontology source)
    assert any(
        t.subject == ox.NamedNode(SIC + "Activity") and t.predicate == RDFS_LABEL for t in described
    )


def test_description_has_inbound_links(client: TestClient) -> None:
    """Inbound links are in every representation; the page also names who links."""
    described = turtle(client, "/id/activity/A1.04")
    project = ox.NamedNode(BASE + "id/project/ndc-soil-helpdesk")
    assert ox.Triple(project, ox.NamedNode(SIC + "addresses"), ACTIVITY) in described
    page = client.get("/id/activity/A1.04", headers={"Accept": "text/html"}).text
    assert '<a href="/id/project/ndc-soil-helpdesk"' in page
    assert "NDC Soil Targets Helpdesk</a>" in page


def test_description_says_which_source_it_came_from(client: TestClient) -> None:
    described = turtle(client, "/id/activity/A1.04")
    graph = ox.NamedNode(BASE + "graph/reference")
    assert ox.Triple(ACTIVITY, PROV_DERIVED, graph) in described
    assert (
        ox.Triple(
            graph, ox.NamedNode("http://purl.org/dc/terms/identifier"), ox.Literal("reference")
        )
        in described
    )
    assert ox.Triple(graph, RDF_TYPE, ox.NamedNode(SIC + "Source")) in described


def test_task_force_includes_its_roles(client: TestClient) -> None:
    """Roles are fragments (`.../taskforce/A1#leader-...`): no one can fetch them on their own,
    so the task force's description carries their triples."""
    described = turtle(client, "/id/taskforce/A1")
    role = ox.NamedNode(BASE + "id/taskforce/A1#leader-helena-brandt")
    assert (
        ox.Triple(
            role, ox.NamedNode("http://www.w3.org/ns/org#role"), ox.NamedNode(SIC + "RoleLeader")
        )
        in described
    )
    person = ox.NamedNode(BASE + "id/person/helena-brandt")
    assert ox.Triple(role, ox.NamedNode("http://www.w3.org/ns/org#member"), person) in described
    page = client.get("/id/taskforce/A1", headers={"Accept": "text/html"}).text
    assert 'id="leader-helena-brandt"' in page
    assert (
        '<a href="/id/person/helena-brandt" title="' + person.value + '">Helena Brandt</a>' in page
    )


def test_region_iris_are_fixed_and_dereference(client: TestClient) -> None:
    described = turtle(client, "/id/region/150")
    region = ox.NamedNode(BASE + "id/region/150")
    assert any(t.subject == region and t.predicate == RDF_TYPE for t in described)


def test_html_page_links_within_the_service(client: TestClient) -> None:
    page = client.get("/id/activity/A1.04", headers={"Accept": "text/html"}).text
    assert 'href="/id/objective/A1"' in page
    assert 'href="/ontology#Activity"' in page
    assert 'href="/id/project/ndc-soil-helpdesk"' in page
    assert "reference" in page  # the source
    assert 'rel="alternate" type="text/turtle"' in page


def test_numbers_read_as_people_write_them_in_the_pages_language(client: TestClient) -> None:
    """1250000 xsd:decimal is 1,250,000 (1 250 000 in French), its lexical form kept."""
    english = client.get("/id/project/ndc-soil-helpdesk", headers={"Accept": "text/html"}).text
    assert '<data value="1250000" title="1250000 (xsd:decimal)">1,250,000</data>' in english
    assert '<span class="datatype">xsd:decimal</span>' not in english
    french = client.get(
        "/id/project/ndc-soil-helpdesk", params={"lang": "fr"}, headers={"Accept": "text/html"}
    ).text
    assert ">1\u202f250\u202f000</data>" in french  # narrow no-break spaces
    assert '<span class="datatype">xsd:date</span>' in english, "a date keeps its type"


def test_html_escapes_data(write_checker: WriteChecker) -> None:
    store = EmbeddedStore(None, checker=write_checker)
    ensure_ontology(store)
    node = URIRef(BASE + "id/topic/x")
    script = Literal("<script>alert(1)</script>", lang="en")
    store.apply(Delta(added={BASE + "graph/updates": {(node, RDFS.label, script)}}))
    with serve(store) as client:
        page = client.get("/id/topic/x", headers={"Accept": "text/html"}).text
    assert "<script>alert" not in page and "&lt;script&gt;" in page


# -- unknown IRIs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/id/activity/Z9.99", "/id/unicorn/A1", "/id/activity/A1.04/extra"]
)
def test_unknown_iris_are_404(client: TestClient, path: str) -> None:
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get(path, headers={"Accept": "text/html"}).status_code == 404


# -- ETags --------------------------------------------------------------------------------


def test_if_none_match_gives_304(client: TestClient) -> None:
    first = client.get("/id/activity/A1.04", headers={"Accept": "text/turtle"})
    tag = first.headers["etag"]
    again = client.get(
        "/id/activity/A1.04", headers={"Accept": "text/turtle", "If-None-Match": tag}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag and again.headers["vary"] == "Accept"
    star = client.get("/id/activity/A1.04", headers={"If-None-Match": "*"})
    assert star.status_code == 304
    listed = client.get(
        "/id/activity/A1.04",
        headers={"Accept": "text/turtle", "If-None-Match": f'"other", W/{tag}'},
    )
    assert listed.status_code == 304


def test_each_representation_has_its_own_etag(client: TestClient) -> None:
    tags = {
        client.get("/id/activity/A1.04", params={"format": name}).headers["etag"]
        for name in ("html", "turtle", "jsonld", "ntriples", "rdfxml")
    }
    assert len(tags) == 5
    html_tag = client.get("/id/activity/A1.04", params={"format": "html"}).headers["etag"]
    r = client.get(
        "/id/activity/A1.04", headers={"Accept": "text/turtle", "If-None-Match": html_tag}
    )
    assert r.status_code == 200


def test_etag_changes_when_the_store_changes(reference: Path, write_checker: WriteChecker) -> None:
    store = loaded_store(reference, write_checker)
    with serve(store) as client:
        etag_changes(client, store)


def etag_changes(client: TestClient, store: EmbeddedStore) -> None:
    tag = client.get("/id/activity/A1.04").headers["etag"]
    store.apply(
        Delta(
            added={
                BASE + "graph/reference": {
                    (URIRef(str(ACTIVITY.value)), RDFS.label, Literal("Neu", lang="de"))
                }
            }
        )
    )
    r = client.get("/id/activity/A1.04", headers={"If-None-Match": tag})
    assert r.status_code == 200 and r.headers["etag"] != tag
    assert ox.Triple(ACTIVITY, RDFS_LABEL, ox.Literal("Neu", language="de")) in parse(
        r.content, ox.RdfFormat.TURTLE
    )


# -- BASE ---------------------------------------------------------------------------------


def test_another_base_dereferences_its_own_iris(
    reference: Path, write_checker: WriteChecker
) -> None:
    base = "http://127.0.0.1:8000/"
    store = loaded_store(reference, write_checker, base)
    with serve(store, base_iri=base) as client:
        another_base(client, base)


def another_base(client: TestClient, base: str) -> None:
    described = turtle(client, "/id/activity/A1.04")
    assert (
        ox.Triple(
            ox.NamedNode(base + "id/activity/A1.04"), RDF_TYPE, ox.NamedNode(SIC + "Activity")
        )
        in described
    )
    page = client.get("/id/activity/A1.04", headers={"Accept": "text/html"}).text
    assert 'href="/id/objective/A1"' in page


# -- JSON-LD context ----------------------------------------------------------------------


def test_context_is_served_with_a_version(client: TestClient) -> None:
    r = client.get("/context.jsonld")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/ld+json")
    document: dict[str, Any] = r.json()
    assert document["@context"]["@version"] == 1.1
    assert document["owl:versionInfo"]
    assert (
        client.get("/context.jsonld", headers={"If-None-Match": r.headers["etag"]}).status_code
        == 304
    )


def test_jsonld_documents_cite_the_served_context(client: TestClient) -> None:
    document = client.get("/id/activity/A1.04", params={"format": "jsonld"}).json()
    assert document["@context"] == "http://testserver/context.jsonld"
    node = next(n for n in document["@graph"] if n["@id"] == ACTIVITY.value)
    assert node["@type"] == "sic:Activity"
    assert node["objective"] == BASE + "id/objective/A1"
    assert node["label"]["fr"] == "Assistance technique aux pays qui révisent leurs CDN"


def test_every_property_in_the_data_has_a_short_name(store: EmbeddedStore) -> None:
    """Each property of the reference data compacts to a term or a prefixed name, never a bare
    IRI, so JSON-LD consumers never meet an unexplained full IRI as a key."""
    predicates = {q.predicate.value for q in store.raw.quads_for_pattern(None, None, None, None)}
    c = compactor()
    bare = sorted(p for p in predicates if c.compact_iri(p) == p and p not in c.terms)
    assert bare == []


def test_keys_outside_ascii_are_404_with_ascii_headers(client: TestClient) -> None:
    """Found by schemathesis: the Link header repeated the path undecoded (not latin-1)."""
    r = client.get("/id/activity/Ā-é", headers={"Accept": "text/turtle"})
    assert r.status_code == 404
    assert "%C4%80-%C3%A9" in r.headers["link"]


def test_inbound_links_are_capped_and_say_so(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A popular resource lists its first inbound links only, and the page says there are more.

    (The cap is patched before the service starts: its workers are forked with it.)
    """
    import queries.describe

    monkeypatch.setattr(queries.describe, "INBOUND_LINKS", 3)
    objective = ox.NamedNode(BASE + "id/objective/A1")
    with serve(store) as client:
        r = client.get("/id/objective/A1", headers={"Accept": "text/turtle"})
        inbound = {t for t in parse(r.content, ox.RdfFormat.TURTLE) if t.object == objective}
        assert len(inbound) == 3
        page = client.get("/id/objective/A1", headers={"Accept": "text/html"}).text
    assert "Only the first links are listed" in page


def test_every_description_query_projects_its_parameters() -> None:
    """A parameter is bound by the store as a term: pyoxigraph needs it in the projection, and a
    remote store joins it with VALUES, which only meets projected variables."""
    from queries.describe import SPARQL_DIR
    from queries.sparql import rq_registry
    from sic.rq import projection, variables

    queries = rq_registry().in_folder(SPARQL_DIR)
    assert len(queries) >= 10
    for q in queries:
        assert q.summary and q.role == "part", q.name
        for p in q.params:
            assert p.name in variables(q.text), (q.name, p.name)
            shown = projection(q.text)
            assert shown is None or p.name in shown, (q.name, p.name)
