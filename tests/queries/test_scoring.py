"""The pieces every ranking is made of: topic credit, weighted reasons, stable order."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from queries.hierarchy import Hierarchy
from queries.scoring import Reason, TopicScorer, match_topics, near_topics, ranked, total
from queries.sentences import say

TOPICS = Hierarchy(
    {"soil": "soil", "carbon": "soil carbon", "mrv": "carbon measurement", "peat": "peatlands"},
    {"carbon": ["soil"], "mrv": ["carbon"], "peat": ["soil"]},
)


def test_credit_for_the_same_a_narrower_or_a_broader_topic() -> None:
    assert TOPICS.near("carbon") == {"carbon": 1.0, "mrv": 0.75, "soil": 0.4}
    assert TOPICS.near("soil") == {"soil": 1.0, "carbon": 0.75, "peat": 0.75, "mrv": 0.5}
    assert TOPICS.near("mrv")["soil"] == 0.2
    assert "peat" not in TOPICS.near("carbon")  # siblings earn nothing
    assert TOPICS.covers("mrv", "soil") and not TOPICS.covers("soil", "mrv")
    assert TOPICS.within("mrv", ["carbon"]) and not TOPICS.within("soil", ["carbon"])
    assert TOPICS.label("http://aims.fao.org/aos/agrovoc/c_123") == "c_123"


def test_topic_match_averages_the_best_credit_per_wanted_topic() -> None:
    near = near_topics(TOPICS, ["carbon", "peat"])
    match = match_topics(near, ["mrv", "peat"])
    assert match.value == (0.75 + 1.0) / 2
    assert match.exact == ("peat",) and match.partial == (("carbon", "mrv"),)
    assert match_topics({}, ["peat"]).value == 0.0
    assert TopicScorer(near).value(["mrv", "peat"]) == match.value
    assert TopicScorer({}).value(["peat"]) == 0.0


@given(st.permutations(["soil", "carbon", "mrv"]), st.permutations(["carbon", "peat"]))
def test_topic_match_does_not_depend_on_order(have: list[str], wanted: list[str]) -> None:
    reference = match_topics(near_topics(TOPICS, ["carbon", "peat"]), ["soil", "carbon", "mrv"])
    assert match_topics(near_topics(TOPICS, wanted), have) == reference
    assert TopicScorer(near_topics(TOPICS, wanted)).value(have) == reference.value


def test_weighted_reasons_stay_in_zero_one() -> None:
    reasons = [Reason("a", 0.6, 1.0, say("network.direct")), Reason("b", 0.4, 0.5, say("x"))]
    assert total(reasons) == 0.8
    assert total([Reason("a", 1.0, 1.0, say("network.direct"))]) == 1.0


@given(
    st.lists(
        st.tuples(st.sampled_from([0.1, 0.2, 0.5]), st.text(min_size=1)), unique_by=lambda t: t[1]
    ),
    st.randoms(),
)
def test_ranking_is_the_same_whatever_the_input_order(
    items: list[tuple[float, str]], rng: random.Random
) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)
    by_score = ranked(shuffled, lambda i: i[0], lambda i: i[1])
    assert by_score == ranked(items, lambda i: i[0], lambda i: i[1])
    assert [i[0] for i in by_score] == sorted((i[0] for i in items), reverse=True)
