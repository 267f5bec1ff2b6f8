"""How the command line prints results, reports and summaries.

Tables go through api.tables (drawn on a terminal, plain lines in a pipe); machine formats are
returned as bytes for the command to write. Data and messages are always printed as text: the
consoles of the CLI read neither markup nor emoji codes (`console`), and what is styled is
built as rich Text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pyoxigraph as ox
from pydantic import JsonValue
from rich.console import Console
from rich.text import Text

from api.i18n import SUPPORTED, Ui
from api.tables import Grid, show
from graph.results import AskResult, GraphResult, QueryResult, SelectResult
from queries.sentences import DEFAULT
from sic.errors import Problem, Violation
from sic.vocab import PREFIXES

RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}


def compact(iri: str) -> str:
    """An IRI shortened with the platform's prefixes, for people reading a terminal."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def console(*, stderr: bool = False) -> Console:
    """A console of the CLI: what it prints is text, never rich markup nor `:emoji:` codes
    (a message naming `rdfs:label` must not become an emoji), and lines are never folded."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False, soft_wrap=True)


def render_result(
    result: QueryResult, fmt: str, console: Console, lang: str = DEFAULT
) -> bytes | None:
    """Bytes to write for machine formats, or None when it was printed as a table (its title
    and row count in `lang`; the columns keep the query's variable names)."""
    if isinstance(result, SelectResult):
        if fmt == "table":
            grid = Grid(
                Ui(lang)("cli.sparql_results"),
                list(result.variables),
                [[_cell(t) for t in row] for row in result.rows],
                caption=rows_said(len(result), lang),
                lang=lang,
            )
            show(grid, console)
            return None
        if fmt not in RESULT_FORMATS:
            raise ValueError(
                f"a SELECT result cannot be written as {fmt}; use table, csv, tsv, json or xml"
            )
        return result.serialize(RESULT_FORMATS[fmt])
    if isinstance(result, AskResult):
        if fmt == "table":
            console.print("yes" if result.value else "no")
            return None
        return result.serialize(RESULT_FORMATS.get(fmt, ox.QueryResultsFormat.JSON))
    assert isinstance(result, GraphResult)
    rdf_fmt = RDF_FORMATS.get("turtle" if fmt == "table" else fmt)
    if rdf_fmt is None:
        raise ValueError(
            f"a graph result cannot be written as {fmt}; use turtle, ntriples or jsonld"
        )
    return result.serialize(rdf_fmt, prefixes=PREFIXES if rdf_fmt == ox.RdfFormat.TURTLE else None)


def colon(lang: str) -> str:
    """A colon between a place and what is said of it, as the language writes it (French
    puts a space before it)."""
    return " : " if lang == "fr" else ": "


SEVERITIES = frozenset({"error", "warning"})
"""A loader problem's severities, each said in the reader's language (`cli.severity.*`)."""


def print_problems(problems: Sequence[Problem], console: Console, lang: str = "en") -> None:
    """One line per problem: its severity (coloured on a terminal), where, and what (a rule's
    sentence in `lang` where its shape speaks it)."""
    ui = Ui(lang if lang in SUPPORTED else DEFAULT)
    for p in problems:
        style = "yellow" if p.severity == "warning" else "red"
        said = f"{p.location.said_in(lang)}{colon(lang)}{p.message_in(lang)}"
        severity = ui(f"cli.severity.{p.severity}") if p.severity in SEVERITIES else p.severity
        console.print(Text.assemble((severity, style), " ", said))


def violations_text(violations: Sequence[Violation], lang: str = "en") -> str:
    """One line per result, the rule's sentence in `lang` (English where the shape lacks it)."""
    lines = []
    ui = Ui(lang if lang in SUPPORTED else DEFAULT)
    for v in violations:
        where = f"{v.location.said_in(lang)}{colon(lang)}" if v.location else ""
        path = f" {v.path}" if v.path else ""
        value = f" ({ui('cli.value')}: {v.value})" if v.value else ""
        said = v.message_in(lang)
        lines.append(f"{v.severity}: {where}<{compact(v.focus_node)}>{path}: {said}{value}")
    return "\n".join(lines)


# -- rows of plain values (the question catalogue's answers) -------------------------------------


def plain(value: object) -> JsonValue:
    """A row value as JSON: decimals as numbers (exact integers stay integers), dates as ISO,
    anything else that JSON has no type for as its text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _flat(value: object, *, machine: bool) -> str:
    """One cell as text: lists joined, reasons by their sentences (tables) or as JSON (CSV)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict) or (
        isinstance(value, list | tuple) and any(isinstance(v, dict) for v in value)
    ):
        if machine:
            return json.dumps(plain(value), ensure_ascii=False)
        if isinstance(value, dict):
            return ", ".join(f"{k}: {_flat(v, machine=False)}" for k, v in value.items())
        return "\n".join(_summary(v) for v in value)
    if isinstance(value, list | tuple):
        return "; ".join(_flat(v, machine=machine) for v in value)
    return str(value)


