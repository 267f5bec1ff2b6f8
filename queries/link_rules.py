"""The rules that propose which Activities and Strategic Objectives a reported project serves.

A funder's IATI record says nothing of the « 4 per 1000 » Strategy, so a person has to link
it; these rules only point at where to look, each with a weight a person can read:

- `dac-sector`: a DAC purpose code that says what the Strategy works on (`SECTOR_OBJECTIVES`:
  31130 "Agricultural land resources" is on-the-ground soil work, objective A2) proposes the
  objective, never an activity (a sector is too coarse for that);
- `keywords`: a concept of the Strategy's topics (their labels in English, French and Spanish)
  that the project's titles or descriptions name, and that the activity or objective has as a
  topic or names in its own title or description. A concept with a broader one ("soil organic
  carbon") weighs `NARROW_WEIGHT`; a top one ("soil", which the whole sample names)
  `BROAD_WEIGHT`;
- `country`: a live project of the Secretariat's data in one of the project's countries
  addresses the activity (`COUNTRY_WEIGHT`). Alone it never reaches `MIN_CONFIDENCE`: it only
  strengthens what the words say.

A pair's confidence combines its rules' weights as independent evidence (1 - the product of
1 - each); pairs under `MIN_CONFIDENCE` are not proposed, and a project keeps its `MAX_PER_KIND`
best activities and best objectives, so the review list stays one a person can read.
Nothing here reads the store: queries.linking gives the records and writes the proposals.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

SECTOR_OBJECTIVES: dict[str, tuple[tuple[str, ...], float]] = {
    "31130": (("A2",), 0.5),  # Agricultural land resources: soil work on the ground
    "31110": (("B1",), 0.3),  # Agricultural policy and administrative management
    "41010": (("B1",), 0.3),  # Environmental policy and administrative management
    "31182": (("A6",), 0.35),  # Agricultural research
    "41082": (("A6",), 0.3),  # Environmental research
    "31166": (("A3",), 0.3),  # Agricultural extension: exchange of practices
    "31181": (("A3",), 0.3),  # Agricultural education/training
}
"""DAC purpose code -> the objectives it points at, and the rule's weight."""
NARROW_WEIGHT = 0.2
BROAD_WEIGHT = 0.1
COUNTRY_WEIGHT = 0.15
MIN_CONFIDENCE = 0.3
MAX_PER_KIND = 3

_NON_WORD = re.compile(r"[^0-9a-z]+")


def words(text: str) -> str:
    """A text as matched: no accents or punctuation, lower case, a plural's final s dropped,
    each word between single spaces (and at both ends, so that ` word ` finds whole words)."""
    flat = unicodedata.normalize("NFKD", text)
    flat = "".join(c for c in flat if not unicodedata.combining(c)).lower()
    kept = [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in _NON_WORD.split(flat) if w]
    return " " + " ".join(kept) + " "


@dataclass(frozen=True)
class Concept:
    """A topic of the Strategy and the words that name it (its labels in every language)."""

    iri: str
    label: str
    terms: tuple[str, ...]
    narrow: bool

    @property
    def weight(self) -> float:
        return NARROW_WEIGHT if self.narrow else BROAD_WEIGHT

    def named_in(self, text: str) -> bool:
        """Whether a text (as `words` gives it) names the concept."""
        return any(term in text for term in self.terms)


def concept(iri: str, labels: Iterable[str], *, narrow: bool) -> Concept:
    """A concept from its labels (the first is the one shown)."""
    shown = list(labels)
    terms = tuple(sorted({words(label) for label in shown} - {"  "}))
    return Concept(iri, shown[0] if shown else iri, terms, narrow)


@dataclass(frozen=True)
class Target:
    """An Activity (`kind` "activity", with its objective's code) or a Strategic Objective."""

    iri: str
    kind: str
    code: str
    text: str
    topics: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Record:
    """A reported project: its titles and descriptions, DAC codes and countries."""

    iri: str
    text: str
    sectors: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Hit:
    """What one rule saw for one pair."""

    rule: str
    weight: float
    evidence: str


@dataclass
class Proposal:
    """A project, a target, and the rules that link them."""

    project: str
    target: Target
    hits: list[Hit] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """The rules' weights as independent evidence, to two decimals."""
        doubt = 1.0
        for hit in self.hits:
            doubt *= 1.0 - hit.weight
        return round(1.0 - doubt, 2)

    @property
    def rules(self) -> list[str]:
        return sorted({hit.rule for hit in self.hits})


def sector_hits(record: Record, target: Target) -> list[Hit]:
    """`dac-sector`: the project's sectors that point at this objective."""
    if target.kind != "objective":
        return []
    return [
        Hit("dac-sector", weight, f"DAC sector {code}")
        for code in sorted(record.sectors)
        for objectives, weight in [SECTOR_OBJECTIVES.get(code, ((), 0.0))]
        if target.code in objectives
    ]


def keyword_hits(record: Record, target: Target, concepts: Sequence[Concept]) -> list[Hit]:
    """`keywords`: the concepts the project names that the target has or names too."""
    return _shared(named_in(record.text, concepts), target, named_in(target.text, concepts))


def named_in(text: str, concepts: Sequence[Concept]) -> list[Concept]:
    """The concepts a text names, in their order (propose asks once per record and target,
    not once per pair: a million such tests were 5 s of seeding an empty store)."""
    return [c for c in concepts if c.named_in(text)]


def _shared(named: Sequence[Concept], target: Target, in_target: Collection[Concept]) -> list[Hit]:
    """keyword_hits, given the concepts the record names and those the target's text names."""
    return [
        Hit("keywords", c.weight, f"both name {c.label!r}")
        for c in named
        if c.iri in target.topics or c in in_target
    ]


def country_hits(record: Record, target: Target) -> list[Hit]:
    """`country`: a live project of the Secretariat addresses the activity in a shared country."""
    shared = sorted(record.countries & target.countries)
    if target.kind != "activity" or not shared:
        return []
    return [Hit("country", COUNTRY_WEIGHT, f"projects addressing it work in {', '.join(shared)}")]


def propose(
    records: Sequence[Record], targets: Sequence[Target], concepts: Sequence[Concept]
) -> list[Proposal]:
    """Every proposal the rules make, best first within each project (see the module)."""
    found: list[Proposal] = []
    in_targets = [set(named_in(t.text, concepts)) for t in targets]
    for record in records:
        named = named_in(record.text, concepts)
        for kind in ("activity", "objective"):
            kept = []
            for target, in_target in zip(targets, in_targets, strict=True):
                if target.kind != kind:
                    continue
                hits = [
                    *sector_hits(record, target),
                    *_shared(named, target, in_target),
                    *country_hits(record, target),
                ]
                proposal = Proposal(record.iri, target, hits)
                if hits and proposal.confidence >= MIN_CONFIDENCE:
                    kept.append(proposal)
            kept.sort(key=lambda p: (-p.confidence, p.target.code))
            found.extend(kept[:MAX_PER_KIND])
    return found
