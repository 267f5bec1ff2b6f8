"""Large writes through the update path (a Graph Store PUT, a SPARQL update's delta), ours
against the floor, in one run: `python -m bench.writes [--triples N] [--runs R]`.

- ours: `EmbeddedStore.commit` of a prepared delta on an on-disk store holding an in-memory
  copy (what `sic serve` does after a worker has parsed and validated the body);
- floor: plain pyoxigraph on disk, nothing of ours: `bulk_extend` into a new graph, and
  `remove_graph` then `bulk_extend` to replace one (neither is one transaction, which ours is).

Each run starts from a fresh store; the store is tidied (staging graphs emptied) after each
commit but outside the timing, as the service does after answering.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from bench.measure import Timing, machine, timed
from graph.embedded import EmbeddedStore
from graph.graph_store import replace_graph

GRAPH = "http://example.org/bench/large"


def _triples(n: int, tag: str) -> list[ox.Triple]:
    p = ox.NamedNode("http://example.org/p")
    return [
        ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), p, ox.Literal(f"{tag}{i}"))
        for i in range(n)
    ]


def measure(n: int, runs: int) -> dict[str, tuple[Timing, Timing]]:
    """(ours, floor) per operation."""
    root = Path(tempfile.mkdtemp(prefix="sic-bench-writes-"))
    first, second = _triples(n, "v"), _triples(n, "w")
    node = ox.NamedNode(GRAPH)
    held: dict[str, EmbeddedStore | ox.Store] = {}
    made = iter(range(1_000_000))

    def place(name: str) -> Path:
        """A new folder per run (a store's lock outlives its handle until collected)."""
        old = held.pop(name, None)
        if isinstance(old, EmbeddedStore):
            old.close()
        return root / f"{name}-{next(made)}"

    def fresh_ours(filled: bool) -> Callable[[], None]:
        def setup() -> None:
            store = EmbeddedStore(place("ours"))
            store.tidy_later = True
            store.hold_in_memory(4 * n)
            if filled:
                store.commit(store.prepare_delta(replace_graph(store, GRAPH, first)))
                store.tidy()
            held["ours"] = store

        return setup

    def fresh_floor(filled: bool) -> Callable[[], None]:
        def setup() -> None:
            store = ox.Store(str(place("floor")))
            if filled:
                store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in first)
            held["floor"] = store

        return setup

    def ours(triples: list[ox.Triple]) -> Callable[[], None]:
        def run() -> None:
            store = held["ours"]
            assert isinstance(store, EmbeddedStore)
            store.commit(store.prepare_delta(replace_graph(store, GRAPH, triples)))

        return run

    def floor(replacing: bool) -> Callable[[], None]:
        def run() -> None:
            store = held["floor"]
            assert isinstance(store, ox.Store)
            if replacing:
                store.remove_graph(node)
            store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in second)
            store.flush()

        return run

    try:
        return {
            "PUT into a new graph": (
                timed(ours(first), runs, fresh_ours(False)),
                timed(floor(False), runs, fresh_floor(False)),
            ),
            "PUT replacing a graph of the same size": (
                timed(ours(second), runs, fresh_ours(True)),
                timed(floor(True), runs, fresh_floor(True)),
            ),
        }
    finally:
        held.clear()
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures = measure(args.triples, args.runs)
    facts = machine()
    described = ", ".join(f"{k} {v}" for k, v in facts.items())
    print(f"{args.triples:,} triples, {args.runs} runs each; {described}\n")
    print("| operation | ours | floor (pyoxigraph) | ours/floor |")
    print("|---|---|---|---|")
    for name, (ours, floor) in figures.items():
        print(
            f"| {name} | {ours.median:.2f} s ({ours.low:.2f}-{ours.high:.2f}) "
            f"| {floor.median:.2f} s ({floor.low:.2f}-{floor.high:.2f}) "
            f"| {ours.median / floor.median:.1f}x |"
        )


if __name__ == "__main__":
    main()
