"""Which known organisation an organisation met in a file is, never decided silently.

An organisation named in IATI (a participating, reporting or provider organisation) is matched
to one already known (in the store, or met earlier in the same file):

1. by identifier: an IATI organisation identifier, a ROR or a Wikidata IRI that both carry;
2. else by name: the names normalised (accents, case, punctuation, an acronym in brackets
   and the words "the" and "of" dropped), compared as the best of a character ratio
   and a word-set ratio. One candidate at `SAME_NAME` (0.92) or above, with no other within
   `MARGIN`, is the same organisation; candidates from `PROPOSE` (0.80) up that are not
   that clear (two close candidates, or a score below `SAME_NAME`) are *proposals*: the
   organisation is kept as new and linked to each candidate by `skos:closeMatch` until a person
   accepts or rejects the match (`sic reconcile`).
3. Two organisations whose identifiers are both registered (a `XX-REG-123` form) in
   different registers are never merged by name: a ministry of agriculture of Honduras is not
   one of Guatemala. They are proposed at most.

The thresholds were set on the hand-labelled pairs of tests/data/iati/reconcile-labels.csv
(precision and recall measured by tests/loaders/test_iati_reconcile.py).
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

SAME_NAME = 0.92
"""From this similarity on, a name alone says two organisations are one (when unambiguous)."""
PROPOSE = 0.80
"""From this similarity on, a pair is proposed for a person to confirm."""
MARGIN = 0.03
"""A runner-up this close to the best candidate makes a name match ambiguous."""

_ACRONYM = re.compile(r"\(\s*[A-Z]{2,10}s?\s*\)")
"""A bracketed acronym, as in "(CAFOD)" or "(NGOs)": dropped; "(Nature)" or "(Delegated
co-operation)" say which body it is, and stay."""
_NON_WORD = re.compile(r"[^0-9a-z]+")
_STOP = frozenset({"the", "of", "de", "du", "des", "la", "le", "el", "del", "for", "and", "et"})
_REGISTERED = re.compile(r"^[A-Z]{2}-[A-Z0-9]+-")


@functools.lru_cache(maxsize=16384)
def normalise_name(name: str) -> str:
    """A name as compared: no accents or punctuation, lower case, no bracketed acronym (when
    the name is not all capitals), no 'the', 'of' and the like. Garbled characters
    ('Asociacin') survive as they are."""
    text = _ACRONYM.sub(" ", name) if not name.isupper() else name
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = [w for w in _NON_WORD.split(text) if w and w not in _STOP]
    return " ".join(words)


@functools.lru_cache(maxsize=65536)
def similarity(a: str, b: str) -> float:
    """How alike two names are, 0 to 1: the better of a character ratio of the normalised
    names and of their sorted words (word order varies between publishers)."""
    left, right = normalise_name(a), normalise_name(b)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    chars = difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()
    sorted_left, sorted_right = " ".join(sorted(left.split())), " ".join(sorted(right.split()))
    words = difflib.SequenceMatcher(None, sorted_left, sorted_right, autojunk=False).ratio()
    return max(chars, words)


@functools.lru_cache(maxsize=65536)
def similarity_bound(a: str, b: str) -> float:
    """An upper bound of `similarity`, ten times cheaper: the share of characters the two
    normalised names have in common whatever their order. Both ratios of `similarity` compare
    the same characters (the sorted words are the same words), so neither can exceed it; a pair
    under `PROPOSE` by this bound is not worth comparing (loading the IATI sample with the
    reference data compared 45,000 pairs, most of them hopeless, in 5 s)."""
    left, right = normalise_name(a), normalise_name(b)
    if not left or not right:
        return 0.0
    return difflib.SequenceMatcher(None, left, right, autojunk=False).quick_ratio()


def registers_differ(left: Iterable[str], right: Iterable[str]) -> bool:
    """Both sides carry registered IATI identifiers (`GB-CHC-123`), and none in a register
    the other side uses: then they are distinct bodies whatever their names say."""

    def registers(ids: Iterable[str]) -> set[str]:
        out = set()
        for identifier in ids:
            value = identifier.removeprefix("iati:")
            if identifier.startswith("iati:") and _REGISTERED.match(value):
                out.add(value.split("-")[0] + "-" + value.split("-")[1])
        return out

    mine, theirs = registers(left), registers(right)
    return bool(mine) and bool(theirs) and not (mine & theirs)


@dataclass
class KnownOrganisation:
    """An organisation a mention may be: its IRI, names and identifiers (`iati:US-GOV-21`,
    `ror:...`, `wikidata:Q...`)."""

    iri: str
    names: list[str] = field(default_factory=list)
    identifiers: set[str] = field(default_factory=set)
    label: tuple[str, str] | None = None
    """Its label in the store (text, language), which a new source must repeat, not rival."""


@dataclass(frozen=True)
class Match:
    """What a mention was found to be.

    Attributes:
        iri: the organisation it is; None when it is new.
        how: "identifier", "name" or "new".
        score: the name similarity that decided it (1.0 for an identifier).
        proposals: (IRI, score) of candidates a person should look at, best first.
    """

    iri: str | None
    how: str
    score: float = 0.0
    proposals: tuple[tuple[str, float], ...] = ()


class Reconciler:
    """Matches mentions against known organisations; organisations it is told of (`add`) are
    known from then on, so that one file's repeated mentions resolve to one organisation."""

    def __init__(self, known: Sequence[KnownOrganisation] = ()) -> None:
        self._known: dict[str, KnownOrganisation] = {}
        self._by_id: dict[str, str] = {}
        for organisation in known:
            self.add(organisation)

    def add(self, organisation: KnownOrganisation) -> None:
        """Know an organisation (or more names and identifiers of one already known)."""
        held = self._known.setdefault(
            organisation.iri, KnownOrganisation(organisation.iri, label=organisation.label)
        )
        for name in organisation.names:
            if name not in held.names:
                held.names.append(name)
        held.identifiers |= organisation.identifiers
        for identifier in organisation.identifiers:
            self._by_id.setdefault(identifier, organisation.iri)

    def known(self, iri: str) -> KnownOrganisation | None:
        """What is known of an organisation."""
        return self._known.get(iri)

    def resolve(self, identifiers: set[str], name: str) -> Match:
        """The organisation that carries one of `identifiers`, else the one `name` names
        unambiguously, else none (with the candidates worth proposing)."""
        for identifier in sorted(identifiers):
            found = self._by_id.get(identifier)
            if found is not None:
                return Match(found, "identifier", 1.0)
        scored: list[tuple[float, str]] = []
        for organisation in self._known.values():
            best = max(
                (
                    similarity(name, known)
                    for known in organisation.names
                    if similarity_bound(name, known) >= PROPOSE
                ),
                default=0.0,
            )
            if best >= PROPOSE:
                scored.append((best, organisation.iri))
        scored.sort(key=lambda item: (-item[0], item[1]))
        if not scored:
            return Match(None, "new")
        top, iri = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        clear = top >= SAME_NAME and top - runner_up > MARGIN
        conflict = registers_differ(identifiers, self._known[iri].identifiers)
        if clear and not conflict:
            return Match(iri, "name", top)
        return Match(None, "new", top, tuple((i, s) for s, i in scored))
