"""alliance-composition: a small set of organisations that together cover what an activity needs.

What an activity needs is its topics (its objective's when it has none of its own) and, for a
Global Facility activity, the three kinds of partner an alliance needs: a research institution,
a producers' organisation or NGO, and a funder or public body. An organisation covers a topic
when it declares that topic or a narrower one (specific expertise answers a general need).

Finding the smallest such set is NP-hard; greedy weighted set cover is within a log factor of
it and explains itself: each step adds the organisation that covers most of what is still
missing, weighted by its fit for the activity (from candidates-for-activity), ties to the better
fit and then the smaller key. Organisations already on a live project for the activity are the
starting point, not candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from graph.base import GraphStore
from queries.analysis import analysis, code_param
from queries.answer import Row
from queries.matching import NEED_KEYS, NEEDED_GROUPS, ActivityMatcher, activity_context
from queries.network import Organisation, Projections, projections
from queries.params import Bound
from queries.scoring import shown, topic_label
from queries.sentences import LANG, Arg, Speaker, say, speaker_for
from sic.rq import Param

Need = tuple[str, str]  # ("topic", key) or ("role", group name)


@dataclass(frozen=True)
class Member:
    """One organisation in the proposed alliance, and what it adds."""

    organisation: Organisation
    fit: float | None
    involved: bool
    brings: frozenset[Need]


def needs_of(net: Projections, topics: Iterable[str], facility: str | None) -> list[Need]:
    """The topics and, for a Global Facility activity, the partner kinds to cover."""
    needs: list[Need] = [("topic", t) for t in sorted(set(topics))]
    if facility == "global":
        needs.extend(("role", group) for group in NEEDED_GROUPS)
    return needs


def covered_by(net: Projections, org: Organisation, needs: Iterable[Need]) -> frozenset[Need]:
    out: set[Need] = set()
    for kind, what in needs:
        if kind == "topic" and not org.topics.isdisjoint(net.topics.under(what)):
            out.add((kind, what))
        if kind == "role" and org.type in NEEDED_GROUPS[what]:
            out.add((kind, what))
    return frozenset(out)


def still_missing(net: Projections, start: Iterable[Organisation], needs: list[Need]) -> set[Need]:
    """What the organisations already involved leave uncovered: what `greedy_cover` has left
    to fill once it has placed them all (each that adds something is placed)."""
    missing = set(needs)
    for org in start:
        missing -= covered_by(net, org, needs)
    return missing


def covers_some(net: Projections, needs: Iterable[Need]) -> Callable[[Organisation], bool]:
    """Whether an organisation covers at least one of `needs` (`covered_by` not empty); one
    that covers none can never be added, so it need not be scored."""
    unders = [net.topics.under(what) for kind, what in needs if kind == "topic"]
    kinds = frozenset(k for kind, what in needs if kind == "role" for k in NEEDED_GROUPS[what])

    def covers(org: Organisation) -> bool:
        return org.type in kinds or any(not org.topics.isdisjoint(u) for u in unders)

    return covers


def _greedy(
    pool: dict[str, tuple[Organisation, float, frozenset[Need]]],
    missing: set[Need],
    involved: bool,
    limit: int,
) -> list[Member]:
    """Add the best organisation of `pool` while it covers something and `limit` allows."""
    added: list[Member] = []
    while missing and len(added) < limit:
        best: tuple[float, float, str] | None = None
        for key, (_, fit, covers) in pool.items():
            gain = len(covers & missing) * (0.5 + 0.5 * fit)
            candidate = (-gain, -fit, key)
            if gain > 0 and (best is None or candidate < best):
                best = candidate
        if best is None:
            break
        org, fit, covers = pool.pop(best[2])
        brings = covers & missing
        missing -= brings
        added.append(Member(org, None if involved else fit, involved, frozenset(brings)))
    return added


def greedy_cover(
    pool: Iterable[tuple[Organisation, float]],
    start: Iterable[Organisation],
    net: Projections,
    needs: list[Need],
    size: int,
) -> tuple[list[Member], set[Need]]:
    """Members in the order they were added, and the needs nobody in the pool covers.

    The organisations already involved come first, in the order the same greedy rule puts
    them (those that add nothing last); then up to `size` new ones.
    """
    missing = set(needs)
    team = {o.key: (o, 1.0, covered_by(net, o, needs)) for o in start}
    members = _greedy(team, missing, True, len(team))
    members.extend(Member(o, None, True, frozenset()) for o, _, _ in team.values())
    others = {o.key: (o, fit, covered_by(net, o, needs)) for o, fit in pool if o.key not in team}
    members.extend(_greedy(others, missing, False, size))
    return members, missing


def _label(net: Projections, need: Need) -> Arg:
    kind, what = need
    return topic_label(net.topics, what) if kind == "topic" else say(f"need.{NEED_KEYS[what]}")


def _labels(net: Projections, needs: Iterable[Need], speaker: Speaker) -> list[str]:
    """What a member brings or what is missing, in the speaker's language: kinds first."""
    ordered = sorted(needs, key=lambda n: (n[0] != "role", n[1]))
    return [speaker.arg(_label(net, n)) for n in ordered]


@analysis(
    "A small set of organisations that together cover what an activity needs.",
    description=(
        "Greedy weighted set cover of the activity's topics and, for a Global Facility"
        " activity, a research institution, a producers' organisation or NGO, and a funder"
        " or public body. Organisations already involved come first (step 0); brings says"
        " what each member adds, still_uncovered what remains after it."
    ),
    params=(
        code_param("activity", "the activity's code, e.g. A2.07", required=True),
        Param(
            "size",
            "integer",
            default=5,
            minimum=1,
            maximum=12,
            description="at most this many organisations to add",
        ),
        LANG,
    ),
    columns="step organisation name type involved fit brings still_uncovered",
)
def alliance_composition(store: GraphStore, bound: Bound) -> list[Row]:
    """One row per member, in the order the greedy cover added them."""
    net = projections(store)
    ctx = activity_context(store, net, bound)
    matcher = ActivityMatcher(net, ctx)
    needs = needs_of(net, ctx.topics or ctx.objective_topics, ctx.facility)
    team = [net.organisations[k] for k in sorted(ctx.team) if k in net.organisations]
    # only candidates that cover something the involved leave missing can be added: the
    # others are not scored at all (thousands of the wide neighbourhood at M)
    useful = covers_some(net, still_missing(net, team, needs))
    pool = [(c.organisation, c.score) for c in matcher.candidates(wide=True, among=useful)]
    members, _ = greedy_cover(pool, team, net, needs, bound.integer("size", 5))
    speaker = speaker_for(bound, net.labels)
    rows: list[Row] = []
    missing = set(needs)
    step = 0
    for member in members:
        missing -= member.brings
        if not member.involved:
            step += 1
        rows.append(
            {
                "step": step,
                "organisation": member.organisation.key,
                "name": member.organisation.name,
                "type": member.organisation.type,
                "involved": member.involved,
                "fit": None if member.fit is None else shown(member.fit),
                "brings": _labels(net, member.brings, speaker),
                "still_uncovered": _labels(net, missing, speaker),
            }
        )
    return rows
