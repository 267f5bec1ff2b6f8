"""What every question returns, whichever way it was computed: named columns and plain rows.

Rows hold plain Python values (str, int, Decimal, float, bool, None, lists and dicts of those),
so the CLI, the HTTP API and the web pages can print or serialise them without knowing RDF.
Entities are named by their workbook key in a column named after their kind (`activity`,
`organisation`), which is also what a person types back as a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from graph.results import SelectResult, Term
from sic import iris
from sic.vocab import REGION_NS

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = frozenset(
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
)

Row = dict[str, Any]


@dataclass(frozen=True)
class QueryAnswer:
    """The answer to one question: its columns, in order, and its rows, in a stable order."""

    name: str
    columns: tuple[str, ...]
    rows: list[Row]
    params: Mapping[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[Any]:
        """Every row's value in one column (for tests and summaries)."""
        return [row.get(name) for row in self.rows]


def key_of(iri: str, base: str) -> str:
    """The workbook key of a data IRI under `base` (regions under their fixed namespace).

    Anything else (ontology terms, AGROVOC concepts) stays a full IRI: it has no workbook key.
    """
    parsed = iris.parse(iri)
    if parsed is None:
        return iri
    found_base, kind, key = parsed
    if found_base == base or (kind == "region" and iri.startswith(REGION_NS)):
        return key
    return iri


def _number(text: str, datatype: str) -> int | Decimal | float | str:
    try:
        if datatype in _INTEGERS:
            return int(text)
        if datatype == XSD + "decimal":
            return Decimal(text)
        if datatype in {XSD + "double", XSD + "float"}:
            return float(text)
    except (ValueError, InvalidOperation):
        return text
    return text


def value_of(term: Term | None, base: str) -> Any:
    """A result term as a plain value: data IRIs become keys, typed literals Python values."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return key_of(term.value, base)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype == XSD + "boolean":
            return term.value in {"true", "1"}
        number = _number(term.value, datatype)
        return number
    return str(term)


def rows_of(result: SelectResult, base: str, columns: Sequence[str] = ()) -> list[Row]:
    """Solutions as rows of plain values, with every declared column present (None if unbound).

    The same IRIs come back in row after row (an organisation in each of its memberships), so
    each distinct term is converted once per call (the values are immutable, so rows can share
    them): a cold candidates-for-activity at M, read from memory, went from 7.2 to 6.1 s.
    """
    names = list(columns) or result.variables
    where = {v: i for i, v in enumerate(result.variables)}
    picks = [where.get(name) for name in names]
    seen: dict[Term, Any] = {}
    out: list[Row] = []
    for solution in result.rows:
        row: Row = {}
        for name, i in zip(names, picks, strict=True):
            term = None if i is None else solution[i]
            if term is None:
                row[name] = None
                continue
            value = seen.get(term, _UNSEEN)
            if value is _UNSEEN:
                value = seen[term] = value_of(term, base)
            row[name] = value
        out.append(row)
    return out


_UNSEEN = object()
