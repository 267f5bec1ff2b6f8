"""The `sic` command: load, validate, query and export the knowledge graph.

Exit codes: 0 success (or conforms), 1 invalid data (violations, a bad workbook), 2 usage or
I/O error. Thin by design: every command calls loaders/, graph/ or queries/ and prints.
"""

from __future__ import annotations

import signal
import sys
from contextlib import AbstractContextManager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from api.cli_help import HelpGroup
from api.cli_lang import ReportLangOpt, check_lang, report_language
from api.cli_options import (
    EXIT_INVALID,
    EXIT_USAGE,
    BaseOpt,
    EndpointOpt,
    GspEndpointOpt,
    StoreChoice,
    StoreCommand,
    StoreOpt,
    UpdateEndpointOpt,
    err,
    fail,
    opened,
    settings_of,
    write_out,
)
from api.commands_queries import register_query_commands
from api.commands_users import register_user_commands
from api.load_progress import LoadDisplay
from api.output import (
    RDF_FORMATS,
    console,
    print_problems,
    render_result,
    violations_text,
)
from api.service_note import noted, service_url
from api.settings import Settings
from api.tables import Grid, show
from graph.base import GraphStore
from graph.bootstrap import load_with_ontology
from graph.validation import validate_source
from loaders.iati import is_iati
from loaders.source import is_workbook, read_source
from queries.linking import decide_link, link_proposals, propose_links
from queries.reconciliation import decide, known_organisations, proposals
from sic.errors import ConfigError, KGError, QueryError, StoreError
from sic.report import violations_json, violations_turtle

app = typer.Typer(
    name="sic",
    help="SIC Knowledge Graph: the « 4 per 1000 » Strategy Implementation Cycle as linked data.",
    no_args_is_help=True,
    add_completion=False,
    cls=HelpGroup,
    rich_markup_mode=None,
)
out = console()


@app.callback()
def store_options(
    ctx: typer.Context,
    store: StoreOpt = None,
    base_iri: BaseOpt = None,
    endpoint: EndpointOpt = None,
    update_endpoint: UpdateEndpointOpt = None,
    gsp_endpoint: GspEndpointOpt = None,
) -> None:
    """The store every command opens; each command also takes these options after its name."""
    ctx.ensure_object(StoreChoice).add(
        store=store,
        base_iri=base_iri,
        endpoint=endpoint,
        update_endpoint=update_endpoint,
        gsp_endpoint=gsp_endpoint,
    )


class EventLoop(StrEnum):
    """The event loops `sic serve` can run on (uvicorn's names)."""

    asyncio = "asyncio"
    uvloop = "uvloop"


@app.command(cls=StoreCommand)
def load(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help="Workbooks (CSV folder or .xlsx), IATI activity files or RDF files.",
        ),
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Swap a source already loaded.")
    ] = False,
    lang: ReportLangOpt = "en",
) -> None:
    """Validate and load sources, each into its own named graph, all or nothing per source.

    A load that takes more than two seconds shows its phases (read, map, stage, validate,
    commit) as it goes, with counts and rates: live on a terminal, else one line per phase.
    """
    lang = report_language(lang)
    settings = settings_of(ctx)
    command = "sic load " + " ".join(str(p) for p in paths) + (" --replace" if replace else "")
    try:
        with settings.open_store() as st:
            for path in paths:
                with LoadDisplay(err, str(path)) as shown:
                    known = known_organisations(st) if is_iati(path) else []
                    source = read_source(
                        path, base=st.base, progress=shown, check=validate_source, known=known
                    )
                    print_problems(source.warnings, err)
                    infos = load_with_ontology(
                        st, source, replace=replace, command=command, progress=shown
                    )
                for info in infos:
                    err.print(
                        Text.assemble(
                            "loaded ",
                            (info.name, "bold"),
                            f": {info.triples:,} triples into <{info.graph}>",
                        )
                    )
            _print_graph_summary(st)
    except (KGError, OSError) as exc:
        raise fail(exc, lang=lang) from None


def _print_graph_summary(st: GraphStore) -> None:
    rows = [[s.name, s.graph, f"{s.triples:,}", s.loaded] for s in st.sources()]
    show(Grid("Sources in the store", ["source", "named graph", "triples", "loaded"], rows), out)


