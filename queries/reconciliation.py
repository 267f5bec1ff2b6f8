"""Reconciliation in the store: the organisations a new IATI file is matched against, the
matches proposed for a person to decide, and their decisions.

The matching itself is loaders.reconcile's; this module reads what it needs from the store
(queries/blocks/reconcile/*.rq) and writes a person's decision as one triple in the
`updates` source: `owl:sameAs` for an accepted proposal, `owl:differentFrom` for a rejected
one. Either takes the pair off the review list; neither removes the `skos:closeMatch` the
load recorded, so what was proposed stays on the record. Only a pair that is on the review
list can be decided, and the IRIs written are the store's own, serialised by pyoxigraph:
nothing a caller types reaches the update's text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from graph.base import GraphStore, PreparedWrite
from graph.results import SelectResult, text
from graph.update import Delta
from loaders.reconcile import KnownOrganisation, similarity
from queries.sparql import rq, run_select
from sic.errors import NotFound
from sic.iris import mint

_OWL = "http://www.w3.org/2002/07/owl#"
_ROR = "https://ror.org/"
_WIKIDATA = "http://www.wikidata.org/entity/"


def known_organisations(store: GraphStore) -> list[KnownOrganisation]:
    """Every organisation in the store, with its names and identifiers (`iati:`, `ror:`,
    `wikidata:`), its English label first when it has one."""
    found: dict[str, KnownOrganisation] = {}
    labels: dict[str, dict[str, str]] = {}
    for row in run_select(store, rq("known-organisations"), {}):
        iri = text(row.get("organisation"))
        entry = found.setdefault(iri, KnownOrganisation(iri))
        label = row.get("label")
        if label is not None:
            labels.setdefault(iri, {}).setdefault(text(row.get("lang")), text(label))
        for name in (label, row.get("name")):
            if name is not None and text(name) not in entry.names:
                entry.names.append(text(name))
        if row.get("iati") is not None:
            entry.identifiers.add("iati:" + text(row.get("iati")))
        same = text(row.get("same"))
        if same.startswith(_ROR):
            entry.identifiers.add("ror:" + same.removeprefix(_ROR))
        elif same.startswith(_WIKIDATA):
            entry.identifiers.add("wikidata:" + same.removeprefix(_WIKIDATA))
    for iri, entry in found.items():
        by_lang = labels.get(iri, {})
        lang = "en" if "en" in by_lang else min(by_lang, default="")
        if lang:
            entry.label = (by_lang[lang], lang)
            entry.names.remove(by_lang[lang])
            entry.names.insert(0, by_lang[lang])
    return list(found.values())


@dataclass(frozen=True)
class Proposal:
    """Two organisations that may be one, waiting for a person."""

    organisation: str
    name: str
    candidate: str
    candidate_name: str
    identifiers: str
    candidate_identifiers: str

    @property
    def score(self) -> float:
        """How alike their names are (loaders.reconcile.similarity)."""
        return similarity(self.name, self.candidate_name)


def proposals(store: GraphStore) -> list[Proposal]:
    """The pending proposals, closest names first."""
    result: SelectResult = run_select(store, rq("match-proposals"), {})
    found = [
        Proposal(
            organisation=text(row.get("organisation")),
            name=text(row.get("name")),
            candidate=text(row.get("candidate")),
            candidate_name=text(row.get("candidate_name")),
            identifiers=text(row.get("identifiers")),
            candidate_identifiers=text(row.get("candidate_identifiers")),
        )
        for row in result
    ]
    return sorted(found, key=lambda p: (-p.score, p.organisation, p.candidate))


def decide(store: GraphStore, first: str, second: str, *, accept: bool, command: str) -> Proposal:
    """Accept (the same organisation) or reject (two organisations) a pending proposal.

    `first` and `second` are organisation keys (`iati:US-GOV-21`) or IRIs, in either order.

    :raises NotFound: the pair is not on the review list.
    :raises ValidationFailed: the store refuses the write (nothing is written).
    """
    proposal, delta = decision_delta(store, first, second, accept=accept)
    store.apply(delta, command=command)
    return proposal


def prepare_decision(
    store: GraphStore, first: str, second: str, accept: bool, command: str
) -> tuple[Proposal, PreparedWrite]:
    """decide's write validated, not committed (in a service's worker; the service commits it
    attributed to who decided)."""
    proposal, delta = decision_delta(store, first, second, accept=accept)
    return proposal, store.prepare_delta(delta, command=command)


def decision_delta(
    store: GraphStore, first: str, second: str, *, accept: bool
) -> tuple[Proposal, Delta]:
    """The pending proposal that links `first` and `second`, and the triple that records the
    decision (its terms are the store's own IRIs, never the caller's text).

    :raises NotFound: the pair is not on the review list.
    """
    wanted = {_iri(store, first), _iri(store, second)}
    for proposal in proposals(store):
        if {proposal.organisation, proposal.candidate} == wanted:
            link = ox.NamedNode(_OWL + ("sameAs" if accept else "differentFrom"))
            subject, value = ox.NamedNode(proposal.organisation), ox.NamedNode(proposal.candidate)
            triple = ox.Triple(subject, link, value)
            return proposal, Delta(added={store.dataset().default_store: {triple}})
    raise NotFound(
        f"no pending proposal links {first!r} and {second!r}: see `sic reconcile --review`"
    )


def _iri(store: GraphStore, key: str) -> str:
    """An organisation's IRI from its key or IRI as given."""
    if key.startswith(("http://", "https://")):
        return key
    return str(mint("organisation", key, store.base))
