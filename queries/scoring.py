"""Scores made of named, weighted signals, each with a sentence a person can check.

Every ranking question (candidates, funders) adds up weighted signals whose values lie in
[0, 1] and whose weights add up to 1, so a score is in [0, 1] and each reason says how much it
contributed. Scores are rounded before ranking and ties go to the smaller key, so a ranking
never depends on the order rows came back in. A reason's sentence is a message of
queries.sentences, written in the reader's language only when the answer's rows are made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from queries.hierarchy import Hierarchy
from queries.sentences import Items, Label, Message, Speaker, say

T = TypeVar("T")
PRECISION = 6
"""Digits kept when ranking: float noise cannot reorder equal scores."""
SHOWN = 4
"""Digits every answer shows of a score, a fit or a signal's value: the same everywhere."""


def shown(value: float) -> float:
    """A score as answers show it (SHOWN digits)."""
    return round(value, SHOWN)


@dataclass(frozen=True)
class Reason:
    """One signal: its weight in the score, its value in [0, 1], and what it means (a message
    any of the catalogue's languages can write)."""

    signal: str
    weight: float
    value: float
    message: Message
    evidence: tuple[str, ...] = field(default=())

    def as_dict(self, speaker: Speaker) -> dict[str, Any]:
        return {
            "signal": self.signal,
            "weight": self.weight,
            "value": shown(self.value),
            "text": speaker.text(self.message),
            "evidence": list(dict.fromkeys(self.evidence)),  # each item once, in order
        }


def total(reasons: Iterable[Reason]) -> float:
    """The weighted sum, rounded so that float noise cannot reorder equal scores."""
    return round(sum(r.weight * r.value for r in reasons), PRECISION)


def reasons_out(reasons: Sequence[Reason], speaker: Speaker) -> list[dict[str, Any]]:
    """The reasons worth showing, in the speaker's language: signals that count, strongest
    contribution first."""
    shown = [r for r in reasons if r.value > 0 and r.weight > 0]
    shown.sort(key=lambda r: (-r.weight * r.value, r.signal))
    return [r.as_dict(speaker) for r in shown]


def signals_out(reasons: Sequence[Reason]) -> dict[str, float]:
    """Every signal's value, including zeros: the machine-readable side of the reasons."""
    return {r.signal: shown(r.value) for r in reasons}


def ranked(items: Iterable[T], score: Callable[[T], float], key: Callable[[T], str]) -> list[T]:
    """Best score first; equal scores by key, so the order is the same whatever came in."""
    return sorted(items, key=lambda item: (-score(item), key(item)))


@dataclass(frozen=True)
class TopicMatch:
    """How well a set of topics an organisation has answers the topics asked for."""

    value: float
    wanted: int
    exact: tuple[str, ...]
    partial: tuple[tuple[str, str], ...]  # (asked, matched by)

    @property
    def evidence(self) -> tuple[str, ...]:
        return self.exact + tuple(m for _, m in self.partial)


def near_topics(hierarchy: Hierarchy, wanted: Iterable[str]) -> dict[str, dict[str, float]]:
    """For each wanted topic, every topic that earns credit against it (computed once)."""
    return {t: hierarchy.near(t) for t in sorted(set(wanted))}


class TopicScorer:
    """The value of `match_topics` alone, fast: what thousands of candidates are ranked by.

    Indexed by the topics that earn credit, so scoring one organisation only looks at its own
    few topics.
    """

    def __init__(self, near: Mapping[str, Mapping[str, float]]) -> None:
        self.size = len(near)
        self.index: dict[str, list[tuple[int, float]]] = {}
        for i, credits in enumerate(near.values()):
            for topic, credit in credits.items():
                self.index.setdefault(topic, []).append((i, credit))

    def value(self, have: Iterable[str]) -> float:
        if not self.size:
            return 0.0
        if not isinstance(have, (set, frozenset)):
            have = tuple(have)
        if self.index.keys().isdisjoint(have):
            return 0.0  # what the sum of no credit comes to, without building it
        best = [0.0] * self.size
        for topic in have:
            for i, credit in self.index.get(topic, ()):
                if credit > best[i]:
                    best[i] = credit
        return sum(best) / self.size


def match_topics(near: Mapping[str, Mapping[str, float]], have: Iterable[str]) -> TopicMatch:
    """Average best credit over the wanted topics (exact 1, one step away 0.75 or 0.5, ...)."""
    if not near:
        return TopicMatch(0.0, 0, (), ())
    owned = sorted(set(have))
    exact: list[str] = []
    partial: list[tuple[str, str]] = []
    credit = 0.0
    for wanted, credits in near.items():
        best, by = 0.0, ""
        for topic in owned:
            value = credits.get(topic, 0.0)
            if value > best:
                best, by = value, topic
        credit += best
        if best >= 1.0:
            exact.append(wanted)
        elif best > 0:
            partial.append((wanted, by))
    return TopicMatch(credit / len(near), len(near), tuple(exact), tuple(partial))


def topic_label(hierarchy: Hierarchy, topic: str) -> Label:
    """A topic as a sentence names it: the graph's label in the reader's language."""
    return Label("topic", topic, hierarchy.label(topic))


def topic_text(hierarchy: Hierarchy, match: TopicMatch, about: Message) -> Message:
    """'Shares 3 of 4 topics with the activity: a, b and c; related topics: d (through e)'.

    `about` names what the topics were asked for, as a phrase of the catalogue (topics.what.*):
    French and Spanish need it in the form that follows "de" ("de l'activité", "del proyecto").
    """
    exact = Items(tuple(topic_label(hierarchy, t) for t in match.exact))
    related = Items(
        tuple(
            say("topics.through", topic=topic_label(hierarchy, w), by=topic_label(hierarchy, b))
            for w, b in match.partial
        )
    )
    count, wanted = len(match.exact), match.wanted
    if match.exact and match.partial:
        return say(
            "topics.shares_and_related",
            count=count,
            wanted=wanted,
            what=about,
            topics=exact,
            related=related,
        )
    if match.exact:
        return say("topics.shares", count=count, wanted=wanted, what=about, topics=exact)
    if match.partial:
        return say("topics.related", what=about, related=related)
    return say("topics.none", what=about)
