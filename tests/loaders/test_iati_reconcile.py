"""Reconciliation of organisations met in IATI (loaders.reconcile), measured on pairs of names
from the real sample (tests/data/iati/reconcile-labels.csv, labelled by hand: same
organisation or not).

For each pair, the first organisation is known and the second is met: an automatic match
(by identifier or by name) that is right is a true positive, one that is wrong a false
positive. Proposals (skos:closeMatch, for a person to decide) are counted apart: they are not
merges, but a pair neither merged nor proposed is lost to the reviewer.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from loaders.reconcile import (
    PROPOSE,
    SAME_NAME,
    KnownOrganisation,
    Reconciler,
    normalise_name,
    similarity,
)

LABELS = Path(__file__).resolve().parents[1] / "data" / "iati" / "reconcile-labels.csv"


@dataclass(frozen=True)
class Figures:
    pairs: int
    positives: int
    merged_right: int
    merged_wrong: int
    proposed_right: int
    proposed_wrong: int

    @property
    def precision(self) -> float:
        merged = self.merged_right + self.merged_wrong
        return self.merged_right / merged if merged else 1.0

    @property
    def recall(self) -> float:
        return self.merged_right / self.positives

    @property
    def reviewable_recall(self) -> float:
        """Same-organisation pairs either merged or put before a person."""
        return (self.merged_right + self.proposed_right) / self.positives


def _ids(ref: str) -> set[str]:
    return {f"iati:{ref}"} if ref and ref.lower() != "n/a" else set()


def measure() -> Figures:
    with LABELS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    counts = {"mr": 0, "mw": 0, "pr": 0, "pw": 0}
    for row in rows:
        known = KnownOrganisation("urn:a", [row["name_a"]], _ids(row["ref_a"]))
        match = Reconciler([known]).resolve(_ids(row["ref_b"]), row["name_b"])
        same = row["same"] == "yes"
        if match.iri == "urn:a":
            counts["mr" if same else "mw"] += 1
        elif any(iri == "urn:a" for iri, _ in match.proposals):
            counts["pr" if same else "pw"] += 1
    return Figures(
        pairs=len(rows),
        positives=sum(r["same"] == "yes" for r in rows),
        merged_right=counts["mr"],
        merged_wrong=counts["mw"],
        proposed_right=counts["pr"],
        proposed_wrong=counts["pw"],
    )


def test_the_labelled_subset_is_a_real_mix() -> None:
    figures = measure()
    assert figures.pairs >= 50
    assert 0.3 < figures.positives / figures.pairs < 0.7


def test_automatic_matches_are_precise_and_find_most_pairs() -> None:
    figures = measure()
    print(
        f"\nreconciliation on {figures.pairs} labelled pairs ({figures.positives} same): "
        f"precision {figures.precision:.2f}, recall {figures.recall:.2f}, "
        f"recall with proposals {figures.reviewable_recall:.2f}; "
        f"{figures.proposed_wrong} wrong proposal(s) for a person to reject"
    )
    assert figures.precision >= 0.95, figures
    assert figures.recall >= 0.75, figures
    assert figures.reviewable_recall >= 0.85, figures


def test_the_two_identifiers_of_the_inter_american_foundation_are_one() -> None:
    reconciler = Reconciler(
        [KnownOrganisation("urn:iaf", ["Inter-American Foundation"], {"iati:US-GOV-21"})]
    )
    match = reconciler.resolve({"iati:18"}, "Inter-American Foundation")
    assert (match.iri, match.how) == ("urn:iaf", "name")


def test_an_identifier_decides_before_a_name() -> None:
    reconciler = Reconciler(
        [
            KnownOrganisation("urn:one", ["Alpha"], {"iati:XX-1"}),
            KnownOrganisation("urn:two", ["Beta Foundation"], set()),
        ]
    )
    match = reconciler.resolve({"iati:XX-1"}, "Beta Foundation")
    assert (match.iri, match.how, match.score) == ("urn:one", "identifier", 1.0)


def test_two_close_candidates_are_proposed_not_merged() -> None:
    reconciler = Reconciler(
        [
            KnownOrganisation("urn:sud", ["Sudan Humanitarian Fund"]),
            KnownOrganisation("urn:syr", ["Syria Humanitarian Fund"]),
        ]
    )
    match = reconciler.resolve(set(), "Somalia Humanitarian Fund")
    assert match.iri is None
    assert {iri for iri, _ in match.proposals} == {"urn:sud", "urn:syr"}
    assert all(PROPOSE <= score < SAME_NAME for _, score in match.proposals)


def test_bodies_in_different_registers_are_never_merged_by_name() -> None:
    reconciler = Reconciler(
        [KnownOrganisation("urn:hn", ["Ministerio de Agricultura"], {"iati:HN-GOV-1"})]
    )
    match = reconciler.resolve({"iati:GT-GOV-1"}, "Ministerio de Agricultura")
    assert match.iri is None
    assert match.proposals == (("urn:hn", 1.0),)


def test_names_are_compared_without_accents_case_or_acronyms() -> None:
    assert normalise_name("THE FOOD AND AGRICULTURE ORGANIZATION") == normalise_name(
        "Food and Agriculture Organization (FAO)"
    )
    assert normalise_name("Asociación Amigos") == "asociacion amigos"
    assert similarity("State (Functioning Budget)", "State (Nature)") < PROPOSE
