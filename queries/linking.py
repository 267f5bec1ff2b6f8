"""Links from reported (IATI) projects to the Strategy: proposed by rules, decided by a person.

`propose_links` reads the reported projects, the activities and objectives and the topics
(queries/blocks/linking/*.rq), lets queries.link_rules propose, and publishes the proposals as
one derived source, `links`, replaced whole at each run: its provenance says it is derived by
rules, and each proposal (`{project}#link-{kind}-{code}`, a `sic:LinkProposal`) carries its
rules, their evidence and its confidence. A proposal is not a link: coverage and gaps count
`sic:addresses`, which only a person's acceptance writes (`decide_link`, into the `updates`
source, one update with the decision), so a rerun of the rules never undoes nor counts a
decision twice. IRIs written are the store's own, serialised by pyoxigraph: nothing a caller
types reaches the update's text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from graph.base import GraphStore, PreparedWrite
from graph.bootstrap import load_with_ontology
from graph.results import text
from graph.update import Delta
from loaders.builder import Triple
from queries.link_rules import Concept, Proposal, Record, Target, concept, propose, words
from queries.sparql import rq, run_select
from sic.errors import NotFound, QueryError
from sic.iris import mint, parse
from sic.source import MappedTriples, Source
from sic.vocab import SIC

SOURCE = "links"
"""The name of the derived source that holds the proposals."""
_SIC = "https://w3id.org/4p1000/ontology#"


def records(store: GraphStore) -> list[Record]:
    """The reported projects, as the rules read them."""
    texts: dict[str, list[str]] = defaultdict(list)
    sectors: dict[str, set[str]] = defaultdict(set)
    countries: dict[str, set[str]] = defaultdict(set)
    for row in run_select(store, rq("link-records"), {}):
        project = text(row.get("project"))
        texts[project]
        if row.get("text") is not None:
            texts[project].append(text(row.get("text")))
        if row.get("sector") is not None:
            sectors[project].add(text(row.get("sector")))
        if row.get("country") is not None:
            countries[project].add(text(row.get("country")))
    return [
        Record(p, words("\n".join(t)), frozenset(sectors[p]), frozenset(countries[p]))
        for p, t in sorted(texts.items())
    ]


def targets(store: GraphStore) -> list[Target]:
    """The activities and objectives, with their texts, topics and the countries of the live
    projects of the Secretariat's data that address them."""
    kinds: dict[str, str] = {}
    texts: dict[str, list[str]] = defaultdict(list)
    topics: dict[str, set[str]] = defaultdict(set)
    countries: dict[str, set[str]] = defaultdict(set)
    for row in run_select(store, rq("link-targets"), {}):
        target = text(row.get("target"))
        kinds[target] = text(row.get("kind"))
        if row.get("text") is not None:
            texts[target].append(text(row.get("text")))
        if row.get("topic") is not None:
            topics[target].add(text(row.get("topic")))
        if row.get("country") is not None:
            countries[target].add(text(row.get("country")))
    found = []
    for iri, kind in sorted(kinds.items()):
        parsed = parse(iri)
        code = parsed[2] if parsed else iri
        found.append(
            Target(
                iri,
                kind,
                code,
                words("\n".join(texts[iri])),
                frozenset(topics[iri]),
                frozenset(countries[iri]),
            )
        )
    return found


def concepts(store: GraphStore) -> list[Concept]:
    """The topics as the keyword rule looks for them."""
    labels: dict[str, list[str]] = defaultdict(list)
    narrow: dict[str, bool] = {}
    for row in run_select(store, rq("link-concepts"), {}):
        topic = text(row.get("topic"))
        label = text(row.get("label"))
        if label not in labels[topic]:
            labels[topic].append(label)
        narrow[topic] = text(row.get("narrow")) in {"true", "1"}
    return [concept(t, labels[t], narrow=narrow[t]) for t in sorted(labels)]


def proposal_iri(project: str, target: Target) -> URIRef:
    """A proposal is a part of its project's description: `{project}#link-{kind}-{code}`."""
    return URIRef(f"{project}#link-{target.kind}-{target.code}")


def proposal_triples(found: list[Proposal]) -> list[Triple]:
    """The proposals as statements (see the module)."""
    triples: list[Triple] = []
    add = triples.append
    for proposal in found:
        node = proposal_iri(proposal.project, proposal.target)
        add((node, RDF.type, SIC.LinkProposal))
        add((node, SIC.linkProject, URIRef(proposal.project)))
        add((node, SIC.linkTarget, URIRef(proposal.target.iri)))
        add((node, PROV.wasDerivedFrom, URIRef(proposal.project)))
        add(
            (
                node,
                SIC.confidence,
                Literal(Decimal(f"{proposal.confidence:.2f}"), datatype=XSD.decimal),
            )
        )
        for rule in proposal.rules:
            add((node, SIC.linkRule, Literal(rule)))
        for hit in proposal.hits:
            add((node, SIC.linkEvidence, Literal(f"{hit.rule}: {hit.evidence}")))
    return triples


def propose_links(store: GraphStore, *, command: str) -> int:
    """Run the rules over the store and publish their proposals as the `links` source (replacing
    the previous run's). Answers how many proposals there are.

    :raises ValidationFailed: the store refuses them (nothing is written).
    """
    source, count = links_source(store)
    load_with_ontology(store, source, replace=True, command=command)
    return count


