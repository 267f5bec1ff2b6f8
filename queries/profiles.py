"""objective-profile and organisation-profile: one row holding what a page about it shows.

A page needs several lists at once (an objective's activities, Task Force and funding; an
organisation's projects, alliances and people), so a profile is one row whose list columns hold
rows of their own, each naming entities by key as everywhere else. Each part comes from its own
`.rq` file or from the cached projections, so pages and questions never disagree.
"""

from __future__ import annotations

from typing import Any

from graph.base import GraphStore
from graph.results import Term
from queries.analysis import analysis, code_param
from queries.answer import Row
from queries.network import Seat, kept_rows, projections
from queries.params import Bound
from queries.sparql import entity_row, named_rows


def _figures(store: GraphStore, name: str, objective: Term) -> list[Row]:
    """A part of an objective's profile from the kept figures, else from its `.rq` file."""
    kept = kept_rows(store, name, {"objective": objective})
    return kept if kept is not None else named_rows(store, name, objective=objective)


def _without(rows: list[Row], *columns: str) -> list[Row]:
    return [{k: v for k, v in row.items() if k not in columns} for row in rows]


@analysis(
    "Everything the page of a strategic objective shows, as one row.",
    params=(code_param("objective", "its code (A1)", required=True),),
    columns=(
        "objective title description goal goal_title facility facility_label "
        "baseline_2020 target_2030 target_2050 task_force topics sdgs sources coverage "
        "activities funding roster"
    ),
)
def objective_profile(store: GraphStore, bound: Bound) -> list[Row]:
    """The objective's details, with its topics, coverage, activities, funding and roster."""
    row: dict[str, Any] = dict(entity_row(store, "objective-details", bound, "objective"))
    term = bound.term("objective")
    links = named_rows(store, "objective-links", objective=term)
    row["topics"] = [
        {"topic": r["target"], "label": r["label"]} for r in links if r["relation"] == "topic"
    ]
    row["sdgs"] = [r["target"] for r in links if r["relation"] == "sdg"]
    row["sources"] = [r["target"] for r in links if r["relation"] == "source"]
    coverage = _figures(store, "coverage-by-objective", term)
    row["coverage"] = _without(coverage, "objective", "title", "facility")[0] if coverage else {}
    row["activities"] = _without(_figures(store, "objective-activities", term), "objective")
    row["funding"] = _without(_figures(store, "funding-by-objective", term), "objective", "title")
    row["roster"] = _without(named_rows(store, "task-force-roster", objective=term), "objective")
    return [row]


@analysis(
    "Everything the page of an organisation shows, as one row.",
    params=(code_param("organisation", "its id", required=True),),
    columns=(
        "organisation name acronym type type_label status status_label country website "
        "topics interests regions projects alliances people funds collaborators"
    ),
)
def organisation_profile(store: GraphStore, bound: Bound) -> list[Row]:
    """The organisation's details, with its interests, places, people, funds and partners."""
    row: dict[str, Any] = dict(entity_row(store, "organisation-details", bound, "organisation"))
    key = str(row["organisation"])
    net = projections(store)
    org = net.organisations.get(key)
    row["topics"] = [
        {"topic": t, "label": net.topics.label(t)} for t in sorted(org.topics if org else ())
    ]
    row["interests"] = [
        {"objective": o, "title": net.objective_labels.get(o)}
        for o in sorted(org.interests if org else ())
    ]
    row["regions"] = [
        {"region": r, "label": net.regions.label(r)} for r in sorted(org.regions if org else ())
    ]
    places = net.places_of.get(key, ())
    row["projects"] = [
        {"project": m.group[1], "title": m.title, "role": m.role, "stage": m.stage}
        for m in places
        if m.group[0] == "project"
    ]
    row["alliances"] = [
        {"alliance": m.group[1], "title": m.title, "role": m.role}
        for m in places
        if m.group[0] == "alliance"
    ]
    # one row per person and Task Force role; a person without a role has one row without
    roles = net.seats_of.get(key, ())
    people: list[Row] = []
    term = bound.term("organisation")
    for person in named_rows(store, "organisation-people", organisation=term):
        held: list[Seat | None] = [s for s in roles if s.person == person["person"]] or [None]
        for seat in held:
            people.append(
                {
                    "person": person["person"],
                    "name": person["name"],
                    "objective": seat.objective if seat else None,
                    "role": seat.role if seat else None,
                    "region": seat.region if seat else None,
                }
            )
    row["people"] = people
    row["funds"] = [
        {"project": f.project, "amount": f.amount, "currency": f.currency, "status": f.status}
        for f in net.given_by.get(key, ())
    ]
    graph = net.collaborators
    row["collaborators"] = [
        {
            "organisation": other,
            "name": net.name(other),
            "shared": [g[1] for g in graph[key][other]["groups"]],
        }
        for other in (sorted(graph[key]) if key in graph else [])
    ]
    return [row]
