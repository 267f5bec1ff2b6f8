"""Per-objective figures kept from write to write: money and coverage without grouping the store.

funding-by-objective, coverage-by-objective, objective-profile and uncovered-activities group
every live project of the store by objective, currency or activity. The engine does that whole
on every call, even for one objective (pyoxigraph's substitution does not reach into a grouped
subquery): 0.45-0.5 s for funding-by-objective at M, 90-140 ms for each part of a profile, and
for uncovered-activities 90 ms in the service's process but 220-260 ms in a worker just forked
(its scan of 41,693 `sic:addresses` links first copies the pages it touches, and every write
forks new workers). The sums and the covered activities only change when a project, its stage
or a funding line does, so the service keeps them: `ObjectiveFigures` is built once from five
building blocks (objective-figures-*.rq, read through queries.network_tables), and after each
write patches the share of the projects the write touched, before the workers are forked
(queries.network.keep_up). A question then only reads the small parts the sums do not cover
(titles, facilities, the activities of an objective) with a query of its own, and joins.

The blocks and the questions use the same patterns, so the kept answers equal the `.rq` ones
(tests/queries/test_objective_figures.py checks it after random writes). Where an amount or a
stage order is not a number the sums can reproduce exactly (a double, a string), the question
runs its `.rq` file instead, as it does in a process that has not built the figures.
"""

from __future__ import annotations

import decimal
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from pyoxigraph import NamedNode

from graph.base import GraphStore
from graph.results import Term
from queries.answer import Row
from queries.network_tables import Changed, Owner, Tables
from queries.sparql import named_rows
from sic.vocab import SIC_NS

PROJECTS = "objective-figures-projects"
BUDGETS = "objective-figures-budgets"
FUNDINGS = "objective-figures-fundings"
ACTIVITIES = "objective-figures-activity-objectives"
ADDRESSES = "objective-figures-addresses"
BLOCKS = (PROJECTS, BUDGETS, FUNDINGS, ACTIVITIES, ADDRESSES)

GAPS = "objective-figures-gaps"
ONE_BY_ONE = 50
"""Gaps looked up one query each (about 0.3 ms); beyond, one query reads every activity (50
ms at M)."""
_GAP_COLUMNS = (
    "activity",
    "title",
    "objective",
    "objective_title",
    "category",
    "category_label",
    "facility",
)

PLEDGED = SIC_NS + "FundingPledged"
"""The status of a funding line only promised: counted apart from the money secured."""

KEPT = (
    "funding-by-objective",
    "coverage-by-objective",
    "objective-activities",
    "uncovered-activities",
)
"""The questions (and building blocks) answered from the kept figures."""

_EXACT = decimal.Context(prec=100, traps=[decimal.Inexact, decimal.Overflow])
"""Sums of the store's decimals (at most 18 digits after the point) stay exact in this."""
_ZERO = Decimal(0)

Key = tuple[str, str, str]  # (objective IRI, objective key, currency)
Totals = tuple[int, Decimal, Decimal, Decimal, int, int, int]
"""Projects; the requested, pledged and secured sums; and how many decimals each sum adds (the
engine's SUM of integers only is an integer, with one decimal among them a decimal)."""


def _exact(amount: Any) -> bool:
    """Whether the engine's SUM of this amount is a decimal the kept sums reproduce."""
    if isinstance(amount, bool):
        return False
    if isinstance(amount, int):
        return True
    if isinstance(amount, Decimal) and amount.is_finite():
        exponent = amount.as_tuple().exponent
        return isinstance(exponent, int) and exponent >= -18
    return False


class _Unsure(Exception):
    """A value the kept figures cannot compare as the engine would: the `.rq` file answers."""


def _order(value: Any) -> int:
    """A stage order, which must be an integer for the comparisons below to be the engine's."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Unsure(value)
    return value


def _add(a: Totals, b: Totals, sign: int = 1) -> Totals:
    return (
        a[0] + sign * b[0],
        _EXACT.add(a[1], sign * b[1]),
        _EXACT.add(a[2], sign * b[2]),
        _EXACT.add(a[3], sign * b[3]),
        a[4] + sign * b[4],
        a[5] + sign * b[5],
        a[6] + sign * b[6],
    )


def _row(requested: Any, pledged: Any, secured: Any) -> Totals:
    """One money row of funding-by-objective's UNION (its 0.0 are decimals)."""
    amounts = (requested, pledged, secured)
    r, p, s = (Decimal(a) for a in amounts)
    dr, dp, ds = (int(isinstance(a, Decimal)) for a in amounts)
    return (1, r, p, s, dr, dp, ds)


