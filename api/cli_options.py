"""What every `sic` command shares: the store options, the settings they make, the exit codes.

Kept apart from api/cli.py so that the command modules (api/cli.py, api/commands_queries.py)
import it and not each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.settings import Settings, load_settings
from graph.base import GraphStore
from graph.factory import open_store

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store", help="Folder of the embedded store (env SIC_STORE).", show_default=False
    ),
]
BaseOpt = Annotated[
    str | None,
    typer.Option("--base-iri", help="BASE of data IRIs (env SIC_BASE_IRI).", show_default=False),
]
EndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        help="SPARQL query endpoint of a remote store, used instead of --store (env SIC_ENDPOINT;"
        " credentials from SIC_ENDPOINT_USER/SIC_ENDPOINT_PASSWORD or SIC_ENDPOINT_TOKEN).",
        show_default=False,
    ),
]
UpdateEndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--update-endpoint",
        help="SPARQL Update endpoint of the remote store; default: the query endpoint"
        " (env SIC_UPDATE_ENDPOINT).",
        show_default=False,
    ),
]
GspEndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--gsp-endpoint",
        help="Graph Store Protocol endpoint of the remote store, for large loads"
        " (env SIC_GSP_ENDPOINT).",
        show_default=False,
    ),
]

EXIT_INVALID = 1
EXIT_USAGE = 2


def settings_for_command(
    store: Path | None,
    base: str | None,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
    gsp_endpoint: str | None = None,
) -> Settings:
    """Settings from the environment, overridden by the options given on the command line.

    An explicit --store selects the embedded store even when SIC_ENDPOINT is set.
    """
    if store is not None and endpoint is not None:
        raise typer.BadParameter("give --store or --endpoint, not both")
    overrides: dict[str, object] = {}
    if store is not None:
        overrides["store"] = store
        overrides["endpoint"] = None
    if base is not None:
        overrides["base_iri"] = base
    if endpoint is not None:
        overrides["endpoint"] = endpoint
    if update_endpoint is not None:
        overrides["update_endpoint"] = update_endpoint
    if gsp_endpoint is not None:
        overrides["gsp_endpoint"] = gsp_endpoint
    return load_settings(**overrides)


def open_for_command(settings: Settings) -> GraphStore:
    """The remote store when an endpoint is set (option or env), else the embedded one."""
    return open_store(settings.store, **settings.store_options())
