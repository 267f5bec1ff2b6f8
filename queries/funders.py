"""funders-for-project: open calls and funders ranked by how well they fit one project.

The project is read with SPARQL (stage, budget, activities, topics); funders, calls and the
funding history come from the projections cached per store version. Fit has four signals:
topics (the project's activity topics, a topic hierarchy counting in part), objective (the call
targets it, the funder declares it or has funded it), region (where the project takes place,
within the regions a call or funder covers) and amount (what the project still
needs, in its own currency, against the call's range or the funder's usual grant). Currencies
are never converted: a call in another currency gets no amount credit and says so. A funder is
listed once: with its best open call when it has one that fits, else as a funder.

Where the project takes place is the UN M49 regions of the countries it declares (`sic:country`,
placed by `Projections.place`). Only a project that declares none (or none the country table
knows) is placed where its team works: the regions its lead and partners declare. The reason's
sentence says which of the two was compared, and so does the context (`place`). One partner
working in Latin America does not make demonstration farms in India and Viet Nam a Latin
American project.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from graph.base import GraphStore
from queries.analysis import analysis, code_param, top_param
from queries.answer import Row
from queries.matching import activity_context, region_items
from queries.network import Call, Organisation, Place, Projections, projections
from queries.params import Bound
from queries.scoring import (
    PRECISION,
    Reason,
    TopicScorer,
    match_topics,
    near_topics,
    ranked,
    reasons_out,
    shown,
    signals_out,
    topic_text,
    total,
)
from queries.sentences import LANG, Items, Message, Money, say, speaker_for
from queries.sparql import entity_row, named_rows
from sic.rq import Param

WEIGHTS = {"topics": 0.35, "objective": 0.25, "region": 0.20, "amount": 0.20}
SECURED = frozenset({"committed", "disbursed"})
OFFER_COLUMNS = "rank kind call call_title organisation name score deadline reasons signals"
AS_OF = Param(
    "as_of",
    "date",
    default="today",
    description="the day on which calls must still be open (default: today)",
)


@dataclass(frozen=True)
class ProjectContext:
    """A project and what a funder would look at."""

    key: str
    title: str
    budget: Decimal | None
    currency: str | None
    objectives: tuple[str, ...]
    topics: tuple[str, ...]
    team: tuple[str, ...]
    regions: frozenset[str]
    funders: frozenset[str]
    secured: Decimal
    noun: str = "project"  # or "activity": a gap asked about before any project exists
    # What `regions` is: "countries" (the regions of `place`, where the work takes place) or
    # "team" (the regions the team declares, when no country could be placed); `located` says
    # whose place the region sentences name: "project", "activity" (its live projects) or
    # "team".
    regions_from: str = "team"
    place: Place | None = None
    located: str = "team"

    @property
    def need(self) -> Decimal | None:
        """What is still missing of the budget, in the project's currency."""
        if self.budget is None:
            return None
        return max(self.budget - self.secured, Decimal(0))


def team_regions(net: Projections, team: Iterable[str]) -> frozenset[str]:
    """The regions the organisations of a team declare they work in."""
    return frozenset(r for o in team if (org := net.organisations.get(o)) for r in org.regions)


@dataclass(frozen=True)
class Located:
    """The regions a context compares, where they come from, and whose place they are (the
    region sentences are chosen by it: funders.region.*.{located})."""

    regions: frozenset[str]
    regions_from: str
    located: str = "team"


def located(place: Place, team: frozenset[str], noun: str) -> Located:
    """Where the work takes place (its countries' regions), else where the team works."""
    if not place.regions:
        return Located(team, "team")
    return Located(place.regions, "countries", noun)


def project_context(store: GraphStore, net: Projections, bound: Bound) -> ProjectContext:
    """:raises NotFound: if there is no such project."""
    row = entity_row(store, "project-context", bound, "project")
    key = str(row["project"])
    topics: dict[str, set[str]] = defaultdict(set)
    objectives: set[str] = set()
    for need in named_rows(store, "project-needs", project=bound.term("project")):
        objectives.add(str(need["objective"]))
        if need.get("topic") is not None:
            topics[str(need["via"])].add(str(need["topic"]))
    members = net.members_of.get(("project", key), ())
    team = sorted({m.organisation for m in members})
    place = net.place(net.project_countries.get(key, ()))
    where = located(place, team_regions(net, team), "project")
    currency = None if row.get("currency") is None else str(row["currency"])
    history = net.fundings_of.get(key, ())
    secured = sum(
        (f.amount for f in history if f.status in SECURED and f.currency == currency), Decimal(0)
    )
    budget = row.get("budget")
    return ProjectContext(
        key=key,
        title=str(row.get("title") or key),
        budget=None if budget is None else Decimal(str(budget)),
        currency=currency,
        objectives=tuple(sorted(objectives)),
        topics=tuple(sorted(topics["activity"] or topics["objective"])),
        team=tuple(team),
        funders=frozenset(f.funder for f in history),
        secured=secured,
        regions=where.regions,
        regions_from=where.regions_from,
        place=place,
        located=where.located,
    )


