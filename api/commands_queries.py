"""`sic queries`, `sic query`, `sic match`, `sic gaps`: the question catalogue on the command line.

Thin like the rest of the CLI: every command parses its options, asks queries.catalogue and
prints the rows (table, CSV, or JSON as a list of row objects). Registered onto the main app by
`register_query_commands(app)` so that api/cli.py stays the one place that builds the app.
Exit codes as for every command: 0 success, 2 usage error (unknown question or parameter, bad
value, nothing found) or store error.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Annotated

import typer

from api.cli_help import HelpCommand
from api.cli_lang import check_lang
from api.cli_options import EXIT_USAGE, StoreCommand, err, fail, opened, write_out
from api.output import console, render_rows
from api.tables import Grid, show
from queries.answer import QueryAnswer
from queries.catalogue import question, questions, run
from queries.question_text import described_in, question_text
from queries.sentences import DEFAULT
from sic.errors import NotFound, QueryError

out = console()
ROW_FORMATS = ("table", "csv", "json")

FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        metavar="FORMAT",
        help="table, csv or json. A table is drawn on a terminal and written as plain aligned"
        " lines (title, header, one line per row) in a pipe; csv has one column per reason"
        " (reasons.<signal>) and per score (signals.<signal>); json keeps everything.",
    ),
]


LangOpt = Annotated[
    str,
    typer.Option(
        "--lang",
        metavar="LANG",
        envvar="SIC_LANG",
        help="en, fr or es: the language of the tables' titles and words, and of the reasons"
        " of a question that writes sentences (default: SIC_LANG, else en).",
    ),
]


def _in_language(name: str, params: dict[str, str], lang: str) -> dict[str, str]:
    """`params` with `lang` added when the question writes sentences (declares `lang`) and
    the caller did not choose it with --param: `sic gaps --lang fr` answers in French."""
    try:
        declared = any(p.name == "lang" for p in question(name).params)
    except NotFound:
        return params
    return {"lang": lang, **params} if declared else params


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


def _title(name: str, lang: str = DEFAULT) -> str:
    """A table's title: the question's summary in `lang`, or its name for a question not
    listed."""
    try:
        return question_text(question(name), lang).summary.text.rstrip(".")
    except NotFound:
        return name


def _print(
    answer: QueryAnswer,
    fmt: str,
    *,
    title: str | None = None,
    hidden: frozenset[str] = frozenset(),
    cut: frozenset[str] = frozenset(),
    lang: str = DEFAULT,
) -> None:
    """An answer in `fmt`; a table titled `title` (default: the question's summary), without
    the `hidden` columns and with the `cut` ones on one line on a terminal, its words in
    `lang`."""
    columns = answer.columns
    if fmt == "table":
        columns = tuple(c for c in columns if c not in TABLE_HIDDEN | hidden)
    rendered = render_rows(
        columns,
        answer.rows,
        fmt,
        out,
        title=title or _title(answer.name, lang),
        cut=cut,
        lang=lang,
    )
    write_out(rendered)


def list_questions(
    fmt: FormatOpt = "table",
    parts: Annotated[
        bool, typer.Option("--all", help="Also list the building blocks of the analyses.")
    ] = False,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            metavar="LANG",
            envvar="SIC_LANG",
            help="en, fr or es: the language of titles, summaries, parameter help and the"
            " table's words (default: SIC_LANG, else en).",
        ),
    ] = DEFAULT,
) -> None:
    """The question catalogue: every question with its parameters and columns."""
    if fmt not in {"table", "json"}:
        err.print("--format must be table or json")
        raise typer.Exit(EXIT_USAGE)
    words = check_lang(lang)
    found = questions(parts=parts)
    if fmt == "json":
        told = [described_in(q, lang) for q in found]
        out.print(json.dumps(told, ensure_ascii=False, indent=2))
        return
    rows = []
    for q in found:
        params = []
        texts = question_text(q, lang)
        for p in q.params:
            text = f"{p.name}: {p.kind or p.type}"
            if p.required:
                text += f" ({words('cli.required')})"
            elif p.default is not None:
                text += f" = {p.default}"
            if p.allowed:
                text += f" [{' | '.join(p.allowed)}]"
            params.append(text)
        rows.append([q.name, "\n".join(params), texts.summary.text])
    header = [words(f"cli.col.{c}") for c in ("question", "parameters", "summary")]
    show(Grid(words("cli.questions"), header, rows), out)


def query(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="QUESTION", help="The question's name (see `sic queries`).")
    ],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", metavar="NAME=VALUE", help="A parameter; repeat for several."
        ),
    ] = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = DEFAULT,
) -> None:
    """Answer one question of the catalogue."""
    _check_format(fmt)
    check_lang(lang)
    try:
        params = _in_language(name, parse_params(param or []), lang)
    except QueryError as exc:
        raise fail(exc) from None
    _print(_answers(ctx, [(name, params)])[0], fmt, lang=lang)


def match(
    ctx: typer.Context,
    activity: Annotated[
        str, typer.Argument(metavar="ACTIVITY", help="The activity's code, e.g. A2.07.")
    ],
    top: Annotated[int, typer.Option("--top", metavar="N", help="How many candidates.")] = 10,
    lang: LangOpt = DEFAULT,
    fmt: FormatOpt = "table",
) -> None:
    """Organisations that could take on an activity, ranked, with reasons."""
    _check_format(fmt)
    check_lang(lang)
    params = {"activity": activity, "top": str(top), "lang": lang}
    _print(_answers(ctx, [("candidates-for-activity", params)])[0], fmt, lang=lang)


def gaps(
    ctx: typer.Context,
    objective: Annotated[
        str | None,
        typer.Option(
            "--objective", metavar="CODE", help="Only this objective.", show_default=False
        ),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", metavar="CODE", help="Only this category.", show_default=False),
    ] = None,
    fmt: FormatOpt = "table",
    lang: LangOpt = DEFAULT,
) -> None:
    """Global-Facility activities that no live project addresses, then coverage per objective.

    csv and json print the uncovered activities only; the coverage summary goes to the table
    format (and a one-line count to standard error in every format).
    """
    _check_format(fmt)
    words = check_lang(lang)
    params = {k: v for k, v in (("objective", objective), ("category", category)) if v}
    coverage_params = {"objective": objective} if objective else {}
    uncovered, coverage = _answers(
        ctx,
        [
            ("uncovered-activities", _in_language("uncovered-activities", params, lang)),
            (
                "coverage-by-objective",
                _in_language("coverage-by-objective", coverage_params, lang),
            ),
        ],
    )
    # on a table, the codes stand for the objective's and the category's long titles
    _print(uncovered, fmt, hidden=frozenset({"objective_title", "category_label"}), lang=lang)
    if fmt == "table":
        # the objective's title last, so that its counts line up after the code
        order = (*tuple(c for c in coverage.columns if c != "title"), "title")
        coverage = dataclasses.replace(coverage, columns=order)
        _print(coverage, fmt, title=words("cli.coverage"), cut=frozenset({"title"}), lang=lang)
    total = sum(int(r.get("activities") or 0) for r in coverage.rows)
    bare = sum(int(r.get("uncovered") or 0) for r in coverage.rows)
    waiting = sum(int(r.get("waiting") or 0) for r in coverage.rows)
    err.print(
        words(
            "cli.gaps_summary", uncovered=len(uncovered), bare=bare, total=total, waiting=waiting
        ),
        highlight=False,
    )


def register_query_commands(app: typer.Typer) -> None:
    """Add `queries`, `query`, `match` and `gaps` to the `sic` app."""
    app.command("queries", cls=HelpCommand)(list_questions)
    app.command("query", cls=StoreCommand)(query)
    app.command("match", cls=StoreCommand)(match)
    app.command("gaps", cls=StoreCommand)(gaps)
