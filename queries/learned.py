"""The partner rankings' weights, learned per store version from the store's own history.

Partners are held out of the store's projects (queries.holdout), each ranking is built as it
would have been without them, and queries.weights fits the weights that put the partner above
the organisations the ranking also listed (a sample of them). A third of the cases is kept
back to choose between the fitted and the hand-set weights by where each ranks those partners
among everyone its list holds (see learn).

The result is kept per store version (a `Projections`), so it is fitted once after each write;
below queries.weights.MIN_CASES usable cases the hand-set weights stay.

A fit takes seconds (about 20 s at M), too long for a request to wait on. The service therefore
fits in the background (`defer_fits`): runner.per_version calls `refit` in a worker after each
change of version and hands the result to `adopt` in the service, whose later workers inherit
it. Until a version's fit is done its rankings use the weights of the last fit (the history
changes little from one write to the next), or the hand-set ones before the first. One-shot
callers (the `sic` command, the harness) fit on first use instead, as before.
"""

from __future__ import annotations

import random
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pyoxigraph as ox

from graph.base import GraphStore
from queries import matching, team
from queries.holdout import Case, HeldOut, draw_cases
from queries.matching import ActivityContext, ActivityMatcher, activity_context
from queries.network import Projections, projections
from queries.params import Bound
from queries.scoring import PRECISION
from queries.weights import MIN_CASES, Example, fit
from sic import iris

TRAINING_CASES = 300
NEGATIVES = 24


@dataclass(frozen=True)
class Learned:
    """Weights for one ranking and how they were obtained (shown by the harness and the API)."""

    weights: Mapping[str, float]
    cases: int
    seconds: float
    fitted: bool  # False: the hand-set weights (too little history, or no better than them)
    version: str | None = None  # the store version fitted on; None: never fitted

    def as_dict(self) -> dict[str, object]:
        return {
            "weights": dict(self.weights),
            "fitted": self.fitted,
            "cases": self.cases,
            "seconds": round(self.seconds, 2),
            "version": self.version,
        }


KINDS = ("activity", "project")

_KEPT: weakref.WeakKeyDictionary[Projections, dict[str, Learned]] = weakref.WeakKeyDictionary()
_latest: dict[str, Learned] = {}
"""The last background fit of each ranking, adopted by the service (see the module docstring)."""
_deferred = False
_adopted = 0


def defer_fits(on: bool = True) -> None:
    """Fit in the background from now on: `learned` no longer fits on the request path.

    `on=False` (a service shutting down) goes back to fitting on first use, forgetting what
    was adopted.
    """
    global _deferred
    _deferred = on
    if not on:
        _latest.clear()


def adopted() -> int:
    """How many fits were adopted in this process: part of the key of kept answers, so an
    answer ranked with older weights is not served once newer ones are adopted."""
    return _adopted


def hand_set(kind: str) -> Learned:
    """The hand-set weights of a ranking, as a Learned that was never fitted."""
    return Learned(dict(matching.WEIGHTS if kind == "activity" else team.WEIGHTS), 0, 0.0, False)


def refit(store: GraphStore) -> tuple[str, dict[str, Learned]]:
    """Fit both rankings on the store as it is (in a worker): (the version, the fits)."""
    net = projections(store)
    return net.version, {kind: learned(store, net, kind, now=True) for kind in KINDS}


def adopt(version: str, fits: Mapping[str, Learned]) -> bool:
    """Take the fits `refit` made of `version` as the weights rankings use from now on.

    True when some ranking's weights changed (so answers ranked before are out of date).
    """
    global _adopted
    changed = any(fit.weights != latest()[kind].weights for kind, fit in fits.items())
    _latest.update(fits)
    if changed:
        _adopted += 1
    return changed


def latest() -> dict[str, Learned]:
    """The weights each ranking uses now, and how they were obtained (for the API)."""
    return {kind: _latest.get(kind) or hand_set(kind) for kind in KINDS}


def activity_of(store: GraphStore, net: Projections, key: str) -> ActivityContext:
    """The context of the activity `key`, bound as a term like any parameter."""
    term = ox.NamedNode(str(iris.mint("activity", key, store.base)))
    return activity_context(store, net, Bound({"activity": key}, {"activity": term}))


