"""The figures of a report for a meeting: one objective, or one funder.

A report is what a funder takes away: the activities and how far projects have taken them, the
projects per stage, the money per currency and status, the partners. One `Report` feeds both
faces (the printable page and the XLSX workbook, api/routes/reports.py), so they cannot
disagree. It reads the page blocks queries/blocks/pages/report-*.rq and the catalogue's
objective-activities, on whatever store it is given (the present, or the snapshot `?asOf=`
names). Names are in the reader's language where the graph has them (page_data.View).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox

from queries.answer import Row
from queries.catalogue import run
from queries.page_data import COVERAGE_LEVELS, View
from queries.sparql import named_rows
from sic.errors import NotFound
from sic.iris import mint

STATUSES: tuple[str, ...] = ("pledged", "committed", "disbursed")
KINDS: tuple[str, ...] = ("objective", "funder")


@dataclass(frozen=True)
class ActivityLine:
    activity: str
    title: str
    objective: str
    coverage: str
    stage: str


@dataclass(frozen=True)
class ProjectLine:
    project: str
    title: str
    stage: str
    stage_label: str
    lead: str
    lead_name: str
    partners: tuple[str, ...]  # names


@dataclass(frozen=True)
class MoneyLine:
    """One currency: the amounts per status, and secured (committed plus disbursed)."""

    currency: str
    pledged: Decimal
    committed: Decimal
    disbursed: Decimal

    @property
    def secured(self) -> Decimal:
        return self.committed + self.disbursed


@dataclass(frozen=True)
class PartnerLine:
    organisation: str
    name: str
    roles: tuple[str, ...]  # lead, partner, funder
    projects: int


@dataclass(frozen=True)
class Report:
    kind: str  # objective or funder
    key: str
    title: str
    activities: tuple[ActivityLine, ...]
    coverage: tuple[tuple[str, int], ...]  # (level, activities), COVERAGE_LEVELS order
    stages: tuple[tuple[str, str, int], ...]  # (stage, label, projects), stage order
    projects: tuple[ProjectLine, ...]
    money: tuple[MoneyLine, ...]
    partners: tuple[PartnerLine, ...]


def _term(view: View, kind: str, key: str) -> ox.NamedNode:
    return ox.NamedNode(str(mint(kind, key, view.store.base)))


def _projects(view: View, rows: Sequence[Row]) -> tuple[ProjectLine, ...]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        grouped[str(r["project"])].append(r)
    out = []
    for key, group in grouped.items():
        first = group[0]
        lead = str(first.get("lead") or "")
        partners = sorted(
            {str(r["partner"]): r.get("partner_name") for r in group if r.get("partner")}.items()
        )
        out.append(
            ProjectLine(
                project=key,
                title=view.name("project", key, first.get("title") or key),
                stage=str(first.get("stage") or ""),
                stage_label=view.name("stage", first.get("stage"), first.get("stage")),
                lead=lead,
                lead_name=view.name("organisation", lead, first.get("lead_name") or lead)
                if lead
                else "",
                partners=tuple(view.name("organisation", p, n or p) for p, n in partners),
            )
        )
    order = {str(r["project"]): int(r.get("stage_order") or 0) for r in rows}
    return tuple(sorted(out, key=lambda p: (-order[p.project], p.project)))


def _stages(view: View, rows: Sequence[Row]) -> tuple[tuple[str, str, int], ...]:
    order = {str(r["stage"]): int(r.get("stage_order") or 0) for r in rows if r.get("stage")}
    counts = Counter({str(r["project"]): str(r["stage"]) for r in rows if r.get("stage")}.values())
    stages = sorted(counts, key=lambda s: (order[s] == 0, order[s], s))
    return tuple((s, view.name("stage", s, s), counts[s]) for s in stages)


def _money(rows: Sequence[Row]) -> tuple[MoneyLine, ...]:
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(STATUSES, Decimal(0)))
    seen: set[str] = set()
    for r in rows:
        if r["funding"] in seen:  # a line counts once, however many rows name it
            continue
        seen.add(str(r["funding"]))
        status = str(r["status"])
        if status in STATUSES:
            sums[str(r["currency"])][status] += Decimal(str(r["amount"]))
    return tuple(
        MoneyLine(c, s["pledged"], s["committed"], s["disbursed"]) for c, s in sorted(sums.items())
    )


def _partners(
    view: View, project_rows: Sequence[Row], funding_rows: Sequence[Row]
) -> tuple[PartnerLine, ...]:
    roles: dict[str, set[str]] = defaultdict(set)
    projects: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for r in project_rows:
        for role in ("lead", "partner"):
            if r.get(role):
                roles[str(r[role])].add(role)
                projects[str(r[role])].add(str(r["project"]))
                names.setdefault(str(r[role]), str(r.get(f"{role}_name") or r[role]))
    for r in funding_rows:
        if r.get("funder"):
            roles[str(r["funder"])].add("funder")
            projects[str(r["funder"])].add(str(r["project"]))
            names.setdefault(str(r["funder"]), str(r.get("funder_name") or r["funder"]))
    ordered = ("lead", "partner", "funder")
    return tuple(
        PartnerLine(
            organisation=o,
            name=view.name("organisation", o, names[o]),
            roles=tuple(x for x in ordered if x in roles[o]),
            projects=len(projects[o]),
        )
        for o in sorted(roles, key=lambda o: (-len(projects[o]), o))
    )


def _coverage(activities: Sequence[ActivityLine]) -> tuple[tuple[str, int], ...]:
    counts = Counter(a.coverage for a in activities)
    return tuple((level, counts[level]) for level in COVERAGE_LEVELS)


def _activity_lines(view: View, rows: Sequence[Row]) -> list[ActivityLine]:
    return [
        ActivityLine(
            activity=str(a["activity"]),
            title=view.name("activity", a["activity"], a["title"]),
            objective=str(a["objective"]),
            coverage=str(a.get("coverage") or "uncovered"),
            stage=str(a.get("stage") or ""),
        )
        for a in rows
    ]


def objective_report(view: View, code: str) -> Report:
    """The report of one strategic objective.

    :raises NotFound: no such objective.
    """
    term = _term(view, "objective", code)
    details = named_rows(view.store, "objective-details", objective=term)
    if not details:
        raise NotFound(f"no objective {code!r}")
    activities = _activity_lines(
        view, run(view.store, "objective-activities", {"objective": code}).rows
    )
    project_rows = named_rows(view.store, "report-objective-projects", objective=term)
    funding_rows = named_rows(view.store, "report-objective-funding", objective=term)
    return Report(
        kind="objective",
        key=code,
        title=view.name("objective", code, details[0]["title"]),
        activities=tuple(activities),
        coverage=_coverage(activities),
        stages=_stages(view, project_rows),
        projects=_projects(view, project_rows),
        money=_money(funding_rows),
        partners=_partners(view, project_rows, funding_rows),
    )


def funder_report(view: View, key: str) -> Report:
    """The report of one funder: what its money reaches, the other partners around it.

    An organisation that funds nothing has a report with no lines (it may be a funder yet).

    :raises NotFound: no such organisation.
    """
    term = _term(view, "organisation", key)
    details = named_rows(view.store, "organisation-details", organisation=term)
    if not details:
        raise NotFound(f"no organisation {key!r}")
    reached = named_rows(view.store, "report-funder-activities", funder=term)
    wanted = {str(r["activity"]) for r in reached}
    coverage_rows: list[Row] = []
    for objective in sorted({str(r["objective"]) for r in reached}):
        coverage_rows += [
            a
            for a in run(view.store, "objective-activities", {"objective": objective}).rows
            if str(a["activity"]) in wanted
        ]
    activities = _activity_lines(view, coverage_rows)
    project_rows = named_rows(view.store, "report-funder-projects", funder=term)
    funding_rows = [
        {**r, "funder": key} for r in named_rows(view.store, "report-funder-funding", funder=term)
    ]
    return Report(
        kind="funder",
        key=key,
        title=view.name("organisation", key, details[0]["name"] or key),
        activities=tuple(activities),
        coverage=_coverage(activities),
        stages=_stages(view, project_rows),
        projects=_projects(view, project_rows),
        money=_money(funding_rows),
        partners=_partners(view, project_rows, funding_rows),
    )
