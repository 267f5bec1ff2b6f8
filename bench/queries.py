"""Every question of the catalogue: ours, the floor and the naive stack, on the same data.

- ours: `queries.catalogue.run` on the embedded store, warm (caches built by a first call);
- floor: for the SPARQL questions, the same `.rq` text sent straight to pyoxigraph over the
  union of graphs with the same bound terms; analyses have no single query to compare to;
- naive: the same catalogue code over an rdflib in-memory graph (its SPARQL engine answers
  the same `.rq` texts), as a stack without pyoxigraph would.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Variable

from bench.measure import summarise, timed
from graph.base import GraphStore, QueryGraphs
from graph.dataset import Dataset, SourceInfo
from graph.embedded import EmbeddedStore
from graph.results import GraphResult, QueryResult, SelectResult, Term
from queries import catalogue, network
from queries.params import bind
from sic.errors import KGError, Violation
from sic.terms import to_ox, to_rdflib
from sic.vocab import DEFAULT_BASE

PARAMS: dict[str, dict[str, str]] = {
    "candidates-for-activity": {"activity": "A1.001"},
    "candidates-for-project": {"project": "prj000001"},
    "funders-for-activity": {"activity": "A1.001"},
    "alliance-composition": {"activity": "A1.001"},
    "partnership-opportunities": {"organisation": "org000001"},
    "organisation-profile": {"organisation": "org000001"},
    "objective-profile": {"objective": "A1"},
    "task-force-roster": {"objective": "A1"},
    "funders-for-project": {"project": "prj000001"},
    "brokers": {"objective": "A1"},
}


class RdflibStore(GraphStore):
    """The naive stack: an rdflib Graph answering the catalogue's SPARQL (read-only)."""

    def __init__(self, graph: Graph, base: str = DEFAULT_BASE) -> None:
        self.graph = graph
        self.base = base

    def version(self) -> str:
        return "naive"

    def _answer(
        self, sparql: str, graphs: QueryGraphs, substitutions: Mapping[str, Term], limit: int | None
    ) -> QueryResult:
        """rdflib answers over its whole graph: there is no dataset to narrow."""
        bindings = {Variable(k): to_rdflib(v) for k, v in substitutions.items()}  # type: ignore[arg-type]
        result = self.graph.query(sparql, initBindings=bindings)
        if result.type == "SELECT":
            variables = [str(v) for v in result.vars or []]
            rows = [
                [None if row[i] is None else to_ox(row[i]) for i in range(len(variables))]  # type: ignore[index]
                for row in result
            ]
            return SelectResult(variables, rows)  # type: ignore[arg-type]
        return GraphResult([])

    def _read_only(self, *_: Any, **__: Any) -> Any:
        raise KGError("the naive benchmark store is read-only")

    # every way of writing is refused
    _load = _restore = remove_source = dump = _prepare_ops = prepare_delta = commit = _read_only

    def sources(self) -> list[SourceInfo]:
        return []

    def dataset(self) -> Dataset:
        return Dataset.of([], self.base)

    def triples_of(self, graph: str) -> list[ox.Triple]:
        return []

    def validate_all(self) -> list[Violation]:
        return []

    def stats(self) -> tuple[dict[str, int], dict[str, int]]:
        return {}, {}


def _time(fn: Any, runs: int, budget: float, setup: Any = None) -> dict[str, Any]:
    """Like bench.measure.timed, but fewer runs once `budget` seconds are spent."""
    samples: list[float] = []
    while len(samples) < runs and sum(samples) <= budget:
        samples.append(timed(fn, 1, setup).median)
    return summarise(samples).as_dict()


def queries_section(
    ours: EmbeddedStore, naive: RdflibStore | None, runs: int, naive_budget: float = 120.0
) -> dict[str, Any]:
    """Median seconds per question, ours three ways, the floor, and the naive stack.

    - ours: projections built (warm), the answer itself computed each time;
    - ours_cold: after a change of store version, everything rebuilt (what the naive stack
      always pays: it is compared with this one);
    - ours_cached: the same call again (answers are kept per store version).
    """
    out: dict[str, Any] = {}
    union = [ox.NamedNode(g) for g in ours.dataset().union]

    def forget_answers() -> None:
        network.projections(ours)._answers.clear()

    def forget_everything() -> None:
        network._cache.pop(ours, None)

    for q in catalogue.questions():
        params = PARAMS.get(q.name, {})

        def call(q: Any = q, p: dict[str, str] = params) -> None:
            catalogue.run(ours, q.name, p)

        row: dict[str, Any] = {
            "ours_cold": _time(call, max(1, runs // 3), 120.0, forget_everything)
        }
        call()  # projections and parsed queries warm
        row["ours"] = _time(call, runs, 60.0, forget_answers)
        row["ours_cached"] = _time(call, runs, 10.0)
        if q.query is not None:
            bound = bind(q.name, q.params, params, ours.base)
            subs = {ox.Variable(k): v for k, v in bound.terms.items()}
            text = q.query.text

            def floor(text: str = text, subs: dict[ox.Variable, Any] = subs) -> None:
                list(ours.raw.query(text, default_graph=union, substitutions=subs or None))  # type: ignore[arg-type]

            row["floor"] = _time(floor, runs, 60.0)
            row["ours_over_floor"] = row["ours"]["median"] / row["floor"]["median"]
        if naive is not None:
            row.update(_naive(naive, q.name, params, naive_budget))
            if "naive" in row:
                row["naive_over_ours"] = row["naive"]["median"] / row["ours_cold"]["median"]
        out[q.name] = row
    return out


def _naive_child(naive: RdflibStore, name: str, params: dict[str, str], conn: Any) -> None:
    try:
        start = time.perf_counter()
        catalogue.run(naive, name, params)
        conn.send(("ok", time.perf_counter() - start))
    except Exception as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"[:200]))


def _naive(naive: RdflibStore, name: str, params: dict[str, str], budget: float) -> dict[str, Any]:
    """One naive answer in a forked child, stopped after `budget` seconds (rdflib cannot be
    interrupted from inside, and some of these questions take it many minutes at 1M)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_naive_child, args=(naive, name, params, child))
    proc.start()
    child.close()
    try:
        if not parent.poll(budget):
            proc.kill()
            return {"naive_error": f"stopped after {budget:.0f} s", "naive_over_budget": budget}
        status, value = parent.recv()
    finally:
        proc.join(5)
        parent.close()
    if status != "ok":
        return {"naive_error": str(value)}
    seconds = float(value)
    return {"naive": {"median": seconds, "low": seconds, "high": seconds, "runs": 1}}


def naive_store(ours: EmbeddedStore) -> RdflibStore:
    """The same published data copied into an rdflib in-memory graph."""
    g = Graph()
    for graph in ours.dataset().union:
        for quad in ours.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            g.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return RdflibStore(g, ours.base)
