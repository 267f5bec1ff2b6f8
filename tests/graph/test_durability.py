"""A load killed with SIGKILL leaves exactly the earlier content or exactly the new one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.embedded import EmbeddedStore
from graph.validation import WriteChecker
from loaders.rdf import read_rdf

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT / "tests" / "data" / "graph" / "shapes.ttl"

CHILD = """
import sys
from pathlib import Path
from graph.embedded import EmbeddedStore
from graph.validation import WriteChecker
from loaders.rdf import read_rdf
from sic.validation import Validator

store = EmbeddedStore(Path(sys.argv[1]), base="http://example.org/",
                      checker=WriteChecker(Validator([Path(sys.argv[2])])))
print("LOADING", flush=True)
store.load_source(read_rdf(Path(sys.argv[3]), name="a"), replace=True)
print("DONE", flush=True)
"""


def _write_nt(path: Path, prefix: str, n: int) -> None:
    with path.open("w") as fh:
        for i in range(n):
            fh.write(f'<http://example.org/{prefix}{i}> <http://example.org/p> "{i}" .\n')


def _content(path: Path, checker: WriteChecker) -> tuple[list[str], set[str]]:
    store = EmbeddedStore(path, base="http://example.org/", checker=checker)
    try:
        names = [s.name for s in store.sources()]
        quads = {
            str(q)
            for q in store.raw.quads_for_pattern(
                None, None, None, ox.NamedNode("http://example.org/graph/a")
            )
        }
        graphs = {g.value for g in store.raw.named_graphs() if isinstance(g, ox.NamedNode)}
        assert not any("_staging" in g for g in graphs), graphs
        return names, quads
    finally:
        store.close()
        del store


@pytest.mark.slow
def test_sigkill_during_replace_keeps_old_or_new(tmp_path: Path, checker: WriteChecker) -> None:
    old_file = tmp_path / "old.nt"
    new_file = tmp_path / "new.nt"
    _write_nt(old_file, "old", 1_000)
    _write_nt(new_file, "new", 150_000)
    old_quads = {
        str(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("http://example.org/graph/a")))
        for q in ox.parse(path=str(old_file))
    }
    new_quads = {
        str(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("http://example.org/graph/a")))
        for q in ox.parse(path=str(new_file))
    }
    outcomes = set()
    for delay in (0.0, 0.05, 0.2, 0.5, 1.0, 2.0):
        store_dir = tmp_path / f"store-{delay}"
        st = EmbeddedStore(store_dir, base="http://example.org/", checker=checker)
        st.load_source(read_rdf(old_file, name="a"))
        st.close()
        del st
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(store_dir), str(SHAPES), str(new_file)],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "LOADING"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        names, quads = _content(store_dir, checker)
        assert names == ["a"]
        assert quads in (old_quads, new_quads), f"mixed content after kill at {delay}s"
        outcomes.add("old" if quads == old_quads else "new")
    # the kill points must have hit the load at least once
    assert "old" in outcomes


WORKBOOK_CHILD = """
import sys
from dataclasses import replace
from pathlib import Path
from graph.embedded import EmbeddedStore
from graph.validation import WriteChecker
from loaders.source import read_source
from sic.validation import Validator

store = EmbeddedStore(Path(sys.argv[1]), base="http://example.org/",
                      checker=WriteChecker(Validator([Path(sys.argv[2])])))
source = replace(read_source(Path(sys.argv[3]), base=store.base), name="a")
print("LOADING", flush=True)
store.load_source(source, replace=True)
print("DONE", flush=True)
"""


@pytest.mark.slow
def test_sigkill_during_a_streamed_workbook_replace_keeps_old_or_new(
    tmp_path: Path, checker: WriteChecker
) -> None:
    """The same, for a workbook: its triples go to the staging graph in chunks of N-Triples
    bytes (sic.source.MappedTriples), and a kill between two chunks must not show either."""
    from dataclasses import replace

    from bench.generate import SIZES, generate_workbook
    from loaders.source import read_source

    old_workbook, new_workbook = tmp_path / "old", tmp_path / "new"
    generate_workbook(SIZES["XS"], old_workbook)
    generate_workbook(SIZES["S"], new_workbook, seed=7)
    target = ox.NamedNode("http://example.org/graph/a")
    expected = {}
    for which, path in (("old", old_workbook), ("new", new_workbook)):
        store = EmbeddedStore(None, base="http://example.org/", checker=checker)
        store.load_source(replace(read_source(path, base=store.base), name="a"))
        expected[which] = {str(q) for q in store.raw.quads_for_pattern(None, None, None, target)}
        store.close()
    outcomes = set()
    for delay in (0.0, 0.2, 0.5, 1.0, 2.0, 4.0):
        store_dir = tmp_path / f"store-{delay}"
        st = EmbeddedStore(store_dir, base="http://example.org/", checker=checker)
        st.load_source(replace(read_source(old_workbook, base=st.base), name="a"))
        st.close()
        del st
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        child = subprocess.Popen(
            [sys.executable, "-c", WORKBOOK_CHILD, str(store_dir), str(SHAPES), str(new_workbook)],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "LOADING"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        names, quads = _content(store_dir, checker)
        assert names == ["a"]
        assert quads in (expected["old"], expected["new"]), f"mixed content after kill at {delay}s"
        outcomes.add("old" if quads == expected["old"] else "new")
    assert "old" in outcomes
