from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graph.embedded import EmbeddedStore
from graph.results import AskResult, SelectResult
from graph.validation import WriteChecker
from loaders.rdf import read_rdf
from sic.errors import KGError, NotFound, ValidationFailed
from sic.source import Source

Turtle = Callable[..., Source]

WHOLE = "ex:w a ex:Whole ."
THING = "ex:t a ex:Thing ; ex:name 'T' ; ex:partOf ex:w ."


def _count(store: EmbeddedStore, sparql: str = "SELECT * WHERE { ?s ?p ?o }") -> int:
    result = store.query(sparql)
    assert isinstance(result, SelectResult)
    return len(result)


def test_load_publishes_with_provenance(store: EmbeddedStore, turtle: Turtle) -> None:
    [info] = store.load_source(turtle(WHOLE + THING, "a"), command="sic load a.ttl")
    assert info.name == "a"
    assert info.graph == "http://example.org/graph/a"
    assert info.triples == 4
    assert info.checksum == "sha256:a"
    assert info.command == "sic load a.ttl"
    ask = store.query("ASK { <http://example.org/t> <http://example.org/name> 'T' }")
    assert ask == AskResult(True)
    # provenance is queryable by naming its graph, and is not part of the default graph
    sources = "SELECT ?g WHERE { ?g a <https://w3id.org/4p1000/ontology#Source> }"
    assert _count(store, sources) == 0
    named = sources.replace("WHERE", "FROM <http://example.org/graph/sources> WHERE")
    assert _count(store, named) == 1


def test_refused_load_changes_nothing(store: EmbeddedStore, turtle: Turtle) -> None:
    store.load_source(turtle(WHOLE, "a"))
    before = (
        store.version(),
        sorted(str(q) for q in store.raw.quads_for_pattern(None, None, None)),
    )
    with pytest.raises(ValidationFailed) as err:
        store.load_source(turtle("ex:bad a ex:Thing ; ex:partOf ex:nowhere .", "b"))
    messages = {v.message for v in err.value.violations}
    assert messages == {"A thing needs a name.", "A thing is part of a whole."}
    assert {v.focus_node for v in err.value.violations} == {"http://example.org/bad"}
    after = (store.version(), sorted(str(q) for q in store.raw.quads_for_pattern(None, None, None)))
    assert after == before


def test_validation_sees_other_sources(store: EmbeddedStore, turtle: Turtle) -> None:
    store.load_source(turtle(WHOLE, "wholes"))
    store.load_source(turtle(THING, "things"))  # partOf resolves into the other source
    assert [s.name for s in store.sources()] == ["things", "wholes"]


def test_duplicate_source_needs_replace(store: EmbeddedStore, turtle: Turtle) -> None:
    store.load_source(turtle(WHOLE, "a"))
    with pytest.raises(KGError, match="--replace"):
        store.load_source(turtle(WHOLE, "a"))


def test_replace_swaps_atomically(store: EmbeddedStore, turtle: Turtle) -> None:
    store.load_source(turtle(WHOLE + THING, "a"))
    v1 = store.version()
    store.load_source(
        turtle(WHOLE + "ex:t2 a ex:Thing ; ex:name 'T2' ; ex:partOf ex:w .", "a"), replace=True
    )
    assert store.version() != v1
    assert store.query("ASK { <http://example.org/t> ?p ?o }") == AskResult(False)
    assert store.query("ASK { <http://example.org/t2> ?p ?o }") == AskResult(True)
    # no staging graph left behind
    assert {g.value for g in store.raw.named_graphs()} <= {
        "http://example.org/graph/a",
        "http://example.org/graph/sources",
        "http://example.org/graph/changes",
    }


def test_refused_replace_keeps_old_content(store: EmbeddedStore, turtle: Turtle) -> None:
    store.load_source(turtle(WHOLE + THING, "a"))
    with pytest.raises(ValidationFailed):
        store.load_source(turtle("ex:x a ex:Thing .", "a"), replace=True)
    assert store.query("ASK { <http://example.org/t> ?p ?o }") == AskResult(True)
    assert store.source("a").triples == 4


