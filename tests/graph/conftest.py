from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from graph.base import GraphData
from graph.embedded import EmbeddedStore
from graph.validation import WriteChecker
from sic.validation import Validator

DATA = Path(__file__).resolve().parents[1] / "data" / "graph"


@pytest.fixture(scope="session")
def checker() -> WriteChecker:
    return WriteChecker(Validator([DATA / "shapes.ttl"]))


@pytest.fixture
def store(checker: WriteChecker) -> Iterator[EmbeddedStore]:
    st = EmbeddedStore(None, base="http://example.org/", checker=checker)
    yield st
    st.close()


def _turtle(text: str, name: str = "src") -> GraphData:
    g = Graph()
    g.parse(data="@prefix ex: <http://example.org/> .\n" + text, format="turtle")
    return GraphData(graph=g, name=name, origin=f"{name}.ttl", checksum=f"sha256:{name}")


@pytest.fixture
def turtle() -> Callable[..., GraphData]:
    """Build a source from a Turtle snippet (prefix ex: predeclared)."""
    return _turtle
