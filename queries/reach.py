"""What a project reaches: the objectives, regions and organisations the permissions look at.

A write's permission depends on what it is about (accounts.permissions): a Task Force leader
writes the projects of their objective, a representative those of their region too, a contact
those of their organisation. These functions read that from the graph, for a project that
exists (`project_reach`) or for one a submission describes (`parts_reach`), with the `.rq`
files activity-objective, country-regions and project-reach. They run in the worker that
prepares the write, on the data the write is validated against.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import pyoxigraph as ox

from graph.base import GraphStore
from graph.results import Term, text
from queries.sparql import rq, run_select
from sic.iris import mint


class Reached(NamedTuple):
    """Objective codes, M49 region codes (wider ones included) and organisation IRIs."""

    objectives: frozenset[str]
    regions: frozenset[str]
    organisations: frozenset[str]


def _values(name: str, store: GraphStore, column: str, **terms: Term) -> frozenset[str]:
    """The values (IRIs or literal text) of one column of a named SELECT, terms bound."""
    result = run_select(store, rq(name), terms)
    return frozenset(text(row[column]) for row in result if column in row)


def _objective_codes(iris: Iterable[str], base: str) -> frozenset[str]:
    """Objective IRIs as their codes (`{BASE}id/objective/A1` is A1)."""
    prefix = str(mint("objective", "", base))
    return frozenset(iri.removeprefix(prefix) for iri in iris if iri.startswith(prefix))


def country_regions(store: GraphStore, country: str) -> frozenset[str]:
    """Every region (M49 code) the country lies in; empty for a code no region includes."""
    return _values("country-regions", store, "region", country=ox.Literal(country.strip().upper()))


def parts_reach(
    store: GraphStore,
    activities: Iterable[str],
    countries: Iterable[str],
    organisations: Iterable[str],
) -> Reached:
    """The reach of a project made of these activity codes, country codes and organisation
    keys (as a submission names them); unknown codes reach nothing."""
    base = store.base
    objectives: set[str] = set()
    for code in activities:
        activity = ox.NamedNode(str(mint("activity", code, base)))
        objectives |= _values("activity-objective", store, "objective", activity=activity)
    regions: set[str] = set()
    for country in countries:
        regions |= country_regions(store, country)
    iris = frozenset(str(mint("organisation", key, base)) for key in organisations)
    return Reached(_objective_codes(objectives, base), frozenset(regions), iris)


def project_reach(store: GraphStore, project: str) -> Reached | None:
    """The reach of the project with this IRI as the graph holds it; None when there is none."""
    result = run_select(store, rq("project-reach"), {"project": ox.NamedNode(project)})
    if not len(result):
        return None
    columns: dict[str, set[str]] = {"objective": set(), "region": set(), "organisation": set()}
    for row in result:
        for column, values in columns.items():
            if column in row:
                values.add(text(row[column]))
    return Reached(
        _objective_codes(columns["objective"], store.base),
        frozenset(columns["region"]),
        frozenset(columns["organisation"]),
    )
