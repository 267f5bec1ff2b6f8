"""Stores for the question tests: the planted fixture workbook and the bundled reference data.

The planted workbook (tests/data/workbooks/planted) holds one known answer per question; the
reference workbook (data/reference) shows the answers are sensible on realistic data. Both are
loaded the way `sic load` does it (ontology first, then the workbook, validated) into in-memory
stores shared by the tests that only read.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

import pyoxigraph as ox
import pytest

from graph.base import GraphStore, PreparedWrite, QueryGraphs
from graph.bootstrap import ensure_ontology
from graph.dataset import Dataset, SourceInfo
from graph.embedded import EmbeddedStore
from graph.remote import RemoteStore
from graph.results import QueryResult, Term
from graph.update import Delta
from graph.validation import WriteChecker
from loaders.source import read_source
from sic.errors import Violation

ROOT = Path(__file__).resolve().parents[2]
PLANTED = ROOT / "tests" / "data" / "workbooks" / "planted"
REFERENCE = ROOT / "data" / "reference"

LoadWorkbook = Callable[[Path], EmbeddedStore]


@pytest.fixture(scope="session")
def checker() -> WriteChecker:
    return WriteChecker()


@pytest.fixture(scope="session")
def load_workbook(checker: WriteChecker) -> LoadWorkbook:
    """A fresh in-memory store holding the ontology and one workbook."""

    def load(path: Path) -> EmbeddedStore:
        store = EmbeddedStore(None, checker=checker)
        ensure_ontology(store)
        store.load_source(read_source(path, base=store.base))
        return store

    return load


@pytest.fixture(scope="session")
def planted(load_workbook: LoadWorkbook) -> Iterator[EmbeddedStore]:
    store = load_workbook(PLANTED)
    yield store
    store.close()


@pytest.fixture(scope="session")
def reference(load_workbook: LoadWorkbook) -> Iterator[EmbeddedStore]:
    store = load_workbook(REFERENCE)
    yield store
    store.close()


class ValuesBindingStore(GraphStore):
    """Binds parameters the way a remote SPARQL store must: a VALUES block after the query.

    A remote endpoint has no substitutions, so the query text gets a trailing VALUES clause
    built from the terms' N-Triples form. Running every question through this proves the
    `.rq` files give the same answers under both binding mechanisms.
    """

    def __init__(self, inner: EmbeddedStore) -> None:
        self.inner = inner
        self.base = inner.base

    def version(self) -> str:
        return self.inner.version()

    def _answer(
        self, sparql: str, graphs: QueryGraphs, substitutions: Mapping[str, Term], limit: int | None
    ) -> QueryResult:
        if substitutions:
            names = " ".join(f"?{name}" for name in substitutions)
            values = " ".join(str(term) for term in substitutions.values())
            sparql = f"{sparql}\nVALUES ({names}) {{ ({values}) }}\n"
        return self.inner.query(
            sparql, limit=limit, default_graph=graphs.default, named_graphs=graphs.named
        )

    def sources(self) -> list[SourceInfo]:
        return self.inner.sources()

    def dataset(self) -> Dataset:
        return self.inner.dataset()

    def triples_of(self, graph: str) -> list[ox.Triple]:
        return self.inner.triples_of(graph)

    def _prepare_ops(self, *_: Any) -> PreparedWrite:
        raise AssertionError("read-only in these tests")

    def prepare_delta(self, delta: Delta, *, command: str = "") -> PreparedWrite:
        raise AssertionError("read-only in these tests")

    def commit(self, prepared: PreparedWrite) -> Delta:
        raise AssertionError("read-only in these tests")

    def _load(self, *_: Any, **__: Any) -> None:
        raise AssertionError("read-only in these tests")

    def _restore(self, *_: Any) -> None:
        raise AssertionError("read-only in these tests")

    def remove_source(self, name: str, *, command: str = "") -> None:
        raise AssertionError("read-only in these tests")

    def dump(self, out: BinaryIO, fmt: ox.RdfFormat) -> None:
        raise AssertionError("read-only in these tests")

    def validate_all(self) -> list[Violation]:
        return self.inner.validate_all()

    def stats(self) -> tuple[dict[str, int], dict[str, int]]:
        return self.inner.stats()


@pytest.fixture(scope="session")
def planted_values(planted: EmbeddedStore) -> ValuesBindingStore:
    """The planted store, with parameters bound by a trailing VALUES block (remote style)."""
    return ValuesBindingStore(planted)


def _servers() -> ModuleType:
    """tests/graph/servers.py, which starts real SPARQL servers (shared with the backend tests)."""
    path = ROOT / "tests" / "graph" / "servers.py"
    spec = importlib.util.spec_from_file_location("sic_test_servers", path)
    assert spec is not None and spec.loader is not None
    module = sys.modules.get(spec.name)
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An Oxigraph server on 127.0.0.1 for this session (skips when it is not installed)."""
    servers = _servers()
    try:
        server = servers.start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    except servers.ServerMissing as exc:
        pytest.skip(f"oxigraph server: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def planted_remote(oxigraph_server: Any, checker: WriteChecker) -> RemoteStore:
    """The planted workbook in a remote store (Oxigraph server over the SPARQL protocol)."""
    store = RemoteStore(
        oxigraph_server.query,
        update_endpoint=oxigraph_server.update,
        gsp_endpoint=oxigraph_server.gsp,
        checker=checker,
    )
    ensure_ontology(store)
    store.load_source(read_source(PLANTED, base=store.base))
    return store
