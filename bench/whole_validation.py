"""Whole-graph SHACL validation of a union, pyshacl against the store's own SPARQL (graph.
engine_shacl), on the same workbooks in the same run.

Each workbook is read with the bundled ontology into an in-memory store as two sources, and
validated whole as graph.validation does past WHOLE_GRAPH_ABOVE changed nodes: pyshacl on a
copy of the union (the copy is timed with it, as it is paid with it), then the engine. Both must
give the same results. Usage:

    python -m bench.generate S --out /tmp/S && python -m bench.generate M --out /tmp/M
    python -m bench.whole_validation /tmp/S/workbook /tmp/M/workbook [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.validation import WriteChecker, _copy
from loaders.workbook import read_workbook
from sic.ontology import ontology_graph
from sic.terms import graph_to_quads


def measure(workbook: Path, runs: int = 1) -> dict[str, Any]:
    store = ox.Store()
    graphs = [ox.NamedNode("urn:x-bench:ontology"), ox.NamedNode("urn:x-bench:workbook")]
    store.bulk_extend(graph_to_quads(ontology_graph(), graphs[0]))
    store.bulk_extend(graph_to_quads(read_workbook(workbook).graph, graphs[1]))
    checker = WriteChecker()
    started = time.perf_counter()
    checker.engine.compiled()
    compile_s = time.perf_counter() - started
    engine_s: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        found = checker.whole(store, graphs)
        engine_s.append(time.perf_counter() - started)
    started = time.perf_counter()
    copy = _copy(store, graphs)
    copied = time.perf_counter()
    expected = checker.validator.validate(copy, include_global=False)
    finished = time.perf_counter()
    engine = min(engine_s)
    return {
        "workbook": str(workbook),
        "triples": len(store),
        "engine_compile_s": round(compile_s, 3),
        "engine_s": round(engine, 3),
        "pyshacl_copy_s": round(copied - started, 3),
        "pyshacl_validate_s": round(finished - copied, 3),
        "pyshacl_total_s": round(finished - started, 3),
        "pyshacl_over_engine": round((finished - started) / engine, 1),
        "results": len(found),
        "same_results": Counter(found) == Counter(expected),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbooks", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=1, help="engine runs (the best is kept)")
    args = parser.parse_args(argv)
    for workbook in args.workbooks:
        print(json.dumps(measure(workbook, args.runs)), flush=True)


if __name__ == "__main__":
    main()
