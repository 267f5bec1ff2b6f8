"""Screening a request body before a parser reads it: how deeply it nests, and no DTD.

Recursive parsers (pyoxigraph's Turtle, JSON-LD and RDF/XML parsers, the json module) crash or
exhaust their stack on a few thousand nested groups, so nesting is measured first by a flat
scan that cannot recurse (graph.sparql_lexer does the same for SPARQL). RDF/XML may not declare
a DTD: internal entities expand without bound ("billion laughs"), and nothing a SIC document
needs is expressed with one.

Each refusal is a sentence naming the limit and the setting that changes it (SIC_MAX_NESTING).
"""

from __future__ import annotations

import json
import re

from sic.errors import QueryError

_OPEN = {ord("{"), ord("["), ord("(")}
_CLOSE = {ord("}"), ord("]"), ord(")")}


def nesting_of(data: bytes, *, brackets: bool = True, xml: bool = False) -> int:
    """How deeply a body nests: brackets outside strings and IRIs (Turtle, TriG, JSON), or
    XML elements. A flat scan: nothing here recurses."""
    if xml:
        return _xml_depth(data)
    depth = deepest = 0
    quote = 0
    escaped = False
    in_iri = False
    for byte in data:
        if quote:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == quote:
                quote = 0
            continue
        if in_iri:
            in_iri = byte != ord(">")
            continue
        if byte in (0x22, 0x27):  # " '
            quote = byte
        elif byte == ord("<") and brackets:
            in_iri = True
        elif byte in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif byte in _CLOSE:
            depth = max(depth - 1, 0)
    return deepest


_TAG = re.compile(rb"<(/?)([^\s>/!?]+)[^>]*?(/?)>")


def _xml_depth(data: bytes) -> int:
    depth = deepest = 0
    for match in _TAG.finditer(data):
        closing, _, empty = match.groups()
        if closing:
            depth = max(depth - 1, 0)
        elif not empty:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_rdf_body(data: bytes, media_type: str, max_nesting: int) -> None:
    """Refuse an RDF body that nests too deeply or declares a DTD (before any parser runs).

    :raises QueryError: naming the limit (SIC_MAX_NESTING) or the DTD.
    """
    xml = "xml" in media_type
    if xml and _DTD.search(data):
        raise QueryError(
            "RDF/XML with a DOCTYPE or ENTITY declaration is not accepted: entities are never "
            "expanded here"
        )
    line_based = media_type in ("application/n-triples", "application/n-quads", "text/plain")
    if line_based:
        return  # N-Triples and N-Quads do not nest
    found = nesting_of(data, brackets=not media_type.endswith("json"), xml=xml)
    if found > max_nesting:
        raise QueryError(
            f"the body nests {found} levels deep; at most {max_nesting} are accepted "
            "(SIC_MAX_NESTING)"
        )


def read_json(data: bytes, max_nesting: int) -> object:
    """JSON, its depth checked before the (recursive) parser reads it.

    :raises QueryError: not JSON, or nested deeper than SIC_MAX_NESTING.
    """
    found = nesting_of(data, brackets=False)
    if found > max_nesting:
        raise QueryError(
            f"the JSON body nests {found} levels deep; at most {max_nesting} are accepted "
            "(SIC_MAX_NESTING)"
        )
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise QueryError(f"the body is not JSON: {exc}") from None