def test_remove_source_checks_dependants(store: EmbeddedStore, turtle: Turtle) -> None:
    store.load_source(turtle(WHOLE, "wholes"))
    store.load_source(turtle(THING, "things"))
    with pytest.raises(ValidationFailed) as err:
        store.remove_source("wholes")
    assert {v.focus_node for v in err.value.violations} == {"http://example.org/t"}
    store.remove_source("things")
    store.remove_source("wholes")
    assert store.sources() == []
    with pytest.raises(NotFound):
        store.remove_source("wholes")


def test_remove_source_with_many_dependants_is_checked_whole(
    store: EmbeddedStore, turtle: Turtle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past WHOLE_GRAPH_ABOVE dependants what remains is validated whole, on the engine: the
    same finding as the neighbourhood's, and a removal nothing depends on still goes."""
    monkeypatch.setattr("graph.validation.WHOLE_GRAPH_ABOVE", 0)
    wholes: list[int] = []
    whole = WriteChecker.whole

    def counted(self: WriteChecker, *args: Any) -> Any:
        wholes.append(1)
        return whole(self, *args)

    monkeypatch.setattr(WriteChecker, "whole", counted)
    monkeypatch.setattr(WriteChecker, "_run", None)  # the neighbourhood's pyshacl: not called
    store.load_source(turtle(WHOLE, "wholes"))
    store.load_source(turtle(THING, "things"))
    wholes.clear()
    with pytest.raises(ValidationFailed) as err:
        store.remove_source("wholes")
    assert {v.focus_node for v in err.value.violations} == {"http://example.org/t"}
    assert store.source("wholes").triples == 1
    assert wholes, "validated whole"
    store.remove_source("things")
    store.remove_source("wholes")
    assert store.sources() == []


def test_unknown_graphs_are_empty_and_never_fetched(store: EmbeddedStore, turtle: Turtle) -> None:
    store.load_source(turtle(WHOLE, "a"))
    result = store.query(
        "SELECT * WHERE { ?s ?p ?o }", default_graph=["http://127.0.0.1:9/elsewhere"]
    )
    assert isinstance(result, SelectResult) and len(result) == 0
    result = store.query(
        "SELECT * WHERE { ?s ?p ?o }", default_graph=["http://example.org/graph/a"]
    )
    assert isinstance(result, SelectResult) and len(result) == 1


def test_substitutions_bind_terms_not_text(store: EmbeddedStore, turtle: Turtle) -> None:
    store.load_source(turtle(WHOLE + THING, "a"))
    hostile = ox.Literal("T' } ; DROP ALL ; SELECT * { '")
    result = store.query(
        "SELECT ?s ?name WHERE { ?s <http://example.org/name> ?name }",
        substitutions={"name": hostile},
    )
    assert isinstance(result, SelectResult) and len(result) == 0
    result = store.query(
        "SELECT ?s ?name WHERE { ?s <http://example.org/name> ?name }",
        substitutions={"name": ox.Literal("T")},
    )
    assert isinstance(result, SelectResult) and [r["s"].value for r in result] == [
        "http://example.org/t"
    ]


def test_limit_marks_truncation(store: EmbeddedStore, turtle: Turtle) -> None:
    store.load_source(turtle(WHOLE + THING, "a"))
    result = store.query("SELECT * WHERE { ?s ?p ?o }", limit=2)
    assert isinstance(result, SelectResult) and len(result) == 2 and result.truncated


def test_dump_and_restore_is_exact(
    store: EmbeddedStore, checker: WriteChecker, tmp_path: Path, turtle: Turtle
) -> None:
    store.load_source(turtle(WHOLE, "wholes"))
    store.load_source(turtle(THING + "ex:t ex:label 'é'@fr .", "things"))
    for fmt, ext in [
        (ox.RdfFormat.N_QUADS, "nq"),
        (ox.RdfFormat.TRIG, "trig"),
        (ox.RdfFormat.JSON_LD, "jsonld"),  # `sic export --format jsonld` too
    ]:
        buf = io.BytesIO()
        store.dump(buf, fmt)
        path = tmp_path / f"dump.{ext}"
        path.write_bytes(buf.getvalue())
        fresh = EmbeddedStore(None, base="http://example.org/", checker=checker)
        fresh.load_source(read_rdf(path))
        again = io.BytesIO()
        fresh.dump(again, ox.RdfFormat.N_QUADS)
        original = io.BytesIO()
        store.dump(original, ox.RdfFormat.N_QUADS)
        assert sorted(again.getvalue().splitlines()) == sorted(original.getvalue().splitlines())
        assert [s.name for s in fresh.sources()] == ["things", "wholes"]


def test_load_source_and_syntax_errors(
    store: EmbeddedStore, turtle: Turtle, tmp_path: Path
) -> None:
    good = tmp_path / "wholes.ttl"
    good.write_text("@prefix ex: <http://example.org/> .\n" + WHOLE)
    [info] = store.load_source(read_rdf(good))
    assert info.name == "wholes.ttl" and info.triples == 1 and info.checksum.startswith("sha256:")
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    from sic.errors import LoaderError

    with pytest.raises(LoaderError) as err:
        store.load_source(read_rdf(bad))
    assert err.value.problems[0].location.file == str(bad)
    assert err.value.problems[0].location.row == 2
    assert [s.name for s in store.sources()] == ["wholes.ttl"]


def test_persistent_store_survives_reopen_and_cleans_staging(
    checker: WriteChecker, tmp_path: Path, turtle: Turtle
) -> None:
    path = tmp_path / "store"
    st = EmbeddedStore(path, base="http://example.org/", checker=checker)
    st.load_source(turtle(WHOLE, "a"))
    # simulate a load killed before publication
    st.raw.add(
        ox.Quad(
            ox.NamedNode("http://example.org/x"),
            ox.NamedNode("http://example.org/p"),
            ox.Literal("1"),
            st.new_staging_graph(),
        )
    )
    st.close()
    del st
    reopened = EmbeddedStore(path, base="http://example.org/", checker=checker)
    assert [s.name for s in reopened.sources()] == ["a"]
    assert {g.value for g in reopened.raw.named_graphs()} == {
        "http://example.org/graph/a",
        "http://example.org/graph/sources",
        "http://example.org/graph/changes",
    }


def _rows(store: EmbeddedStore, sparql: str) -> list[tuple[str, ...]]:
    result = store.query(sparql)
    assert isinstance(result, SelectResult)
    return sorted(tuple(str(t) for t in row if t is not None) for row in result.rows)


ALL_QUADS = "SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


def test_a_settled_store_answers_as_before(disk_store: EmbeddedStore, turtle: Turtle) -> None:
    store = disk_store
    store.load_source(turtle(WHOLE, "wholes"))
    store.load_source(turtle(THING, "things"))
    before = _rows(store, ALL_QUADS)
    assert store.hold_in_memory(1000)
    store.settle()
    assert store._union_shortcut  # the copy holds the sources and nothing else
    assert _rows(store, ALL_QUADS) == before
    graph = "http://example.org/graph/things"
    scoped = store.query("SELECT * WHERE { ?s ?p ?o }", default_graph=[graph])
    assert isinstance(scoped, SelectResult) and len(scoped) == 3


def test_a_settled_store_refuses_writes(store: EmbeddedStore, turtle: Turtle) -> None:
    store.load_source(turtle(WHOLE, "wholes"))
    store.settle()
    version = store.version()
    with pytest.raises(KGError, match="settled for reading"):
        store.load_source(turtle(THING, "things"))
    with pytest.raises(KGError, match="settled for reading"):
        store.update("INSERT DATA { <http://example.org/w> <http://example.org/name> 'W' }")
    with pytest.raises(KGError, match="settled for reading"):
        store.remove_source("wholes")
    assert store.version() == version
    assert [s.name for s in store.sources()] == ["wholes"]


def test_a_store_read_from_memory_counts_what_it_loads(
    disk_store: EmbeddedStore, turtle: Turtle
) -> None:
    """A source loaded into a store that reads from its memory copy (as `sic serve` holds one)
    is counted on the disk, where it is staged: its provenance and progress say how many
    triples it holds, not 0 (the count once asked the memory copy, which has no staged graph)."""
    store = disk_store
    store.load_source(turtle(WHOLE, "wholes"))
    assert store.hold_in_memory(1000)
    steps: list[Any] = []
    store.load_source(turtle(THING, "things"), progress=steps.append)
    (info,) = [s for s in store.sources() if s.name == "things"]
    assert info.triples == _count(
        store, f"SELECT * WHERE {{ GRAPH <{info.graph}> {{ ?s ?p ?o }} }}"
    )
    assert info.triples > 0
    assert {s.phase: s.done for s in steps if s.finished}["commit"] == info.triples


def test_a_settled_store_never_shows_unpublished_graphs(
    disk_store: EmbeddedStore, turtle: Turtle
) -> None:
    """A graph that is not a source, or a triple in the copy's real default graph, keeps the
    explicit list of graphs."""
    store = disk_store
    store.load_source(turtle(WHOLE, "wholes"))
    before = _rows(store, ALL_QUADS)
    assert store.hold_in_memory(1000)
    memory = store._memory
    assert memory is not None
    node, pred = ox.NamedNode("http://example.org/hidden"), ox.NamedNode("http://example.org/p")
    memory.add(ox.Quad(node, pred, ox.Literal("staged"), store.new_staging_graph()))
    memory.add(ox.Quad(node, pred, ox.Literal("default"), ox.DefaultGraph()))
    store.settle()
    assert not store._union_shortcut
    assert _rows(store, ALL_QUADS) == before


def test_a_standalone_graph_is_outside_the_default_graph(
    disk_store: EmbeddedStore, turtle: Turtle
) -> None:
    store = disk_store
    store.load_source(turtle(WHOLE, "wholes"))
    store.update("INSERT DATA { GRAPH <http://example.org/mine> { <urn:a> <urn:b> 'c' } }")
    assert store.hold_in_memory(1000)
    store.settle()
    assert not store._union_shortcut
    assert _rows(store, "SELECT ?o WHERE { <urn:a> <urn:b> ?o }") == []
    assert _rows(store, "SELECT ?o WHERE { GRAPH ?g { <urn:a> <urn:b> ?o } }") == [('"c"',)]


def test_the_version_changes_with_each_write_only(store: EmbeddedStore, turtle: Turtle) -> None:
    v0 = store.version()
    assert store.version() == v0
    store.load_source(turtle(WHOLE, "wholes"))
    v1 = store.version()
    with pytest.raises(ValidationFailed):
        store.load_source(turtle("ex:bad a ex:Thing .", "bad"))
    assert store.version() == v1 != v0
    store.update("INSERT DATA { <http://example.org/w> <http://example.org/name> 'W' }")
    assert store.version() not in (v0, v1)


def test_the_version_is_not_data(tmp_path: Path, checker: WriteChecker, turtle: Turtle) -> None:
    """No triple holds it, and a store written by an older release loses its version graph."""
    path = tmp_path / "store"
    st = EmbeddedStore(path, base="http://example.org/", checker=checker)
    st.load_source(turtle(WHOLE, "a"))
    state = ox.NamedNode("http://example.org/graph/_state")
    version = ox.NamedNode("https://w3id.org/4p1000/ontology#storeVersion")
    st.raw.add(ox.Quad(state, version, ox.Literal("old"), state))
    assert not any(st.raw.quads_for_pattern(None, None, ox.Literal(st.version())))
    st.close()
    del st
    reopened = EmbeddedStore(path, base="http://example.org/", checker=checker)
    assert state not in set(reopened.raw.named_graphs())
    assert [s.name for s in reopened.sources()] == ["a"]


# -- the in-memory copy -----------------------------------------------------------------------


def _graphs(store: ox.Store, names: list[str]) -> dict[str, Graph]:
    from sic.terms import triples_to_graph

    return {
        name: triples_to_graph(list(store.quads_for_pattern(None, None, None, ox.NamedNode(name))))
        for name in names
    }


def _same_as_disk(store: EmbeddedStore) -> None:
    """The copy holds exactly what the disk holds (blank nodes up to renaming)."""
    assert store.in_memory
    memory = store._memory
    assert memory is not None
    bookkeeping = store.dataset().bookkeeping
    names = sorted(
        g.value
        for g in store.raw.named_graphs()
        if isinstance(g, ox.NamedNode) and g.value not in bookkeeping
    )
    assert names == sorted(g.value for g in memory.named_graphs() if isinstance(g, ox.NamedNode))
    on_disk, in_memory = _graphs(store.raw, names), _graphs(memory, names)
    for name in names:
        assert isomorphic(on_disk[name], in_memory[name]), name


@pytest.fixture
def disk_store(tmp_path: Path, checker: WriteChecker) -> Iterator[EmbeddedStore]:
    st = EmbeddedStore(tmp_path / "store", base="http://example.org/", checker=checker)
    yield st
    st.close()


def test_the_memory_copy_follows_every_write(disk_store: EmbeddedStore, turtle: Turtle) -> None:
    st = disk_store
    st.load_source(turtle(WHOLE, "wholes"))
    before = _rows(st, ALL_QUADS)
    assert st.hold_in_memory(1000) and not st.hold_in_memory(1000)  # made once
    _same_as_disk(st)
    assert _rows(st, ALL_QUADS) == before
    st.load_source(turtle(THING + "ex:t ex:has [ ex:k 1 ; ex:sub [ ex:k 2 ] ] .", "things"))
    _same_as_disk(st)
    st.load_source(turtle(THING + "ex:t ex:label 'T'@fr .", "things"), replace=True)
    _same_as_disk(st)
    st.update("PREFIX ex: <http://example.org/> INSERT DATA { ex:w ex:note [ ex:k 3 ] }")
    _same_as_disk(st)
    st.update("PREFIX ex: <http://example.org/> DELETE WHERE { ex:t ex:label ?l }")
    _same_as_disk(st)
    with pytest.raises(ValidationFailed):
        st.load_source(turtle("ex:bad a ex:Thing .", "bad"))
    with pytest.raises(ValidationFailed):
        st.remove_source("wholes")
    _same_as_disk(st)
    st.remove_source("things")
    _same_as_disk(st)
    path = st.path
    assert path is not None
    dump = path.parent / "dump.nq"
    with dump.open("wb") as out:
        st.dump(out, ox.RdfFormat.N_QUADS)
    st.remove_source("wholes")
    st.remove_source("updates")
    st.load_source(read_rdf(dump))
    _same_as_disk(st)
    assert _rows(st, "SELECT ?s WHERE { ?s a <http://example.org/Whole> }") == [
        ("<http://example.org/w>",)
    ]


def test_a_commit_the_copy_cannot_follow_sends_reads_back_to_disk(
    disk_store: EmbeddedStore, turtle: Turtle, caplog: pytest.LogCaptureFixture
) -> None:
    st = disk_store
    st.load_source(turtle(WHOLE, "wholes"))
    st.hold_in_memory(1000)

    class Broken:
        def __init__(self, inner: ox.Store) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> Any:
            if name in {"update", "add", "extend", "bulk_extend", "remove", "add_graph"}:
                raise OSError("out of memory")  # every way a copy can be changed fails
            return getattr(self.inner, name)

    st._memory = Broken(st._memory)  # type: ignore[assignment]
    st.update("PREFIX ex: <http://example.org/> INSERT DATA { ex:t a ex:Thing ; ex:name 'T' }")
    assert not st.in_memory
    assert "could not follow" in caplog.text
    assert _rows(st, "SELECT ?s WHERE { ?s a <http://example.org/Thing> }") == [
        ("<http://example.org/t>",)
    ]


def test_only_small_stores_on_disk_are_copied(
    disk_store: EmbeddedStore, store: EmbeddedStore, turtle: Turtle
) -> None:
    disk_store.load_source(turtle(WHOLE + THING, "a"))
    assert not disk_store.hold_in_memory(3) and not disk_store.in_memory
    assert disk_store.hold_in_memory(4) and disk_store.in_memory
    assert not store.hold_in_memory(1000)  # already in memory


def test_a_destructive_write_keeps_what_it_removed(
    disk_store: EmbeddedStore, turtle: Turtle
) -> None:
    """DROP ALL is allowed to whoever may write; what it removes is kept as a dump that
    `sic load --replace` puts back, provenance included."""
    st = disk_store
    st.load_source(turtle(WHOLE, "wholes"), command="first load")
    before = _rows(st, ALL_QUADS)
    st.update("DROP ALL")
    assert st.sources() == [] and _rows(st, ALL_QUADS) == []
    assert st.path is not None
    kept = sorted((st.path.parent / f"{st.path.name}.recovered").glob("*.nq.gz"))
    assert len(kept) == 1
    st.load_source(read_rdf(kept[0]), replace=True)
    assert _rows(st, ALL_QUADS) == before
    assert [(s.name, s.command) for s in st.sources()] == [("wholes", "first load")]
