"""The JSON API under /api: catalogue, named questions, matchmaking and project submissions."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.models import (
    AllianceProposal,
    Candidates,
    Gaps,
    Opportunities,
    ProjectCreated,
    ProjectIdea,
    QueryAnswer,
    QueryCatalogue,
    TeamCandidates,
    ValidationRejected,
)
from api.settings import Settings
from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from graph.validation import WriteChecker
from loaders.source import read_source
from loaders.workbook import read_workbook
from queries.catalogue import questions, run
from queries.submission import map_submission

with warnings.catch_warnings():
    # starlette asks for httpx2 and warns when it falls back to httpx; the client is the same
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

BASE = "https://w3id.org/4p1000/"
TOKEN = "a-test-write-token-of-some-length"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@contextmanager
def serve(store: EmbeddedStore, **overrides: Any) -> Iterator[TestClient]:
    """A client of a running app (lifespan entered) over a store the test opened."""
    values: dict[str, Any] = {
        "store": Path("/nonexistent/unused"),
        "query_workers": 1,
        "write_token": TOKEN,
    }
    settings = Settings(**{**values, **overrides})
    with TestClient(create_app(settings, store=store)) as client:
        yield client


def loaded_store(reference: Path, checker: WriteChecker) -> EmbeddedStore:
    store = EmbeddedStore(None, checker=checker)
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


@pytest.fixture
def fresh(
    reference_copy: Path, write_checker: WriteChecker
) -> Iterator[tuple[TestClient, EmbeddedStore]]:
    """A client over a store of its own, for tests that write: on disk, read from memory."""
    st = EmbeddedStore(reference_copy, checker=write_checker)
    assert st.hold_in_memory(1_000_000)
    with serve(st) as c:
        yield c, st
    st.close()


# -- the catalogue -------------------------------------------------------------------------


def test_catalogue_lists_every_question(client: TestClient) -> None:
    r = client.get("/api/queries")
    assert r.status_code == 200
    catalogue = QueryCatalogue.model_validate(r.json())
    assert [q.name for q in catalogue.queries] == [q.name for q in questions()]
    by_name = {q.name: q for q in catalogue.queries}
    for name in (
        "uncovered-activities",
        "coverage-by-objective",
        "funding-by-objective",
        "candidates-for-activity",
        "partnership-opportunities",
        "alliance-composition",
        "brokers",
        "funders-for-project",
        "task-force-roster",
        "objective-profile",
        "organisation-profile",
    ):
        assert name in by_name, name
    activity = next(p for p in by_name["candidates-for-activity"].params if p.name == "activity")
    assert activity.required and activity.type == "code" and activity.kind == "activity"
    assert by_name["brokers"].url == "http://testserver/api/queries/brokers"


def test_any_question_by_name_matches_the_catalogue(
    client: TestClient, store: EmbeddedStore
) -> None:
    r = client.get("/api/queries/uncovered-activities", params={"objective": "A2"})
    assert r.status_code == 200
    answer = QueryAnswer.model_validate(r.json())
    expected = run(store, "uncovered-activities", {"objective": "A2"})
    assert answer.columns == list(expected.columns)
    assert [row["activity"] for row in answer.rows] == expected.column("activity")
    assert answer.count == len(expected) > 0
    assert answer.params == {"objective": "A2", "facility": "global"}


def test_decimals_are_json_numbers(client: TestClient) -> None:
    rows = client.get("/api/queries/funding-by-objective").json()["rows"]
    assert rows and all(isinstance(row["secured"], int | float) for row in rows)


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/queries/no-such-question", {}, 404),
        ("/api/queries/candidates-for-activity", {}, 400),  # required parameter missing
        ("/api/queries/candidates-for-activity", {"activity": "A1.04", "top": "x"}, 400),
        ("/api/queries/uncovered-activities", {"colour": "red"}, 400),  # unknown parameter
        ("/api/queries/uncovered-activities", {"facility": "orbital"}, 400),  # not allowed
        ("/api/queries/candidates-for-activity", {"activity": "Z9.99"}, 404),  # no such entity
    ],
)
def test_bad_questions_are_refused_with_one_body(
    client: TestClient, path: str, params: dict[str, str], status: int
) -> None:
    r = client.get(path, params=params)
    assert r.status_code == status
    assert isinstance(r.json()["detail"], str) and r.json()["detail"]


def test_parameters_cannot_change_the_query(client: TestClient) -> None:
    """A value is bound as a term: SPARQL in it is just an unknown code."""
    injection = 'A2" } UNION { ?activity ?p ?o } #'
    r = client.get("/api/queries/uncovered-activities", params={"objective": injection})
    assert r.status_code in (200, 400)
    if r.status_code == 200:
        assert r.json()["rows"] == []


# -- matchmaking ---------------------------------------------------------------------------


def test_candidates(client: TestClient, store: EmbeddedStore) -> None:
    r = client.get("/api/activities/A2.06/candidates", params={"top": 3})
    assert r.status_code == 200
    answer = Candidates.model_validate(r.json())
    assert answer.activity == "A2.06" and answer.top == 3
    assert [c.rank for c in answer.candidates] == [1, 2, 3]  # exactly `top` new ones
    assert not any(c.involved for c in answer.candidates)
    assert all(c.reasons and c.score is not None for c in answer.candidates)
    assert answer.involved and all(c.involved and c.rank is None for c in answer.involved)
    involved = {c.organisation for c in answer.involved}
    assert not involved & {c.organisation for c in answer.candidates}
    expected = run(store, "candidates-for-activity", {"activity": "A2.06", "top": "3"})
    shown = [c.organisation for c in [*answer.involved, *answer.candidates]]
    assert shown == expected.column("organisation")


def test_candidates_for_a_project_team(client: TestClient, store: EmbeddedStore) -> None:
    r = client.get("/api/projects/cerrado-regen/candidates", params={"top": 2})
    assert r.status_code == 200
    answer = TeamCandidates.model_validate(r.json())
    assert answer.project == "cerrado-regen" and answer.top == 2
    assert [c.rank for c in answer.candidates] == [1, 2]
    expected = run(store, "candidates-for-project", {"project": "cerrado-regen", "top": "2"})
    assert [c.organisation for c in answer.candidates] == expected.column("organisation")
    assert client.get("/api/projects/no-such/candidates").status_code == 404
    assert client.get("/api/projects/cerrado-regen/candidates?top=0").status_code in (400, 422)


def test_candidates_of_unknown_activity_is_404(client: TestClient) -> None:
    r = client.get("/api/activities/Z9.99/candidates")
    assert r.status_code == 404 and "Z9.99" in r.json()["detail"]


def test_top_is_bounded(client: TestClient) -> None:
    assert client.get("/api/activities/A2.04/candidates", params={"top": 0}).status_code == 422
    assert client.get("/api/activities/A2.04/candidates", params={"top": 201}).status_code == 422


def test_gaps(client: TestClient, store: EmbeddedStore) -> None:
    r = client.get("/api/gaps")
    assert r.status_code == 200
    gaps = Gaps.model_validate(r.json())
    assert gaps.facility == "global" and gaps.objective is None
    assert [g.activity for g in gaps.gaps] == run(store, "uncovered-activities").column("activity")
    core = Gaps.model_validate(client.get("/api/gaps", params={"facility": "core"}).json())
    assert {g.facility for g in core.gaps} <= {"core"}
    only_a2 = Gaps.model_validate(client.get("/api/gaps", params={"objective": "A2"}).json())
    assert only_a2.gaps and all(g.objective == "A2" for g in only_a2.gaps)


def test_opportunities(client: TestClient) -> None:
    r = client.get("/api/organisations/gshf/opportunities", params={"top": 3})
    assert r.status_code == 200
    answer = Opportunities.model_validate(r.json())
    assert 0 < len(answer.opportunities) <= 3
    assert all("gshf" in (o.organisation_a, o.organisation_b) for o in answer.opportunities)
    assert client.get("/api/organisations/nobody/opportunities").status_code == 404


def test_alliance(client: TestClient) -> None:
    r = client.get("/api/activities/A1.04/alliance", params={"size": 2})
    assert r.status_code == 200
    proposal = AllianceProposal.model_validate(r.json())
    added = [m for m in proposal.members if not m.involved]
    assert 0 < len(added) <= 2
    assert all(m.step == 0 for m in proposal.members if m.involved)


# -- POST /api/projects --------------------------------------------------------------------

IDEA: dict[str, Any] = {
    "id": "soil-carbon-schools",
    "title": "Soil carbon in schools",
    "title_fr": "Le carbone du sol à l'école",
    "description": "Teaching soil health with school gardens.",
    "stage": "idea",
    "lead": "gshf",
    "partners": ["sahel-ssri"],
    "activities": ["A1.05"],
    "countries": ["SN", "FR"],
    "start": "2025-03-01",
    "end": "2026-06-30",
    "budget": 120000.50,
    "currency": "EUR",
}


def test_a_valid_project_is_stored_and_dereferences(
    fresh: tuple[TestClient, EmbeddedStore],
) -> None:
    client, store = fresh
    r = client.post("/api/projects", json=IDEA, headers=AUTH)
    assert r.status_code == 201, r.text
    created = ProjectCreated.model_validate(r.json())
    assert created.iri == BASE + "id/project/soil-carbon-schools"
    assert (
        r.headers["location"] == created.url == "http://testserver/id/project/soil-carbon-schools"
    )
    page = client.get(r.headers["location"], headers={"Accept": "application/n-triples"})
    assert page.status_code == 200
    triples = {q.triple for q in ox.parse(page.content, format=ox.RdfFormat.N_TRIPLES)}
    project = ox.NamedNode(created.iri)
    assert (
        ox.Triple(
            project,
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("Le carbone du sol à l'école", language="fr"),
        )
        in triples
    )
    assert (
        ox.Triple(
            project,
            ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"),
            ox.NamedNode(BASE + "graph/updates"),
        )
        in triples
    )
    assert "updates" in {s.name for s in store.sources()}
    # the copy followed the commit, and the disk holds it too
    updates = ox.NamedNode(BASE + "graph/updates")
    on_disk = {q.triple for q in store.raw.quads_for_pattern(project, None, None, updates)}
    assert len(on_disk) > 5 and on_disk <= triples


def test_a_project_maps_exactly_like_a_projects_csv_row(tmp_path: Path, reference: Path) -> None:
    """The same project as a row of projects.csv and as JSON gives the same triples."""
    workbook = tmp_path / "wb"
    workbook.mkdir()
    for source in reference.glob("*.csv"):
        (workbook / source.name).write_bytes(source.read_bytes())
    projects = workbook / "projects.csv"
    header = projects.read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "id,title,description,stage,lead,partners,alliance,activities,countries,start,end,"
        "budget,currency"
    )
    row = (
        "soil-carbon-schools,Soil carbon in schools,Teaching soil health with school gardens.,"
        "idea,gshf,sahel-ssri,,A1.05,SN;FR,2025-03-01,2026-06-30,120000.5,EUR\n"
    )
    with projects.open("a", encoding="utf-8") as out:
        out.write(row)
    from_csv = read_workbook(workbook).graph
    iri = URIRef(BASE + "id/project/soil-carbon-schools")
    expected = set(from_csv.triples((iri, None, None)))
    idea = {k: v for k, v in IDEA.items() if k != "title_fr"}
    builder, _ = map_submission(ProjectIdea.model_validate(idea).submission(), BASE)
    assert set(builder.graph) == expected


@pytest.mark.parametrize(
    ("change", "path", "field"),
    [
        ({"lead": "nobody"}, "sic:lead", "lead"),
        ({"activities": ["Z9.99"]}, "sic:addresses", "activities"),
        ({"alliance": "no-such-alliance"}, "sic:alliance", "alliance"),
        ({"stage": "funded"}, "sic:stage", "stage"),
        ({"start": "2027-01-01"}, "schema:startDate", "start"),  # ends before it starts
        ({"budget": -5}, "sic:budget", "budget"),
    ],
)
def test_shacl_violations_are_listed_and_nothing_is_stored(
    client: TestClient, store: EmbeddedStore, change: dict[str, Any], path: str, field: str
) -> None:
    version = store.version()
    r = client.post("/api/projects", json={**IDEA, **change}, headers=AUTH)
    assert r.status_code == 422, r.text
    rejected = ValidationRejected.model_validate(r.json())
    problems = [(v.focusNode, v.resultPath) for v in rejected.violations]
    assert (BASE + "id/project/soil-carbon-schools", path) in problems
    assert any(v.location == f"request body, column '{field}'" for v in rejected.violations)
    assert all(v.message for v in rejected.violations)
    assert store.version() == version
    assert client.get("/id/project/soil-carbon-schools").status_code == 404


def test_every_violation_is_reported_at_once(client: TestClient, store: EmbeddedStore) -> None:
    bad = {**IDEA, "lead": "nobody", "activities": ["Z9.99"], "stage": "funded"}
    r = client.post("/api/projects", json=bad, headers=AUTH)
    assert r.status_code == 422
    paths = {v["resultPath"] for v in r.json()["violations"]}
    assert {"sic:lead", "sic:addresses", "sic:stage"} <= paths
    # the same, for a reader of Spanish: each rule's sentence in Spanish beside the English
    es = client.post("/api/projects", params={"lang": "es"}, json=bad, headers=AUTH)
    rejected = ValidationRejected.model_validate(es.json())
    said = {v.resultPath: v.translated for v in rejected.violations}
    assert said["sic:lead"] is not None and said["sic:lead"].lang == "es"
    assert (
        said["sic:lead"].message.startswith("Un proyecto") and "líder" in said["sic:lead"].message
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**IDEA, "start": "2025-13-01"}, "start"),  # the loader's date reader
        ({**IDEA, "stage": "dreaming"}, "stage"),  # the loader's controlled list
        ({**IDEA, "countries": ["France"]}, "countries"),
        ({**IDEA, "title": 42}, "title"),  # the JSON's own shape
        ({**IDEA, "colour": "red"}, "colour"),
        ({**IDEA, "activities": []}, "activities"),
        ({**IDEA, "partners": ["a;b"]}, "partners"),
        ({k: v for k, v in IDEA.items() if k != "lead"}, "lead"),
    ],
)
def test_malformed_values_are_422_at_their_field(
    client: TestClient, store: EmbeddedStore, body: dict[str, Any], field: str
) -> None:
    version = store.version()
    r = client.post("/api/projects", json=body, headers=AUTH)
    assert r.status_code == 422, r.text
    rejected = ValidationRejected.model_validate(r.json())
    assert any(v.location == f"request body, column '{field}'" for v in rejected.violations), (
        rejected
    )
    assert store.version() == version


def test_a_body_that_is_not_json_is_400_and_says_so(client: TestClient) -> None:
    """Not JSON is a malformed request (400, "not JSON"), never told as a SHACL violation;
    JSON that is not a project is 422 with the fields that are wrong."""
    r = client.post(
        "/api/projects", content=b"{oops", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert r.status_code == 400 and "not JSON" in r.json()["detail"]
    assert "SHACL" not in r.json()["detail"]
    deep = b"[" * 100_000 + b"]" * 100_000
    r = client.post("/api/projects", content=deep, headers=AUTH)
    assert r.status_code in (400, 413) and "SIC_MAX_" in r.json()["detail"]
    r = client.post("/api/projects", json=["a", "list"], headers=AUTH)
    assert r.status_code == 422
    ValidationRejected.model_validate(r.json())


def test_an_existing_project_is_409(fresh: tuple[TestClient, EmbeddedStore]) -> None:
    client, _ = fresh
    assert client.post("/api/projects", json=IDEA, headers=AUTH).status_code == 201
    again = client.post("/api/projects", json=IDEA, headers=AUTH)
    assert again.status_code == 409 and "soil-carbon-schools" in again.json()["detail"]
    existing = {**IDEA, "id": "ndc-soil-helpdesk"}  # a project of the reference workbook
    assert client.post("/api/projects", json=existing, headers=AUTH).status_code == 409


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong-token"}, 403),
        ({"Authorization": "Basic eDp5"}, 401),
    ],
)
def test_writes_need_the_token(
    client: TestClient, store: EmbeddedStore, headers: dict[str, str], status: int
) -> None:
    version = store.version()
    r = client.post("/api/projects", json=IDEA, headers=headers)
    assert r.status_code == status
    assert store.version() == version


def test_a_read_only_service_refuses_writes(store: EmbeddedStore) -> None:
    with serve(store, write_token=None) as client:
        assert client.post("/api/projects", json=IDEA, headers=AUTH).status_code == 403


def test_answers_in_a_language_say_so_for_caches(client: TestClient) -> None:
    """The reasons follow Accept-Language, so the answer says it varies by it."""
    response = client.get("/api/activities/A1.01/candidates", headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    assert "Accept-Language" in response.headers["vary"]
    assert response.headers["content-language"] == "fr"
    assert response.json()["candidates"]
    named = client.get("/api/queries/candidates-for-activity?activity=A1.01&lang=es")
    assert named.headers["content-language"] == "es"
    plain = client.get("/api/queries/gaps")
    assert "content-language" not in plain.headers
