"""The partner rankings' weights, learned per store version from the store's own history.

Partners are held out of the store's projects (queries.holdout), each ranking is built as it
would have been without them, and queries.weights fits the weights that put the partner above
the organisations the ranking also showed. Hard negatives (the top of the hand-weighted
ranking) teach what separates a partner from a near miss; random ones from the rest of the
list keep the fit honest about the whole list.

The result is kept per store version (a `Projections`), so it is fitted once after each write;
below queries.weights.MIN_CASES usable cases the hand-set weights stay.
"""

from __future__ import annotations

import random
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from graph.base import GraphStore
from queries import matching, team
from queries.holdout import Case, HeldOut, draw_cases
from queries.matching import ActivityContext, ActivityMatcher, activity_context
from queries.network import Organisation, Projections
from queries.params import Bound
from queries.weights import MIN_CASES, Example, fit, pair_accuracy
from sic import iris

TRAINING_CASES = 150
NEGATIVES = 24


@dataclass(frozen=True)
class Learned:
    """Weights for one ranking and how they were obtained (shown by the harness and the API)."""

    weights: Mapping[str, float]
    cases: int
    seconds: float
    fitted: bool  # False: the hand-set weights (too little history, or no better than them)


_KEPT: weakref.WeakKeyDictionary[Projections, dict[str, Learned]] = weakref.WeakKeyDictionary()


def activity_of(store: GraphStore, net: Projections, key: str) -> ActivityContext:
    """The context of the activity `key`, bound as a term like any parameter."""
    term = ox.NamedNode(str(iris.mint("activity", key, store.base)))
    return activity_context(store, net, Bound({"activity": key}, {"activity": term}))


def learned(store: GraphStore, net: Projections, kind: str) -> Learned:
    """The weights of the `kind` ranking ("activity" or "project") for this store version."""
    kept = _KEPT.setdefault(net, {})
    if kind not in kept:
        kept[kind] = learn(store, net, kind)
    return kept[kind]


def learn(
    store: GraphStore,
    net: Projections,
    kind: str,
    *,
    cases: int = TRAINING_CASES,
    seed: int = 0,
    exclude: frozenset[str] = frozenset(),
) -> Learned:
    """Fit the weights of one ranking on partners held out of `net`'s projects.

    `exclude` names projects not to learn from (the harness keeps its test cases out).
    """
    started = time.perf_counter()
    prior = matching.WEIGHTS if kind == "activity" else team.WEIGHTS
    drawn = [
        c
        for c in draw_cases(net, cases + len(exclude), seed, live_only=False)
        if c.project not in exclude
    ][:cases]
    held = HeldOut(store, [(c.partner, c.group) for c in drawn], base=net)
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    source = _Examples(store, held, rng)
    build = source.activity if kind == "activity" else source.project
    examples: list[Example] = []
    for case in drawn:
        values = build(case)
        if values is not None and values[1]:
            examples.append(Example(*values))
    if len(examples) < MIN_CASES:
        return Learned(dict(prior), len(examples), time.perf_counter() - started, False)
    # Fit on two thirds, check on the rest: where the history holds no signal (partners drawn
    # at random) a fit still returns weights, just arbitrary ones; keep the hand-set weights
    # unless the fitted ones order the held-back pairs better.
    cut = len(examples) * 2 // 3
    trial = fit(examples[:cut], list(prior), prior)
    if pair_accuracy(examples[cut:], trial) <= pair_accuracy(examples[cut:], prior):
        return Learned(dict(prior), len(examples), time.perf_counter() - started, False)
    weights = fit(examples, list(prior), prior)
    return Learned(weights, len(examples), time.perf_counter() - started, True)


Values = tuple[dict[str, float], list[dict[str, float]]]


class _Examples:
    """Training examples drawn from one held-out store; activities read once each."""

    def __init__(self, store: GraphStore, net: Projections, rng: random.Random) -> None:
        self.store, self.net, self.rng = store, net, rng
        self.contexts: dict[str, ActivityContext] = {}

    def context(self, activity: str) -> ActivityContext:
        if activity not in self.contexts:
            self.contexts[activity] = activity_of(self.store, self.net, activity)
        return self.contexts[activity]

    def activity(self, case: Case) -> Values | None:
        if case.activity is None:
            return None
        matcher = ActivityMatcher(self.net, self.context(case.activity))
        return _sample(case, matcher.neighbourhood(), matcher.values, matching.LINKS, self)

    def project(self, case: Case) -> Values | None:
        topics_of = {a: self.context(a).topics for a in case.activities}
        ctx = team.project_context(self.store, self.net, case.project, topics_of=topics_of)
        matcher = team.ProjectMatcher(self.net, ctx)
        return _sample(case, matcher.neighbourhood(), matcher.values, team.LINKS, self)


def _sample(
    case: Case,
    neighbourhood: Sequence[str],
    values: Callable[[Organisation], dict[str, float]],
    links: Sequence[str],
    examples: _Examples,
) -> Values | None:
    """The partner's values, and those of up to NEGATIVES organisations the ranking would
    also list (in its neighbourhood and showing a link), drawn at random: only those few are
    scored, not the whole neighbourhood."""
    net = examples.net
    org = net.organisations.get(case.partner)
    if org is None:
        return None
    pool = [k for k in neighbourhood if k != case.partner]
    others: list[dict[str, float]] = []
    for key in examples.rng.sample(pool, len(pool)):
        if len(others) == NEGATIVES:
            break
        found = values(net.organisations[key])
        if any(found[s] > 0 for s in links):
            others.append(found)
    return values(org), others