def learned(store: GraphStore, net: Projections, kind: str, *, now: bool = False) -> Learned:
    """The weights of the `kind` ranking ("activity" or "project") for this store version.

    Once fits are deferred, and unless `now`, a version not fitted yet gets the last fit
    adopted (or the hand-set weights): the request never waits for a fit.
    """
    kept = _KEPT.setdefault(net, {})
    found = kept.get(kind)
    if found is not None and found.version == net.version:  # a kept `net` follows writes
        return found
    if _deferred and not now:
        return _latest.get(kind) or hand_set(kind)
    kept[kind] = replace(learn(store, net, kind), version=net.version)
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
    source = _Examples(store, held, rng, kind)
    scored = [s for s in map(source.scored, drawn) if s is not None and s.others]
    if len(scored) < MIN_CASES:
        return Learned(dict(prior), len(scored), time.perf_counter() - started, False)
    # Choose by cross-fitting: fit on all folds but one, count how many partners of the fold
    # left out each choice puts in the top TOP of everyone its ranking lists, and add up the
    # folds (every case is checked once, by weights that did not see it). Where the history
    # holds no signal (partners drawn at random) a fit still returns weights, just arbitrary
    # ones: the hand-set weights stay unless a choice does better than them. The pairwise fit
    # weighs every pair alike, while a ranking is read from the top: so the choices also lean
    # the fit towards the one signal that ranks best on its own, which sorts the top when
    # history says one kind of tie (a rare shared topic, a past partner) matters most.
    folds = [scored[i::FOLDS] for i in range(FOLDS)]
    trials = [
        fit([s.example(rng) for j, f in enumerate(folds) if j != i for s in f], list(prior), prior)
        for i in range(FOLDS)
    ]
    best_single = max(prior, key=lambda signal: _hits(scored, {signal: 1.0}))

    def checked(lean: float | None) -> float:
        """Partners found in the top by the choice `lean` (None: the hand-set weights)."""
        return sum(
            _hits(fold, prior if lean is None else _blend(trial, best_single, lean)) * len(fold)
            for fold, trial in zip(folds, trials, strict=True)
        )

    lean = max((None, *LEANS), key=checked)  # the first best: the hand-set weights on a tie
    if lean is None:
        return Learned(dict(prior), len(scored), time.perf_counter() - started, False)
    weights = _blend(fit([s.example(rng) for s in scored], list(prior), prior), best_single, lean)
    return Learned(weights, len(scored), time.perf_counter() - started, True)


FOLDS = 3
"""Folds of the cross-fitting that chooses the weights (see learn)."""

TOP = 10
"""The length of list a ranking is judged on (what a reader looks at)."""

LEANS = (0.0, 0.5, 0.8, 1.0)
"""How far the fitted weights may be leaned towards the best single signal (see learn)."""


def _blend(weights: Mapping[str, float], signal: str, lean: float) -> dict[str, float]:
    out = {s: round((1 - lean) * w + (lean if s == signal else 0.0), 4) for s, w in weights.items()}
    return out


def _hits(cases: Sequence[_Scored], weights: Mapping[str, float]) -> float:
    """The share of held-out partners `weights` put in the top TOP of their list, a tie
    straddling the cut counting by its chance of falling inside; the mean reciprocal rank
    breaks near-ties (it sees the whole list, recall only the top that people read)."""
    total = 0.0
    for case in cases:
        mine = _score(case.partner, weights)
        above = same = 0
        for other in case.others:
            theirs = _score(other, weights)
            above += theirs > mine
            same += theirs == mine
        inside = max(0.0, min(1.0, (TOP - above) / (same + 1)))
        total += inside + 0.01 / (above + 1 + same / 2)
    return total / len(cases) if cases else 0.0


def _score(values: Mapping[str, float], weights: Mapping[str, float]) -> float:
    return round(sum(w * values.get(s, 0.0) for s, w in weights.items()), PRECISION)


@dataclass(frozen=True)
class _Scored:
    """One held-out partner's signal values and those of every organisation its ranking lists."""

    partner: Mapping[str, float]
    others: Sequence[Mapping[str, float]]

    def example(self, rng: random.Random) -> Example:
        """A training example: the partner against NEGATIVES of the others drawn at random
        (the pairwise fit needs no more, and the whole list would weigh big lists most)."""
        picked = rng.sample(list(self.others), min(NEGATIVES, len(self.others)))
        return Example(self.partner, picked)


class _Examples:
    """The held-out cases of one store scored by one ranking; activities read once each."""

    def __init__(self, store: GraphStore, net: Projections, rng: random.Random, kind: str) -> None:
        self.store, self.net, self.rng, self.kind = store, net, rng, kind
        self.contexts: dict[str, ActivityContext] = {}

    def context(self, activity: str) -> ActivityContext:
        if activity not in self.contexts:
            self.contexts[activity] = activity_of(self.store, self.net, activity)
        return self.contexts[activity]

    def scored(self, case: Case) -> _Scored | None:
        """The partner's values and those of everyone the ranking would list (in its
        neighbourhood and showing a link); None when the case says nothing to this ranking."""
        org = self.net.organisations.get(case.partner)
        if org is None:
            return None
        if self.kind == "activity":
            if case.activity is None:
                return None
            matcher: ActivityMatcher | team.ProjectMatcher = ActivityMatcher(
                self.net, self.context(case.activity)
            )
            links: Sequence[str] = matching.LINKS
        else:
            topics_of = {a: self.context(a).topics for a in case.activities}
            ctx = team.project_context(self.store, self.net, case.project, topics_of=topics_of)
            matcher = team.ProjectMatcher(self.net, ctx)
            links = team.LINKS
        others: list[dict[str, float]] = []
        for key in matcher.neighbourhood():
            if key == case.partner:
                continue
            found = matcher.values(self.net.organisations[key])
            if any(found[s] > 0 for s in links):
                others.append(found)
        return _Scored(matcher.values(org), others)
