"""Seeding an empty store with the bundled data as one write (api.seeding) stores what loading
the same files one by one stores, and refuses what that refuses, with the same words."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from api.app import seed
from api.seeding import seed_together
from api.settings import load_settings
from graph.embedded import EmbeddedStore
from loaders.source import read_source
from sic import paths
from sic.errors import KGError, ValidationFailed

ROOT = Path(__file__).parents[2]
MINIMAL = ROOT / "tests" / "data" / "workbooks" / "minimal"
IATI = ROOT / "data" / "iati"
# two files of one publisher: the second's organisations are reconciled against the first's
SAMPLE = [IATI / "GB-CHC-285776__v2.02.xml", IATI / "GB-CHC-285776__v2.03.xml"]


def _one_by_one(store: EmbeddedStore, data: list[Path]) -> None:
    """The files as `sic serve --data` loads them: each validated and published on its own."""
    seed(store, load_settings().model_copy(update={"data": data}))


def _contents(store: EmbeddedStore) -> dict[str, Any]:
    """Each source's provenance that does not name a moment, and its triples."""
    return {
        s.name: (s.graph, s.triples, s.origin, s.checksum, set(store.triples_of(s.graph)))
        for s in store.sources()
    }


def _changes(store: EmbeddedStore) -> int:
    return sum(1 for _ in store.raw.quads_for_pattern(None, None, None, store.changes_graph))


def test_seeding_together_stores_what_loading_one_by_one_stores() -> None:
    files = [paths.reference_workbook(), *SAMPLE]
    together, apart = EmbeddedStore(), EmbeddedStore()
    loaded = seed_together(together, files, links=True, command="sic serve")
    _one_by_one(apart, files)

    assert loaded is not None
    names = [info.name for info in loaded]
    read = ["reference", "GB-CHC-285776__v2.02", "GB-CHC-285776__v2.03", "links"]
    assert names == ["ontology", *read]
    assert _contents(together) == _contents(apart)
    assert {s.name for s in together.sources()} == set(names)
    assert all(s.triples > 0 for s in together.sources())
    # one change record per source, in the order they were read (graph.history)
    assert _changes(together) == _changes(apart)


def test_bundled_data_the_shapes_refuse_is_refused_as_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A negative amount only the shapes refuse (tests/data/workbooks/broken-and-rule): the
    seeding names the workbook's cell as loading it alone does, and stores the same (the
    ontology, loaded before the workbook is refused)."""
    workbook = tmp_path / "workbook"
    shutil.copytree(MINIMAL, workbook)
    funding = workbook / "funding.csv"
    rows = funding.read_text(encoding="utf-8").splitlines(keepends=True)
    rows[4] = rows[4].replace(",100000,", ",-100000,")
    funding.write_text("".join(rows), encoding="utf-8")
    monkeypatch.setattr(paths, "reference_workbook", lambda: workbook)
    bundled = load_settings().model_copy(update={"data": [], "iati_sample": False})

    together, apart = EmbeddedStore(), EmbeddedStore()
    with pytest.raises(ValidationFailed) as seeded:
        seed(together, bundled)
    with pytest.raises(ValidationFailed) as alone:
        _one_by_one(apart, [workbook])

    refusal = [str(v) for v in seeded.value.violations]
    assert refusal == [str(v) for v in alone.value.violations]
    assert any(v.startswith("funding.csv, row 5, column 'amount'") for v in refusal), refusal
    assert _contents(together) == _contents(apart)
    assert [s.name for s in together.sources()] == ["ontology"]


def test_only_new_sources_load_together() -> None:
    store = EmbeddedStore()
    assert seed_together(store, [MINIMAL], links=False, command="") is not None
    with pytest.raises(KGError):
        seed_together(store, [MINIMAL], links=False, command="")
    again = read_source(MINIMAL, base=store.base)
    with pytest.raises(KGError):
        store.load_new_sources([again])
    assert [s.name for s in store.sources()] == ["minimal", "ontology"]
