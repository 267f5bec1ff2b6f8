"""SPARQL 1.1 Graph Store Protocol at /data, with indirect graph identification.

`?graph=IRI` names a data graph of the store: a source (part of the default graph) stays one
when its content is replaced; a graph the store does not have becomes a standalone graph,
outside the default graph, as in any SPARQL store (graph.dataset). `?default` names
`{BASE}graph/updates`, the part of the default graph that clients write: SPARQL Update puts
there what it inserts without GRAPH, and a GET of `?default` returns what was put there (the
default graph a query sees is the union of every source; /dump.nq.gz has all of it).

GET and HEAD are public. PUT (replace), POST (merge; without a target it creates a new graph and
answers 201 with its IRI in Location) and DELETE need `Authorization: Bearer <SIC_WRITE_TOKEN>`.
Every write is parsed, turned into a delta and validated in a worker process the service can
stop (runner.pool), then committed whole, or not at all. Bodies may be in any RDF syntax
(pyoxigraph parses them, and never fetches a remote JSON-LD context nor an external XML
entity), or a multipart/form-data of such files; relative IRIs resolve against the graph IRI.
"""

from __future__ import annotations

import email.parser
import email.policy
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response

from accounts.roles import Principal
from api.attribution import of_request
from api.deps import GraphStoreWriter, Service, ServiceDep
from api.negotiation import RDF_FORMATS, charset_of, choose, media_type_of, rdf_format_of
from api.sparql_answers import QueryAnswer, QueryJob, execute
from graph import graph_store
from graph.base import GraphStore, PreparedWrite
from loaders.rdf import REQUEST_BODY, read_body
from queries.describe import SPARQL_DIR
from runner.pool import Call
from sic.errors import NotFound, QueryError, UnsupportedBody
from sic.iris import changes_graph, graph_iri, sources_graph
from sic.rq import registry
from sic.terms import relabel

router = APIRouter(tags=["Graph Store"])

_GRAPH_TRIPLES = registry(SPARQL_DIR)
_DEFAULT_SOURCE = "updates"

GraphParam = Annotated[
    str | None, Query(description="IRI of a graph of the store (indirect identification).")
]
DefaultParam = Annotated[
    str | None, Query(description="Present (no value): the graph default-graph writes land in.")
]


def _bad(message: str, code: int = status.HTTP_400_BAD_REQUEST) -> HTTPException:
    return HTTPException(code, detail=message)


def _target(request: Request, store: GraphStore, *, required: bool) -> str | None:
    """The graph IRI a request names (decoded once, as the protocol says), or None for none."""
    try:
        params = parse_qsl(request.url.query, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise _bad("the parameters are not percent-encoded UTF-8") from None
    graphs = [v for k, v in params if k == "graph"]
    default = any(k == "default" for k, _ in params)
    if len(graphs) > 1 or (graphs and default):
        raise _bad("name one graph: either ?graph=IRI or ?default")
    if default:
        return str(graph_iri(_DEFAULT_SOURCE, store.base))
    if not graphs:
        if required:
            raise _bad("name a graph with ?graph=IRI or ?default")
        return None
    try:
        return ox.NamedNode(graphs[0]).value
    except ValueError:
        raise _bad(f"not an absolute IRI: {graphs[0]!r}") from None


def _writable_target(request: Request, store: GraphStore, *, required: bool) -> str | None:
    """The graph a write names, which must not be one the store keeps for itself.

    The provenance and change graphs and the store's internal graphs (`{BASE}graph/_...`: version,
    staging) are maintained by the store: writing them would detach every data graph from its
    provenance.
    """
    target = _target(request, store, required=required)
    if target is not None and (
        target in (str(sources_graph(store.base)), str(changes_graph(store.base)))
        or target.startswith(f"{store.base}graph/_")
    ):
        raise _bad(f"<{target}> is maintained by the store and cannot be written")
    return target


# -- reading ----------------------------------------------------------------------------------


def graph_answer(store: GraphStore, target: str, accept: str | None) -> QueryAnswer:
    """One graph's triples in the negotiated format (in a worker); the default graph's store
    always exists, any other graph must.

    :raises NotFound: no such graph.
    """
    dataset = store.dataset()
    if not dataset.exists(target) and target != dataset.default_store:
        raise NotFound(f"no graph <{target}> in the store")
    job = QueryJob(
        _GRAPH_TRIPLES["graph-triples"].text,
        accept=accept,
        default_graph=(),
        named_graphs=(target,),
    )
    return execute(store, job)


def graph_exists(store: GraphStore, target: str) -> None:
    """Raise NotFound unless a GET of `target` would find it."""
    dataset = store.dataset()
    if not dataset.exists(target) and target != dataset.default_store:
        raise NotFound(f"no graph <{target}> in the store")


_READ_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {f.media_type: {} for f in RDF_FORMATS}},
    400: {"description": "No graph named, two named, or a graph that is not an absolute IRI."},
    404: {"description": "No such graph."},
    406: {"description": "No acceptable RDF format."},
}


