"""What the web pages show, computed from the question catalogue and a few page-only lookups.

The pages are the same answers the API gives (queries.catalogue.run), arranged for people: a
dashboard, the gaps with their filters, an activity with its candidates and a suggested
alliance, an objective, an organisation, the partner network and the catalogue as forms. The
few things the catalogue has no question for (figures for the dashboard, the latest projects,
Delphi evidence, labels in French and Spanish, the values a filter offers) are `.rq` files of
queries/blocks/pages/, bound as terms like every other query. Nothing here writes HTML: the
functions return plain data for the templates, and the routes (api/routes/pages.py and the
linked-data route) render it.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from threading import Lock
from typing import Any, Protocol

import pyoxigraph as ox

from graph.base import GraphStore
from queries.answer import QueryAnswer, Row
from queries.catalogue import Question, question, questions, run
from queries.describe import compact_iri, compactor
from queries.labels import SCHEMES, Labels
from queries.network import projections
from queries.params import ParamRefused
from queries.question_text import question_text
from queries.scoring import SHOWN
from queries.sparql import BLOCKS, FOLDER, named_rows, rq_registry
from queries.trajectory import chart, objective_trajectories
from sic.errors import NotFound, QueryError
from sic.iris import mint
from sic.iris import parse as parse_iri

PAGE_SPARQL = BLOCKS / "pages"
"""The page-only blocks (in the one registry of queries.sparql, kept apart here)."""

COVERAGE_LEVELS: tuple[str, ...] = ("uncovered", "in_preparation", "funded", "in_implementation")
"""The columns of coverage-by-objective, least to most advanced: the heatmap's columns."""
URGENT_GAPS = 6
CANDIDATES_SHOWN = 10
REGION_CANDIDATES = 5
"""A gap is in a region when one of its best this-many candidates works there."""
NETWORK_NODES = 250
"""Organisations drawn at most in /network; the rest are left to the brokers question."""
BROKERS_SHOWN = 8
CHOICES_SHOWN = 1000
"""Suggestions a form offers at most per kind (a datalist beyond that helps no one)."""
GAP_CSV_COLUMNS: tuple[str, ...] = (
    "activity",
    "title",
    "goal",
    "objective",
    "objective_title",
    "category",
    "category_label",
    "facility",
    "finished_projects",
    "waiting_links",
)


def _iri(store: GraphStore, kind: str, key: str) -> ox.NamedNode:
    return ox.NamedNode(str(mint(kind, key, store.base)))


# -- labels and choices (per store version) ------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One value a filter or a form offers."""

    key: str
    label: str
    parent: str | None


@dataclass(frozen=True)
class Choices:
    """What filters and forms offer, by kind, in key order."""

    by_kind: Mapping[str, tuple[Choice, ...]]

    def of(self, kind: str) -> tuple[Choice, ...]:
        return self.by_kind.get(kind, ())

    def parent(self, kind: str, key: str) -> str | None:
        return next((c.parent for c in self.of(kind) if c.key == key), None)


def read_choices(store: GraphStore) -> Choices:
    """Goals, objectives, categories, activities, projects and regions (choices.rq)."""
    found: dict[str, dict[str, Choice]] = defaultdict(dict)
    for row in named_rows(store, "choices"):
        key = str(row["entity"])
        kind = str(row["kind"])
        parent = row.get("parent")
        found[kind].setdefault(
            key, Choice(key, str(row.get("label") or key), None if parent is None else str(parent))
        )
    return Choices({kind: tuple(v[k] for k in sorted(v)) for kind, v in found.items()})


