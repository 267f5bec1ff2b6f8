"""Query results that look the same whichever backend answered.

Both backends hand back these small materialised objects holding pyoxigraph terms, so queries/
and api/ never care whether the answer came from the embedded store or a remote server. The
serialisers follow the W3C result formats (JSON, XML, CSV, TSV) and pyoxigraph's RDF writers.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _quoted  # C, when the json module has it
from typing import TypeAlias
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass
class SelectResult:
    """The solutions of a SELECT query, in order.

    `truncated` is True when the store stopped reading at the caller's row limit, so callers can
    say so explicitly instead of silently returning fewer rows.
    """

    variables: list[str]
    rows: list[list[Term | None]]
    truncated: bool = False

    def __iter__(self) -> Iterator[dict[str, Term]]:
        for row in self.rows:
            yield {v: t for v, t in zip(self.variables, row, strict=True) if t is not None}

    def __len__(self) -> int:
        return len(self.rows)

    def serialize(self, fmt: ox.QueryResultsFormat) -> bytes:
        """Write the solutions in one of the W3C SPARQL result formats."""
        if fmt == ox.QueryResultsFormat.JSON:
            return _select_json(self)
        if fmt == ox.QueryResultsFormat.XML:
            return _select_xml(self)
        if fmt == ox.QueryResultsFormat.CSV:
            return _select_csv(self)
        return _select_tsv(self)


@dataclass
class AskResult:
    """The answer of an ASK query."""

    value: bool

    def serialize(self, fmt: ox.QueryResultsFormat) -> bytes:
        """Write the boolean in JSON or XML (CSV/TSV have no boolean form; they get the word)."""
        if fmt == ox.QueryResultsFormat.JSON:
            return json.dumps({"head": {}, "boolean": self.value}).encode()
        if fmt == ox.QueryResultsFormat.XML:
            word = "true" if self.value else "false"
            return (
                '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{word}</boolean></sparql>\n"
            ).encode()
        return (b"_askResult\n" if fmt == ox.QueryResultsFormat.CSV else b"?_askResult\n") + (
            b"true\n" if self.value else b"false\n"
        )


@dataclass
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE query."""

    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False

    def __len__(self) -> int:
        return len(self.triples)

    def serialize(self, fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
        """Write the triples in an RDF format (a dataset format puts them in the default graph)."""
        if fmt.supports_datasets:
            quads = [ox.Quad(t.subject, t.predicate, t.object) for t in self.triples]
            return ox.serialize(quads, format=fmt) or b""
        used = used_prefixes(self.triples, prefixes) if prefixes else None
        return ox.serialize(self.triples, format=fmt, prefixes=used) or b""


_LOCAL_NAME = re.compile(
    r"^[A-Za-z0-9_\u00c0-\ufffd]([A-Za-z0-9_\-\u00b7\u00c0-\ufffd.]*[A-Za-z0-9_\-\u00b7\u00c0-\ufffd])?$"
)
_WRITTEN_BARE = frozenset({RDF_TYPE, XSD_STRING, RDF_LANG_STRING})
"""IRIs Turtle writes without a prefix: `a`, and the datatypes of plain and tagged strings."""


def used_prefixes(triples: Iterable[ox.Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    """The prefixes an answer's Turtle uses: those whose namespace shortens one of its IRIs.

    An answer that declared the service's every prefix, used or not, buried its few triples
    under a dozen @prefix lines.
    """
    iris: set[str] = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    iris -= _WRITTEN_BARE
    used: dict[str, str] = {}
    for name, namespace in prefixes.items():
        for iri in iris:
            if iri.startswith(namespace):
                local = iri[len(namespace) :]
                if local == "" or _LOCAL_NAME.match(local):
                    used[name] = namespace
                    break
    return used


QueryResult: TypeAlias = SelectResult | AskResult | GraphResult


def text(term: Term | None) -> str:
    """The lexical value of a term ('' when unbound): an IRI's IRI, a literal's text."""
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def term_json(term: Term) -> dict[str, object]:
    """One RDF term in the SPARQL 1.1 JSON results form."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": term_json(term.subject),
            "predicate": term_json(term.predicate),
            "object": term_json(term.object),
        },
    }


def _select_json(result: SelectResult) -> bytes:
    """The SPARQL JSON results, written as `json.dumps(..., ensure_ascii=False)` writes them
    (same bytes), but as text: building a dict per term and encoding it cost twice as much, a
    fifth of answering a point query. A term met twice in one answer is written once."""
    names = [_quoted(v) + ": " for v in result.variables]
    written: dict[Term, str] = {}
    rows = []
    for row in result.rows:
        parts = []
        for name, term in zip(names, row, strict=True):
            if term is not None:
                text = written.get(term)
                if text is None:
                    text = written[term] = _term_json_text(term)
                parts.append(name + text)
        rows.append("{" + ", ".join(parts) + "}")
    head = ", ".join(_quoted(v) for v in result.variables)
    bindings = ", ".join(rows)
    return f'{{"head": {{"vars": [{head}]}}, "results": {{"bindings": [{bindings}]}}}}'.encode()


def _term_json_text(term: Term) -> str:
    """term_json as json.dumps(..., ensure_ascii=False) writes it."""
    if isinstance(term, ox.NamedNode):
        return '{"type": "uri", "value": ' + _quoted(term.value) + "}"
    if isinstance(term, ox.Literal):
        value = _quoted(term.value)
        if term.language:
            return f'{{"type": "literal", "value": {value}, "xml:lang": {_quoted(term.language)}}}'
        datatype = term.datatype.value
        if datatype != XSD_STRING:
            return f'{{"type": "literal", "value": {value}, "datatype": {_quoted(datatype)}}}'
        return '{"type": "literal", "value": ' + value + "}"
    if isinstance(term, ox.BlankNode):
        return '{"type": "bnode", "value": ' + _quoted(term.value) + "}"
    return json.dumps(term_json(term), ensure_ascii=False)


_EDGE_SPACE = {" ": "&#32;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}


def _xml_text(value: str) -> str:
    """Character data of a results document. White space at either end is written as
    character references, which no reader trims (pyoxigraph's XML results reader trims plain
    leading and trailing white space; its own writer escapes it the same way)."""
    text = escape(value).replace("\r", "&#13;")
    core = text.strip(" \t\n")
    if core == text:
        return text
    start = text.index(core) if core else len(text)
    head, tail = text[:start], text[start + len(core) :]
    return "".join(_EDGE_SPACE[c] for c in head) + core + "".join(_EDGE_SPACE[c] for c in tail)


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{_xml_text(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            datatype = quoteattr(term.datatype.value)
            return f"<literal datatype={datatype}>{_xml_text(term.value)}</literal>"
        return f"<literal>{_xml_text(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def _select_xml(result: SelectResult) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">')
    out.write("<head>")
    for v in result.variables:
        out.write(f"<variable name={quoteattr(v)}/>")
    out.write("</head><results>")
    for row in result.rows:
        out.write("<result>")
        for v, t in zip(result.variables, row, strict=True):
            if t is not None:
                out.write(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
        out.write("</result>")
    out.write("</results></sparql>\n")
    return out.getvalue().encode()


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _select_csv(result: SelectResult) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(t) for t in row])
    return out.getvalue().encode()


def _select_tsv(result: SelectResult) -> bytes:
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines.extend("\t".join("" if t is None else str(t) for t in row) for row in result.rows)
    return ("\n".join(lines) + "\n").encode()


class OutOfTime(Exception):
    """Rows were still coming when the deadline set by `rows_until` passed."""


_ROWS_UNTIL: ContextVar[float | None] = ContextVar("rows_until", default=None)
_CLOCK_EVERY = 64
"""Rows read between two looks at the clock (a row costs about a microsecond)."""


@contextmanager
def rows_until(deadline: float) -> Iterator[None]:
    """Within this block, reading solutions raises OutOfTime once `time.monotonic()` passes
    `deadline`: whoever runs a query where it must not run long (an HTTP process's event loop,
    runner.in_process) stops it between two rows, and runs it elsewhere."""
    token = _ROWS_UNTIL.set(deadline)
    try:
        yield
    finally:
        _ROWS_UNTIL.reset(token)


def from_solutions(solutions: ox.QuerySolutions, limit: int | None = None) -> SelectResult:
    """Materialise pyoxigraph solutions, reading at most `limit` rows (one more to detect a cut).

    :raises OutOfTime: past the deadline of an enclosing `rows_until`.
    """
    variables = [v.value for v in solutions.variables]
    rows: list[list[Term | None]] = []
    truncated = False
    deadline = _ROWS_UNTIL.get()
    for solution in solutions:
        if limit is not None and len(rows) >= limit:
            truncated = True
            break
        rows.append(list(solution))  # its values, in the order of `variables`
        if deadline is not None and not len(rows) % _CLOCK_EVERY and time.monotonic() > deadline:
            raise OutOfTime(f"{len(rows)} rows read, and more to come")
    return SelectResult(variables, rows, truncated)


def from_triples(
    triples: Sequence[ox.Triple] | ox.QueryTriples, limit: int | None = None
) -> GraphResult:
    """Materialise CONSTRUCT/DESCRIBE triples, reading at most `limit` of them."""
    out: list[ox.Triple] = []
    truncated = False
    for triple in triples:
        if limit is not None and len(out) >= limit:
            truncated = True
            break
        out.append(triple)
    return GraphResult(out, truncated)
