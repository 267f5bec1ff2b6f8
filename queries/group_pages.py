"""What the page of a project or an alliance shows: who is in it, what it works on, its money.

A project page tells a funder or a prospective partner what the project is (stage, dates,
budget, where it takes place), who carries it (the lead and the partners, with their type and
country), which activities of the Implementation Strategy it addresses and under which
objectives, and every funding line (funder, pledged / committed / disbursed, amount, currency,
date), with totals per currency, never converted. An alliance page tells who its members are,
which activities it carries and which projects it runs. Both name the sources their facts come
from, with the licence, since an IATI activity may be shown only with its publisher's licence.

Each part is one `.rq` block of queries/blocks/pages/ (`project-*`, `alliance-*`; the sources
`*-sources` of blocks/describe/, run with the sources as named graphs), so that no
row of one multiplies another. The model is plain data; the suggestions beside it (who could
join, who could fund) are slower and computed apart, under a time limit, by the faces.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox

from graph.base import GraphStore
from graph.dataset import SourceInfo
from graph.results import SelectResult
from queries.answer import Row, rows_of
from queries.page_data import View
from queries.sparql import named_rows, rq, run
from sic.errors import NotFound
from sic.iris import mint

FUNDING_STATUSES: tuple[str, ...] = ("pledged", "committed", "disbursed")
"""How far a funding line has gone, least to most; committed and disbursed are secured."""
SECURED = frozenset({"committed", "disbursed"})


@dataclass(frozen=True)
class TeamMember:
    """One organisation of a project's team or an alliance, in one role."""

    organisation: str
    name: str
    role: str  # lead, partner (projects) or member (alliances)
    type: str | None
    status: str | None
    country: str | None


@dataclass(frozen=True)
class Addressed:
    """An activity a project addresses or an alliance carries, under its objective."""

    activity: str
    title: str
    objective: str | None
    objective_title: str | None


@dataclass(frozen=True)
class FundingLine:
    """One funding row: who gives how much, in which currency, how far it has gone, when."""

    funding: str
    funder: str | None
    funder_name: str | None
    status: str | None
    amount: Decimal | None
    currency: str | None
    date: str | None


@dataclass(frozen=True)
class CurrencyTotal:
    """A project's funding in one currency: each status's sum, and what is secured."""

    currency: str
    pledged: Decimal
    committed: Decimal
    disbursed: Decimal

    @property
    def secured(self) -> Decimal:
        return self.committed + self.disbursed


@dataclass(frozen=True)
class Attribution:
    """A source the page's facts come from, as its provenance names it."""

    name: str
    title: str
    publisher: str | None
    license: str | None
    original: str | None


@dataclass(frozen=True)
class ProjectPage:
    """A project as its page shows it."""

    key: str
    title: str
    description: str | None
    stage: str | None
    live: bool | None
    start: str | None
    end: str | None
    budget: Decimal | None
    currency: str | None
    countries: tuple[str, ...]
    alliance: str | None
    alliance_title: str | None
    team: tuple[TeamMember, ...]
    activities: tuple[Addressed, ...]
    funding: tuple[FundingLine, ...]
    totals: tuple[CurrencyTotal, ...]
    attribution: tuple[Attribution, ...]

    @property
    def lead(self) -> TeamMember | None:
        return next((m for m in self.team if m.role == "lead"), None)

    @property
    def objectives(self) -> tuple[str, ...]:
        return tuple(sorted({a.objective for a in self.activities if a.objective}))


@dataclass(frozen=True)
class GroupProject:
    """A project an alliance carries."""

    project: str
    title: str
    stage: str | None
    live: bool | None
    lead: str | None
    lead_name: str | None
    budget: Decimal | None
    currency: str | None


@dataclass(frozen=True)
class AlliancePage:
    """An alliance as its page shows it."""

    key: str
    title: str
    description: str | None
    formed: str | None
    members: tuple[TeamMember, ...]
    activities: tuple[Addressed, ...]
    projects: tuple[GroupProject, ...]
    attribution: tuple[Attribution, ...]

    @property
    def objectives(self) -> tuple[str, ...]:
        return tuple(sorted({a.objective for a in self.activities if a.objective}))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _members(rows: Iterable[Row]) -> tuple[TeamMember, ...]:
    return tuple(
        TeamMember(
            organisation=str(r["organisation"]),
            name=str(r["name"] or r["organisation"]),
            role=str(r["role"]),
            type=_text(r["type"]),
            status=_text(r["status"]),
            country=_text(r["country"]),
        )
        for r in rows
    )


def _addressed(view: View, rows: Iterable[Row]) -> tuple[Addressed, ...]:
    out = []
    for r in rows:
        objective = _text(r["objective"])
        out.append(
            Addressed(
                activity=str(r["activity"]),
                title=view.name("activity", r["activity"], r["title"] or r["activity"]),
                objective=objective,
                objective_title=(
                    view.name("objective", objective, r["objective_title"] or objective)
                    if objective
                    else None
                ),
            )
        )
    return tuple(out)


