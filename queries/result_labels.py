"""The names of this service's IRIs in a SPARQL answer, for the results page people read.

A results page shows an activity as its title rather than as `id/activity/A1.01`, and an
organisation as its name and acronym rather than as `id/organisation/sahel-ssri`. The
strategy's entities are named as every other page names them (page-labels.rq, read into
queries.labels.Labels); organisations, people, projects, Task Forces, calls and indicators,
which every page does not name (there are 30,000 of them at M), by result-names.rq. Either is
run once per IRI the answer holds, with `?entity` bound to it as a term, so the cost follows
the answer, not the store. Only kinds one of the two names are asked about, at most MAX_NAMED
distinct IRIs and for at most LOOKUP_SECONDS, so a long answer stays within the query time
limit (it is computed in the same worker call as the answer); what is left over shows its
path, as before.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from graph.base import GraphStore
from queries.answer import Row
from queries.labels import Labels, labels_from
from queries.sparql import named_rows
from sic import iris

MAX_NAMED = 500
"""Distinct IRIs of an answer whose names are looked up; the rest show their path."""

LOOKUP_SECONDS = 1.0
"""Time the lookups of one answer may take (about 1-2 ms per IRI on two shared cores)."""

PAGE_LABEL_KINDS = frozenset({"goal", "objective", "activity", "category", "topic", "alliance"})
"""The kinds page-labels.rq names (its VALUES block)."""

RESULT_NAME_KINDS = frozenset(
    {"organisation", "person", "project", "taskforce", "call", "indicator"}
)
"""The kinds result-names.rq names (its VALUES block)."""

NAMED_KINDS = PAGE_LABEL_KINDS | RESULT_NAME_KINDS
"""The kinds looked up: others (funding, responses, observations) would never find a name."""

LANGUAGES = ("en", "fr", "es")
"""The languages names are given in (those of the pages)."""


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
    """The names in English, French and Spanish of these IRIs (page-labels.rq's or
    result-names.rq's, by kind); once `seconds` have passed, the IRIs not yet looked up stay
    unnamed."""
    deadline = time.monotonic() + seconds
    rows: list[Row] = []
    for iri in named:
        if time.monotonic() >= deadline:
            break
        parsed = iris.parse(iri)
        if parsed is not None and parsed[1] in RESULT_NAME_KINDS:
            rows.extend(
                names_in_languages(named_rows(store, "result-names", entity=ox.NamedNode(iri)))
            )
        else:
            rows.extend(named_rows(store, "page-labels", entity=ox.NamedNode(iri)))
    return labels_from(rows)


def names_in_languages(rows: Iterable[Row]) -> list[Row]:
    """result-names.rq's rows as page-labels.rq's: one name per entity and language.

    In each language: the rdfs:label in it, else the foaf:name in it, else one without a
    language tag (a name that claims no language is as good in any, so it is shown rather than
    an English one marked as standing in); an organisation's acronym follows its name in
    brackets, as on its page. A language with none of these is left out, and Labels gives the
    English name in its place.
    """
    texts: dict[tuple[str, str], dict[tuple[str, str], str]] = defaultdict(dict)
    for row in rows:
        field, language = str(row["field"]), str(row["language"] or "")
        texts[(str(row["kind"]), str(row["entity"]))].setdefault(
            (field, language), str(row["text"])
        )
    named: list[Row] = []
    for (kind, entity), found in texts.items():
        acronym = found.get(("acronym", ""))
        for language in LANGUAGES:
            order = ((f, lang) for lang in (language, "") for f in ("label", "name"))
            name = next((found[k] for k in order if k in found), None)
            if name is None:
                continue
            if acronym and acronym != name:
                name = f"{name} ({acronym})"
            named.append({"kind": kind, "entity": entity, "language": language, "label": name})
    return named
