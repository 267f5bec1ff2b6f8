"""Each `.rq` file of queries/: valid header, parameters used and projected, runs on the reference.

Parameters must be projected by the outer SELECT: pyoxigraph refuses to substitute a variable
the projection drops, and a remote store binds them with a trailing VALUES block, which only
joins on what the query keeps.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.results import SelectResult
from queries.params import bind
from queries.sparql import BLOCKS, FOLDER, rq, rq_registry
from sic.errors import QueryError
from sic.rq import Registry, RqQuery, parse_rq, projection, variables

RQ_FILES = sorted(FOLDER.glob("*.rq"))
# A value that exists in the reference workbook for each kind of code parameter.
SAMPLES = {
    "activity": "A1.05",
    "objective": "A1",
    "organisation": "boreal-peat",
    "project": "ndc-soil-helpdesk",
    "category": "POL",
}


def test_the_folder_holds_the_queries_and_nothing_that_looks_like_one() -> None:
    assert len(RQ_FILES) >= 20
    strays = [
        p.relative_to(FOLDER)
        for p in FOLDER.rglob("*")
        if p.suffix in {".sparql", ".rqq", ".sqarql", ".ru", ".txt"} or p.name.endswith(".rq~")
    ]
    assert strays == []
    assert rq_registry().in_folder(FOLDER) == [parse_rq(p) for p in RQ_FILES]


def test_one_registry_holds_every_named_query_of_the_folder_and_its_blocks() -> None:
    """The catalogue's files and the page and description blocks are one registry, kept
    apart by folder; a name means one file wherever it lies."""
    everything = sorted(FOLDER.rglob("*.rq"))
    assert {p.parent for p in everything} == {
        FOLDER,
        BLOCKS / "pages",
        BLOCKS / "describe",
        BLOCKS / "reconcile",
        BLOCKS / "linking",
        BLOCKS / "forms",
    }
    assert len(rq_registry()) == len(everything) > len(RQ_FILES)
    assert rq("choices").path == BLOCKS / "pages" / "choices.rq"
    assert rq("graph-triples").path == BLOCKS / "describe" / "graph-triples.rq"


def test_a_name_used_in_two_folders_is_refused(tmp_path: Path) -> None:
    (tmp_path / "blocks").mkdir()
    for path in (tmp_path / "same.rq", tmp_path / "blocks" / "same.rq"):
        path.write_text("#+ summary: one\nSELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(QueryError, match="the name 'same' is taken by"):
        Registry(tmp_path, nested=True)
    assert [q.name for q in Registry(tmp_path)] == ["same"]


@pytest.mark.parametrize("path", RQ_FILES, ids=lambda p: p.stem)
def test_header_parses_and_declares_what_the_body_uses(path: Path) -> None:
    query = parse_rq(path)
    assert query.summary and not query.summary.endswith(":")
    assert query.role in {"question", "part"}
    assert query.columns, "every query declares its columns"
    used = variables(query.text)
    projected = projection(query.text)
    assert projected is not None, "name the columns instead of SELECT *"
    assert set(query.columns) == projected, "columns must be exactly what SELECT projects"
    for param in query.params:
        assert param.name in used, f"parameter {param.name} is not used"
        assert param.name in projected, f"parameter {param.name} must be projected"
        if param.type == "code":
            assert param.kind in SAMPLES or param.kind in {"call", "alliance"}


def _sample_params(query: RqQuery) -> dict[str, str]:
    params: dict[str, str] = {}
    for param in query.params:
        if param.required:
            assert param.kind is not None
            params[param.name] = SAMPLES[param.kind]
    return params


@pytest.mark.parametrize("path", RQ_FILES, ids=lambda p: p.stem)
def test_every_query_runs_on_the_reference_data(path: Path, reference: EmbeddedStore) -> None:
    query = rq_registry()[path.stem]
    bound = bind(query.name, query.params, _sample_params(query), reference.base)
    result = reference.query(query.text, substitutions=dict(bound.terms))
    assert isinstance(result, SelectResult)
    assert result.variables == list(query.columns)
    assert len(result) > 0, f"{query.name} finds nothing in the reference data"


def test_project_needs_lists_topics_by_way_of_the_activity_or_its_objective() -> None:
    """One row per topic and where it comes from; an activity with none still has its row."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(
        b"""@prefix sic: <https://w3id.org/4p1000/ontology#> .
        @prefix dct: <http://purl.org/dc/terms/> . @prefix : <http://example.org/> .
        :p a sic:Project ; sic:addresses :a1, :a2, :a3 .
        :a1 sic:objective :o1 ; dct:subject :t1 .
        :o1 dct:subject :t2 .
        :a2 sic:objective :o2 .
        :a3 sic:objective :o1 .""",
        ox.RdfFormat.TURTLE,
    )
    text = (FOLDER / "project-needs.rq").read_text(encoding="utf-8")
    rows = [
        tuple(None if t is None else t.value for t in row)
        for row in store.query(
            text, substitutions={ox.Variable("project"): ox.NamedNode("http://example.org/p")}
        )
    ]
    ex = "http://example.org/"
    assert rows == [
        (ex + "p", ex + "a1", ex + "o1", ex + "t1", "activity"),
        (ex + "p", ex + "a1", ex + "o1", ex + "t2", "objective"),
        (ex + "p", ex + "a2", ex + "o2", None, None),
        (ex + "p", ex + "a3", ex + "o1", ex + "t2", "objective"),
    ]


def test_every_registry_runs_its_files_through_one_check(tmp_path: Path) -> None:
    """queries.sparql.run binds terms and refuses a file of the wrong form; the catalogue and
    both kinds of block (queries/blocks/pages, queries/blocks/describe) go through it."""
    import pyoxigraph as ox

    from graph.results import GraphResult
    from queries.describe import construct
    from queries.sparql import named_rows, run

    def rq(name: str, text: str) -> RqQuery:
        path = tmp_path / f"{name}.rq"
        path.write_text(text, encoding="utf-8")
        return parse_rq(path)

    store = EmbeddedStore(None)
    ask = rq("not-a-select", "#+ summary: an ASK\nASK { ?s ?p ?o }\n")
    with pytest.raises(QueryError, match=r"not-a-select\.rq must be a SELECT query"):
        run(store, ask, {}, SelectResult)
    with pytest.raises(QueryError, match="must be a CONSTRUCT query"):
        run(store, ask, {}, GraphResult)
    store.update(
        "INSERT DATA { <http://example.org/s> <http://example.org/p> 'o' . "
        "<http://example.org/t> <http://example.org/p> 'other' }"
    )
    bound = rq("bound", "#+ summary: one\nSELECT ?s ?o WHERE { ?s ?p ?o }\n")
    rows = run(store, bound, {"s": ox.NamedNode("http://example.org/s")}, SelectResult)
    assert [r["o"].value for r in rows] == ["o"]
    missing = ox.NamedNode("http://example.org/nothing")
    assert construct(store, "graph-triples", graph=missing) == []
    assert named_rows(store, "dashboard-counts") is not None
