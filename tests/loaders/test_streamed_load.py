"""A workbook loads streamed (triples in a list, bulk-loaded in chunks of N-Triples) into
exactly the dataset the rdflib-Graph path gave, and tells its progress phase by phase."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from bench.generate import SIZES, generate_workbook
from graph.embedded import EmbeddedStore
from graph.validation import WriteChecker
from loaders.source import read_source
from loaders.workbook import read_workbook
from sic import source as sic_source
from sic.paths import reference_workbook
from sic.progress import PHASES, Step
from sic.source import InMemoryGraph, MappedTriples, Source


class _Unchecked(WriteChecker):
    """No SHACL: these tests compare what lands in the store, not whether it conforms."""

    def check_new_graphs(self, store: ox.Store, new: Any, others: Any) -> None:
        return None


def _stored(source: Source) -> set[ox.Quad]:
    store = EmbeddedStore(None, checker=_Unchecked())
    (info,) = store.load_source(source)
    quads = set(store.quads(info.graph))
    assert info.triples == len(quads)
    store.close()
    return quads


@pytest.fixture(scope="module")
def xs_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("xs") / "workbook"
    generate_workbook(SIZES["XS"], out)
    return out


@pytest.mark.parametrize("which", ["reference", "xs"])
def test_streamed_load_gives_the_graph_paths_dataset(
    which: str, xs_workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = reference_workbook() if which == "reference" else xs_workbook
    streamed = read_source(path, base="https://w3id.org/4p1000/")
    assert isinstance(streamed.content, MappedTriples)
    workbook = read_workbook(path)
    through_graph = replace(streamed, content=InMemoryGraph(workbook.graph))
    monkeypatch.setattr(sic_source, "CHUNK", 1_000)  # several chunks even for the reference
    quads = _stored(streamed)
    assert quads == _stored(through_graph)
    assert not any(isinstance(q.subject, ox.BlankNode) for q in quads)
    assert len(quads) > 1_000


def test_blank_nodes_keep_their_identity_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from rdflib import BNode, Literal, URIRef

    node = BNode()
    p = URIRef("http://example.org/p")
    triples = [(node, p, Literal(str(i))) for i in range(5)]
    triples += [(URIRef(f"http://example.org/s{i}"), p, node) for i in range(5)]
    monkeypatch.setattr(sic_source, "CHUNK", 3)
    quads = _stored(Source(name="b", origin="b", checksum="", content=MappedTriples(triples)))
    assert len({q.subject for q in quads if isinstance(q.subject, ox.BlankNode)}) == 1
    assert len({q.object for q in quads if isinstance(q.object, ox.BlankNode)}) == 1
    assert len(quads) == 10


def test_progress_tells_each_phase_in_order_with_counts(xs_workbook: Path) -> None:
    steps: list[Step] = []
    store = EmbeddedStore(None, checker=_Unchecked())
    source = read_source(xs_workbook, base=store.base, progress=steps.append)
    (info,) = store.load_source(source, progress=steps.append)
    store.close()
    finished = [s for s in steps if s.finished]
    assert [s.phase for s in finished] == list(PHASES)
    started = [s.phase for s in steps if s.done == 0 and not s.finished]
    assert started == list(PHASES)
    by_phase = {s.phase: s for s in finished}
    rows = sum(len(rows) for rows in _csv_rows(xs_workbook).values())
    assert by_phase["map"].done == by_phase["map"].total == rows
    assert by_phase["read"].done >= rows
    assert by_phase["stage"].total == len(source.content.triples)  # type: ignore[attr-defined]
    for name in ("stage", "validate", "commit"):
        assert by_phase[name].done == info.triples
    # each phase's counts only grow
    for name in PHASES:
        counts = [s.done for s in steps if s.phase == name]
        assert counts == sorted(counts)


def test_a_failed_load_does_not_report_its_phase_finished(xs_workbook: Path) -> None:
    class Refusing(_Unchecked):
        def check_new_graphs(self, store: ox.Store, new: Any, others: Any) -> None:
            raise RuntimeError("refused")

    steps: list[Step] = []
    store = EmbeddedStore(None, checker=Refusing())
    source = read_source(xs_workbook, base=store.base)
    with pytest.raises(RuntimeError):
        store.load_source(source, progress=steps.append)
    assert [s.phase for s in steps if s.finished] == ["stage"]
    assert store.sources() == []
    assert list(store.raw.named_graphs()) == []  # the staged graph went with the failure
    store.close()


def _csv_rows(folder: Path) -> dict[str, list[str]]:
    from loaders.sheets import SHEETS

    names = {s.name for s in SHEETS}
    return {
        p.stem: p.read_text(encoding="utf-8").splitlines()[1:]
        for p in folder.glob("*.csv")
        if p.stem in names
    }


def test_a_large_load_is_validated_in_memory_with_the_disks_verdict(
    xs_workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past VALIDATE_IN_MEMORY_FROM triples the staged triples also go into an in-memory copy
    that validation reads: the same violations, at the same cells, and nothing left behind."""
    from graph import embedded
    from graph.bootstrap import ensure_ontology
    from sic.errors import ValidationFailed
    from sic.vocab import SIC

    source = read_source(xs_workbook, base="https://w3id.org/4p1000/")
    assert isinstance(source.content, MappedTriples)
    triples = list(source.content.triples)
    dropped = next(t for t in triples if t[1] == SIC.lead)  # an alliance without its lead
    broken = replace(source, content=MappedTriples([t for t in triples if t != dropped]))
    checked_on: list[bool] = []

    class Spying(WriteChecker):
        def check_new_graphs(self, store: ox.Store, new: Any, others: Any) -> None:
            checked_on.append(store is disk.raw)
            super().check_new_graphs(store, new, others)

    def refusal(in_memory_from: int) -> list[str]:
        monkeypatch.setattr(embedded, "VALIDATE_IN_MEMORY_FROM", in_memory_from)
        with pytest.raises(ValidationFailed) as failed:
            disk.load_source(broken)
        assert [s.name for s in disk.sources()] == [s.name for s in before]
        assert {g.value for g in disk.raw.named_graphs()} == graphs_before, "nothing staged stays"
        return [str(v) for v in failed.value.violations]

    disk = EmbeddedStore(tmp_path / "store", checker=Spying())
    ensure_ontology(disk)
    before = disk.sources()
    # the sources, their bookkeeping and the record of the ontology's load (graph/changes)
    graphs_before = {g.value for g in disk.raw.named_graphs()}
    assert graphs_before >= {s.graph for s in before} | {disk.sources_graph.value}
    checked_on.clear()
    in_memory = refusal(0)
    on_disk = refusal(10**9)
    assert checked_on == [False, True]
    assert in_memory == on_disk
    assert any(v.startswith("alliances.csv, row 2, column 'lead': ") for v in in_memory)
    monkeypatch.setattr(embedded, "VALIDATE_IN_MEMORY_FROM", 0)
    (info,) = disk.load_source(source)
    assert checked_on[-1] is False
    assert info.triples == len(disk.quads(info.graph))
    disk.close()