@app.command(cls=StoreCommand)
def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="PATH...", help="Workbooks or RDF files; none: the whole store."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="text, turtle or json.")
    ] = "text",
    lang: ReportLangOpt = "en",
) -> None:
    """Check workbooks or files without loading them, or the whole store. Exit 1 on violations."""
    if fmt not in {"text", "turtle", "json"}:
        err.print("--format must be text, turtle or json")
        raise typer.Exit(EXIT_USAGE)
    lang = report_language(lang)
    settings = settings_of(ctx)
    try:
        if paths:
            base = settings.base_iri
            violations = [
                v
                for p in paths
                for v in validate_source(read_source(p, base=base, check=validate_source))
            ]
        else:
            with settings.open_store() as st:
                violations = st.validate_all()
    except (KGError, OSError) as exc:
        raise fail(exc, stores=False, lang=lang) from None
    errors = [v for v in violations if v.severity == "Violation"]
    if fmt == "json":
        out.print(violations_json(violations, lang))
    elif fmt == "turtle":
        out.print(violations_turtle(violations))
    else:
        if violations:
            out.print(violations_text(violations, lang))
        verdict = "conforms" if not errors else f"does not conform: {len(errors)} violation(s)"
        warnings = len(violations) - len(errors)
        err.print(f"{verdict}" + (f", {warnings} warning(s)" if warnings else ""))
    raise typer.Exit(EXIT_INVALID if errors else 0)


@app.command(cls=StoreCommand)
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", metavar="FORMAT", help="nquads, trig or jsonld (dataset formats)."
        ),
    ] = "nquads",
    out_file: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="File to write; default standard output."),
    ] = None,
) -> None:
    """Dump every source and its provenance; `sic load` reads it back into an identical dataset."""
    if fmt == "turtle":
        err.print(
            "Turtle cannot hold named graphs; use --format trig (Turtle with graphs) or nquads"
        )
        raise typer.Exit(EXIT_USAGE)
    rdf_fmt = RDF_FORMATS.get(fmt)
    if rdf_fmt is None or not rdf_fmt.supports_datasets:
        err.print("--format must be nquads, trig or jsonld")
        raise typer.Exit(EXIT_USAGE)
    with opened(ctx) as st:
        if out_file is None:
            st.dump(sys.stdout.buffer, rdf_fmt)
        else:
            with out_file.open("wb") as fh:
                st.dump(fh, rdf_fmt)


