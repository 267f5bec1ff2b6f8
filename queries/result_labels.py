"""The names of this service's IRIs in a SPARQL answer, for the results page people read.

A results page shows an activity as its title rather than as `id/activity/A1.01`. The names
are the ones every other page shows (page-labels.rq, read into queries.labels.Labels), but read
only for the IRIs the answer holds: page-labels.rq is run once per IRI with `?entity` bound to
it as a term, so the cost follows the answer, not the store. Only kinds page-labels.rq names
are asked about, at most MAX_NAMED distinct IRIs and for at most LOOKUP_SECONDS, so a long
answer stays within the query time limit (it is computed in the same worker call as the
answer); what is left over shows its path, as before.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from graph.base import GraphStore
from queries.labels import Labels, labels_from
from queries.sparql import named_rows
from sic import iris

MAX_NAMED = 500
"""Distinct IRIs of an answer whose names are looked up; the rest show their path."""

LOOKUP_SECONDS = 1.0
"""Time the lookups of one answer may take (about 1-2 ms per IRI on two shared cores)."""

NAMED_KINDS = frozenset({"goal", "objective", "activity", "category", "topic", "alliance"})
"""The kinds page-labels.rq names (its VALUES block): others would never find a name."""


def own_iris(answer: Mapping[str, Any], base: str, limit: int = MAX_NAMED) -> list[str]:
    """The first `limit` distinct IRIs of this service, of a named kind, in a SPARQL JSON
    results answer, in the order they first appear."""
    found: dict[str, None] = {}
    for binding in answer.get("results", {}).get("bindings", []):
        for term in binding.values():
            value = term.get("value", "")
            if term.get("type") != "uri" or value in found:
                continue
            parsed = iris.parse(value)
            if parsed is not None and parsed[0] == base and parsed[1] in NAMED_KINDS:
                found[value] = None
                if len(found) >= limit:
                    return list(found)
    return list(found)


def labels_of(store: GraphStore, named: Iterable[str], seconds: float = LOOKUP_SECONDS) -> Labels:
    """The names in English, French and Spanish of these IRIs, as page-labels.rq gives them;
    once `seconds` have passed, the IRIs not yet looked up stay unnamed."""
    deadline = time.monotonic() + seconds
    rows = []
    for iri in named:
        if time.monotonic() >= deadline:
            break
        rows.extend(named_rows(store, "page-labels", entity=ox.NamedNode(iri)))
    return labels_from(rows)
