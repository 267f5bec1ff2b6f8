"""A prepared write as the service commits it: what it stores, what it records, and what the
store then knows without reading its provenance again (graph.embedded)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.term import Node

import graph.embedded as embedded
from graph.dataset import Dataset
from graph.embedded import EmbeddedStore
from graph.history import decode_quads
from graph.results import AskResult, SelectResult
from graph.update import Delta
from graph.validation import WriteChecker
from sic.errors import Violation
from sic.source import Source
from sic.validation import Validator

Turtle = Callable[..., Source]

EX = "http://example.org/"
WHOLE = "ex:w a ex:Whole ."
UPDATES = EX + "graph/updates"
SHAPES = Path(__file__).resolve().parents[1] / "data" / "graph" / "shapes.ttl"
STAGING = EX + "graph/_staging/"


def _t(s: str, p: str, o: ox.NamedNode | ox.Literal | ox.BlankNode) -> ox.Triple:
    return ox.Triple(ox.NamedNode(EX + s), ox.NamedNode(EX + p), o)


def _thing(name: str) -> set[ox.Triple]:
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    node = ox.NamedNode(EX + name)
    return {
        ox.Triple(node, rdf_type, ox.NamedNode(EX + "Thing")),
        _t(name, "name", ox.Literal("T")),
        _t(name, "name", ox.Literal("la chose", language="fr")),
        _t(name, "partOf", ox.NamedNode(EX + "w")),
    }


def _staging_graphs(store: EmbeddedStore) -> list[str]:
    return [g.value for g in store.raw.named_graphs() if g.value.startswith(STAGING)]


def _graph(store: EmbeddedStore, graph: str) -> set[str]:
    return {
        str(q.triple) for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    }


def _last_change(store: EmbeddedStore) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """The added and removed quads of the store's latest change record (graph.history)."""
    result = store.query(
        "PREFIX sic: <https://w3id.org/4p1000/ontology#> "
        "SELECT ?added ?removed FROM <http://example.org/graph/changes> "
        "WHERE { ?c sic:sequence ?n ; sic:addedQuads ?added ; sic:removedQuads ?removed } "
        "ORDER BY DESC(?n) LIMIT 1"
    )
    assert isinstance(result, SelectResult)
    added, removed = result.rows[0]
    assert isinstance(added, ox.Literal) and isinstance(removed, ox.Literal)
    return decode_quads(added.value), decode_quads(removed.value)


@pytest.fixture
def disk_store(tmp_path: Path, checker: WriteChecker) -> Iterator[EmbeddedStore]:
    st = EmbeddedStore(tmp_path / "store", base=EX, checker=checker)
    st.tidy_later = True  # as the service: staged triples stay until tidy()
    yield st
    st.close()


def test_a_small_write_without_blank_nodes_is_stored_exactly_without_staging(
    disk_store: EmbeddedStore, turtle: Turtle
) -> None:
    store = disk_store
    store.load_source(turtle(WHOLE, "wholes"))
    typed = _t("t", "code", ox.Literal("007", datatype=ox.NamedNode(EX + "Code")))
    added = {*_thing("t"), typed}
    store.commit(store.prepare_delta(Delta(added={UPDATES: added}), command="add t"))
    assert _staging_graphs(store) == []  # nothing was staged: nothing left to tidy
    assert _graph(store, UPDATES) == {str(t) for t in added}  # "007" kept as written, @fr too
    recorded_added, recorded_removed = _last_change(store)
    assert {str(q.triple) for q in recorded_added} == {str(t) for t in added}
    assert recorded_removed == []

    gone = _t("t", "name", ox.Literal("la chose", language="fr"))
    store.commit(store.prepare_delta(Delta(removed={UPDATES: {gone}}), command="remove"))
    assert _graph(store, UPDATES) == {str(t) for t in added - {gone}}
    assert _staging_graphs(store) == []
    assert [str(q.triple) for q in _last_change(store)[1]] == [str(gone)]
    assert store.sources() == sorted(store.sources(), key=lambda s: s.name)


