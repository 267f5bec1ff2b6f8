"""The FastAPI application factory for `sic serve`.

Thin by design: it builds the settings, opens the store once (in the lifespan, never at import),
starts the query workers, and mounts one router per face (SPARQL protocol, Graph Store Protocol,
linked data, metadata, JSON API). Errors of the platform's hierarchy are mapped to HTTP here and
nowhere else, as `{"detail": ...}` JSON, or as a page for a browser (api.error_pages), and
never with a stack trace. Tests build their
own app with their own settings, and may hand it a store they opened themselves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol, runtime_checkable

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accounts.book import AccountBook
from accounts.throttle import SignInThrottle
from api.as_of import AsOfHeaders, close_pools, read_as_of
from api.deps import Service, make_runner, start_refits
from api.error_pages import as_page
from api.errors_in_language import install as install_errors_in_language
from api.errors_in_language import named_language
from api.html_gzip import HtmlGzip
from api.in_worker import register
from api.language_cookie import LanguageCookie
from api.limits import BodyLimits
from api.loads import LoadJobs
from api.negotiation import NotAcceptable
from api.routes import (
    catalogue,
    forms,
    gsp,
    indicators,
    linked_data,
    links,
    loads,
    meta,
    names,
    pages,
    reports,
    review,
    search,
    signin,
    sparql,
)
from api.settings import Settings, load_settings
from api.violation_json import violation_json
from graph.base import GraphStore
from queries import learned
from runner.per_version import PerVersion
from runner.pool import Runner
from sic.errors import (
    Conflict,
    Forbidden,
    KGError,
    LoaderError,
    NotFound,
    QueryError,
    QueryTimeout,
    StoreError,
    StoreUnavailable,
    TooLarge,
    UnsupportedBody,
    ValidationFailed,
)

log = logging.getLogger(__name__)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"content-security-policy", b"frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_ONLY_PATHS = frozenset({"/update"})


def create_app(
    settings: Settings | None = None,
    *,
    store: GraphStore | None = None,
    runner: Runner | None = None,
) -> FastAPI:
    """A new application over the store the settings name, or over `store` if given.

    A store the app opens itself is closed at shutdown, and when it is empty it is first
    loaded with `settings.data` or, when that is empty, the bundled reference workbook. A store
    handed in belongs to the caller: it is used as it is and left open. `runner` runs the
    app's calls instead of the pool the settings describe (an HTTP process's own threads,
    api.http_processes).
    """
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = store is None
        current = store if store is not None else await asyncio.to_thread(_open, settings)
        try:
            register(app)  # the workers rebuild requests around it (api.in_worker)
            calls = runner if runner is not None else make_runner(current, settings)
            app.state.store = current
            app.state.runner = calls
            app.state.service = Service(settings, current, calls)
            app.state.loads = jobs = LoadJobs()
            refits: PerVersion[Any] | None = None
            try:
                await calls.start()
                refits = start_refits(calls, settings)
                app.state.refits = refits
                yield
            finally:
                await jobs.close()
                if refits is not None:
                    await refits.close()
                    learned.defer_fits(False)
                await close_pools(app.state)
                await calls.close()
        finally:
            if opened:
                current.close()

    app = FastAPI(
        title="SIC Knowledge Graph",
        description=(
            "The « 4 per 1000 » Strategy Implementation Cycle as linked data: a SPARQL 1.1 "
            "endpoint, the Graph Store Protocol, dereferenceable IRIs and a JSON API for "
            "matchmaking partners to activities."
        ),
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(read_as_of)],  # ?asOf=: every read on a past moment (api.as_of)
        # the default /docs and /redoc pages load their scripts from a CDN: /docs is served
        # below from the vendored swagger-ui instead, so it works without internet
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    # the account book is a file opened per operation (accounts.book): nothing is read here
    app.state.accounts = AccountBook(settings.accounts_path())
    app.state.signin_throttle = SignInThrottle(settings.signin_attempts)
    for module in (sparql, gsp, linked_data, meta, catalogue, links, loads, pages, search, signin):
        app.include_router(module.router)
    app.include_router(review.router)
    app.include_router(review.api_router)
    app.include_router(forms.router)
    app.include_router(indicators.router)
    app.include_router(reports.router)
    app.include_router(names.router)
    _add_docs(app)
    _add_error_handlers(app)
    install_errors_in_language(app)  # syntax errors and refusals in the reader's language
    if settings.cors_origins:
        app.add_middleware(ReadOnlyCORS, origins=settings.cors_origins)
    app.add_middleware(BodyLimits, settings=settings)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AsOfHeaders)
    app.add_middleware(HtmlGzip)
    app.add_middleware(LanguageCookie)  # outermost: the cookie's language before any route
    return app


def _add_docs(app: FastAPI) -> None:
    """OpenAPI documentation at /docs, with swagger-ui served by this service (no CDN)."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    vendor = "/static/vendor/swagger-ui"

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title}: API",
            swagger_js_url=f"{vendor}/swagger-ui-bundle.js",
            swagger_css_url=f"{vendor}/swagger-ui.css",
            swagger_favicon_url=f"{vendor}/favicon-32x32.png",
        )


