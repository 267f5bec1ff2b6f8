"""Weights for a ranking's signals, learned from the partnerships the store already holds.

A partner ranking adds up signals (queries.scoring); how much each should count depends on how
partnerships form in this community, which the store's own history shows. We hold partners out
of past projects (queries.holdout), compute every signal for the partner and for organisations
that did not join, and fit the weights with a pairwise logistic loss (RankNet without the
network: the partner should outscore each non-partner), by projected gradient descent so that
every weight stays at or above zero and the weights add up to 1. A score thus stays a sum of
contributions, weight x value, that the reasons can show.

Plain Python on purpose: the model has a dozen parameters and a few thousand pairs, which a
hundred passes of gradient descent fit in well under a second; numpy would not pay for itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
    passes: int = 200,
    rate: float = 2.0,
    ridge: float = 0.01,
    sharpness: float = 10.0,
) -> dict[str, float]:
    """Non-negative weights summing to 1 that rank each partner above the others.

    Exponentiated gradient descent on the simplex (each step multiplies a weight by
    exp(-rate x gradient), then the weights are rescaled to sum 1): it never leaves the
    simplex and moves smoothly, where clipping and rescaling jumps between corners. `ridge`
    pulls towards `prior` (the hand-set weights; a signal the data says little about keeps
    roughly its share) and `sharpness` scales scores before the logistic, since a score
    difference of 0.1 is already a clear preference.
    """
    pairs = [
        [p - o for p, o in zip(_vector(e.partner, signals), _vector(other, signals), strict=True)]
        for e in examples
        for other in e.others
    ]
    pairs = [d for d in pairs if any(d)]
    floor = 1e-4  # a weight at zero could never come back: keep every signal alive
    start = _normalised([max(prior.get(s, 0.0), floor) for s in signals])
    if not pairs:
        return dict(zip(signals, start, strict=True))
    scale = 1.0 / len(pairs)
    w = list(start)
    for _ in range(passes):
        grad = [ridge * (wi - pi) for wi, pi in zip(w, start, strict=True)]
        for d in pairs:
            margin = sharpness * sum(wi * di for wi, di in zip(w, d, strict=True))
            factor = -sharpness * _sigmoid(-margin) * scale
            for i, di in enumerate(d):
                if di:
                    grad[i] += factor * di
        w = _normalised(
            [max(wi * math.exp(-rate * gi), floor) for wi, gi in zip(w, grad, strict=True)]
        )
    return {s: round(wi, 4) for s, wi in zip(signals, w, strict=True)}


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