_SIGNALS = ("topics", "objective", "region", "amount")
"""The signals of an offer, in the order its reasons come (and are summed in)."""


def _first_two(item: tuple[float, str, object]) -> tuple[float, str]:
    return item[0], item[1]


@dataclass(frozen=True)
class Offer:
    """A call or a funder, scored for the project."""

    kind: str  # "call" or "funder"
    key: str
    organisation: str | None
    score: float
    reasons: tuple[Reason, ...]


class FunderMatcher:
    """Scores calls and funders for one project."""

    def __init__(self, net: Projections, ctx: ProjectContext) -> None:
        self.net = net
        self.ctx = ctx
        self.near = near_topics(net.topics, ctx.topics)
        self.scorer = TopicScorer(self.near)
        # Region reasons depend only on the regions compared and on whom the sentence names:
        # thousands of funders share the same few region sets, and a reason is immutable, so
        # every offer with the same set gets the same one.
        self._by_regions: dict[tuple[frozenset[str], Message], Reason] = {}

    def _reason(
        self, signal: str, value: float, message: Message, evidence: Iterable[str] = ()
    ) -> Reason:
        return Reason(signal, WEIGHTS[signal], value, message, tuple(evidence))

    def _topics(self, topics: Iterable[str]) -> Reason:
        match = match_topics(self.near, topics)
        about = say(f"topics.what.{self.ctx.noun}")
        text = topic_text(self.net.topics, match, about)
        return self._reason("topics", match.value, text, match.evidence)

    def _region(self, regions: frozenset[str], who: Message) -> Reason:
        kept = self._by_regions.get((regions, who))
        if kept is None:
            kept = self._by_regions[(regions, who)] = self._region_reason(regions, who)
        return kept

    def _region_reason(self, regions: frozenset[str], who: Message) -> Reason:
        if not regions:
            return self._reason("region", 0.5, say("funders.region.unlimited", who=who))
        if not self.ctx.regions:
            return self._reason("region", 0.5, self._no_region())
        inside = sorted(p for p in self.ctx.regions if self.net.regions.within(p, regions))
        if inside:
            labels = region_items(self.net, inside)
            return self._reason("region", 1.0, self._where("covers", who, labels), inside)
        partly = sorted(r for r in regions if self.net.regions.within(r, self.ctx.regions))
        if partly:
            labels = region_items(self.net, partly)
            return self._reason("region", 0.5, self._where("partly", who, labels), partly)
        labels = region_items(self.net, sorted(regions))
        return self._reason("region", 0.0, self._where("elsewhere", who, labels))

    def _objective(self, declared: Iterable[str], funded: Iterable[str], who: Message) -> Reason:
        mine = set(self.ctx.objectives)
        targeted = sorted(mine & set(declared))
        if targeted:
            message = say("funders.objective.targets", who=who, objectives=Items(tuple(targeted)))
            return self._reason("objective", 1.0, message, targeted)
        history = sorted(mine & set(funded))
        if history:
            message = say("funders.objective.funded", who=who, objectives=Items(tuple(history)))
            return self._reason("objective", 0.7, message, history)
        message = say(f"funders.objective.none.{self.ctx.noun}", who=who)
        return self._reason("objective", 0.0, message)

    def _where(self, how: str, who: Message, regions: Items) -> Message:
        """A region sentence naming whose place it is: the project's or the activity's
        projects' countries, or the team's declared regions."""
        return say(f"funders.region.{how}.{self.ctx.located}", who=who, regions=regions)

    def _no_region(self) -> Message:
        return say(f"funders.no_region.{self.ctx.noun}")

    def _no_budget(self) -> Message:
        return say(f"funders.no_budget.{self.ctx.noun}")

    def _call_amount(self, call: Call) -> Reason:
        need, currency = self.ctx.need, self.ctx.currency
        if need is None or currency is None:
            return self._reason("amount", 0.5, self._no_budget())
        if call.currency != currency:
            theirs = call.currency or say("funders.no_currency")
            message = say("funders.amount.currency", call_currency=theirs, currency=currency)
            return self._reason("amount", 0.0, message)
        low, high = call.min_amount or Decimal(0), call.max_amount
        still = Money(need, currency)
        if need == 0:
            return self._reason("amount", 0.2, say("funders.amount.secured"))
        if high is not None and need > high:
            message = say("funders.amount.up_to", high=Money(high, currency), need=still)
            return self._reason("amount", float(high / need), message)
        if need < low:
            message = say("funders.amount.from", low=Money(low, currency), need=still)
            return self._reason("amount", float(need / low), message)
        return self._reason("amount", 1.0, say("funders.amount.fits", need=still))

    def _funder_amount(self, funder: str) -> Reason:
        need, currency = self.ctx.need, self.ctx.currency
        if need is None or currency is None:
            return self._reason("amount", 0.5, self._no_budget())
        history = self.net.grants.get((funder, currency))
        if not history:
            return self._reason("amount", 0.0, say("funders.amount.never", currency=currency))
        usual = Decimal(str(statistics.median(history)))
        if need == 0 or usual == 0:
            return self._reason("amount", 0.2, say("funders.amount.secured"))
        fit = float(min(usual, need) / max(usual, need))
        message = say(
            "funders.amount.usual", usual=Money(usual, currency), need=Money(need, currency)
        )
        return self._reason("amount", fit, message)

    def call_offer(self, call: Call) -> Offer:
        who = say("funders.who.call")
        reasons = (
            self._topics(call.topics),
            self._objective(call.objectives, (), who),
            self._region(call.regions, who),
            self._call_amount(call),
        )
        return Offer("call", call.key, call.funder, total(reasons), reasons)

    def funder_offer(self, org: Organisation) -> Offer:
        who = say("funders.who.funder")
        reasons = (
            self._topics(org.topics),
            self._objective(org.interests, self.net.funded_objectives.get(org.key, ()), who),
            self._region(org.regions, who),
            self._funder_amount(org.key),
        )
        return Offer("funder", org.key, org.key, total(reasons), reasons)

    def top_offers(self, as_of: dt.date, top: int) -> list[Offer]:
        """`offers(as_of)[:top]`, with reasons written for those only.

        Thousands of funders are ranked per question at M, and writing every one's reasons
        cost most of the answer: each is ranked here by its signals' values alone (the same
        values, weighted and summed in the same order as `total`), and the few shown are then
        made by `call_offer` and `funder_offer` as `offers` makes them.
        """
        mine = frozenset(self.ctx.objectives)
        weights = tuple(WEIGHTS[s] for s in _SIGNALS)
        ranked_: list[tuple[float, str, Call | Organisation]] = []

        def rank(kind: str, key: str, item: Call | Organisation, rest: tuple[float, ...]) -> None:
            score = round(sum(w * v for w, v in zip(weights, rest, strict=True)), PRECISION)
            ranked_.append((-score, f"{kind}:{key}", item))

        who_call, who_funder = say("funders.who.call"), say("funders.who.funder")
        for call in self.net.calls:
            if call.deadline is not None and call.deadline < as_of:
                continue
            topics = self.scorer.value(call.topics)
            objective = 0.0 if mine.isdisjoint(call.objectives) else 1.0
            if topics > 0 or objective > 0:
                region = self._region(call.regions, who_call).value
                amount = self._call_amount(call).value
                rank("call", call.key, call, (topics, objective, region, amount))
        funders = self.net.funders - set(self.ctx.team) - self.ctx.funders
        funded = self.net.funded_objectives
        for key in sorted(funders):
            org = self.net.organisations.get(key)
            if org is None:
                continue
            topics = self.scorer.value(org.topics)
            if not mine.isdisjoint(org.interests):
                objective = 1.0
            elif not mine.isdisjoint(funded.get(key, ())):
                objective = 0.7
            else:
                objective = 0.0
            if topics > 0 or objective > 0:
                region = self._region(org.regions, who_funder).value
                amount = self._funder_amount(key).value
                rank("funder", key, org, (topics, objective, region, amount))
        ranked_.sort(key=_first_two)
        with_call = {item.funder for _, _, item in ranked_ if isinstance(item, Call)}
        out: list[Offer] = []
        for _, _, item in ranked_:
            if len(out) >= top:
                break
            if isinstance(item, Call):
                out.append(self.call_offer(item))
            elif item.key not in with_call:
                out.append(self.funder_offer(item))
        return out

    def offers(self, as_of: dt.date) -> list[Offer]:
        """Open calls and funders that fit by topic or objective, best first."""
        out: list[Offer] = []
        for call in self.net.calls:
            if call.deadline is not None and call.deadline < as_of:
                continue
            out.append(self.call_offer(call))
        funders = self.net.funders - set(self.ctx.team) - self.ctx.funders
        for key in sorted(funders):
            org = self.net.organisations.get(key)
            if org is not None:
                out.append(self.funder_offer(org))
        relevant = [
            o
            for o in out
            if any(r.value > 0 for r in o.reasons if r.signal in {"topics", "objective"})
        ]
        best = ranked(relevant, lambda o: o.score, lambda o: f"{o.kind}:{o.key}")
        # One row per funder: its best offer (an open call of its own, or itself), so the
        # same funder is never listed twice. Two calls of one funder are two offers.
        shown_calls = {o.organisation for o in best if o.kind == "call"}
        return [o for o in best if o.kind == "call" or o.organisation not in shown_calls]