def _open(settings: Settings) -> GraphStore:
    """Open the configured store; fill it first when it is empty, then copy it into memory."""
    opened = settings.open_store()
    try:
        if not opened.sources():
            seed(opened, settings)
        read_from_memory(opened, settings)
    except BaseException:
        opened.close()
        raise
    return opened


@runtime_checkable
class MemoryCopy(Protocol):
    """A store that can hold its data in memory to read from (the embedded one can)."""

    @property
    def in_memory(self) -> bool: ...

    def hold_in_memory(self, max_triples: int) -> bool: ...


def read_from_memory(store: GraphStore, settings: Settings) -> bool:
    """Hold the store in memory when it can and is small enough (SIC_MEMORY_COPY_LIMIT).

    pyoxigraph's in-memory store answers 2.7-4.5x faster than its disk store (graph.embedded).
    Answers whether reads now come from memory.
    """
    if not isinstance(store, MemoryCopy) or not settings.memory_copy_limit:
        return False
    return store.hold_in_memory(settings.memory_copy_limit) or store.in_memory


def seed(store: GraphStore, settings: Settings) -> None:
    """Load the ontology and `settings.data` into a store.

    By default the reference workbook, then (unless SIC_IATI_SAMPLE=false) the bundled IATI
    sample (real projects, each file its own source with its publisher and licence), each
    file's organisations reconciled against those already loaded, then the links the rules
    propose between the sample's projects and the Strategy (queries.linking: proposals only,
    until a person accepts one).

    The bundled data goes into an empty embedded store as one write, validated once
    (api.seeding: 41-45 s to the first answer before, on a 2-core machine). `settings.data`
    goes one source at a time, each checked against those before it as `sic load` does; so
    do a remote store, and bundled data the shapes refuse (to name the source refused).

    :raises LoaderError, ValidationFailed: a source cannot be loaded; nothing of it is stored.
    """
    from api.seeding import seed_together
    from graph.bootstrap import load_with_ontology
    from graph.embedded import EmbeddedStore
    from graph.validation import validate_source
    from loaders.iati import is_iati
    from loaders.source import read_source
    from queries.linking import propose_links
    from queries.reconciliation import known_organisations
    from sic.paths import iati_sample, reference_workbook

    sample = iati_sample() if settings.iati_sample else []
    paths = settings.data or [reference_workbook(), *sample]
    if not settings.data and isinstance(store, EmbeddedStore) and not store.sources():
        links = any(is_iati(path) for path in paths)
        loaded = seed_together(store, paths, links=links, command="sic serve")
        for info in loaded or []:
            log.info("loaded %s: %d triples into <%s>", info.name, info.triples, info.graph)
        if loaded is not None:
            return
    for path in paths:
        known = known_organisations(store) if is_iati(path) else []
        source = read_source(path, base=store.base, check=validate_source, known=known)
        for info in load_with_ontology(store, source, command="sic serve"):
            log.info("loaded %s: %d triples into <%s>", info.name, info.triples, info.graph)
    if any(is_iati(path) for path in paths):
        proposed = propose_links(store, command="sic serve")
        log.info("proposed %d links from IATI projects to the Strategy", proposed)


# -- errors -----------------------------------------------------------------------------------


