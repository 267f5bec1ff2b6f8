"""What the HTML and linked-data routes share: conditional requests, per-version caches, the
templates.

ETags name the store version and the representation, so a client's copy is checked without
reading the store; values computed from the store are kept per version on the application;
the pages are Jinja2 templates of api/templates, autoescaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

from fastapi import Request
from fastapi.responses import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.i18n import install as install_i18n
from graph.base import GraphStore
from queries.describe import PerVersion, compact_iri

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
T = TypeVar("T")


def is_fresh(request: Request, tag: str) -> bool:
    """True when If-None-Match names `tag` (or `*`): the client's copy is current."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    wanted = tag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def representation_headers(tag: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Headers every negotiated response carries: the validator and what it varies on."""
    return {"ETag": tag, "Vary": "Accept", **(extra or {})}


def not_modified(tag: str, extra: Mapping[str, str] | None = None) -> Response:
    """304: the client's copy is current (no body, same validators)."""
    return Response(status_code=304, headers=representation_headers(tag, extra))


def cached(request: Request, name: str, build: Callable[[GraphStore], T]) -> PerVersion[T]:
    """The application's cache `name` of a value computed from the store per version.

    Kept on the application (never in a module global) so two apps in one process, as tests
    build them, never see each other's data.
    """
    caches: dict[str, PerVersion[Any]] | None = getattr(request.app.state, "ld_caches", None)
    if caches is None:
        caches = {}
        request.app.state.ld_caches = caches
    if name not in caches:
        caches[name] = PerVersion(build)
    return cast(PerVersion[T], caches[name])


@cache
def templates() -> Environment:
    """The Jinja2 templates of api/templates, autoescaped."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["compact"] = compact_iri
    install_i18n(environment)
    return environment


def render(template: str, **context: object) -> bytes:
    """One of api/templates rendered with `context`."""
    return templates().get_template(template).render(**context).encode()


def root_of(request: Request) -> str:
    """The path the application is mounted at ('' at the root), for links on pages."""
    return str(request.scope.get("root_path", "")).rstrip("/")
