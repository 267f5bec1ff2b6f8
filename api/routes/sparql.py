"""SPARQL 1.1 Protocol: queries at /sparql, updates at /update.

/sparql takes a query by GET (`?query=`), by POST of a form (`query=`) or by POST of the query
itself (`application/sparql-query`), with the dataset optionally given by `default-graph-uri` /
`named-graph-uri`. Without a query, GET /sparql answers the SPARQL Service Description. The
answer's format follows the Accept header (api.negotiation): SPARQL JSON, XML, CSV or TSV for
SELECT and ASK; Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads or TriG for CONSTRUCT and DESCRIBE.

Limits, documented here and in the service description:
- a query runs at most SIC_QUERY_TIMEOUT seconds; then it is stopped and the answer is 503;
- a SELECT answers at most SIC_RESULT_LIMIT rows (a CONSTRUCT as many triples). A longer
  answer is cut there and says so in the header `SIC-Result-Truncated: <limit>`; page with
  LIMIT / OFFSET to read the rest;
- SERVICE is refused (400); FROM, FROM NAMED and the dataset parameters only name graphs of
  the store (one that is not there is empty): nothing is ever fetched.

An answer is kept for the store version it was computed on (runner.kept, SIC_ANSWER_CACHE_MB)
and served again for the same query, dataset and Accept header until the next write.

/update takes SPARQL 1.1 Update by POST only (form `update=` or `application/sparql-update`),
with `Authorization: Bearer <SIC_WRITE_TOKEN>`; LOAD is refused, and every update is validated
against the shapes and lands whole or not at all. It answers 204.

Relative IRIs in queries and updates resolve against SIC_BASE_IRI (the service-defined BASE
the protocol allows), so `<id/activity/A1>` names an activity.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from api.attribution import of_request
from api.deps import Service, ServiceDep, UpdateWriter
from api.errors_in_language import syntax_in
from api.limits import check_query_text
from api.negotiation import (
    RDF_FORMATS,
    RESULT_FORMATS,
    charset_of,
    choose,
    media_type_of,
)
from api.routes.pages import editor_if_wanted, reader, results_page, wants_results_page
from api.security import book_of, is_read_only
from api.settings import Settings
from api.sparql_answers import QueryAnswer, QueryJob, execute
from api.sparql_page_answer import PageAnswer, execute_for_page
from graph.base import GraphStore, PreparedWrite
from graph.results import GraphResult
from queries.service_description import SD, service_description
from runner.pool import Call
from sic.errors import QueryError, QuerySyntaxError

router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
TRUNCATED_HEADER = "SIC-Result-Truncated"

Params = list[tuple[str, str]]


def _body(
    media_type: str, field: str, graphs: tuple[str, str], example: str | None = None
) -> dict[str, Any]:
    """The OpenAPI request body of /sparql or /update: the text itself, or a form with the text
    in `field` and the dataset's graph parameters (repeatable)."""
    text: dict[str, Any] = {"schema": {"type": "string"}}
    if example is not None:
        text["example"] = example
    properties: dict[str, Any] = {field: {"type": "string"}}
    properties |= {name: {"type": "array", "items": {"type": "string"}} for name in graphs}
    form = {"schema": {"type": "object", "required": [field], "properties": properties}}
    return {"requestBody": {"required": True, "content": {media_type: text, FORM: form}}}


_QUERY_BODY = _body(
    QUERY_TYPE, "query", ("default-graph-uri", "named-graph-uri"), "ASK { ?s ?p ?o }"
)
_UPDATE_BODY = _body(UPDATE_TYPE, "update", ("using-graph-uri", "using-named-graph-uri"))

_QUERY_PARAMETERS: dict[str, Any] = {
    "parameters": [
        {
            "name": "query",
            "in": "query",
            "description": "The SPARQL query (once); without it, the service description.",
            "schema": {"type": "string"},
        },
        {
            "name": "default-graph-uri",
            "in": "query",
            "description": "Graphs of the store merged into the default graph (repeatable).",
            "schema": {"type": "array", "items": {"type": "string"}},
        },
        {
            "name": "named-graph-uri",
            "in": "query",
            "description": "Graphs of the store offered as named graphs (repeatable).",
            "schema": {"type": "array", "items": {"type": "string"}},
        },
        {
            "name": "asOf",
            "in": "query",
            "description": "An extension of the protocol (api.as_of): answer on the dataset as "
            "it was at this date (its end, UTC) or date-time with its offset, e.g. 2026-03-01 "
            "or 2026-03-01T12:00:00Z; without it, the present. Also a form field of a POST.",
            "schema": {"type": "string"},
        },
    ]
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The answer, in the negotiated format.",
        "content": {f.media_type: {} for f in (*RESULT_FORMATS, *RDF_FORMATS)},
    },
    400: {"description": "Malformed or refused query (SERVICE, bad parameters)."},
    406: {"description": "No acceptable format for this kind of answer."},
    413: {"description": "The query is longer than SIC_MAX_QUERY_KB."},
    415: {"description": "The body is neither a form nor application/sparql-query in UTF-8."},
    503: {"description": "The query ran past SIC_QUERY_TIMEOUT and was stopped."},
}