@analysis(
    "Open funding calls and funders ranked by fit for a project, with the reasons.",
    description=(
        "Signals: topics, objective, region (where the project takes place: the UN M49"
        " regions of its countries, else the regions its team works in)"
        " and amount (what the project still needs in its own currency, against a call's"
        " range or a funder's usual grant; other currencies are not compared). Calls whose"
        " deadline is before as_of are closed and left out; funders already funding the"
        " project are left out; a funder with a fitting open call is listed with that call"
        " only."
    ),
    params=(
        code_param("project", "the project id", required=True),
        top_param(10, 200, "calls and funders"),
        AS_OF,
        LANG,
    ),
    columns=OFFER_COLUMNS,
)
def funders_for_project(store: GraphStore, bound: Bound) -> list[Row]:
    """The open calls and the funders that fit by topic or objective, best first."""
    net = projections(store)
    return _offer_rows(net, project_context(store, net, bound), bound)


@analysis(
    "Open funding calls and funders for a gap: an activity, with or without a project yet.",
    description=(
        "What could fund work on an activity that no live project addresses (or any"
        " activity): the calls and funders that fit its topics (its own, else its"
        " objective's) and its objective, and where its live projects take place (the"
        " regions of their countries), else where their teams work."
        " Amounts are not compared (an activity has no budget). Calls closed before as_of"
        " are left out; a funder with a fitting open call is listed with that call only."
    ),
    params=(
        code_param("activity", "the activity's code, e.g. A2.07", required=True),
        top_param(10, 200, "calls and funders"),
        AS_OF,
        LANG,
    ),
    columns=OFFER_COLUMNS,
)
def funders_for_activity(store: GraphStore, bound: Bound) -> list[Row]:
    """The open calls and the funders that fit an activity, best first."""
    net = projections(store)
    activity = activity_context(store, net, bound)
    team = sorted(activity.team)
    projects = {m.group[1] for places in activity.team.values() for m in places}
    place = net.place(c for p in sorted(projects) for c in net.project_countries.get(p, ()))
    where = located(place, team_regions(net, team), "activity")
    ctx = ProjectContext(
        key=activity.key,
        title=activity.title,
        budget=None,
        currency=None,
        objectives=(activity.objective,),
        topics=activity.topics or activity.objective_topics,
        team=tuple(team),
        funders=frozenset(),
        secured=Decimal(0),
        noun="activity",
        regions=where.regions,
        regions_from=where.regions_from,
        place=place,
        located=where.located,
    )
    return _offer_rows(net, ctx, bound)


def _offer_rows(net: Projections, ctx: ProjectContext, bound: Bound) -> list[Row]:
    as_of = bound.date("as_of") or dt.date.today()
    offers = FunderMatcher(net, ctx).top_offers(as_of, bound.integer("top", 10))
    speaker = speaker_for(bound, net.labels)
    calls = {c.key: c for c in net.calls}
    rows: list[Row] = []
    for rank, offer in enumerate(offers, start=1):
        call = calls.get(offer.key) if offer.kind == "call" else None
        rows.append(
            {
                "rank": rank,
                "kind": offer.kind,
                "call": call.key if call else None,
                "call_title": call.title if call else None,
                "organisation": offer.organisation,
                "name": net.name(offer.organisation) if offer.organisation else None,
                "score": shown(offer.score),
                "deadline": call.deadline.isoformat() if call and call.deadline else None,
                "reasons": reasons_out(offer.reasons, speaker),
                "signals": signals_out(offer.reasons),
            }
        )
    return rows