def test_a_write_with_a_blank_node_is_still_staged(
    disk_store: EmbeddedStore, turtle: Turtle
) -> None:
    """Only staging keeps a blank node the store's own (DELETE DATA cannot name one)."""
    store = disk_store
    store.load_source(turtle(WHOLE, "wholes"))
    blank = _t("t", "note", ox.BlankNode("n1"))
    store.commit(store.prepare_delta(Delta(added={UPDATES: {*_thing("t"), blank}})))
    assert len(_staging_graphs(store)) == 1  # emptied by tidy, after the writer's answer
    store.tidy()
    assert _staging_graphs(store) == []
    [stored] = [
        q.object
        for q in store.raw.quads_for_pattern(
            ox.NamedNode(EX + "t"), ox.NamedNode(EX + "note"), None, ox.NamedNode(UPDATES)
        )
    ]
    assert isinstance(stored, ox.BlankNode)
    store.commit(store.prepare_delta(Delta(removed={UPDATES: {_t("t", "note", stored)}})))
    assert not any(
        store.raw.quads_for_pattern(
            ox.NamedNode(EX + "t"), ox.NamedNode(EX + "note"), None, ox.NamedNode(UPDATES)
        )
    )


@pytest.mark.parametrize("on_disk", [True, False])
def test_the_sources_after_a_write_are_what_reading_them_again_finds(
    on_disk: bool, tmp_path: Path, checker: WriteChecker, turtle: Turtle
) -> None:
    store = EmbeddedStore(tmp_path / "store" if on_disk else None, base=EX, checker=checker)
    try:
        store.load_source(turtle(WHOLE, "wholes"))
        writes = [
            Delta(added={UPDATES: _thing("a")}),  # makes the source `updates`
            Delta(added={UPDATES: _thing("b")}),
            Delta(added={EX + "graph/wholes": {_t("w", "name", ox.Literal("W"))}}),
            Delta(removed={UPDATES: {_t("b", "name", ox.Literal("la chose", language="fr"))}}),
            Delta(added={EX + "graph/mine": {_t("x", "p", ox.Literal("c"))}}),  # standalone
        ]
        for delta in writes:
            store.commit(store.prepare_delta(delta))
            kept, dataset = store.sources(), store.dataset()
            again = store.raw and store.sources()  # taking the raw store reads them again
            assert kept == again
            assert dataset == Dataset.of(again, EX)
        counts = {s.name: s.triples for s in store.sources()}
        assert counts["updates"] == 7 and counts["wholes"] == 2
    finally:
        store.close()


class _Watched(Validator):
    """The test shapes, validated for real; the focus nodes of each validation are noted."""

    def __init__(self) -> None:
        super().__init__([SHAPES])
        self.focus: list[list[str]] = []

    def validate(
        self,
        data: Graph,
        focus_nodes: Sequence[Node] | None = None,
        *,
        include_global: bool = True,
    ) -> list[Violation]:
        self.focus.append(sorted(str(n) for n in focus_nodes or ()))
        return super().validate(data, focus_nodes, include_global=include_global)


def _everything(store: EmbeddedStore) -> list[str]:
    return sorted(str(q) for q in store.raw.quads_for_pattern(None, None, None))


def _watched_store(tmp_path: Path, turtle: Turtle) -> tuple[EmbeddedStore, _Watched]:
    shapes = _Watched()
    store = EmbeddedStore(tmp_path / "store", base=EX, checker=WriteChecker(shapes))
    store.load_source(turtle(WHOLE, "wholes"))
    assert store.hold_in_memory(1000)
    return store, shapes


def test_a_worker_validates_the_last_small_write_again_when_it_settles(
    tmp_path: Path, turtle: Turtle
) -> None:
    store, shapes = _watched_store(tmp_path, turtle)
    try:
        shapes.focus.clear()
        store.commit(store.prepare_delta(Delta(added={UPDATES: _thing("t")})))
        validated = list(shapes.focus)
        assert validated and EX + "t" in validated[0]
        before = store.version(), _everything(store)
        shapes.focus.clear()
        store.settle()  # what a forked worker does first
        assert shapes.focus == validated  # the same validation as the write's own, once
        assert (store.version(), _everything(store)) == before  # nothing changed or recorded
        assert store.query("ASK { <http://example.org/t> ?p ?o }") == AskResult(True)
    finally:
        store.close()


@pytest.mark.parametrize("case", ["large", "loaded", "none"])
def test_a_worker_leaves_other_writes_alone_when_it_settles(
    case: str, tmp_path: Path, turtle: Turtle, monkeypatch: Any
) -> None:
    store, shapes = _watched_store(tmp_path, turtle)
    try:
        if case == "large":
            monkeypatch.setattr(embedded, "REHEARSE_UP_TO", 3)
            store.commit(store.prepare_delta(Delta(added={UPDATES: _thing("t")})))
        elif case == "loaded":  # a load after the write: the journal says "read everything"
            store.commit(store.prepare_delta(Delta(added={UPDATES: _thing("t")})))
            store.load_source(turtle("ex:v a ex:Whole .", "more"))
        shapes.focus.clear()
        store.settle()
        assert shapes.focus == []
    finally:
        store.close()