class Lookups:
    """The parameterless page queries of one store version, each run once when first asked.

    The dashboard's figures and latest projects read the whole graph; they change only with
    the data, so the routes keep one Lookups per store version.
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._rows: dict[str, list[Row]] = {}
        self._illustrative: list[tuple[str, str]] | None = None
        self._lock = Lock()

    def rows(self, name: str) -> list[Row]:
        with self._lock:
            if name not in self._rows:
                self._rows[name] = named_rows(self.store, name)
            return self._rows[name]

    def illustrative(self) -> list[tuple[str, str]]:
        """(source name, about note) of each loaded source whose note says it is illustrative.

        Every public page shows these as a banner, so that nobody takes the invented parts of
        a demonstration workbook for the Initiative's own figures.
        """
        with self._lock:
            if self._illustrative is None:
                self._illustrative = [
                    (s.name, s.about["note"])
                    for s in self.store.sources()
                    if "illustrative" in s.about.get("note", "").lower()
                ]
            return self._illustrative


class Reader(Protocol):
    """Who reads a page, as the page data needs to know them (the faces' api.i18n.Ui is one):
    their language, and how a link keeps it."""

    @property
    def lang(self) -> str: ...

    def url(self, path: str, **params: object) -> str: ...


@dataclass(frozen=True)
class View:
    """What every page needs: the store, the reader's language, names, choices, lookups."""

    store: GraphStore
    ui: Reader
    labels: Labels
    choices: Choices
    lookups: Lookups

    def name(self, kind: str, key: object, default: object = None) -> str:
        """An entity's or list value's name in the reader's language where the data has it."""
        kind = SCHEMES.get(kind, kind)
        return self.labels.get(kind, key, self.ui.lang, None if default is None else str(default))

    def name_lang(self, kind: str, key: object) -> str:
        return self.labels.language_of(SCHEMES.get(kind, kind), key, self.ui.lang)

    def name_fallback(self, kind: str, key: object) -> str | None:
        """The language a name is shown in instead of the reader's, when the data lacks it."""
        return self.labels.fallback_of(SCHEMES.get(kind, kind), key, self.ui.lang)


def in_language(view: View, name: str, given: Mapping[str, str]) -> dict[str, str]:
    """The parameters of a question, with the page's language when the question writes
    sentences (declares `lang`): a French page shows French reasons."""
    params = dict(given)
    if any(p.name == "lang" for p in question(name).params):
        params["lang"] = view.ui.lang
    return params


# -- the dashboard --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    level: str
    count: int
    share: float


@dataclass(frozen=True)
class HeatRow:
    objective: str
    title: str
    facility: str
    activities: int
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class FundingBar:
    objective: str
    title: str
    projects: int
    requested: Decimal
    pledged: Decimal
    secured: Decimal
    requested_share: float
    secured_share: float


@dataclass(frozen=True)
class FundingChart:
    """Requested and secured money per objective in one currency (never converted)."""

    currency: str
    bars: tuple[FundingBar, ...]
    requested: Decimal
    secured: Decimal


def _decimal(value: object) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def heatmap(view: View, rows: Sequence[Row]) -> list[HeatRow]:
    """Objectives x coverage levels, each cell the number of activities and their share."""
    out = []
    for row in rows:
        total = int(row["activities"] or 0)
        cells = tuple(
            HeatCell(level, int(row[level] or 0), (int(row[level] or 0) / total) if total else 0.0)
            for level in COVERAGE_LEVELS
        )
        key = str(row["objective"])
        out.append(
            HeatRow(
                key, view.name("objective", key, row["title"]), str(row["facility"]), total, cells
            )
        )
    return out


def funding_charts(view: View, rows: Sequence[Row]) -> list[FundingChart]:
    """One chart per currency, bars scaled to the largest amount of that currency."""
    by_currency: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_currency[str(row["currency"])].append(row)
    charts = []
    for currency in sorted(by_currency):
        group = by_currency[currency]
        top = max(
            (max(_decimal(r["requested"]), _decimal(r["secured"])) for r in group),
            default=Decimal(0),
        )
        bars = tuple(
            FundingBar(
                objective=str(r["objective"]),
                title=view.name("objective", r["objective"], r["title"]),
                projects=int(r["projects"] or 0),
                requested=_decimal(r["requested"]),
                pledged=_decimal(r["pledged"]),
                secured=_decimal(r["secured"]),
                requested_share=float(_decimal(r["requested"]) / top) if top else 0.0,
                secured_share=float(_decimal(r["secured"]) / top) if top else 0.0,
            )
            for r in group
        )
        charts.append(
            FundingChart(
                currency,
                bars,
                sum((b.requested for b in bars), Decimal(0)),
                sum((b.secured for b in bars), Decimal(0)),
            )
        )
    return charts


def urgency(gaps: Sequence[Row], coverage: Sequence[Row]) -> list[Row]:
    """Gaps, most urgent first: in the objectives with the largest share of activities still
    uncovered, then those no project ever took up before those a finished project left, then
    by code. Each row gains `objective_uncovered` (that share) to say why it ranks there."""
    share = {
        str(r["objective"]): (int(r["uncovered"] or 0) / int(r["activities"]))
        for r in coverage
        if r["activities"]
    }
    ranked = [{**g, "objective_uncovered": share.get(str(g["objective"]), 0.0)} for g in gaps]
    return sorted(
        ranked,
        key=lambda g: (
            -g["objective_uncovered"],
            int(g["finished_projects"] or 0) > 0,
            str(g["activity"]),
        ),
    )


def dashboard(view: View) -> dict[str, Any]:
    """Figures, the coverage heatmap, funding per objective, the urgent gaps, latest projects."""
    store = view.store
    counts = view.lookups.rows("dashboard-counts")[0]
    coverage = run(store, "coverage-by-objective").rows
    gaps = run(store, "uncovered-activities", {"facility": "global"}).rows
    totals = {level: sum(int(r[level] or 0) for r in coverage) for level in COVERAGE_LEVELS}
    return {
        "counts": counts,
        "gap_count": len(gaps),
        "coverage_totals": totals,
        "heatmap": heatmap(view, coverage),
        "waiting": {str(r["objective"]): int(r["waiting"] or 0) for r in coverage},
        "levels": COVERAGE_LEVELS,
        "funding": funding_charts(view, run(store, "funding-by-objective").rows),
        "urgent": urgency(gaps, coverage)[:URGENT_GAPS],
        "recent": view.lookups.rows("recent-projects"),
        "indicators": [
            (code, t)
            for code in sorted({str(r["objective"]) for r in coverage})
            for t in objective_trajectories(store, code, view.ui.lang)
        ],
    }


# -- gaps -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapFilters:
    """The gap list's filters as given (empty strings are no filter)."""

    goal: str = ""
    objective: str = ""
    category: str = ""
    facility: str = "global"
    region: str = ""

    def params(self) -> dict[str, str]:
        """The catalogue parameters of uncovered-activities (goal and region are ours)."""
        out = {"facility": self.facility}
        if self.objective:
            out["objective"] = self.objective
        if self.category:
            out["category"] = self.category
        return out

    def query(self) -> dict[str, str]:
        """The filters as query-string parameters (for links and the CSV download)."""
        values = {
            "goal": self.goal,
            "objective": self.objective,
            "category": self.category,
            "facility": self.facility if self.facility != "global" else "",
            "region": self.region,
        }
        return {k: v for k, v in values.items() if v}


RegionIndex = dict[str, frozenset[str]]
"""Activity -> the regions (and their broader regions) its candidates work in."""


def candidate_regions(store: GraphStore, activity: str) -> frozenset[str]:
    """Where the organisations that could take an activity on work, broader regions included.

    The gap list's region filter keeps a gap when someone working in that region is among its
    REGION_CANDIDATES best candidates: activities themselves have no region, but who could fill
    them does.
    """
    net = projections(store)
    params = {"activity": activity, "top": str(REGION_CANDIDATES)}
    rows = run(store, "candidates-for-activity", params).rows
    found: set[str] = set()
    for row in rows:
        if row["involved"]:
            continue
        org = net.organisations.get(str(row["organisation"]))
        for region in org.regions if org else ():
            found.add(region)
            found.update(net.regions.ancestors(region))
    return frozenset(found)


def gap_rows(
    view: View, filters: GapFilters, regions: Callable[[str], frozenset[str]]
) -> list[Row]:
    """The gaps that pass every filter, in the catalogue's order, names in the reader's language.

    :raises QueryError: a filter value is malformed or not allowed (the catalogue's checks).
    :raises NotFound: a filter names an objective or category that does not exist.
    """
    for kind, value in (
        ("goal", filters.goal),
        ("objective", filters.objective),
        ("category", filters.category),
        ("region", filters.region),
    ):
        if value and value not in {c.key for c in view.choices.of(kind)}:
            raise NotFound(f"no {kind} {value!r}")
    rows = run(view.store, "uncovered-activities", filters.params()).rows
    out = []
    for row in rows:
        goal = view.choices.parent("objective", str(row["objective"]))
        if filters.goal and goal != filters.goal:
            continue
        if filters.region and filters.region not in regions(str(row["activity"])):
            continue
        out.append(
            {
                **row,
                "goal": goal,
                "title": view.name("activity", row["activity"], row["title"]),
                "objective_title": view.name("objective", row["objective"], row["objective_title"]),
                "category_label": view.name("category", row["category"], row["category_label"]),
            }
        )
    return out


def gaps_page(
    view: View, filters: GapFilters, regions: Callable[[str], frozenset[str]]
) -> dict[str, Any]:
    """The gap list and what its filters offer."""
    return {
        "filters": filters,
        "gaps": gap_rows(view, filters, regions),
        "goals": view.choices.of("goal"),
        "objectives": view.choices.of("objective"),
        "categories": view.choices.of("category"),
        "regions": view.choices.of("region"),
    }


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV (RFC 4180, CRLF); lists and objects as JSON inside their cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return str(value)


# -- activity, objective, organisation -------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A project or alliance working on an activity, with its team."""

    kind: str
    key: str
    title: str
    stage: str | None
    live: bool | None
    members: tuple[tuple[str, str, str], ...]  # (organisation, name, role)


def activity_page(view: View, code: str) -> dict[str, Any]:
    """An activity: where it stands, who works on it, who could, and a suggested alliance.

    :raises NotFound: no such activity.
    """
    store = view.store
    context = run(store, "activity-context", {"activity": code}).rows
    if not context:
        raise NotFound(f"no activity {code!r}")
    row = context[0]
    objective = str(row["objective"])
    standing = next(
        (
            r
            for r in run(store, "objective-activities", {"objective": objective}).rows
            if r["activity"] == code
        ),
        {},
    )
    net = projections(store)
    groups = []
    for kind, key in net.groups_for_activity(code):
        members = net.members_of.get((kind, key), ())
        first = members[0] if members else None
        groups.append(
            Group(
                kind=kind,
                key=key,
                title=view.name(kind, key, net.group_title((kind, key))),
                stage=first.stage if first else None,
                live=first.live if first else None,
                members=tuple(
                    (m.organisation, net.name(m.organisation), m.role)
                    for m in sorted(members, key=lambda m: (m.role != "lead", m.organisation))
                ),
            )
        )
    asked = {"activity": code, "top": str(CANDIDATES_SHOWN)}
    candidates = run(
        store, "candidates-for-activity", in_language(view, "candidates-for-activity", asked)
    ).rows
    return {
        "code": code,
        "title": view.name("activity", code, row["title"]),
        "objective": objective,
        "objective_title": view.name("objective", objective, row["objective_title"]),
        "category": row["category"],
        "facility": row["facility"],
        "coverage": standing.get("coverage") or "uncovered",
        "stage": standing.get("stage"),
        "category_label": view.name("category", row["category"], standing.get("category_label")),
        "groups": sorted(groups, key=lambda g: (g.live is False, g.kind, g.key)),
        "involved": [c for c in candidates if c["involved"]],
        "candidates": [c for c in candidates if not c["involved"]],
        "alliance": run(
            store,
            "alliance-composition",
            in_language(view, "alliance-composition", {"activity": code}),
        ).rows,
    }


def objective_page(view: View, code: str) -> dict[str, Any]:
    """An objective: baseline and targets, activities and coverage, Task Force, evidence.

    :raises NotFound: no such objective.
    """
    profile = run(view.store, "objective-profile", {"objective": code}).rows[0]
    activities = [
        {**a, "title": view.name("activity", a["activity"], a["title"])}
        for a in profile["activities"]
    ]
    coverage: Mapping[str, Any] = profile["coverage"] or {}
    total = int(coverage.get("activities") or 0)
    evidence = named_rows(
        view.store, "delphi-evidence", objective=_iri(view.store, "objective", code)
    )
    return {
        "profile": profile,
        "title": view.name("objective", code, profile["title"]),
        "goal_title": view.name("goal", profile["goal"], profile["goal_title"]),
        "activities": activities,
        "coverage": [(level, int(coverage.get(level) or 0)) for level in COVERAGE_LEVELS],
        "coverage_total": total,
        "funding": funding_charts(
            view, [{**f, "objective": code, "title": profile["title"]} for f in profile["funding"]]
        ),
        "evidence": evidence,
        "trajectories": [
            (t, chart(t)) for t in objective_trajectories(view.store, code, view.ui.lang)
        ],
    }


def organisation_page(view: View, key: str) -> dict[str, Any]:
    """An organisation: profile, projects, alliances, people and partnership opportunities.

    :raises NotFound: no such organisation.
    """
    profile = run(view.store, "organisation-profile", {"organisation": key}).rows[0]
    opportunities = run(
        view.store, "partnership-opportunities", {"organisation": key, "top": "10"}
    ).rows
    mine = []
    for o in opportunities:
        side = "b" if o["organisation_a"] == key else "a"
        mine.append(
            {
                "organisation": o[f"organisation_{side}"],
                "name": o[f"organisation_{side}_name"],
                "score": o["score"],
                "shared": o["shared"],
                "shared_keys": o["shared_keys"],
                "distance": o["distance"],
            }
        )
    return {"profile": profile, "opportunities": mine}


# -- the partner network --------------------------------------------------------------------------


def network_data(view: View, objective: str | None) -> dict[str, Any]:
    """Organisations and who collaborated with whom (shared projects or alliances), brokers
    marked: the input of the network drawing, as JSON-ready data.

    At most NETWORK_NODES organisations, the best connected (betweenness, then degree) first.

    :raises NotFound: `objective` does not exist.
    """
    store = view.store
    if objective and objective not in {c.key for c in view.choices.of("objective")}:
        raise NotFound(f"no objective {objective!r}")
    net = projections(store)
    graph = net.objective_graph(objective or None)
    betweenness = net.brokers(objective or None)
    brokers = run(
        store,
        "brokers",
        {"top": str(BROKERS_SHOWN), **({"objective": objective} if objective else {})},
    ).rows
    broker_keys = {str(b["organisation"]) for b in brokers if (b["betweenness"] or 0) > 0}
    ranked = sorted(graph.nodes, key=lambda n: (-betweenness.get(n, 0.0), -graph.degree(n), str(n)))
    shown = sorted(str(n) for n in ranked[:NETWORK_NODES])
    keep = set(shown)
    nodes = []
    for key in shown:
        org = net.organisations.get(key)
        nodes.append(
            {
                "id": key,
                "name": net.name(key),
                "type": org.type if org else None,
                "type_label": view.name("type", org.type) if org and org.type else "",
                "degree": graph.degree(key),
                "betweenness": round(betweenness.get(key, 0.0), SHOWN),
                "broker": key in broker_keys,
                "href": view.ui.url(f"/id/organisation/{key}"),
            }
        )
    edges = []
    for a, b in sorted(tuple(sorted((str(x), str(y)))) for x, y in graph.edges):
        if a in keep and b in keep:
            groups = graph[a][b]["groups"]
            edges.append(
                {
                    "source": a,
                    "target": b,
                    "weight": len(groups),
                    "groups": [net.group_title(g) for g in sorted(groups)],
                }
            )
    return {
        "objective": objective or None,
        "nodes": nodes,
        "edges": edges,
        "brokers": [
            {**b, "name": net.name(str(b["organisation"]))}
            for b in brokers
            if str(b["organisation"]) in broker_keys
        ],
        "total_nodes": graph.number_of_nodes(),
        "types": sorted({(n["type"] or "other", n["type_label"] or "—") for n in nodes}),
    }


# -- the catalogue as forms, and the query editor --------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One input of a question's form."""

    name: str
    type: str
    required: bool
    default: str
    allowed: tuple[str, ...]
    description: str
    kind: str | None
    minimum: float | None
    maximum: float | None
    suggestions: tuple[Choice, ...] = field(default=())


def form_fields(view: View, q: Question, given: Mapping[str, str]) -> list[Field]:
    """The inputs of a question's form, filled with what was given or the defaults."""
    out = []
    for p in q.params:
        if p.name == "lang":
            continue  # the page's own language is the answer's: no field to contradict it
        suggestions: tuple[Choice, ...] = ()
        if p.kind == "organisation":
            net = projections(view.store)
            suggestions = tuple(
                Choice(k, net.organisations[k].name, None) for k in sorted(net.organisations)
            )
        elif p.kind:
            suggestions = view.choices.of(p.kind)
        default = "" if p.default in (None, "today") else str(p.default)
        out.append(
            Field(
                name=p.name,
                type=p.type,
                required=p.required,
                default=given.get(p.name, default),
                allowed=p.allowed,
                description=p.description,
                kind=p.kind,
                minimum=p.minimum,
                maximum=p.maximum,
                suggestions=suggestions[:CHOICES_SHOWN],
            )
        )
    return out


def catalogue_page(view: View) -> dict[str, Any]:
    """Every question of the catalogue with its form."""
    told = view.ui.lang
    return {
        "questions": [(q, form_fields(view, q, {}), question_text(q, told)) for q in questions()]
    }


def answer_page(view: View, name: str, given: Mapping[str, str]) -> dict[str, Any]:
    """One question's form and, once submitted (or when it needs nothing), its answer.

    A parameter the catalogue refuses, or an entity it names that does not exist, comes back
    as the form with the message and status 400 or 404, so the reader can correct it.

    :raises NotFound: no such question.
    """
    q = next((q for q in questions() if q.name == name), None)
    if q is None:
        raise NotFound(f"no question named {name!r}")
    answer: QueryAnswer | None = None
    error: str | None = None
    refused_param: ParamRefused | None = None
    status = 200
    if given or not any(p.required for p in q.params):
        try:
            answer = run(view.store, name, in_language(view, name, given))
        except (QueryError, NotFound) as refused:
            error, status = str(refused), 404 if isinstance(refused, NotFound) else 400
            if isinstance(refused, ParamRefused):
                refused_param = refused
    return {
        "question": q,
        "told": question_text(q, view.ui.lang),
        "fields": form_fields(view, q, given),
        "answer": answer,
        "error": error,
        "refused": refused_param,
        "status_code": status,
        "downloads": given,
    }


def editor_examples(lang: str = "en") -> list[dict[str, str]]:
    """The catalogue's SPARQL questions as examples for the query editor, with their summary
    in `lang` (English where it has no translation)."""
    out = []
    for q in rq_registry().in_folder(FOLDER):
        if q.role == "question":
            summary = question_text(question(q.name), lang).summary.text
            out.append({"name": q.name, "summary": summary, "text": f"# {summary}\n{q.text}"})
    return out


def editor_prefixes() -> list[tuple[str, str]]:
    """The prefixes the service uses everywhere (its JSON-LD context), for the editor."""
    return sorted(compactor().prefixes)


def results_table(
    answer: Mapping[str, Any],
    base: str,
    root: str,
    labels: Labels | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """SPARQL JSON results as a table for people: IRIs compacted with the service's prefixes
    (and this service's own linked to their page, under their name in `lang` where `labels`
    has one, else in English with `fallback` saying so), literals with their language. An ASK
    answer is one cell."""
    if "boolean" in answer:
        return {"columns": ["ask"], "rows": [[{"text": str(answer["boolean"]).lower()}]]}
    columns: list[str] = list(answer.get("head", {}).get("vars", []))
    named = labels or Labels({})
    rows = [
        [_result_cell(binding.get(name), base, root, named, lang) for name in columns]
        for binding in answer.get("results", {}).get("bindings", [])
    ]
    return {"columns": columns, "rows": rows}


def _result_cell(
    term: Mapping[str, str] | None, base: str, root: str, labels: Labels, lang: str
) -> dict[str, str]:
    if term is None:
        return {"text": ""}
    value = term.get("value", "")
    kind = term.get("type")
    if kind == "uri":
        if value.startswith(base + "id/"):  # this service's: its page, its path as its name
            local = value[len(base) :]
            cell = {"text": local, "title": value, "href": f"{root}/{local}"}
            return cell | _name_of(value, labels, lang)
        return {"text": compact_iri(value), "title": value, "href": value}
    if kind == "bnode":
        return {"text": f"_:{value}"}
    tag = term.get("xml:lang", "")
    return {"text": value, "note": f"@{tag}" if tag else ""}


def _name_of(iri: str, labels: Labels, lang: str) -> dict[str, str]:
    """The cell keys that show an IRI of this service under its name (none when unnamed):
    the name, its language, and that language again as `fallback` when not the page's."""
    parsed = parse_iri(iri)
    if parsed is None:
        return {}
    _, kind, key = parsed
    name = labels.find(kind, key, lang)
    shown = labels.found_in(kind, key, lang)
    if name is None or shown is None:
        return {}
    return {"name": name, "name_lang": shown, "fallback": "" if shown == lang else shown}