@router.get("/data", summary="Read a graph", responses=_READ_RESPONSES)
async def read_graph(
    request: Request,
    service: ServiceDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """The triples of one graph, in the format the Accept header prefers (Turtle by default)."""
    target = _target(request, service.store, required=True)
    accept = request.headers.get("accept")
    answer = await service.runner.call(graph_answer, target, accept, keep=True)
    return Response(answer.body, media_type=answer.content_type, headers={"Vary": "Accept"})


@router.head("/data", summary="Whether a graph exists", responses=_READ_RESPONSES)
async def head_graph(
    request: Request,
    service: ServiceDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """200 with the Content-Type a GET would have, or 404; no graph is read."""
    target = _target(request, service.store, required=True)
    await service.runner.call(graph_exists, target, keep=True)
    fmt = choose(RDF_FORMATS, request.headers.get("accept"))
    return Response(media_type=fmt.content_type, headers={"Vary": "Accept"})


# -- request bodies ---------------------------------------------------------------------------

Part = tuple[bytes, str | None]
"""One RDF document of a request body: its bytes and its Content-Type."""


def parse_parts(parts: Sequence[Part], base: str, max_nesting: int) -> list[ox.Triple]:
    """The triples of the body's RDF documents (blank nodes made unique to this request).

    Any RDF syntax will do, dataset syntaxes included, as long as a document only holds
    default-graph triples: a graph's content cannot name other graphs. Run in a worker: a
    parser that fails on hostile input costs a worker, never the service.

    :raises UnsupportedBody: (HTTP 415) an unknown syntax or a charset other than UTF-8.
    :raises QueryError: (HTTP 400) a body nested too deeply or declaring a DTD; (HTTP 413) a
        term larger than the parser's buffer.
    :raises LoaderError: (HTTP 400) a syntax error, or a named graph in a document, naming
        the request body (or its part), the line and the column.
    """
    triples: list[ox.Triple] = []
    for index, (data, content_type) in enumerate(parts, start=1):
        fmt = rdf_format_of(content_type)
        if media_type_of(content_type) == "text/plain":
            fmt = None  # text/plain says nothing of the syntax: no guessing
        if fmt is None:
            raise UnsupportedBody(
                "send Turtle, N-Triples, RDF/XML, JSON-LD, N-Quads or TriG, not "
                f"{media_type_of(content_type) or 'an untyped body'}"
            )
        charset = charset_of(content_type)
        if charset not in (None, "utf-8", "utf8"):
            raise UnsupportedBody(f"the body must be UTF-8, not {charset}")
        where = REQUEST_BODY if len(parts) == 1 else f"{REQUEST_BODY} part {index}"
        source = read_body(
            data, fmt, base_iri=base, max_nesting=max_nesting, graph_only=True, where=where
        )
        triples += relabel(q.triple for q in source.quads())  # new nodes (sic.terms.fresh_blank)
    return triples


def _multipart(body: bytes, content_type: str) -> list[Part]:
    """The parts of a multipart/form-data body, each an RDF document.

    Read with the standard library's MIME parser, which also takes the bare LF line ends some
    clients send (Fuseki accepts them too). A part without a Content-Type (or a generic one) is
    typed by its file name's extension.
    """
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise QueryError("the multipart body could not be read (no parts)")
    parts: list[Part] = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        part_type: str | None = part.get("content-type")
        if not part_type or media_type_of(part_type) in ("application/octet-stream", "text/plain"):
            fmt = ox.RdfFormat.from_extension(Path(part.get_filename() or "").suffix.lstrip("."))
            part_type = fmt.media_type if fmt else part_type
        parts.append((payload, part_type))
    return parts


async def _body_parts(request: Request) -> list[Part]:
    content_type = request.headers.get("content-type")
    data = await request.body()
    if media_type_of(content_type) == "multipart/form-data":
        assert content_type is not None
        return _multipart(data, content_type)
    if not data and content_type is None:
        return []
    return [(data, content_type)]


# -- writing: prepared in a worker, committed by the service -----------------------------------


def prepare_graph_write(
    store: GraphStore, method: str, target: str, parts: Sequence[Part], max_nesting: int
) -> PreparedWrite:
    """Parse the body, compute the delta of `method` on `target`, validate it (in a worker)."""
    if method == "DELETE":
        delta = graph_store.delete_graph(store, target)
    else:
        triples = parse_parts(parts, target, max_nesting)
        change = graph_store.replace_graph if method == "PUT" else graph_store.merge_graph
        delta = change(store, target, triples)
    return store.prepare_delta(delta, command=f"Graph Store Protocol {method} /data")


async def _write(
    service: Service,
    method: str,
    target: str,
    parts: Sequence[Part],
    request: Request,
    who: Principal,
) -> bool:
    """Prepare and commit one write, recorded as `who`'s; True when it created the graph."""
    store = service.store
    nesting = service.settings.max_nesting
    prepared = Call(prepare_graph_write, (method, target, tuple(parts), nesting))
    by = of_request(request, who, store.base)
    delta = await service.runner.write(prepared, lambda ready: store.commit(ready, by))
    return target in delta.created


_WRITE_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"description": "Bad parameters or an RDF syntax error."},
    401: {"description": "No credentials (no bearer token, no session)."},
    403: {"description": "Wrong token, a role that may not, or read-only."},
    413: {"description": "The body is larger than SIC_MAX_UPLOAD_MB."},
    415: {"description": "Not an RDF graph syntax (or not UTF-8)."},
    422: {"description": "The result would not conform to the shapes; nothing changed."},
}


