from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from graph.embedded import EmbeddedStore
from graph.validation import WriteChecker
from sic.source import InMemoryGraph, Source
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


def _turtle(text: str, name: str = "src") -> Source:
    g = Graph()
    g.parse(data="@prefix ex: <http://example.org/> .\n" + text, format="turtle")
    return Source(name, f"{name}.ttl", f"sha256:{name}", InMemoryGraph(g))


@pytest.fixture
def turtle() -> Callable[..., Source]:
    """Build a source from a Turtle snippet (prefix ex: predeclared)."""
    return _turtle