def _error(
    code: int, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=code, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    """Map the sic.errors hierarchy once (Starlette picks the handler by walking the MRO)."""

    def on(exc_type: type[Exception], respond: Callable[[Any], JSONResponse]) -> None:
        async def handler(request: Request, exc: Exception) -> Response:
            return as_page(request, respond(exc))

        app.add_exception_handler(exc_type, handler)

    async def http_error(request: Request, exc: Exception) -> Response:
        """Starlette's own errors (an unknown path: 404, a method a route lacks: 405)."""
        assert isinstance(exc, StarletteHTTPException)
        return as_page(request, await http_exception_handler(request, exc))

    async def invalid_request(request: Request, exc: Exception) -> Response:
        """A parameter FastAPI refused (422): FastAPI's list of problems, or a page of them."""
        assert isinstance(exc, RequestValidationError)
        return as_page(request, await request_validation_exception_handler(request, exc))

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)

    on(
        QueryTimeout,
        lambda e: _error(
            503, str(e), headers={"Retry-After": str(e.retry_after)} if e.retry_after else None
        ),
    )
    on(UnsupportedBody, lambda e: _error(415, str(e)))
    on(TooLarge, lambda e: _error(413, str(e)))
    on(Conflict, lambda e: _error(409, str(e)))
    on(Forbidden, lambda e: _error(403, str(e)))
    on(QueryError, lambda e: _error(400, str(e)))
    on(NotFound, lambda e: _error(404, str(e)))

    async def refused_write(request: Request, exc: Exception) -> Response:
        """A write the shapes refused (422): every result, in the language the request names
        too (api.violation_json), so the answer varies with Accept-Language."""
        assert isinstance(exc, ValidationFailed)
        told = named_language(request)
        results = [violation_json(v, told) for v in exc.violations]
        vary = {"Vary": "Accept-Language"}
        return as_page(request, _error(422, _rejected(exc.violations), vary, violations=results))

    app.add_exception_handler(ValidationFailed, refused_write)
    on(
        LoaderError,
        lambda e: _error(
            400,
            _loader_detail(e.problems),
            problems=[{"where": str(p.location), "message": p.message} for p in e.problems],
        ),
    )
    on(StoreUnavailable, lambda e: _error(503, f"the store is unavailable: {e}"))
    on(StoreError, lambda e: _error(500, f"the store failed: {e}"))
    on(KGError, lambda e: _error(400, str(e)))
    on(NotAcceptable, lambda e: _error(406, str(e), acceptable=e.offered))
    on(Exception, _internal)


def _loader_detail(problems: list[Any]) -> str:
    """The first problem in words (where and what), then how many more: a client that reads
    only `detail` still learns what is wrong; `problems` lists them all."""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    first = f"{problems[0]}{more}; " if problems else ""
    return f"{first}nothing was changed"


def _rejected(violations: list[Any]) -> str:
    """What a 422 says: SHACL violations are named so only when the shapes found them (a
    field of a JSON body of the wrong type is a problem of the request, not of the graph)."""
    count = len(violations)
    if all(v.source_shape or v.constraint == "unique key" for v in violations):
        return f"{count} SHACL violation(s); nothing was changed"
    return f"{count} problem(s) in the request; nothing was changed"


def _internal(exc: Exception) -> JSONResponse:
    log.error("unexpected error", exc_info=exc)
    return _error(500, "internal error; the details are in the service log")


# -- middleware -------------------------------------------------------------------------------


class SecurityHeaders:
    """Headers every response carries: no sniffing, no framing, no referrer leaks."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class ReadOnlyCORS:
    """CORS for reading only: GET, HEAD and preflights of them; never on a write.

    A request with another method, or any request to a write-only route, passes by the CORS
    layer untouched, so a browser on another origin can never read what a write answered nor
    be told that it may send one.
    """

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=sorted(READ_METHODS),
            allow_headers=["Accept", "Accept-Language", "If-None-Match"],
            expose_headers=[sparql.TRUNCATED_HEADER, "ETag", "Link", "Vary"],
            allow_credentials=False,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not _is_read(scope):
            await self.app(scope, receive, send)
            return
        await self.cors(scope, receive, send)


def _is_read(scope: Scope) -> bool:
    """A GET or HEAD of a read route, or the preflight of one."""
    if scope["path"] in WRITE_ONLY_PATHS or scope["method"] not in READ_METHODS:
        return False
    if scope["method"] == "OPTIONS":
        for name, value in scope["headers"]:
            if name == b"access-control-request-method":
                return value.decode("latin-1").strip().upper() in READ_METHODS
    return True


__all__ = ["create_app", "read_from_memory", "seed"]
