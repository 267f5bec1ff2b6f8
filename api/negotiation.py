"""Content negotiation: which serialisation answers a request, from its Accept header.

The SPARQL protocol leaves the choice to HTTP: a client lists media ranges with q-values and the
server picks the best representation it has. Results (SELECT, ASK) and graphs (CONSTRUCT,
DESCRIBE, Graph Store reads, the service description) have separate tables because the same
generic type means different things for each: `application/json` is SPARQL JSON for a result
and JSON-LD for a graph, `application/xml` SPARQL XML or RDF/XML. Without an Accept header (or
with `*/*`) results are SPARQL JSON and graphs Turtle, the first row of each table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    """One representation the service can write, and the media types that select it."""

    media_type: str
    aliases: tuple[str, ...] = ()
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None

    @property
    def content_type(self) -> str:
        """The Content-Type header value: text types say their charset (always UTF-8)."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


RESULT_FORMATS: tuple[Format, ...] = (
    Format(
        "application/sparql-results+json",
        ("application/json",),
        results=ox.QueryResultsFormat.JSON,
    ),
    Format(
        "application/sparql-results+xml",
        ("application/xml", "text/xml"),
        results=ox.QueryResultsFormat.XML,
    ),
    Format("text/csv", results=ox.QueryResultsFormat.CSV),
    Format("text/tab-separated-values", results=ox.QueryResultsFormat.TSV),
)

RDF_FORMATS: tuple[Format, ...] = (
    Format("text/turtle", ("application/x-turtle",), rdf=ox.RdfFormat.TURTLE),
    Format("application/n-triples", ("text/plain",), rdf=ox.RdfFormat.N_TRIPLES),
    Format("application/ld+json", ("application/json",), rdf=ox.RdfFormat.JSON_LD),
    Format("application/rdf+xml", ("application/xml", "text/xml"), rdf=ox.RdfFormat.RDF_XML),
    Format("application/n-quads", ("text/x-nquads",), rdf=ox.RdfFormat.N_QUADS),
    Format("application/trig", rdf=ox.RdfFormat.TRIG),
)


class NotAcceptable(Exception):
    """No representation the service has matches the request's Accept header (HTTP 406).

    `travels`: the runner sends it back whole from a worker process (it pickles as the list of
    media types on offer).
    """

    travels = True

    def __init__(self, offered: Sequence[Format | str]) -> None:
        self.offered = [f if isinstance(f, str) else f.media_type for f in offered]
        super().__init__(
            "none of the requested media types can be produced here; available: "
            + ", ".join(self.offered)
        )

    def __reduce__(self) -> tuple[type[NotAcceptable], tuple[list[str]]]:
        return (type(self), (self.offered,))


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header: `type/subtype` (either may be `*`) and its q-value."""

    type: str
    subtype: str
    q: float
    position: int

    def specificity(self, media_type: str) -> int:
        """3 for an exact match, 2 for `type/*`, 1 for `*/*`, 0 when it does not match."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 1 if self.subtype == "*" else 0
        if self.type != kind:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def _q_value(params: Sequence[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0  # a malformed weight is not a reason to prefer a type
            return min(max(q, 0.0), 1.0)
    return 1.0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header, in the order given (malformed ranges skipped).

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/*;q=0.5, application/json")]
    [('text', '*', 0.5), ('application', 'json', 1.0)]
    """
    ranges: list[MediaRange] = []
    if not header:
        return ranges
    for position, part in enumerate(header.split(",")):
        media, *params = part.split(";")
        kind, slash, sub = media.strip().lower().partition("/")
        if not slash or not kind or not sub or (kind == "*" and sub != "*"):
            continue
        ranges.append(MediaRange(kind, sub, _q_value(params), position))
    return ranges


def _quality(fmt: Format, ranges: Sequence[MediaRange]) -> tuple[float, int, int]:
    """(q, specificity, -position) of the range that governs `fmt`, per RFC 9110 §12.5.1.

    For each media type the most specific matching range decides its weight; a format is as
    good as its best media type. An alias (`application/json` for SPARQL JSON) only counts when
    named exactly: a wildcard such as `text/*` must not pick a format whose Content-Type then
    falls outside it, nor revive a format the client refused by its own name.
    """
    best = (0.0, 0, 0)
    for media_type in fmt.media_types:
        exact_only = media_type != fmt.media_type
        governing: MediaRange | None = None
        for r in ranges:
            s = r.specificity(media_type)
            if exact_only and s < 3:
                continue
            if s and (governing is None or s > governing.specificity(media_type)):
                governing = r
        if governing is not None:
            score = (governing.q, governing.specificity(media_type), -governing.position)
            best = max(best, score)
    return best


def choose(formats: Sequence[Format], accept: str | None) -> Format:
    """The format to answer with: the highest q, then the most specific, then listed first.

    No Accept header, or one that parses to nothing, means the table's default (its first row).
    Answers are remembered: clients send few distinct headers, and this runs on every query.

    >>> choose(RESULT_FORMATS, "text/csv;q=0.5, application/sparql-results+xml").media_type
    'application/sparql-results+xml'
    >>> choose(RDF_FORMATS, None).media_type
    'text/turtle'

    :raises NotAcceptable: if every listed type is refused or unknown.
    """
    return _choose(tuple(formats), accept)


@lru_cache(maxsize=512)
def _choose(formats: tuple[Format, ...], accept: str | None) -> Format:
    ranges = parse_accept(accept)
    if not ranges:
        return formats[0]
    best: Format | None = None
    best_score = (0.0, 0, 0, 0)
    for index, fmt in enumerate(formats):
        q, specificity, position = _quality(fmt, ranges)
        score = (q, specificity, position, -index)
        if q > 0 and (best is None or score > best_score):
            best, best_score = fmt, score
    if best is None:
        raise NotAcceptable(formats)
    return best


def rdf_format_of(content_type: str | None) -> ox.RdfFormat | None:
    """The RDF syntax a request body declares in its Content-Type (None when unknown)."""
    if not content_type:
        return None
    media = content_type.split(";")[0].strip().lower()
    for fmt in RDF_FORMATS:
        if media in fmt.media_types and fmt.rdf is not None:
            return fmt.rdf
    return ox.RdfFormat.from_media_type(media)


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type, lower-cased (None when absent)."""
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def media_type_of(content_type: str | None) -> str:
    """The bare media type of a Content-Type header, lower-cased ('' when absent)."""
    return (content_type or "").split(";")[0].strip().lower()
