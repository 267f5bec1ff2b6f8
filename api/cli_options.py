"""What every `sic` command shares: the store options, the one Settings they make, the exit
codes, and how an error ends a command.

The five store options (`--store`, `--base-iri`, `--endpoint`, `--update-endpoint`,
`--gsp-endpoint`) are the parameters of the app's callback (`sic --store X sources`); a command
that opens the store (`StoreCommand`) takes the same parameters after its name too (`sic sources
--store X`), and what it is given joins what the callback was given. The settings are built
from them once, on first use (`settings_of`). Kept apart from api/cli.py so that the command
modules (api/cli.py, api/commands_queries.py) import it and not each other.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from api.cli_help import HelpCommand
from api.i18n import SUPPORTED, Ui
from api.output import console, print_problems, violations_text
from api.service_note import locked_message
from api.settings import Settings, load_settings
from graph.base import GraphStore
from queries.sentences import DEFAULT
from sic.errors import KGError, LoaderError, StoreLocked, ValidationFailed

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        metavar="DIR",
        help="Folder of the embedded store (env SIC_STORE).",
        show_default=False,
    ),
]
BaseOpt = Annotated[
    str | None,
    typer.Option(
        "--base-iri",
        metavar="IRI",
        help="BASE of data IRIs (env SIC_BASE_IRI).",
        show_default=False,
    ),
]
EndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        metavar="URL",
        help="SPARQL query endpoint of a remote store, used instead of --store (env SIC_ENDPOINT;"
        " credentials from SIC_ENDPOINT_USER/SIC_ENDPOINT_PASSWORD or SIC_ENDPOINT_TOKEN).",
        show_default=False,
    ),
]
UpdateEndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--update-endpoint",
        metavar="URL",
        help="SPARQL Update endpoint of the remote store; default: the query endpoint"
        " (env SIC_UPDATE_ENDPOINT).",
        show_default=False,
    ),
]
GspEndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--gsp-endpoint",
        metavar="URL",
        help="Graph Store Protocol endpoint of the remote store, for large loads"
        " (env SIC_GSP_ENDPOINT).",
        show_default=False,
    ),
]

STORE_OPTIONS = ("store", "base_iri", "endpoint", "update_endpoint", "gsp_endpoint")
"""The parameters of the app's callback that every StoreCommand also takes."""

EXIT_INVALID = 1
EXIT_USAGE = 2

err = console(stderr=True)


@dataclass
class StoreChoice:
    """The store options as given on the command line, and the settings they make (once)."""

    given: dict[str, Any] = field(default_factory=dict)
    _settings: Settings | None = None

    def add(self, **options: Any) -> None:
        """Take the options given (None: not given); the later of two for one name wins."""
        self.given.update({k: v for k, v in options.items() if v is not None})

    def settings(self) -> Settings:
        """Settings from the environment, overridden by the options given.

        An explicit --store selects the embedded store even when SIC_ENDPOINT is set.

        :raises typer.BadParameter: --store and --endpoint are both given.
        :raises ConfigError: a setting of the environment is wrong.
        """
        if self._settings is None:
            given = dict(self.given)
            if "store" in given and "endpoint" in given:
                raise typer.BadParameter("give --store or --endpoint, not both")
            if "store" in given:
                given.setdefault("endpoint", None)
            self._settings = load_settings(**given)
        return self._settings


class StoreCommand(HelpCommand):
    """A command that opens the store: it also takes the app's store options after its name
    (click parameters of its parent), and adds what it is given to the app's StoreChoice.

    (`ctx` is typer's click Context, whose class typer does not export.)
    """

    def get_params(self, ctx: Any) -> list[Any]:
        inherited = ctx.parent.command.params if ctx.parent is not None else []
        return [*super().get_params(ctx), *(p for p in inherited if p.name in STORE_OPTIONS)]

    def invoke(self, ctx: Any) -> Any:
        ctx.ensure_object(StoreChoice).add(**{n: ctx.params.pop(n, None) for n in STORE_OPTIONS})
        return super().invoke(ctx)


def settings_of(ctx: typer.Context) -> Settings:
    """The one Settings of this command line (see StoreChoice)."""
    return ctx.ensure_object(StoreChoice).settings()


def fail(exc: Exception, *, stores: bool = True, lang: str = "en") -> typer.Exit:
    """Print an error the way the user can act on it, and choose the exit code.

    `stores`: the command would have written (a load): its summary says that nothing was
    stored. A command that only reads or checks (`sic validate`) never stores anything.
    `lang`: the language of the rules' sentences when the shapes refused the data.
    """
    if isinstance(exc, LoaderError):
        print_problems(exc.problems, err, lang)
        words = Ui(lang if lang in SUPPORTED else DEFAULT)
        summary = words(
            "cli.problems_not_stored" if stores else "cli.problems", count=len(exc.problems)
        )
        err.print(Text(summary, style="red"))
        return typer.Exit(EXIT_INVALID)
    if isinstance(exc, ValidationFailed):
        err.print(violations_text(exc.violations, lang))
        words = Ui(lang if lang in SUPPORTED else DEFAULT)
        summary = words(
            "cli.violations_not_stored" if stores else "cli.violations",
            count=len(exc.violations),
        )
        err.print(Text(summary, style="red"))
        return typer.Exit(EXIT_INVALID)
    if isinstance(exc, StoreLocked):
        err.print(Text.assemble(("error:", "red"), " ", locked_message(Path(exc.path))))
        return typer.Exit(EXIT_USAGE)
    err.print(Text.assemble(("error:", "red"), f" {exc}"))
    return typer.Exit(EXIT_USAGE)


def write_out(data: bytes | None) -> None:
    """Bytes a command made for machines (None: it printed a table), as they are, on standard
    output, ending with a line end."""
    if data is not None:
        sys.stdout.buffer.write(data)
        if not data.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        sys.stdout.buffer.flush()


@contextmanager
def opened(ctx: typer.Context) -> Iterator[GraphStore]:
    """The store the command line names, open for a command's body; an error of the platform
    or of the system there ends the command (`fail`)."""
    settings = settings_of(ctx)
    try:
        with settings.open_store() as store:
            yield store
    except (KGError, OSError) as exc:
        raise fail(exc) from None