@router.put(
    "/data",
    summary="Replace a graph (Secretariat or service token)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={201: {"description": "The graph was created."}, **_WRITE_RESPONSES},
)
async def put_graph(
    request: Request,
    service: ServiceDep,
    who: GraphStoreWriter,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Replace the graph's content with the body (201 when the graph is new, else 204)."""
    target = _writable_target(request, service.store, required=True)
    assert target is not None  # required=True
    created = await _write(service, "PUT", target, await _body_parts(request), request, who)
    return Response(status_code=status.HTTP_201_CREATED if created else status.HTTP_204_NO_CONTENT)


@router.post(
    "/data",
    summary="Add to a graph, or create one (Secretariat or service token)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        201: {"description": "A graph was created (its IRI in Location)."},
        **_WRITE_RESPONSES,
    },
)
async def post_graph(
    request: Request,
    service: ServiceDep,
    who: GraphStoreWriter,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Merge the body into the graph; without a target, create a new graph for it."""
    target = _writable_target(request, service.store, required=False)
    headers: dict[str, str] = {}
    if target is None:
        target = str(graph_iri(f"gsp-{uuid.uuid4().hex}", service.store.base))
        headers["Location"] = target
    created = await _write(service, "POST", target, await _body_parts(request), request, who)
    code = status.HTTP_201_CREATED if created else status.HTTP_204_NO_CONTENT
    return Response(status_code=code, headers=headers)


@router.delete(
    "/data",
    summary="Delete a graph (Secretariat or service token)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "No such graph."}, **_WRITE_RESPONSES},
)
async def delete_graph(
    request: Request,
    service: ServiceDep,
    who: GraphStoreWriter,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Remove the graph (its source and provenance), if what remains still conforms."""
    target = _writable_target(request, service.store, required=True)
    assert target is not None  # required=True
    await _write(service, "DELETE", target, (), request, who)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
