"""The search index (queries.search) over the reference data and the accented fixture.

What a person types is matched without accents, case or punctuation, ranked codes and acronyms
first, and never read as FTS5 syntax; the index is built from search-names.rq, so a name
written into the store is in the next index built.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from loaders.source import read_source
from queries.search import MAX_LIMIT, SearchIndex, fts_query, normalise, read_index

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "search" / "west-africa.ttl"


@pytest.fixture(scope="module")
def store(checker: Any) -> Iterator[EmbeddedStore]:
    st = EmbeddedStore(None, checker=checker)
    ensure_ontology(st)
    st.load_source(read_source(ROOT / "data" / "reference", base=st.base))
    st.load_source(read_source(FIXTURE, base=st.base))
    yield st
    st.close()


@pytest.fixture(scope="module")
def index(store: EmbeddedStore) -> SearchIndex:
    return read_index(store)


def found(index: SearchIndex, text: str, limit: int = 10) -> list[tuple[str, str]]:
    return [(h.kind, h.key) for h in index.search(text, limit)]


def test_normalise_drops_accents_case_and_punctuation() -> None:
    assert normalise("Côte d'Ivoire") == normalise("cote d’ivoire") == "cote d ivoire"
    assert normalise("SÉNÉGAL") == "senegal"
    assert normalise("A1.05") == "a1 05"
    assert normalise("  ") == ""


@pytest.mark.parametrize(
    ("typed", "entity"),
    [
        ("Senegal", ("organisation", "isra-test")),
        ("sénégal", ("organisation", "isra-test")),
        ("senegales", ("organisation", "isra-test")),  # the Spanish name, typed without accent
        ("cote d'ivoire", ("organisation", "cnra-ci-test")),
        ("COTE D IVOIRE", ("organisation", "cnra-ci-test")),
        ("côte d’ivo", ("organisation", "cnra-ci-test")),  # a typographic apostrophe, a prefix
    ],
)
def test_accents_and_case_do_not_matter(index: SearchIndex, typed: str, entity: Any) -> None:
    assert entity in found(index, typed)


def test_the_three_languages_are_searched(index: SearchIndex) -> None:
    """The reference data names the soil topic 'soil', 'sol' and 'suelo'; each finds it
    first (a whole name), and each result is named in the language asked for."""
    for word in ("soil", "sol", "suelo"):
        hits = index.search(word, 5)
        assert (hits[0].kind, hits[0].key) == ("topic", "soil"), word
        assert hits[0].tier == (0 if word == "soil" else 1)  # 'soil' is its code too
    hit = index.search("suelo", 1)[0]
    assert (hit.name("fr"), hit.name("es"), hit.name("en")) == ("sol", "suelo", "soil")
    isra = index.search("agricultural research institute", 1)[0]
    assert isra.key == "isra-test" and isra.name("es").startswith("Instituto Senegalés")


def test_a_code_typed_in_full_comes_first(index: SearchIndex) -> None:
    hits = index.search("a1.05", 5)
    assert (hits[0].kind, hits[0].key, hits[0].tier) == ("activity", "A1.05", 0)
    # an objective's code: the objective and its Task Force share it, before its activities
    top = found(index, "A1", 4)
    assert set(top[:2]) == {("objective", "A1"), ("taskforce", "A1")}
    assert top[2:] == [("activity", "A1.01"), ("activity", "A1.02")]
    assert [h.tier for h in index.search("A1", 4)] == [0, 0, 2, 2]


def test_an_acronym_typed_in_full_comes_first(index: SearchIndex) -> None:
    hits = index.search("iscrn", 3)
    assert (hits[0].key, hits[0].matched, hits[0].tier) == ("soilnet-intl", "ISCRN", 0)
    assert found(index, "isra-t", 1) == [("organisation", "isra-test")]


def test_prefix_matches_before_word_matches(index: SearchIndex) -> None:
    """'peat' starts the names of the peatlands topic, activity A1.05 and a call: they come
    before names that only hold a word starting with 'peat' somewhere."""
    hits = index.search("peat", 10)
    tiers = [h.tier for h in hits]
    assert tiers == sorted(tiers)
    assert (hits[0].kind, hits[0].key) == ("topic", "peatlands")
    assert {h.tier for h in hits} == {2, 3}


def test_every_word_must_match(index: SearchIndex) -> None:
    assert found(index, "borneo peat") == [("organisation", "borneo-peat")]
    assert found(index, "borneo zzzz") == []


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        '"unbalanced',
        "AND",
        "OR OR OR",
        "NOT peat",
        "peat*",
        "*",
        "(peat",
        "peat)",
        "NEAR(peat soil)",
        "label:peat",
        "^peat",
        "peat + soil -",
        "'; DROP TABLE names; --",
        "\x00",
        "a" * 5000,
        " ".join(["soil"] * 100),
    ],
)
def test_hostile_text_is_plain_words(index: SearchIndex, typed: str) -> None:
    hits = index.search(typed, 5)  # never raises
    if normalise(typed) == "peat":  # the syntax around the word is dropped, the word is searched
        assert ("topic", "peatlands") in [(h.kind, h.key) for h in hits]
    assert found(index, "peat")  # the index still answers after each


def test_fts_query_quotes_every_word() -> None:
    assert fts_query(normalise('x" OR "y')) == '"x" "or" "y"*'
    assert fts_query("") is None


def test_the_limit_is_bounded(index: SearchIndex) -> None:
    assert len(index.search("soil", 3)) == 3
    assert len(index.search("soil", 10_000)) == MAX_LIMIT
    assert len(index.search("soil", 0)) == 1


def test_a_name_written_into_the_store_is_in_the_next_index(checker: Any) -> None:
    st = EmbeddedStore(None, checker=checker)
    try:
        ensure_ontology(st)
        st.load_source(read_source(ROOT / "data" / "reference", base=st.base))
        before = read_index(st)
        assert found(before, "senegal") == []
        st.load_source(read_source(FIXTURE, base=st.base))
        assert found(read_index(st), "senegal")[0] == ("organisation", "isra-test")
    finally:
        st.close()
