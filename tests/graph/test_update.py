from __future__ import annotations

import pickle
from collections.abc import Callable

import pyoxigraph as ox
import pytest

from graph.embedded import EmbeddedStore
from graph.results import AskResult, SelectResult
from graph.update import Delta
from sic.errors import QueryError, ValidationFailed
from sic.source import Source

Turtle = Callable[..., Source]
EX = "http://example.org/"
BASE = "PREFIX ex: <http://example.org/>\n"


@pytest.fixture
def loaded(store: EmbeddedStore, turtle: Turtle) -> EmbeddedStore:
    store.load_source(
        turtle("ex:w a ex:Whole . ex:t a ex:Thing ; ex:name 'T' ; ex:partOf ex:w .", "a")
    )
    return store


def _ask(store: EmbeddedStore, pattern: str) -> bool:
    result = store.query(BASE + "ASK { " + pattern + " }")
    assert isinstance(result, AskResult)
    return result.value


def test_insert_data_lands_in_updates_source(loaded: EmbeddedStore) -> None:
    loaded.update(BASE + "INSERT DATA { ex:t2 a ex:Thing ; ex:name 'T2' ; ex:partOf ex:w }")
    assert _ask(loaded, "ex:t2 ex:partOf ex:w")
    updates = loaded.source("updates")
    assert updates.graph == EX + "graph/updates" and updates.triples == 3


def test_invalid_update_is_refused_and_changes_nothing(loaded: EmbeddedStore) -> None:
    version = loaded.version()
    with pytest.raises(ValidationFailed) as err:
        loaded.update(BASE + "INSERT DATA { ex:t3 a ex:Thing ; ex:partOf ex:w }")
    assert [v.message for v in err.value.violations] == ["A thing needs a name."]
    assert loaded.version() == version
    assert not _ask(loaded, "ex:t3 ?p ?o")


def test_deletion_rechecks_nodes_that_link_to_it(loaded: EmbeddedStore) -> None:
    # removing the whole's type leaves ex:t pointing at something that is no ex:Whole
    with pytest.raises(ValidationFailed) as err:
        loaded.update(
            BASE + "DELETE DATA { GRAPH <http://example.org/graph/a> { ex:w a ex:Whole } }"
        )
    assert {v.focus_node for v in err.value.violations} == {EX + "t"}
    assert _ask(loaded, "ex:w a ex:Whole")


def test_delete_insert_where_over_the_union(loaded: EmbeddedStore) -> None:
    loaded.update(
        BASE + "DELETE { ?s ex:name ?n } INSERT { ?s ex:name 'renamed' } WHERE { ?s ex:name ?n }"
    )
    assert _ask(loaded, "ex:t ex:name 'renamed'")
    assert not _ask(loaded, "ex:t ex:name 'T'")
    assert loaded.source("a").triples == 3


def test_graph_insert_creates_a_source_and_drop_removes_it(loaded: EmbeddedStore) -> None:
    loaded.update(BASE + "INSERT DATA { GRAPH ex:extra { ex:w ex:note 'n' } }")
    assert EX + "extra" in {s.name for s in loaded.sources()}
    loaded.update(BASE + "DROP GRAPH ex:extra")
    assert EX + "extra" not in {s.name for s in loaded.sources()}


def test_using_only_reads_graphs_of_the_store(loaded: EmbeddedStore) -> None:
    # A graph IRI pointing at a listener must be treated as an empty graph of the store.
    loaded.update(
        BASE + "INSERT { ?s ex:seen true } USING <http://127.0.0.1:9/remote> WHERE { ?s ?p ?o }"
    )
    assert not _ask(loaded, "?s ex:seen true")
    loaded.update(
        BASE
        + "INSERT { ?s ex:seen true } USING <http://example.org/graph/a> WHERE { ?s a ex:Whole }"
    )
    assert _ask(loaded, "ex:w ex:seen true")


@pytest.mark.parametrize(
    "text, message",
    [
        ("LOAD <http://127.0.0.1:9/data.ttl>", "LOAD is refused"),
        (
            BASE + "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
            "SERVICE is refused",
        ),
        ("INSERT DATA {", "malformed"),
    ],
)
def test_refused_updates(loaded: EmbeddedStore, text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        loaded.update(text)


def test_provenance_graph_is_read_only(loaded: EmbeddedStore) -> None:
    with pytest.raises(QueryError, match="read-only"):
        loaded.update("DROP GRAPH <http://example.org/graph/sources>")


def test_protocol_using_graphs(loaded: EmbeddedStore) -> None:
    loaded.update(
        BASE + "INSERT { ?s ex:seen 1 } WHERE { ?s a ex:Whole }",
        using_graphs=[EX + "graph/nothing"],
    )
    assert not _ask(loaded, "?s ex:seen 1")
    with pytest.raises(QueryError, match="cannot be combined"):
        loaded.update(
            BASE + "WITH ex:g INSERT { ?s ex:seen 1 } WHERE { ?s a ex:Whole }",
            using_graphs=[EX + "graph/a"],
        )


def test_counts_follow_updates(loaded: EmbeddedStore) -> None:
    loaded.update(BASE + "INSERT DATA { GRAPH <http://example.org/graph/a> { ex:w ex:note 'x' } }")
    assert loaded.source("a").triples == 5
    result = loaded.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/graph/a> { ?s ?p ?o } }"
    )
    assert isinstance(result, SelectResult) and int(result.rows[0][0].value) == 5  # type: ignore[union-attr]


def test_comment_only_update_changes_nothing(loaded: EmbeddedStore) -> None:
    version = loaded.version()
    assert not loaded.update("# nothing to do\n")
    assert loaded.version() == version


def test_blank_nodes_can_be_deleted_in_part_or_whole(loaded: EmbeddedStore) -> None:
    """A stored blank node is deleted as the store knows it (SPARQL text cannot name it)."""
    loaded.update(
        BASE + "INSERT DATA { GRAPH ex:b { ex:w ex:note [ ex:text 'x' ] . ex:w ex:k 1 } }"
    )
    loaded.update(BASE + "DELETE WHERE { GRAPH ex:b { ?n ex:text ?t } }")
    assert not _ask(loaded, "GRAPH ex:b { ?n ex:text 'x' }")
    assert _ask(loaded, "GRAPH ex:b { ex:w ex:note ?n . FILTER isBlank(?n) }")
    loaded.update(BASE + "DELETE WHERE { GRAPH ex:b { ?s ?p ?o } }")
    assert not _ask(loaded, "GRAPH ex:b { ?s ?p ?o }")


def test_a_delta_crosses_processes_unchanged() -> None:
    """A delta is pickled as N-Quads on its way from a worker: every term must survive."""
    p = ox.NamedNode("http://example.org/p")
    odd = [
        ox.Literal('two\nlines, a "quote" and \\ a backslash', language="fr"),
        ox.Literal("12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.Literal("\u00e9t\u00e9 \U0001f331"),
        ox.BlankNode("b1"),
        ox.NamedNode("http://example.org/with%20escape#frag"),
    ]
    added = {ox.Triple(ox.BlankNode("b1"), p, o) for o in odd}
    removed = {ox.Triple(ox.NamedNode("http://example.org/s"), p, ox.BlankNode())}
    delta = Delta(
        added={"http://example.org/a": added},
        removed={"http://example.org/b": removed},
        dropped={"http://example.org/c"},
        created={"http://example.org/a"},
    )
    again = pickle.loads(pickle.dumps(delta))
    assert again == delta
    assert again.added["http://example.org/a"] == added
    assert pickle.loads(pickle.dumps(Delta())) == Delta()
