"""Learning a ranking's weights: the fit finds what separates partners, and says when it can't."""

from __future__ import annotations

import random

import pytest

from graph.embedded import EmbeddedStore
from queries import matching, team
from queries.learned import learn, learned
from queries.network import projections
from queries.weights import MIN_CASES, Example, fit, loss

PRIOR = {"topic": 0.5, "noise": 0.3, "distance": 0.2}


def _examples(seed: int, count: int = 60) -> list[Example]:
    """Partners are told apart by `topic` alone; `noise` is the same for all; `distance` is
    higher for the others (a signal that points the wrong way)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        partner = {"topic": rng.uniform(0.5, 1), "noise": rng.random(), "distance": rng.random()}
        others = [
            {"topic": rng.uniform(0, 0.6), "noise": rng.random(), "distance": rng.uniform(0.5, 1)}
            for _ in range(10)
        ]
        out.append(Example(partner, others))
    return out


def test_the_fit_weights_what_separates_partners_and_stays_on_the_simplex() -> None:
    examples = _examples(1)
    weights = fit(examples, list(PRIOR), PRIOR)
    assert set(weights) == set(PRIOR)
    assert all(w >= 0 for w in weights.values())
    assert sum(weights.values()) == pytest.approx(1, abs=1e-3)
    assert weights["topic"] > PRIOR["topic"]
    assert weights["noise"] < PRIOR["noise"] and weights["distance"] < PRIOR["distance"]
    assert loss(examples, weights) < loss(examples, PRIOR)
    held_out = _examples(2)
    assert loss(held_out, weights) < loss(held_out, PRIOR)


def test_nothing_to_learn_from_keeps_the_prior() -> None:
    same = [Example({"topic": 1, "noise": 0, "distance": 0}, [{"topic": 1}])]
    same[0].others[0].update({"noise": 0, "distance": 0})
    assert fit(same, list(PRIOR), PRIOR) == pytest.approx(PRIOR, abs=1e-3)
    assert fit([], list(PRIOR), PRIOR) == pytest.approx(PRIOR, abs=1e-3)


@pytest.mark.parametrize("kind", ["activity", "project"])
def test_a_thin_history_keeps_the_hand_set_weights(reference: EmbeddedStore, kind: str) -> None:
    """The reference data has a few dozen partnerships: too few to learn from."""
    net = projections(reference)
    result = learn(reference, net, kind)
    assert result.cases < MIN_CASES
    assert not result.fitted
    prior = matching.WEIGHTS if kind == "activity" else team.WEIGHTS
    assert result.weights == prior
    assert learned(reference, net, kind) is learned(reference, net, kind)  # kept per version


def test_learning_keeps_the_excluded_projects_out(reference: EmbeddedStore) -> None:
    net = projections(reference)
    every = {g[1] for g in net.members_of if g[0] == "project"}
    result = learn(reference, net, "project", exclude=frozenset(every))
    assert result.cases == 0


def test_pair_accuracy_counts_pairs_ordered_right_and_ignores_scale() -> None:
    from queries.weights import pair_accuracy

    examples = [Example({"topic": 1.0}, [{"topic": 0.0}, {"topic": 1.0}, {"topic": 2.0}])]
    weights = {"topic": 1.0, "noise": 0.0, "distance": 0.0}
    assert pair_accuracy(examples, weights) == pytest.approx((1 + 0.5 + 0) / 3)
    doubled = {k: 2 * v for k, v in weights.items()}
    assert pair_accuracy(examples, doubled) == pair_accuracy(examples, weights)
    fitted = fit(_examples(3), list(PRIOR), PRIOR)
    assert pair_accuracy(_examples(4), fitted) > pair_accuracy(_examples(4), PRIOR)


def test_deferred_fits_never_fit_on_the_request_path(reference: EmbeddedStore) -> None:
    """Once the service defers fits, a ranking uses what was adopted (or the hand-set
    weights) and `refit` does the fitting, for the version it saw."""
    from queries import learned as kept
    from queries.network import Projections

    net = Projections(reference, reference.version())  # not the one other tests fitted
    try:
        kept.defer_fits()
        before = kept.adopted()
        assert kept.learned(reference, net, "activity") == kept.hand_set("activity")
        marked = kept.Learned({"activity_topics": 1.0}, 99, 1.0, True, "v0")
        assert kept.adopt("v0", {"activity": marked})
        assert not kept.adopt("v0", {"activity": marked})  # the same weights: nothing new
        assert kept.adopted() == before + 1
        assert kept.learned(reference, net, "activity") is marked
        assert kept.latest()["activity"] is marked
        version, fits = kept.refit(reference)
        assert version == reference.version()
        assert set(fits) == {"activity", "project"}
        assert all(f.version == version for f in fits.values())
        assert kept.learned(reference, projections(reference), "project") == fits["project"]
    finally:
        kept.defer_fits(False)
    assert kept.latest()["activity"] == kept.hand_set("activity")
