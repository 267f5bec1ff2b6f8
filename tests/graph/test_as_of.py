"""The dataset as of a moment (graph.as_of) equals the store as it was saved right after the
last write before that moment, whatever the writes were."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import as_of
from graph.embedded import EmbeddedStore
from graph.update import Delta
from graph.validation import WriteChecker
from sic.errors import QueryError, TooLarge
from sic.source import Source

Turtle = Callable[..., Source]
EX = "http://example.org/"

triple = st.tuples(st.integers(0, 3), st.integers(0, 1), st.integers(0, 2))
triples = st.lists(triple, max_size=5)
write = st.one_of(
    st.tuples(st.just("load"), st.sampled_from(["a", "b"]), triples),
    st.tuples(st.just("insert"), st.sampled_from(["", "g1"]), triples),
    st.tuples(st.just("delete"), st.sampled_from(["", "g1"]), triples),
    st.tuples(st.just("drop"), st.sampled_from(["g1", "a"]), st.just([])),
    st.tuples(st.just("apply"), st.sampled_from(["add", "remove"]), triples),
)


def _ttl(ts: list[tuple[int, int, int]]) -> str:
    return "".join(f'ex:s{s} ex:p{p} "{o}" .\n' for s, p, o in ts)


def _data(ts: list[tuple[int, int, int]]) -> str:
    return " ".join(f'<{EX}s{s}> <{EX}p{p}> "{o}" .' for s, p, o in ts)


def _apply(store: EmbeddedStore, turtle: Turtle, step: tuple[str, str, list]) -> None:
    kind, where, ts = step
    names = {s.name for s in store.sources()}
    if kind == "load":
        store.load_source(turtle(_ttl(ts), where), replace=where in names)
        return
    if kind == "drop":
        store.update(
            f"DROP SILENT GRAPH <{EX}graph/{where}>"
            if where == "a"
            else f"DROP SILENT GRAPH <{EX}{where}>"
        )
        return
    if not ts:
        return
    if kind == "apply":  # an explicit delta, as a submission or a link decision makes one
        graph = store.dataset().default_store
        found = {
            ox.Triple(ox.NamedNode(f"{EX}s{s}"), ox.NamedNode(f"{EX}p{p}"), ox.Literal(str(o)))
            for s, p, o in ts
        }
        store.apply(Delta(**{"added" if where == "add" else "removed": {graph: found}}))
        return
    body = _data(ts) if not where else f"GRAPH <{EX}{where}> {{ {_data(ts)} }}"
    verb = "INSERT DATA" if kind == "insert" else "DELETE DATA"
    store.update(f"{verb} {{ {body} }}")


def _state(store: EmbeddedStore) -> set[ox.Quad]:
    return {
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
        for g in store.dataset().data
        for t in store.triples_of(g)
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(write, min_size=1, max_size=7))
def test_as_of_equals_the_store_saved_after_each_write(
    checker: WriteChecker, turtle: Turtle, steps: list[tuple[str, str, list]]
) -> None:
    store = EmbeddedStore(None, base=EX, checker=checker)
    saved: dict[int, set[ox.Quad]] = {0: set()}
    moments: list[tuple[as_of.Moment, int]] = []
    for step in steps:
        _apply(store, turtle, step)
        last = as_of._last(store)
        saved[last] = _state(store)
        time.sleep(0.002)
        now = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
        moments.append((as_of.parse_moment(now), last))
    last = as_of._last(store)
    for moment, sequence in moments:
        where = as_of.position(store, moment)
        assert (where.sequence, where.last) == (sequence, last)
    for sequence, expected in saved.items():
        snapshot = as_of.build(store, sequence, max_triples=10_000)
        assert _state(snapshot) == expected, sequence  # type: ignore[arg-type]
        assert as_of.undo(store, sequence).quads == expected or sequence == 0
        assert as_of.replay(store, sequence).quads == expected
    store.close()


def test_a_snapshot_answers_queries_as_then_and_refuses_writes(
    store: EmbeddedStore, turtle: Turtle
) -> None:
    store.load_source(turtle('ex:s0 ex:p0 "old" .', "a"))
    first = as_of._last(store)
    store.load_source(turtle('ex:s0 ex:p0 "new" .', "a"), replace=True)
    store.update(f'INSERT DATA {{ <{EX}s1> <{EX}p0> "added" }}')
    snapshot = as_of.build(store, first, max_triples=10_000)
    ask = "ASK {{ <{0}s0> <{0}p0> {1} }}"
    assert snapshot.query(ask.format(EX, '"old"')).value  # type: ignore[union-attr]
    assert not snapshot.query(ask.format(EX, '"new"')).value  # type: ignore[union-attr]
    assert store.query(ask.format(EX, '"new"')).value  # type: ignore[union-attr]
    assert [s.name for s in snapshot.sources()] == ["a"]
    assert snapshot.sources()[0].triples == 1
    assert snapshot.version() == f"as-of-{first}"
    with pytest.raises(Exception, match="settled"):
        snapshot.update(f'INSERT DATA {{ <{EX}x> <{EX}p0> "no" }}')
    # the snapshot's history ends at its moment
    count = "SELECT (COUNT(?c) AS ?n) WHERE {{ GRAPH <{0}graph/changes> {{ ?c a <{1}> }} }}"
    rows = snapshot.query(count.format(EX, history_change()), named_graphs=[EX + "graph/changes"])
    assert [r["n"].value for r in rows] == [str(first)]  # type: ignore[union-attr]


def history_change() -> str:
    return "https://w3id.org/4p1000/ontology#Change"


def test_before_the_first_change_is_empty_and_the_ceiling_refuses(
    store: EmbeddedStore, turtle: Turtle
) -> None:
    store.load_source(turtle('ex:s0 ex:p0 "a" . ex:s0 ex:p1 "b" .', "a"))
    store.update(f'INSERT DATA {{ <{EX}s1> <{EX}p0> "c" }}')
    early = as_of.position(store, as_of.parse_moment("2000-01-01"))
    assert early.before_first and not early.present
    assert _state(as_of.build(store, 0, max_triples=1)) == set()  # type: ignore[arg-type]
    late = as_of.position(store, as_of.parse_moment("2999-01-01T00:00:00Z"))
    assert late.present
    with pytest.raises(TooLarge, match="SIC_AS_OF_MAX_TRIPLES"):
        as_of.build(store, 1, max_triples=2)


@pytest.mark.parametrize(
    ("given", "iso"),
    [
        ("2026-03-01", "2026-03-01T23:59:59.999999Z"),
        ("2026-03-01T12:00:00Z", "2026-03-01T12:00:00.000000Z"),
        ("2026-03-01T13:30:00+01:00", "2026-03-01T12:30:00.000000Z"),
        ("2026-03-01T12:00Z", "2026-03-01T12:00:00.000000Z"),
    ],
)
def test_moments_are_read_strictly(given: str, iso: str) -> None:
    assert as_of.parse_moment(given).iso == iso


@pytest.mark.parametrize(
    "given", ["", "yesterday", "2026-3-1", "2026-02-30", "2026-03-01T12:00:00", "2026-03-01 12:00Z"]
)
def test_bad_moments_are_refused(given: str) -> None:
    with pytest.raises(QueryError, match="asOf must be a date"):
        as_of.parse_moment(given)


def test_snapshots_keep_the_most_recently_used(store: EmbeddedStore) -> None:
    kept = as_of.Snapshots(2, 10)
    made: list[int] = []

    def make(n: int) -> as_of.Snapshot:
        made.append(n)
        return as_of.Snapshot(EX, n)

    for n in (1, 2, 1, 3, 1, 2):
        kept.obtain(n, make)
    assert made == [1, 2, 3, 2]