@app.command(cls=StoreCommand)
def sparql(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(metavar="QUERY", help="SPARQL text, or @file.rq.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="table, csv, tsv, json, xml, turtle, ntriples or jsonld (a table is plain"
            " aligned lines in a pipe).",
        ),
    ] = "table",
    as_of_date: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Answer on the dataset as it was then: a date (the end of that day, UTC) or a"
            " date-time with its offset (2026-03-01T12:00:00Z).",
        ),
    ] = None,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            metavar="LANG",
            envvar="SIC_LANG",
            help="en, fr or es: the language of the table's title and words (default: SIC_LANG,"
            " else en); the columns keep the query's variable names.",
        ),
    ] = "en",
) -> None:
    """Run a SPARQL query over the union of all sources (as they were, with --as-of)."""
    from api.i18n import messages
    from graph import as_of
    from graph.syntax_hint import explain

    check_lang(lang)
    if query.startswith("@"):
        try:
            query = Path(query[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise fail(exc) from None
    try:
        moment = as_of.parse_moment(as_of_date) if as_of_date is not None else None
    except KGError as exc:
        raise fail(exc, stores=False) from None
    with opened(ctx) as st:
        if moment is not None:
            limit = settings_of(ctx).as_of_max_triples
            st, where = as_of.at(st, moment, max_triples=limit)
            if where.before_first:
                err.print(f"as of {moment.iso}: before the first recorded change, nothing")
        try:
            result = st.query(query)
        except QueryError as exc:  # said plainly, where and why, in the chosen language
            raise fail(QueryError(explain(query, str(exc), messages(lang))), stores=False) from None
    try:
        data = render_result(result, fmt, out, lang)
    except ValueError as exc:
        raise fail(exc) from None
    write_out(data)


@app.command(cls=StoreCommand)
def stats(ctx: typer.Context) -> None:
    """Instances per class and triples per named graph."""
    from api.output import compact

    with opened(ctx) as st:
        per_class, per_graph = st.stats()
    classes = [[compact(cls), f"{n:,}"] for cls, n in per_class.items()]
    show(Grid("Instances per class", ["class", "instances"], classes), out)
    graphs = [[g, f"{n:,}"] for g, n in per_graph.items()]
    total = f"{sum(per_graph.values()):,} triples in {len(per_graph)} named graphs"
    show(Grid("Triples per named graph", ["named graph", "triples"], graphs, caption=total), out)


@app.command(cls=StoreCommand)
def sources(ctx: typer.Context) -> None:
    """The loaded sources with their provenance."""
    with opened(ctx) as st:
        _print_graph_summary(st)


@app.command(cls=StoreCommand)
def unload(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(metavar="SOURCE", help="The source name (see `sic sources`).")
    ],
) -> None:
    """Remove one source, if what remains still conforms."""
    with opened(ctx) as st:
        st.remove_source(source, command=f"sic unload {source}")
        err.print(f"removed {source}")


@app.command(cls=StoreCommand)
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", metavar="HOST", help="Interface to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", help="TCP port to listen on.")
    ] = 8000,
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data",
            metavar="PATH",
            help="Workbook or RDF file loaded into an empty store (repeatable); "
            "default: the bundled reference workbook.",
            show_default=False,
        ),
    ] = None,
    empty: Annotated[
        bool,
        typer.Option(
            "--empty",
            help="Serve the store as it is, even when empty (load no reference data).",
        ),
    ] = False,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request.")
    ] = False,
    loop: Annotated[
        EventLoop,
        typer.Option(
            "--loop",
            help="Event loop: Python's own asyncio, or uvloop (measured no faster here: "
            "bench/SERVICE.md).",
        ),
    ] = EventLoop.asyncio,
) -> None:
    """Serve SPARQL, the Graph Store Protocol, linked data and the JSON API over HTTP.

    Writes need an account (`sic users add`, then /signin or an API token) or the service
    token SIC_WRITE_TOKEN (without either the service is read-only); SIC_QUERY_TIMEOUT,
    SIC_RESULT_LIMIT, SIC_CORS_ORIGINS, SIC_QUERY_WORKERS, SIC_ANSWER_CACHE_MB and
    SIC_MEMORY_COPY_LIMIT tune it.
    """
    import uvicorn

    from api.app import create_app, read_from_memory, seed
    from api.http_processes import ServiceBehindHttpProcesses, http_processes

    given = ctx.ensure_object(StoreChoice).given
    if "store" in given and "endpoint" in given:
        err.print("give --store or --endpoint, not both")
        raise typer.Exit(EXIT_USAGE)
    missing = [p for p in data or [] if not p.exists()]
    if missing:
        err.print("no such file or folder: " + ", ".join(str(p) for p in missing))
        raise typer.Exit(EXIT_USAGE)
    settings = settings_of(ctx)
    if data and empty:
        err.print("give --data or --empty, not both")
        raise typer.Exit(EXIT_USAGE)
    if data:
        settings = settings.model_copy(update={"data": list(data)})
    # opened here rather than in the app's lifespan so that a locked folder or a bad --data
    # file is reported like any other command's error, not as a server traceback
    url = service_url(host, port)
    # uvicorn stops on SIGTERM, then raises it again with the handler found at start: this one
    # ends the process as an exception does, so the store is closed and the note removed
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with opened(ctx) as st, _noted_if_embedded(settings, url):
        if not st.sources() and not empty:
            with err.status("loading the first data into an empty store ..."):
                seed(st, settings)
        with err.status("copying the data into memory ..."):
            where = "from memory" if read_from_memory(st, settings) else "from the store"
        app: Any = create_app(settings, store=st)
        where_to = {"host": host, "port": port}
        with http_processes(settings, st, host, port, access_log) as front:
            if front is not None:
                app = ServiceBehindHttpProcesses(app, front)
                where_to = {"fd": front.service_socket.fileno()}
                where += f", {front.count} HTTP processes"
            err.print(f"serving on {url}sparql, reading {where} (Ctrl-C to stop)")
            uvicorn.run(
                app,
                **where_to,  # type: ignore[arg-type]
                log_level="info",
                # one log line per request costs a tenth of a point query's time; opt in
                access_log=access_log,
                loop=loop.value,
                # SIGTERM: requests still running get 5 s, then their work is stopped (the
                # workers are killed at shutdown), so the service is gone within 10 s
                timeout_graceful_shutdown=5,
                # behind HTTP processes, the private socket's client is told by them
                proxy_headers=front is None,
            )


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM as SystemExit (status 143, as a shell reports a SIGTERM), so that `finally`
    blocks run."""
    raise SystemExit(128 + signum)


def _noted_if_embedded(settings: Settings, url: str) -> AbstractContextManager[None]:
    """While serving an embedded store, the note beside it that tells other commands refused
    by its lock where the service answers (api.service_note); a remote store needs none."""
    return nullcontext() if settings.endpoint else noted(settings.store, url)


@app.command(cls=StoreCommand)
def reconcile(
    ctx: typer.Context,
    review: Annotated[
        bool, typer.Option("--review", help="List the proposed matches waiting for a person.")
    ] = False,
    accept: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--accept", help="Two organisations (keys or IRIs) proposed as one: they are."
        ),
    ] = None,
    reject: Annotated[
        tuple[str, str] | None,
        typer.Option("--reject", help="Two organisations proposed as one: they are not."),
    ] = None,
) -> None:
    """Organisations met in IATI that may be known ones: review the proposals, accept or
    reject one (written to the `updates` source, validated like any write)."""
    chosen = [o for o in (review, accept is not None, reject is not None) if o]
    if len(chosen) != 1:
        err.print("give one of --review, --accept A B or --reject A B")
        raise typer.Exit(EXIT_USAGE)
    with opened(ctx) as st:
        try:
            if accept is not None or reject is not None:
                pair = accept or reject
                assert pair is not None
                verb = "--accept" if accept is not None else "--reject"
                done = decide(
                    st,
                    pair[0],
                    pair[1],
                    accept=accept is not None,
                    command=f"sic reconcile {verb} {pair[0]} {pair[1]}",
                )
                word = "one organisation" if accept is not None else "two organisations"
                err.print(f"recorded: {done.name!r} and {done.candidate_name!r} are {word}")
                return
            _print_proposals(st)
        except KGError as exc:
            raise fail(exc) from None


def _print_proposals(st: GraphStore) -> None:
    from rich.table import Table

    from sic.iris import parse

    def key(iri: str) -> str:
        parsed = parse(iri)
        return parsed[2] if parsed else iri

    found = proposals(st)
    table = Table("organisation", "name", "candidate", "candidate name", "similarity")
    for p in found:
        table.add_row(
            key(p.organisation), p.name, key(p.candidate), p.candidate_name, f"{p.score:.2f}"
        )
    out.print(table)
    err.print(f"{len(found)} proposal(s) waiting: sic reconcile --accept A B or --reject A B")


@app.command(cls=StoreCommand)
def link(
    ctx: typer.Context,
    propose: Annotated[
        bool, typer.Option("--propose", help="Run the linking rules again (the `links` source).")
    ] = False,
    review: Annotated[
        bool, typer.Option("--review", help="List the proposed links waiting for a person.")
    ] = False,
    accept: Annotated[
        tuple[str, str] | None,
        typer.Option("--accept", help="A project (key or IRI) and an activity or objective code."),
    ] = None,
    reject: Annotated[
        tuple[str, str] | None,
        typer.Option("--reject", help="A project and an activity or objective code: refuse."),
    ] = None,
) -> None:
    """Links from reported (IATI) projects to the Strategy's activities and objectives, which
    rules propose and a person accepts (the project then addresses it) or refuses; written to
    the `updates` source, validated like any write."""
    chosen = [o for o in (propose, review, accept is not None, reject is not None) if o]
    if len(chosen) != 1:
        err.print("give one of --propose, --review, --accept PROJECT CODE or --reject PROJECT CODE")
        raise typer.Exit(EXIT_USAGE)
    with opened(ctx) as st:
        try:
            if propose:
                count = propose_links(st, command="sic link --propose")
                err.print(f"{count} link(s) proposed: sic link --review")
                return
            if accept is not None or reject is not None:
                pair = accept or reject
                assert pair is not None
                verb = "--accept" if accept is not None else "--reject"
                done = decide_link(
                    st,
                    pair[0],
                    pair[1],
                    accept=accept is not None,
                    command=f"sic link {verb} {pair[0]} {pair[1]}",
                )
                word = "serves" if accept is not None else "does not serve"
                err.print(f"recorded: {done.project_title!r} {word} {done.target_code}")
                return
            _print_links(st)
        except KGError as exc:
            raise fail(exc) from None


def _print_links(st: GraphStore) -> None:
    from rich.table import Table

    found = link_proposals(st, waiting_only=True)
    table = Table("project", "title", "target", "confidence", "rules", "evidence")
    for p in found:
        table.add_row(
            p.project_key,
            p.project_title,
            p.target_code,
            f"{p.confidence:.2f}",
            p.rules,
            p.evidence,
        )
    out.print(table)
    err.print(
        f"{len(found)} link(s) waiting: sic link --accept PROJECT CODE or --reject PROJECT CODE"
    )


register_query_commands(app)
register_user_commands(app)


def main() -> None:
    """Console-script entry point."""
    if "serve" in sys.argv[1:]:
        from api.malloc_tuning import restart_tuned

        restart_tuned(sys.orig_argv)  # the same command, with a larger malloc cache
    try:
        app()
    except ConfigError as exc:
        err.print(str(exc))
        sys.exit(EXIT_USAGE)
    except StoreError as exc:  # pragma: no cover - last resort, keeps traces off the terminal
        err.print(Text.assemble(("error:", "red"), f" {exc}"))
        sys.exit(EXIT_USAGE)


__all__ = ["app", "is_workbook", "main"]
