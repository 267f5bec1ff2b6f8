"""`sic queries`, `sic query`, `sic match`, `sic gaps`: the question catalogue on the command line.

Thin like the rest of the CLI: every command parses its options, asks queries.catalogue and
prints the rows (table, CSV, or JSON as a list of row objects). Registered onto the main app by
`register_query_commands(app)` so that api/cli.py stays the one place that builds the app.
Exit codes as for every command: 0 success, 2 usage error (unknown question or parameter, bad
value, nothing found) or store error.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli_options import EXIT_USAGE, StoreCommand, err, fail, opened, write_out
from api.output import render_rows
from queries.answer import QueryAnswer
from queries.catalogue import describe, questions, run
from sic.errors import QueryError

out = Console()
ROW_FORMATS = ("table", "csv", "json")

FormatOpt = Annotated[str, typer.Option("--format", help="table, csv or json.")]


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """`NAME=VALUE` options as a mapping; the value may itself contain `=`.

    :raises QueryError: for an option without `=` or a name given twice.
    """
    found: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise QueryError(f"--param expects NAME=VALUE, got {pair!r}")
        if name in found:
            raise QueryError(f"parameter {name!r} is given twice")
        found[name] = value
    return found


def _check_format(fmt: str) -> None:
    if fmt not in ROW_FORMATS:
        err.print(f"--format must be one of {', '.join(ROW_FORMATS)}")
        raise typer.Exit(EXIT_USAGE)


def _answers(
    ctx: typer.Context, requests: Sequence[tuple[str, dict[str, str]]]
) -> list[QueryAnswer]:
    """Answer several questions on one opened store; errors become exit code 2."""
    with opened(ctx) as st:
        return [run(st, name, params) for name, params in requests]


TABLE_HIDDEN = frozenset({"signals"})  # machine-readable twins of what `reasons` says


def _print(answer: QueryAnswer, fmt: str) -> None:
    columns = answer.columns
    if fmt == "table":
        columns = tuple(c for c in columns if c not in TABLE_HIDDEN)
    write_out(render_rows(columns, answer.rows, fmt, out))


def list_questions(
    fmt: FormatOpt = "table",
    parts: Annotated[
        bool, typer.Option("--all", help="Also list the building blocks of the analyses.")
    ] = False,
) -> None:
    """The question catalogue: every question with its parameters and columns."""
    if fmt not in {"table", "json"}:
        err.print("--format must be table or json")
        raise typer.Exit(EXIT_USAGE)
    found = questions(parts=parts)
    if fmt == "json":
        out.print(
            json.dumps([describe(q) for q in found], ensure_ascii=False, indent=2),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        return
    table = Table("question", "parameters", "summary", show_lines=True)
    for q in found:
        params = []
        for p in q.params:
            text = f"{p.name}: {p.kind or p.type}"
            if p.required:
                text += " (required)"
            elif p.default is not None:
                text += f" = {p.default}"
            if p.allowed:
                text += f" [{' | '.join(p.allowed)}]"
            params.append(text)
        table.add_row(q.name, "\n".join(params), q.summary)
    out.print(table)


def query(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The question's name (see `sic queries`).")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A parameter as NAME=VALUE; repeat for several."),
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Answer one question of the catalogue."""
    _check_format(fmt)
    try:
        params = parse_params(param or [])
    except QueryError as exc:
        raise fail(exc) from None
    _print(_answers(ctx, [(name, params)])[0], fmt)


def match(
    ctx: typer.Context,
    activity: Annotated[str, typer.Argument(help="The activity's code, e.g. A2.07.")],
    top: Annotated[int, typer.Option("--top", help="How many candidates.")] = 10,
    lang: Annotated[
        str, typer.Option("--lang", help="The language of the reasons: en, fr or es.")
    ] = "en",
    fmt: FormatOpt = "table",
) -> None:
    """Organisations that could take on an activity, ranked, with reasons."""
    _check_format(fmt)
    params = {"activity": activity, "top": str(top), "lang": lang}
    _print(_answers(ctx, [("candidates-for-activity", params)])[0], fmt)


def gaps(
    ctx: typer.Context,
    objective: Annotated[
        str | None, typer.Option("--objective", help="Only this objective.", show_default=False)
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Only this category.", show_default=False)
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Global-Facility activities that no live project addresses, then coverage per objective.

    csv and json print the uncovered activities only; the coverage summary goes to the table
    format (and a one-line count to standard error in every format).
    """
    _check_format(fmt)
    params = {k: v for k, v in (("objective", objective), ("category", category)) if v}
    coverage_params = {"objective": objective} if objective else {}
    uncovered, coverage = _answers(
        ctx, [("uncovered-activities", params), ("coverage-by-objective", coverage_params)]
    )
    _print(uncovered, fmt)
    if fmt == "table":
        _print(coverage, fmt)
    total = sum(int(r.get("activities") or 0) for r in coverage.rows)
    bare = sum(int(r.get("uncovered") or 0) for r in coverage.rows)
    err.print(
        f"{len(uncovered)} uncovered Global-Facility activities;"
        f" {bare} of {total} activities (any facility) have no live project",
        highlight=False,
    )


def register_query_commands(app: typer.Typer) -> None:
    """Add `queries`, `query`, `match` and `gaps` to the `sic` app."""
    app.command("queries")(list_questions)
    app.command("query", cls=StoreCommand)(query)
    app.command("match", cls=StoreCommand)(match)
    app.command("gaps", cls=StoreCommand)(gaps)