def _sum(total: Decimal, decimals: int) -> int | Decimal:
    """A sum as the engine gives it: an integer if it added integers only."""
    return canonical(total) if decimals else int(total)


def canonical(amount: Decimal) -> Decimal:
    """A sum as the engine writes an xsd:decimal (1500, 1500.5: no exponent, no trailing 0)."""
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text if text not in {"", "-0"} else "0")


class ObjectiveFigures:
    """The money of live projects per objective and currency, and how far live projects have
    taken each activity, kept for one store version (see the module docstring)."""

    def __init__(self, tables: Tables) -> None:
        self.objectives: dict[str, frozenset[tuple[str, str]]] = {}
        """The objectives (IRI, key) each live project counts for (its activities')."""
        self.objectives_of: dict[str, frozenset[str]] = {}
        """The objectives of each activity (typed sic:Activity)."""
        self.of_objective: dict[str, set[str]] = defaultdict(set)
        """The same by objective: its activities."""
        self.reached: dict[str, dict[str, int]] = {}
        """Per live project, the highest order of its live stages, per activity it addresses."""
        self.reach: dict[str, dict[str, int]] = defaultdict(dict)
        """The same by activity: per activity, each live project's highest order."""
        self.budgets: dict[str, tuple[Row, ...]] = {}
        self.funded: dict[str, dict[str, tuple[Row, ...]]] = defaultdict(dict)
        """Per project, its funding rows by funding line."""
        self.shares: dict[str, dict[Key, Totals]] = {}
        """What each live project adds to the totals (taken out again when it changes)."""
        self.totals: dict[Key, Totals] = {}
        """funding-by-objective's figures, by objective and currency."""
        self.activity_nodes: set[Owner | None] = set()
        """The activities (typed sic:Activity, with an objective) as the store names them."""
        self.covering: dict[str, set[Owner]] = defaultdict(set)
        """Per activity IRI, what covers it in uncovered-activities: live and not an alliance."""
        self.addressing: dict[str, set[Owner]] = defaultdict(set)
        """Per activity IRI, the projects (typed sic:Project) that address it."""
        self.odd_orders: set[str] = set()
        self.odd_money: set[str] = set()
        """Projects with a stage order or an amount the kept figures cannot reproduce."""
        self.follow(
            {
                name: [
                    Changed(owner, rows[0][tables.table(name).block.owner or ""], (), tuple(rows))
                    for owner, rows in tables.table(name).by_owner.items()
                    if rows
                ]
                for name in BLOCKS
            }
        )

    @property
    def exact(self) -> bool:
        """Whether every kept figure equals what the `.rq` file would give."""
        return not self.odd_orders and not self.odd_money

    def follow(self, changes: Mapping[str, Sequence[Changed]]) -> None:
        """Patch the figures for the owners whose rows of the blocks changed."""
        touched: set[str] = set()
        for c in changes.get(ACTIVITIES, ()):
            self._activity(str(c.key), c.after)
            if c.after:
                self.activity_nodes.add(c.owner)
            else:
                self.activity_nodes.discard(c.owner)
        for c in changes.get(ADDRESSES, ()):
            self._addresses(c)
        for c in changes.get(PROJECTS, ()):
            project = str(c.key)
            self._project(project, c.after)
            touched.add(project)
        for c in changes.get(BUDGETS, ()):
            project = str(c.key)
            if c.after:
                self.budgets[project] = c.after
            else:
                self.budgets.pop(project, None)
            touched.add(project)
        for c in changes.get(FUNDINGS, ()):
            line = str(c.key)
            for row in c.before:
                self.funded[str(row["project"])].pop(line, None)
                touched.add(str(row["project"]))
            after: dict[str, list[Row]] = defaultdict(list)
            for row in c.after:
                after[str(row["project"])].append(row)
            for project, rows in after.items():
                self.funded[project][line] = tuple(rows)
                touched.add(project)
        for project in sorted(touched):
            if not self.funded.get(project, True):
                del self.funded[project]
            self._share(project)

    def _activity(self, activity: str, rows: Iterable[Row]) -> None:
        for objective in self.objectives_of.pop(activity, ()):
            self.of_objective[objective].discard(activity)
            if not self.of_objective[objective]:
                del self.of_objective[objective]
        objectives = frozenset(str(row["objective"]) for row in rows)
        if objectives:
            self.objectives_of[activity] = objectives
        for objective in objectives:
            self.of_objective[objective].add(activity)

    def _addresses(self, change: Changed) -> None:
        """What one subject covers and addresses becomes what its rows say."""
        subject = change.owner
        assert subject is not None  # the block is kept by subject
        for kept in (self.covering, self.addressing):
            for row in change.before:
                found = kept.get(str(row["activity_iri"]))
                if found is not None:
                    found.discard(subject)
                    if not found:
                        del kept[str(row["activity_iri"])]
        for row in change.after:
            activity = row["activity_iri"]
            if activity is None:  # a blank node: no gap row can join it (see `uncovered`)
                continue
            if row["live"] and not row["alliance"]:
                self.covering[str(activity)].add(subject)
            if row["project"]:
                self.addressing[str(activity)].add(subject)

    def _project(self, project: str, rows: Iterable[Row]) -> None:
        """A project's objectives and reach become those of its rows."""
        objectives: set[tuple[str, str]] = set()
        reached: dict[str, int] = {}
        self.odd_orders.discard(project)
        for row in rows:
            if row["objective"] is not None:
                if row["objective_iri"] is None:  # a blank node: the file can say, not us
                    self.odd_orders.add(project)
                objectives.add((str(row["objective_iri"]), str(row["objective"])))
            order = row["order"]
            if order is None:
                continue
            if isinstance(order, bool) or not isinstance(order, int):
                self.odd_orders.add(project)
                continue
            activity = str(row["activity"])
            reached[activity] = max(order, reached.get(activity, order))
        for activity in self.reached.pop(project, {}):
            self.reach[activity].pop(project, None)
            if not self.reach[activity]:
                del self.reach[activity]
        if reached:
            self.reached[project] = reached
            for activity, order in reached.items():
                self.reach[activity][project] = order
        if objectives:
            self.objectives[project] = frozenset(objectives)
        else:
            self.objectives.pop(project, None)

    def _money(self, project: str) -> list[tuple[str, Totals]] | None:
        """A project's money rows as funding-by-objective's UNION has them, by currency; None
        if an amount is one the kept sums cannot reproduce."""
        rows: list[tuple[str, Totals]] = []
        for row in self.budgets.get(project, ()):
            if not _exact(row["amount"]):
                return None
            rows.append((str(row["currency"]), _row(row["amount"], _ZERO, _ZERO)))
        for line in sorted(self.funded.get(project, {})):
            for row in self.funded[project][line]:
                amount = row["amount"]
                if not _exact(amount):
                    return None
                pledged = str(row["status"]) == PLEDGED
                money = _row(_ZERO, amount, _ZERO) if pledged else _row(_ZERO, _ZERO, amount)
                rows.append((str(row["currency"]), money))
        return rows

    def _share(self, project: str) -> None:
        """Take the project's old share out of the totals and put its new one in."""
        for key, old in self.shares.pop(project, {}).items():
            left = _add(self.totals[key], old, -1)
            if left[0]:
                self.totals[key] = left
            else:
                del self.totals[key]
        self.odd_money.discard(project)
        objectives = self.objectives.get(project)
        if not objectives:
            return
        money = self._money(project)
        if money is None:
            self.odd_money.add(project)
            return
        by_currency: dict[str, Totals] = {}
        for currency, totals in money:
            found = by_currency.get(currency)
            by_currency[currency] = totals if found is None else _add(found, (0, *totals[1:]))
        share = {(*o, c): t for o in objectives for c, t in by_currency.items()}
        self.shares[project] = share
        for key, totals in share.items():
            found = self.totals.get(key)
            self.totals[key] = totals if found is None else _add(found, totals)

    def live(self, activity: str) -> tuple[int, int]:
        """The highest live stage order projects have taken an activity to (0: none), and how
        many live projects address it."""
        found = self.reach.get(activity)
        return (max(found.values()), len(found)) if found else (0, 0)

    # -- the questions ---------------------------------------------------------------------------

    def funding(self, store: GraphStore, objective: Term | None) -> list[Row]:
        """funding-by-objective's rows."""
        only = str(objective.value) if isinstance(objective, NamedNode) else None
        if objective is not None and only is None:
            raise _Unsure(objective)
        found = sorted(
            (key, totals) for key, totals in self.totals.items() if only in {None, key[0]}
        )
        titles: dict[str, list[Any]] = {}
        for iri in sorted({key[0] for key, _ in found}):
            rows = named_rows(store, "objective-figures-titles", objective=NamedNode(iri))
            titles[iri] = [row["title"] for row in rows]
        out: list[Row] = []
        for (iri, o, currency), (projects, requested, pledged, secured, *decimals) in found:
            for title in titles.get(iri) or [None]:
                out.append(
                    {
                        "objective": o,
                        "title": title,
                        "currency": currency,
                        "projects": projects,
                        "requested": _sum(requested, decimals[0]),
                        "pledged": _sum(pledged, decimals[1]),
                        "secured": _sum(secured, decimals[2]),
                    }
                )
        return out

    def coverage(self, store: GraphStore, objective: Term | None) -> list[Row]:
        """coverage-by-objective's rows."""
        terms = {} if objective is None else {"objective": objective}
        groups: dict[tuple[Any, Any, Any], list[int]] = {}
        for row in named_rows(store, "objective-figures-coverage", **terms):
            funded = _order(row["funded_order"])
            implementation = _order(row["implementation_order"])
            key = (row["objective"], row["title"], row["facility"])
            counts = groups.setdefault(key, [0, 0, 0, 0, 0, row["waiting"]])
            counts[5] = max(counts[5], row["waiting"])
            activities = self.of_objective.get(str(row["objective"]))
            for activity in sorted(activities) if activities else [None]:
                level = -1 if activity is None else self.live(activity)[0]
                counts[0] += activity is not None
                counts[1] += level == 0
                counts[2] += 0 < level < funded
                counts[3] += funded <= level < implementation
                counts[4] += level >= implementation
        names = ("activities", "uncovered", "in_preparation", "funded", "in_implementation")
        return [
            {
                "objective": key[0],
                "title": key[1],
                "facility": key[2],
                **dict(zip(names, counts[:5], strict=True)),
                "waiting": counts[5],
            }
            for key, counts in groups.items()
        ]

    def activities(self, store: GraphStore, objective: Term) -> list[Row]:
        """objective-activities' rows."""
        stages: dict[int, list[Any]] = defaultdict(list)
        for row in named_rows(store, "objective-figures-stages"):
            stages[row["order"]].append(row["stage"])
        out: list[Row] = []
        for row in named_rows(store, "objective-figures-activities", objective=objective):
            level, count = self.live(str(row["activity"]))
            funded = _order(row["funded_order"])
            implementation = _order(row["implementation_order"])
            coverage = (
                "uncovered"
                if level == 0
                else "in_preparation"
                if level < funded
                else "funded"
                if level < implementation
                else "in_implementation"
            )
            for stage in stages.get(level) or [None]:
                out.append(
                    {
                        "objective": row["objective"],
                        "activity": row["activity"],
                        "title": row["title"],
                        "category": row["category"],
                        "category_label": row["category_label"],
                        "facility": row["facility"],
                        "coverage": coverage,
                        "stage": stage,
                        "live_projects": count,
                    }
                )
        return out

    def uncovered(
        self, store: GraphStore, terms: Mapping[str, Term], one_by_one: int = ONE_BY_ONE
    ) -> list[Row]:
        """uncovered-activities' rows: the activities nothing covers, with what the parameters
        select of their labels, facility and waiting links (objective-figures-gaps), in the
        `.rq` file's order. Up to `one_by_one` gaps are each looked up on their own (a gap is
        rare: none among the Global-Facility activities at M); beyond, every activity is read
        in one query and the covered ones are left out."""
        gaps: list[NamedNode] = []
        for node in self.activity_nodes:
            if not isinstance(node, NamedNode):  # a blank node: the block cannot name it
                raise _Unsure(node)
            if node.value not in self.covering:
                gaps.append(node)
        if len(gaps) <= one_by_one:
            found = [
                row
                for gap in sorted(gaps, key=lambda node: node.value)
                for row in named_rows(store, GAPS, **terms, activity=gap)
            ]
        else:
            found = named_rows(store, GAPS, **terms)
        out: list[Row] = []
        for row in found:
            activity = row["activity_iri"]
            if activity is None:  # a blank-node activity: the block cannot name it
                raise _Unsure(row["activity"])
            if str(activity) in self.covering:
                continue
            out.append(
                {
                    **{column: row[column] for column in _GAP_COLUMNS},
                    "finished_projects": len(self.addressing.get(str(activity), ())),
                    "waiting_links": row["waiting_links"],
                }
            )
        return out

    def answer(self, store: GraphStore, name: str, terms: Mapping[str, Term]) -> list[Row] | None:
        """The rows of one of the KEPT questions, or None when only its `.rq` file can say."""
        if name not in KEPT:
            return None
        objective = terms.get("objective")
        try:
            if name == "uncovered-activities":  # neither orders nor amounts: always exact
                return self.uncovered(store, terms)
            if not self.exact:
                return None
            if name == "funding-by-objective":
                return self.funding(store, objective)
            if name == "coverage-by-objective":
                return self.coverage(store, objective)
            return None if objective is None else self.activities(store, objective)
        except _Unsure:
            return None