def _summary(item: object) -> str:
    """A nested row in one line: its sentence when it has one, else its first values."""
    if not isinstance(item, dict):
        return _flat(item, machine=False)
    if "text" in item:
        return f"• {item['text']}"
    values = [_flat(v, machine=False) for v in list(item.values())[:3] if v not in (None, "")]
    return " · ".join(values)


def csv_cells(
    columns: Sequence[str], rows: Sequence[Mapping[str, object]]
) -> tuple[list[str], list[list[str]]]:
    """The header and rows of an answer as CSV, one value per cell.

    A column of reasons (objects with a `signal` and a `text`) becomes one column per signal,
    `reasons.<signal>`, holding that reason's sentence; a column of objects of plain values
    (the `signals` scores) one column per key, `signals.<key>`; both in the order the keys
    first appear. A list of plain values is joined with '; '; any other nesting (a profile's
    lists of rows) stays JSON in its cell. The reasons' weights and evidence are in --format
    json.
    """
    header: list[str] = []
    getters: list[tuple[str, str | None]] = []  # (column, key within it)
    for c in columns:
        values = [row.get(c) for row in rows]
        keys: dict[str, None] = {}
        if any(_is_reasons(v) for v in values):
            for v in values:
                for reason in v if isinstance(v, list) else ():
                    keys[str(reason["signal"])] = None
        elif any(_is_flat_mapping(v) for v in values):
            for v in values:
                keys.update(dict.fromkeys(str(k) for k in v) if isinstance(v, dict) else {})
        if keys:
            header += [f"{c}.{k}" for k in keys]
            getters += [(c, k) for k in keys]
        else:
            header.append(c)
            getters.append((c, None))
    out = []
    for row in rows:
        cells = []
        for column, key in getters:
            value = row.get(column)
            if key is None:
                cells.append(_flat(value, machine=True))
            elif isinstance(value, dict):
                cells.append(_flat(value.get(key), machine=True))
            else:
                reasons = value if _is_reasons(value) else []
                assert isinstance(reasons, list)
                texts = [r["text"] for r in reasons if str(r["signal"]) == key]
                cells.append(_flat(texts[0] if texts else None, machine=True))
        out.append(cells)
    return header, out


def _is_reasons(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(r, dict) and "signal" in r and "text" in r for r in value)
    )


def _is_flat_mapping(value: object) -> bool:
    return isinstance(value, dict) and not any(
        isinstance(v, dict | list | tuple) for v in value.values()
    )


def render_rows(
    columns: Sequence[str],
    rows: Sequence[Mapping[str, object]],
    fmt: str,
    console: Console,
    *,
    title: str,
    cut: frozenset[str] = frozenset(),
    lang: str = DEFAULT,
) -> bytes | None:
    """Bytes for csv (see csv_cells) and json (a list of row objects), or None when printed
    as a table titled `title` (api.tables; `cut`: columns kept to one line on a terminal).

    A single wide row (a profile) is printed as a two-column table, field by field. The
    table's own words (the row count, `field` and `value`) are in `lang`; the columns keep
    their names, which are also those of csv and json.
    """
    words = Ui(lang)
    if fmt == "json":
        data = [{c: plain(row.get(c)) for c in columns} for row in rows]
        return json.dumps(data, ensure_ascii=False, indent=2).encode()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        header, cells = csv_cells(columns, rows)
        writer.writerow(header)
        writer.writerows(cells)
        return buffer.getvalue().encode()
    if fmt != "table":
        raise ValueError(f"rows cannot be written as {fmt}; use table, csv or json")
    if len(rows) == 1 and len(columns) > 8:
        grid = Grid(
            title,
            [words("cli.field"), words("cli.value")],
            [[c, _flat(rows[0].get(c), machine=False)] for c in columns],
            lang=lang,
        )
    else:
        grid = Grid(
            title,
            list(columns),
            [[_flat(row.get(c), machine=False) for c in columns] for row in rows],
            caption=rows_said(len(rows), lang),
            cut=cut,
            lang=lang,
        )
    show(grid, console)
    return None


def rows_said(count: int, lang: str = DEFAULT) -> str:
    """`13 rows` in `lang` (`13 lignes`), the count in digits alone so that a script can read it."""
    return Ui(lang)("cli.rows_one" if count == 1 else "cli.rows", n=count)
