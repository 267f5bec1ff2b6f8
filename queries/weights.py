"""Weights for a ranking's signals, learned from the partnerships the store already holds.

A partner ranking adds up signals (queries.scoring); how much each should count depends on how
partnerships form in this community, which the store's own history shows. We hold partners out
of past projects (queries.holdout), compute every signal for the partner and for organisations
that did not join, and fit the weights with a pairwise logistic loss (RankNet without the
network: the partner should outscore each non-partner), by projected gradient descent so that
every weight stays at or above zero and the weights add up to 1. A score thus stays a sum of
contributions, weight x value, that the reasons can show.

Plain Python on purpose: the model has a dozen parameters and a few thousand pairs, which a
few hundred passes of gradient descent fit in about a second; numpy would not pay for itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SCALE = 10.0
"""Weights summing to 1 give scores in [0, 1]; the logistic loss wants differences of a few
units to mean a clear preference, so the fit works on weights summing to about SCALE."""

MIN_CASES = 40
"""Below this many held-out partnerships the fit is noise: the hand-set weights are kept."""


@dataclass(frozen=True)
class Example:
    """One held-out partner's signal values, and those of organisations that did not join."""

    partner: Mapping[str, float]
    others: Sequence[Mapping[str, float]]


def fit(
    examples: Sequence[Example],
    signals: Sequence[str],
    prior: Mapping[str, float],
    *,
    passes: int = 100,
    rate: float = 6.0,
    ridge: float = 0.002,
    scale: float = SCALE,
) -> dict[str, float]:
    """Non-negative weights summing to 1 that rank each partner above the others.

    A ranking does not change when all weights are multiplied alike, so the fit works on
    free non-negative weights (projected gradient descent: a step, then negatives to zero)
    starting from `prior` x `scale`, and rescales them to sum 1 at the end. `ridge` (an L2
    penalty) keeps the weights finite when some signal separates the examples perfectly, and
    lets a signal the data says nothing about fade; one that points the wrong way goes to 0.
    """
    pairs = [
        [(i, d) for i, d in enumerate(_difference(e.partner, other, signals)) if d]
        for e in examples
        for other in e.others
    ]
    pairs = [d for d in pairs if d]  # sparse: most signals are equal for most pairs
    start = [scale * x for x in _normalised([max(prior.get(s, 0.0), 0.0) for s in signals])]
    if not pairs:
        return _rounded(signals, start)
    share = 1.0 / len(pairs)
    w = list(start)
    for _ in range(passes):
        grad = [2 * ridge * wi for wi in w]
        for d in pairs:
            margin = 0.0
            for i, di in d:
                margin += w[i] * di
            factor = -_sigmoid(-margin) * share  # d/dw log(1 + exp(-w.d)) = -d sigmoid(-w.d)
            for i, di in d:
                grad[i] += factor * di
        w = [max(wi - rate * gi, 0.0) for wi, gi in zip(w, grad, strict=True)]
    return _rounded(signals, w)


def _rounded(signals: Sequence[str], w: Sequence[float]) -> dict[str, float]:
    return {s: round(x, 4) for s, x in zip(signals, _normalised(list(w)), strict=True)}


def loss(
    examples: Sequence[Example], weights: Mapping[str, float], sharpness: float = 10.0
) -> float:
    """The mean pairwise logistic loss of `weights` (for tests and the harness)."""
    signals = list(weights)
    w = _vector(weights, signals)
    total, count = 0.0, 0
    for e in examples:
        p = _vector(e.partner, signals)
        for other in e.others:
            o = _vector(other, signals)
            margin = sharpness * sum(wi * (a - b) for wi, a, b in zip(w, p, o, strict=True))
            total += math.log1p(math.exp(-margin)) if margin > -30 else -margin
            count += 1
    return total / count if count else 0.0


def pair_accuracy(examples: Sequence[Example], weights: Mapping[str, float]) -> float:
    """The share of (partner, other) pairs the weights order right (a tie counts half): a
    measure that, unlike the loss, does not depend on the weights' scale."""

    def score(values: Mapping[str, float]) -> float:
        return sum(w * values.get(s, 0.0) for s, w in weights.items())

    right = 0.0
    pairs = 0
    for e in examples:
        mine = score(e.partner)
        for other in e.others:
            theirs = score(other)
            right += 1.0 if mine > theirs else 0.5 if mine == theirs else 0.0
            pairs += 1
    return right / pairs if pairs else 0.5


def _difference(
    partner: Mapping[str, float], other: Mapping[str, float], signals: Sequence[str]
) -> list[float]:
    return [partner.get(s, 0.0) - other.get(s, 0.0) for s in signals]


def _vector(values: Mapping[str, float], signals: Sequence[str]) -> list[float]:
    return [values.get(s, 0.0) for s in signals]


def _normalised(w: list[float]) -> list[float]:
    total = sum(w)
    return [x / total for x in w] if total > 0 else [1.0 / len(w)] * len(w)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)
