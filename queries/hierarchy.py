"""SKOS hierarchies (topics, UN M49 regions): how close two concepts are.

A topic match one or two steps up or down the hierarchy counts in part: an organisation working
on "cover crops" is a partial fit for an activity about "conservation agriculture", and one
working in West Africa works in Africa. Keeping these rules in one place makes every signal that
compares concepts (candidates, alliances, funders) agree.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

# Credit for a concept the organisation has, against one it is asked for:
# the same concept, a narrower one (more specific expertise) or a broader one (general).
EXACT = 1.0
NARROWER = (0.75, 0.5)  # one, two steps below what is asked
BROADER = (0.4, 0.2)  # one, two steps above: general work, maybe not the expertise asked
MAX_STEPS = 2


class Hierarchy:
    """Concepts with labels and their skos:broader links, walked both ways."""

    def __init__(self, labels: Mapping[str, str], broader: Mapping[str, Iterable[str]]) -> None:
        self.labels = dict(labels)
        self._up: dict[str, tuple[str, ...]] = {k: tuple(sorted(v)) for k, v in broader.items()}
        down: dict[str, set[str]] = {}
        for child, parents in self._up.items():
            for parent in parents:
                down.setdefault(parent, set()).add(child)
        self._down = {k: tuple(sorted(v)) for k, v in down.items()}
        self._walks: dict[tuple[str, int, int], dict[str, int]] = {}
        self._under: dict[str, frozenset[str]] = {}

    def label(self, concept: str) -> str:
        """The English label, or the key itself when the concept has none (an AGROVOC IRI)."""
        return self.labels.get(concept) or concept.rsplit("/", 1)[-1]

    def _walk(self, start: str, links: Mapping[str, tuple[str, ...]], steps: int) -> dict[str, int]:
        """The concepts `steps` links or fewer away, with their distance; kept, because the
        rankings ask the same few concepts again for every candidate (65,000 walks for one
        alliance at M). Callers only read the answer."""
        key = (start, id(links), steps)
        kept = self._walks.get(key)
        if kept is None:
            kept = self._walks[key] = self._search(start, links, steps)
        return kept

    def _search(
        self, start: str, links: Mapping[str, tuple[str, ...]], steps: int
    ) -> dict[str, int]:
        found: dict[str, int] = {}
        queue: deque[tuple[str, int]] = deque([(start, 0)])
        while queue:
            node, depth = queue.popleft()
            if depth == steps:
                continue
            for nxt in links.get(node, ()):
                if nxt not in found and nxt != start:
                    found[nxt] = depth + 1
                    queue.append((nxt, depth + 1))
        return found

    def ancestors(self, concept: str, steps: int = 64) -> dict[str, int]:
        """Broader concepts with how many steps up they are."""
        return self._walk(concept, self._up, steps)

    def descendants(self, concept: str, steps: int = 64) -> dict[str, int]:
        """Narrower concepts with how many steps down they are."""
        return self._walk(concept, self._down, steps)

    def near(self, concept: str) -> dict[str, float]:
        """Every concept that earns credit against `concept`, with that credit."""
        credit = {concept: EXACT}
        for other, steps in self.descendants(concept, MAX_STEPS).items():
            credit[other] = NARROWER[steps - 1]
        for other, steps in self.ancestors(concept, MAX_STEPS).items():
            credit.setdefault(other, BROADER[steps - 1])
        return credit

    def under(self, concept: str) -> frozenset[str]:
        """The concept and everything below it: what `covers` it, as one set to intersect."""
        kept = self._under.get(concept)
        if kept is None:
            kept = self._under[concept] = frozenset({concept, *self.descendants(concept)})
        return kept

    def covers(self, have: str, wanted: str) -> bool:
        """True when `have` is `wanted` or lies anywhere below it (region inside a region)."""
        return have == wanted or wanted in self.ancestors(have)

    def within(self, concept: str, others: Iterable[str]) -> bool:
        """True when `concept` is one of `others` or lies below one of them."""
        ups = self.ancestors(concept)
        return any(o == concept or o in ups for o in others)
