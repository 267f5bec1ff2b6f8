"""Minting and reading data IRIs: `{BASE}id/{kind}/{key}` (a public contract, keep stable)."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from rdflib import URIRef

from sic.vocab import DEFAULT_BASE, REGION_NS

KINDS: frozenset[str] = frozenset(
    {
        "goal",
        "objective",
        "activity",
        "category",
        "organisation",
        "person",
        "taskforce",
        "alliance",
        "project",
        "funding",
        "call",
        "topic",
        "region",
        "response",
        "indicator",
        "observation",
    }
)

_KEY_SAFE = "-._~:@!$&'()*+,;="


def normalise_base(base: str) -> str:
    """Return BASE with exactly one trailing slash, so `{BASE}id/...` never doubles or drops one."""
    return base.rstrip("/") + "/"


def mint(kind: str, key: str, base: str = DEFAULT_BASE) -> URIRef:
    """The IRI of the entity of `kind` whose workbook key is `key`.

    Keys are kept unchanged where IRIs allow it and percent-encoded otherwise, so `A2.03` stays
    readable and a key with a space still gives a valid IRI.

    >>> str(mint("activity", "A2.03"))
    'https://w3id.org/4p1000/id/activity/A2.03'
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(KINDS)}")
    if kind == "region":
        return region(key)
    return URIRef(f"{normalise_base(base)}id/{kind}/{quote(key, safe=_KEY_SAFE)}")


def region(code: str) -> URIRef:
    """The fixed IRI of a UN M49 region (zero-padded to three digits)."""
    return URIRef(f"{REGION_NS}{code.strip().zfill(3)}")


def graph_iri(source: str, base: str = DEFAULT_BASE) -> URIRef:
    """The named graph that holds one loaded source."""
    return URIRef(f"{normalise_base(base)}graph/{quote(source, safe=_KEY_SAFE)}")


def sources_graph(base: str = DEFAULT_BASE) -> URIRef:
    """The named graph that holds PROV-O metadata about every loaded source."""
    return URIRef(f"{normalise_base(base)}graph/sources")


_DATA_IRI = re.compile(r"^(?P<base>.*/)id/(?P<kind>[a-z]+)/(?P<key>[^#]+)$")


def parse(iri: str) -> tuple[str, str, str] | None:
    """Split a data IRI into (base, kind, key), or None when it is not one.

    >>> parse("https://w3id.org/4p1000/id/objective/A1")
    ('https://w3id.org/4p1000/', 'objective', 'A1')
    """
    match = _DATA_IRI.match(iri)
    if not match or match["kind"] not in KINDS:
        return None
    return match["base"], match["kind"], unquote(match["key"])


def changes_graph(base: str = DEFAULT_BASE) -> URIRef:
    """The named graph that holds the record of every committed change (graph.history)."""
    return URIRef(f"{normalise_base(base)}graph/changes")