def funding_totals(lines: Sequence[FundingLine]) -> tuple[CurrencyTotal, ...]:
    """Each currency's sums by status, currencies in alphabetical order (never converted).

    >>> line = FundingLine("f", None, None, "committed", Decimal(5), "EUR", None)
    >>> funding_totals([line, line])[0].secured
    Decimal('10')
    """
    sums: dict[str, dict[str, Decimal]] = {}
    for line in lines:
        if line.amount is None or line.currency is None or line.status not in FUNDING_STATUSES:
            continue
        by_status = sums.setdefault(line.currency, dict.fromkeys(FUNDING_STATUSES, Decimal(0)))
        by_status[line.status] += line.amount
    return tuple(
        CurrencyTotal(c, s["pledged"], s["committed"], s["disbursed"])
        for c, s in sorted(sums.items())
    )


def attribution(
    store: GraphStore, kind: str, key: str, sources: Iterable[SourceInfo]
) -> tuple[Attribution, ...]:
    """The sources whose graphs state that `key` is a `kind`, with their provenance."""
    query = rq(f"{kind}-sources")
    terms = {kind: ox.NamedNode(str(mint(kind, key, store.base)))}
    rows = rows_of(
        run(store, query, terms, SelectResult, sources_named=True), store.base, query.columns
    )
    graphs = {str(r["source"]) for r in rows}
    return tuple(_attribution(s) for s in sources if s.graph in graphs)


def _attribution(source: SourceInfo) -> Attribution:
    about: Mapping[str, str] = source.about
    return Attribution(
        name=source.name,
        title=about.get("title") or source.name,
        publisher=about.get("publisher"),
        license=about.get("license"),
        original=about.get("source"),
    )


def project_page(view: View, key: str, sources: Iterable[SourceInfo] = ()) -> ProjectPage:
    """The page model of one project; `sources` are the store's, to attribute its facts.

    :raises NotFound: no such project.
    """
    store = view.store
    project = ox.NamedNode(str(mint("project", key, store.base)))
    found = named_rows(store, "project-page", project=project)
    if not found:
        raise NotFound(f"no project {key!r}")
    row = found[0]
    funding = tuple(
        FundingLine(
            funding=str(r["funding"]),
            funder=_text(r["funder"]),
            funder_name=_text(r["funder_name"] or r["funder"]),
            status=_text(r["status"]),
            amount=_decimal(r["amount"]),
            currency=_text(r["currency"]),
            date=_text(r["date"]),
        )
        for r in named_rows(store, "project-funding", project=project)
    )
    alliance = _text(row["alliance"])
    return ProjectPage(
        key=key,
        title=view.name("project", key, row["title"] or key),
        description=_text(row["description"]),
        stage=_text(row["stage"]),
        live=None if row["live"] is None else bool(row["live"]),
        start=_text(row["start"]),
        end=_text(row["end"]),
        budget=_decimal(row["budget"]),
        currency=_text(row["currency"]),
        countries=tuple(
            str(r["country"]) for r in named_rows(store, "project-countries", project=project)
        ),
        alliance=alliance,
        alliance_title=(
            view.name("alliance", alliance, row["alliance_title"] or alliance) if alliance else None
        ),
        team=_members(named_rows(store, "project-team", project=project)),
        activities=_addressed(view, named_rows(store, "project-activities", project=project)),
        funding=funding,
        totals=funding_totals(funding),
        attribution=attribution(store, "project", key, sources),
    )


def alliance_page(view: View, key: str, sources: Iterable[SourceInfo] = ()) -> AlliancePage:
    """The page model of one alliance; `sources` are the store's, to attribute its facts.

    :raises NotFound: no such alliance.
    """
    store = view.store
    alliance = ox.NamedNode(str(mint("alliance", key, store.base)))
    found = named_rows(store, "alliance-page", alliance=alliance)
    if not found:
        raise NotFound(f"no alliance {key!r}")
    row = found[0]
    projects = tuple(
        GroupProject(
            project=str(r["project"]),
            title=str(r["title"] or r["project"]),
            stage=_text(r["stage"]),
            live=None if r["live"] is None else bool(r["live"]),
            lead=_text(r["lead"]),
            lead_name=_text(r["lead_name"] or r["lead"]),
            budget=_decimal(r["budget"]),
            currency=_text(r["currency"]),
        )
        for r in named_rows(store, "alliance-projects", alliance=alliance)
    )
    return AlliancePage(
        key=key,
        title=view.name("alliance", key, row["title"] or key),
        description=_text(row["description"]),
        formed=_text(row["formed"]),
        members=_members(named_rows(store, "alliance-members", alliance=alliance)),
        activities=_addressed(view, named_rows(store, "alliance-activities", alliance=alliance)),
        projects=projects,
        attribution=attribution(store, "alliance", key, sources),
    )