def links_source(store: GraphStore) -> tuple[Source, int]:
    """The rules' proposals over the store as the `links` source, not loaded (seeding loads
    it with the other sources, api.seeding), and how many proposals it holds."""
    found = propose(records(store), targets(store), concepts(store))
    source = Source(
        name=SOURCE,
        origin="queries/link_rules.py",
        checksum="",
        content=MappedTriples(proposal_triples(found)),
        about={
            "title": "Links proposed from reported projects to the Strategy",
            "description": (
                f"{len(found)} proposals derived by rules (DAC sectors, keywords in English, "
                "French and Spanish, countries) from the reported projects and the Strategy: "
                "not reported by anyone, and not counted as coverage until a person accepts "
                "them (sic link)"
            ),
            "note": "derived: each proposal names its rules, their evidence and its confidence",
        },
    )
    return source, len(found)


@dataclass(frozen=True)
class LinkProposal:
    """A proposal as people see it (its page, `sic link --review`, /api/links)."""

    proposal: str
    project: str
    project_title: str
    target: str
    target_kind: str
    target_title: str
    confidence: float
    rules: str
    evidence: str
    decision: str

    @property
    def target_code(self) -> str:
        parsed = parse(self.target)
        return parsed[2] if parsed else self.target

    @property
    def project_key(self) -> str:
        parsed = parse(self.project)
        return parsed[2] if parsed else self.project

    def as_json(self) -> dict[str, object]:
        return {
            "proposal": self.proposal,
            "project": self.project,
            "project_key": self.project_key,
            "project_title": self.project_title,
            "target": self.target,
            "target_kind": self.target_kind,
            "target_code": self.target_code,
            "target_title": self.target_title,
            "confidence": self.confidence,
            "rules": self.rules.split(),
            "evidence": self.evidence.split("; ") if self.evidence else [],
            "decision": self.decision or "waiting",
        }


def link_proposals(
    store: GraphStore, project: str | None = None, *, waiting_only: bool = False
) -> list[LinkProposal]:
    """The proposals (of one project when given), best first within each project."""
    terms = {"project": ox.NamedNode(project)} if project else {}
    found = [
        LinkProposal(
            proposal=text(row.get("proposal")),
            project=text(row.get("project")),
            project_title=text(row.get("project_title")),
            target=text(row.get("target")),
            target_kind=text(row.get("target_kind")),
            target_title=text(row.get("target_title")),
            confidence=float(text(row.get("confidence")) or 0),
            rules=text(row.get("rules")),
            evidence=text(row.get("evidence")),
            decision=text(row.get("decision")),
        )
        for row in run_select(store, rq("link-proposals"), terms)
    ]
    return [p for p in found if not (waiting_only and p.decision)]


def project_iri(store: GraphStore, key: str) -> str:
    """A project's IRI from its key (`iati:US-GOV-1-...`) or IRI as given."""
    if key.startswith(("http://", "https://")):
        try:
            ox.NamedNode(key)
        except ValueError:
            raise QueryError(f"not a project key or IRI: {key!r}") from None
        return key
    return str(mint("project", key, store.base))


def decide_link(
    store: GraphStore, project: str, target: str, *, accept: bool, command: str
) -> LinkProposal:
    """Accept or refuse the waiting proposal that links `project` (key or IRI) to `target` (an
    activity or objective code, or IRI). Accepting also states the link itself:
    `sic:addresses` the activity, or `sic:servesObjective` the objective.

    :raises NotFound: no such proposal waits.
    :raises ValidationFailed: the store refuses the write (nothing is written).
    """
    proposal, delta = decision_delta(store, project, target, accept=accept)
    store.apply(delta, command=command)
    return proposal


def prepare_decision(
    store: GraphStore, project: str, target: str, accept: bool, command: str
) -> tuple[LinkProposal, PreparedWrite]:
    """decide_link's write validated, not committed (in a service's worker; the service
    commits it)."""
    proposal, delta = decision_delta(store, project, target, accept=accept)
    return proposal, store.prepare_delta(delta, command=command)


def decision_delta(
    store: GraphStore, project: str, target: str, *, accept: bool
) -> tuple[LinkProposal, Delta]:
    """The waiting proposal linking `project` to `target`, and the triples that record the
    decision, added where writes to the default graph land (its terms are the store's own
    IRIs, never the caller's text).

    :raises NotFound: no such proposal waits.
    """
    iri = project_iri(store, project)
    for proposal in link_proposals(store, iri, waiting_only=True):
        if target in {proposal.target, proposal.target_code}:
            decision = _SIC + ("LinkAccepted" if accept else "LinkRejected")
            triples = {_triple(proposal.proposal, _SIC + "linkDecision", decision)}
            if accept:
                link = "addresses" if proposal.target_kind == "activity" else "servesObjective"
                triples.add(_triple(proposal.project, _SIC + link, proposal.target))
            return proposal, Delta(added={store.dataset().default_store: triples})
    raise NotFound(
        f"no proposal waits that links project {project!r} to {target!r}: see `sic link --review`"
    )


def _triple(subject: str, predicate: str, value: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(subject), ox.NamedNode(predicate), ox.NamedNode(value))
