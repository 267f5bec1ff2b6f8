"""Ranking metrics for one relevant item per case, with bootstrap confidence intervals.

Each held-out case has exactly one right answer (the partner taken away), so recall@k is the
share of cases where it is in the top k, MRR the mean of 1/rank and nDCG@10 the mean of
1/log2(rank + 1) when the rank is at most 10 (the ideal DCG is 1). Intervals are percentile
bootstraps over cases; a difference between two methods is bootstrapped on the same resampled
cases (paired), which is what says whether one really beats the other.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

Metric = Callable[[float], float]

METRICS: dict[str, Metric] = {
    "recall@5": lambda rank: 1.0 if rank <= 5 else 0.0,
    "recall@10": lambda rank: 1.0 if rank <= 10 else 0.0,
    "MRR": lambda rank: 1.0 / rank,
    "nDCG@10": lambda rank: 1.0 / math.log2(rank + 1) if rank <= 10 else 0.0,
}


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95% bootstrap interval."""

    mean: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"mean": round(self.mean, 4), "low": round(self.low, 4), "high": round(self.high, 4)}

    def __str__(self) -> str:
        return f"{self.mean:.3f} [{self.low:.3f}, {self.high:.3f}]"


def _resamples(n: int, rounds: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.randrange(n) for _ in range(n)] for _ in range(rounds)]


def _estimate(values: Sequence[float], samples: list[list[int]]) -> Estimate:
    if not values:
        return Estimate(math.nan, math.nan, math.nan)
    means = sorted(sum(values[i] for i in s) / len(s) for s in samples)
    low = means[int(0.025 * (len(means) - 1))]
    high = means[int(0.975 * (len(means) - 1))]
    return Estimate(sum(values) / len(values), low, high)


def summarise(
    ranks: Mapping[str, Sequence[float]], *, rounds: int = 1000, seed: int = 0
) -> dict[str, dict[str, Estimate]]:
    """Every metric with its interval, per method (all methods ranked the same cases)."""
    n = len(next(iter(ranks.values()), []))
    samples = _resamples(n, rounds, seed) if n else []
    return {
        method: {name: _estimate([m(r) for r in rs], samples) for name, m in METRICS.items()}
        for method, rs in ranks.items()
    }


def paired_difference(
    ours: Sequence[float],
    theirs: Sequence[float],
    metric: str = "recall@10",
    *,
    rounds: int = 1000,
    seed: int = 0,
) -> Estimate:
    """ours - theirs on one metric, bootstrapped on the same resampled cases."""
    m = METRICS[metric]
    diff = [m(a) - m(b) for a, b in zip(ours, theirs, strict=True)]
    return _estimate(diff, _resamples(len(diff), rounds, seed) if diff else [])