def _bad(message: str, code: int = status.HTTP_400_BAD_REQUEST) -> HTTPException:
    return HTTPException(code, detail=message)


def _decode_params(raw: str) -> Params:
    try:
        return parse_qsl(raw, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise _bad("the parameters are not percent-encoded UTF-8") from None


async def _body_text(request: Request) -> str:
    """The request body as text; the protocol only allows UTF-8.

    :raises HTTPException: 415 for another declared charset, 400 for bytes that are not UTF-8.
    """
    charset = charset_of(request.headers.get("content-type"))
    if charset not in (None, "utf-8", "utf8"):
        raise _bad(f"the body must be UTF-8, not {charset}", status.HTTP_415_UNSUPPORTED_MEDIA_TYPE)
    try:
        return (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise _bad("the body is not valid UTF-8") from None


def _values(params: Params, name: str) -> list[str]:
    return [v for k, v in params if k == name]


def _one(params: Params, name: str) -> str:
    found = _values(params, name)
    if len(found) != 1:
        raise _bad(f"exactly one '{name}' parameter is needed, got {len(found)}")
    return found[0]


def _dataset(params: Params) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    default = tuple(_values(params, "default-graph-uri"))
    named = tuple(_values(params, "named-graph-uri"))
    if not default and not named:
        return None, None
    return default, named


def query_job(settings: Settings, text: str, params: Params, accept: str | None) -> QueryJob:
    """The query as a worker runs it, within the service's limits."""
    default, named = _dataset(params)
    check_query_text(text, settings)
    return QueryJob(
        sparql=text,
        accept=accept,
        default_graph=default,
        named_graphs=named,
        limit=settings.result_limit,
        base_iri=settings.base_iri,
        max_nesting=settings.max_nesting,
        max_bytes=int(settings.max_answer_mb * (1 << 20)),
    )


async def _answer(service: Service, request: Request, text: str, params: Params) -> Response:
    settings = service.settings
    job = query_job(settings, text, params, request.headers.get("accept"))
    client = request.client.host if request.client else None
    answer: QueryAnswer = await service.runner.call(execute, job, keep=True, client=client)
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers[TRUNCATED_HEADER] = str(settings.result_limit)
    return Response(answer.body, media_type=answer.content_type, headers=headers)


@router.get(
    "/sparql",
    responses=_RESPONSES,
    openapi_extra=_QUERY_PARAMETERS,
    summary="SPARQL query (GET), or the service description",
)
async def query_get(request: Request, service: ServiceDep) -> Response:
    """Run a query given in the URL; without one, describe this endpoint (SPARQL 1.1 SD)."""
    # The parameters are read here rather than declared: the protocol needs every repetition
    # (two `query` parameters are an error), and declaring them would validate them twice.
    params = _decode_params(request.url.query)
    if _values(params, "update"):
        raise _bad("updates are POSTed to /update, never sent by GET")
    if not _values(params, "query"):
        if _dataset(params) != (None, None):
            raise _bad("a 'query' parameter is needed")
        # a browser (text/html preferred) gets the web pages' query editor instead
        editor = editor_if_wanted(request)
        if editor is not None:
            return editor
        return _service_description(request, service.settings, service.store)
    if wants_results_page(request, [*RESULT_FORMATS, *RDF_FORMATS]):
        return await _results_page(service, request, _one(params, "query"), params)
    return await _answer(service, request, _one(params, "query"), params)


PAGE_ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
"""What a browser's results page is computed as: SPARQL JSON for tables, Turtle for graphs."""


async def _results_page(service: Service, request: Request, text: str, params: Params) -> Response:
    """A browser that followed a /sparql?query= link: the answer as a page (api.routes.pages),
    computed the way any client's is (same limits, same worker), a malformed query said
    plainly beside the query. The same worker call reads the names of this service's IRIs
    in the answer (api.sparql_page_answer), so the page shows titles beside paths."""
    job = query_job(service.settings, text, params, PAGE_ACCEPT)
    client = request.client.host if request.client else None
    try:
        found: PageAnswer = await service.runner.call(
            execute_for_page, job, keep=True, client=client
        )
    except QuerySyntaxError as exc:  # said in the page's language, the engine's words kept
        return results_page(request, text, None, syntax_in(exc, reader(request)))
    except QueryError as exc:
        return results_page(request, text, None, str(exc))
    answer = found.answer
    return results_page(
        request, text, (answer.content_type, answer.body, answer.truncated), labels=found.labels
    )


@router.post(
    "/sparql", responses=_RESPONSES, openapi_extra=_QUERY_BODY, summary="SPARQL query (POST)"
)
async def query_post(request: Request, service: ServiceDep) -> Response:
    """Run a query POSTed as a form or as `application/sparql-query`."""
    url_params = _decode_params(request.url.query)
    kind = media_type_of(request.headers.get("content-type"))
    if kind == FORM:
        body = _decode_params(await _body_text(request))
        if _values(body, "update"):
            raise _bad("updates are POSTed to /update")
        params = url_params + body
        return await _answer(service, request, _one(params, "query"), params)
    if kind == QUERY_TYPE:
        if _values(url_params, "query"):
            raise _bad("the query is the body; it cannot also be a 'query' parameter")
        text = await _body_text(request)
        return await _answer(service, request, text, url_params)
    raise _bad(
        f"POST a query as {FORM} or {QUERY_TYPE}, not {kind or 'an untyped body'}",
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    )


@router.post(
    "/update",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=_UPDATE_BODY,
    summary="SPARQL update (Secretariat or service token)",
    responses={
        400: {"description": "Malformed or refused update (LOAD, SERVICE, bad parameters)."},
        401: {"description": "No credentials (no bearer token, no session)."},
        403: {"description": "Wrong token, a role that may not, or read-only."},
        413: {"description": "The update is larger than SIC_MAX_UPDATE_MB."},
        415: {"description": "The body is neither a form nor application/sparql-update."},
        422: {"description": "The result would not conform to the shapes; nothing changed."},
    },
)
async def update(request: Request, service: ServiceDep, who: UpdateWriter) -> Response:
    """Apply a SPARQL 1.1 Update, validated, all or nothing."""
    url_params = _decode_params(request.url.query)
    kind = media_type_of(request.headers.get("content-type"))
    if kind == FORM:
        params = url_params + _decode_params(await _body_text(request))
        text = _one(params, "update")
    elif kind == UPDATE_TYPE:
        if _values(url_params, "update"):
            raise _bad("the update is the body; it cannot also be an 'update' parameter")
        params = url_params
        text = await _body_text(request)
    else:
        raise _bad(
            f"POST an update as {FORM} or {UPDATE_TYPE}, not {kind or 'an untyped body'}",
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        )
    if _values(params, "query"):
        raise _bad("queries go to /sparql")
    if not text.strip():
        return Response(status_code=status.HTTP_204_NO_CONTENT)  # an empty update is a no-op
    using = tuple(_values(params, "using-graph-uri"))
    using_named = tuple(_values(params, "using-named-graph-uri"))
    prepare = Call(prepare_update, (text, service.settings.base_iri, using, using_named))
    by = of_request(request, who, service.store.base)
    await service.runner.write(prepare, lambda prepared: service.store.commit(prepared, by))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def prepare_update(
    store: GraphStore,
    text: str,
    base: str,
    using: Sequence[str],
    using_named: Sequence[str],
) -> PreparedWrite:
    """Evaluate and validate an update in a worker (graph.update); the service commits it."""
    return store.prepare_update(
        text,
        base_iri=base,
        using_graphs=using,
        using_named_graphs=using_named,
        command="SPARQL update via /update",
    )


# -- the service description ----------------------------------------------------------------


def _service_description(request: Request, settings: Settings, store: GraphStore) -> Response:
    fmt = choose(RDF_FORMATS, request.headers.get("accept"))
    assert fmt.rdf is not None  # every row of RDF_FORMATS has one
    limits = (
        f"Queries stop after {settings.query_timeout:g} s (503). Answers are cut at "
        f"{settings.result_limit} rows or triples, with the header "
        f"'{TRUNCATED_HEADER}: {settings.result_limit}'. SERVICE is refused; FROM and "
        "the dataset parameters only name graphs of this store."
    )
    triples = service_description(
        str(request.url.replace(query="")),
        None if is_read_only(settings, book_of(request)) else str(request.url_for("update")),
        [s.graph for s in store.sources()],
        limits,
    )
    body = GraphResult(triples).serialize(fmt.rdf, prefixes={"sd": SD})
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})
