"""SPARQL 1.1 Graph Store Protocol at /data, with indirect graph identification.

`?graph=IRI` names a graph of the store (each named graph is a source, with provenance);
`?default` names the graph that default-graph writes land in: the source `updates`, where SPARQL
Update puts what it inserts without GRAPH. (The SPARQL default graph is the union of every
source; GSP does not replace that union wholesale: use named graphs, or /dump.nq.gz to read it.)

GET and HEAD are public. PUT (replace), POST (merge; without a target it creates a new graph and
answers 201 with its IRI in Location) and DELETE need `Authorization: Bearer <SIC_WRITE_TOKEN>`.
Every write is validated against the shapes and lands whole or not at all. Bodies may be in
any RDF syntax (pyoxigraph parses them, and never fetches a remote JSON-LD context nor an
external XML entity), or a multipart/form-data of such files; relative IRIs resolve against
the graph IRI.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.deps import ServiceDep, WritableStore, WriteAllowed
from api.negotiation import RDF_FORMATS, charset_of, choose, media_type_of, rdf_format_of
from api.sparql_answers import QueryJob, execute
from graph.base import GraphStore, SourceInfo
from graph.overlay import Triple
from graph.provenance import provenance_for
from graph.results import GraphResult
from graph.update import Delta
from sic.errors import NotFound
from sic.iris import graph_iri, sources_graph
from sic.rq import registry
from sic.terms import to_rdflib

router = APIRouter(tags=["Graph Store"])

_GRAPH_TRIPLES = registry(Path(__file__).resolve().parents[1] / "sparql")
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

    The provenance graph and the store's internal graphs (`{BASE}graph/_...`: version,
    staging) are maintained by the store: writing them would detach every source from its
    provenance.
    """
    target = _target(request, store, required=required)
    if target is not None and (
        target == str(sources_graph(store.base)) or target.startswith(f"{store.base}graph/_")
    ):
        raise _bad(f"<{target}> is maintained by the store and cannot be written")
    return target


def _source(store: GraphStore, graph: str) -> SourceInfo | None:
    return next((s for s in store.sources() if s.graph == graph), None)


def _is_default(store: GraphStore, graph: str) -> bool:
    return graph == str(graph_iri(_DEFAULT_SOURCE, store.base))


def _writable(store: GraphStore) -> WritableStore:
    if not isinstance(store, WritableStore):
        raise _bad("this store does not take writes", status.HTTP_501_NOT_IMPLEMENTED)
    return store


# -- reading ----------------------------------------------------------------------------------


def _readable(request: Request, store: GraphStore) -> str:
    """The graph a read names, which must exist (the default graph always does)."""
    target = _target(request, store, required=True)
    assert target is not None  # required=True
    if _source(store, target) is None and not _is_default(store, target):
        raise NotFound(f"no graph <{target}> in the store")
    return target


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
    store, runner = service.store, service.runner
    target = _readable(request, store)
    job = QueryJob(
        _GRAPH_TRIPLES["graph-triples"].text,
        accept=request.headers.get("accept"),
        default_graph=(),
        named_graphs=(target,),
    )
    answer = await runner.call(execute, job)
    return Response(answer.body, media_type=answer.content_type, headers={"Vary": "Accept"})


@router.head("/data", summary="Whether a graph exists", responses=_READ_RESPONSES)
async def graph_exists(
    request: Request,
    service: ServiceDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """200 with the Content-Type a GET would have, or 404; no graph is read."""
    store = service.store
    _readable(request, store)
    fmt = choose(RDF_FORMATS, request.headers.get("accept"))
    return Response(media_type=fmt.content_type, headers={"Vary": "Accept"})


# -- request bodies ---------------------------------------------------------------------------


def _parse(data: bytes, content_type: str | None, base: str) -> list[ox.Triple]:
    """The triples of one RDF document (blank nodes made unique to this request).

    Any RDF syntax will do, dataset syntaxes included, as long as the document only holds
    default-graph triples: a graph's content cannot name other graphs.

    :raises HTTPException: 415 for an unknown syntax or a charset other than UTF-8, 400 for a
        syntax error (with its line and column) or a named graph in the document.
    """
    fmt = rdf_format_of(content_type)
    if fmt is None:
        raise _bad(
            "send Turtle, N-Triples, RDF/XML, JSON-LD, N-Quads or TriG, not "
            f"{media_type_of(content_type) or 'an untyped body'}",
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        )
    charset = charset_of(content_type)
    if charset not in (None, "utf-8", "utf8"):
        raise _bad(f"the body must be UTF-8, not {charset}", status.HTTP_415_UNSUPPORTED_MEDIA_TYPE)
    try:
        quads = ox.parse(
            data, format=fmt, base_iri=base, rename_blank_nodes=True, without_named_graphs=True
        )
        return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    except SyntaxError as exc:
        raise _bad(f"{fmt.name} syntax error: {exc}") from None


async def _body_triples(request: Request, base: str) -> list[ox.Triple]:
    content_type = request.headers.get("content-type")
    if media_type_of(content_type) != "multipart/form-data":
        data = await request.body()
        if not data and content_type is None:
            return []
        return _parse(data, content_type, base)
    triples: list[ox.Triple] = []
    async with request.form() as form:
        for _, part in form.multi_items():
            if not isinstance(part, UploadFile):
                raise _bad("each part of a multipart body must be a file with a Content-Type")
            part_type = part.content_type
            if not part_type or part_type == "application/octet-stream":
                fmt = ox.RdfFormat.from_extension(Path(part.filename or "").suffix.lstrip("."))
                part_type = fmt.media_type if fmt else None
            triples += _parse(await part.read(), part_type, base)
    return triples


# -- writing ----------------------------------------------------------------------------------


def _existing(store: GraphStore, graph: str) -> set[Triple]:
    result = store.query(
        _GRAPH_TRIPLES["graph-triples"].text, default_graph=(), named_graphs=(graph,)
    )
    assert isinstance(result, GraphResult)
    return {_rdflib(t) for t in result.triples}


def _rdflib(t: ox.Triple) -> Triple:
    return (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))


def _merge(store: GraphStore, graph: str, triples: list[ox.Triple]) -> bool:
    """Add triples to a graph, creating it if needed; True when it was created."""
    created = _source(store, graph) is None
    new = {_rdflib(t) for t in triples} - (set() if created else _existing(store, graph))
    delta = Delta(added={graph: new} if new else {}, created={graph} if created else set())
    if delta:
        _writable(store).apply(delta, command="Graph Store Protocol POST /data")
    return created


def _replace(store: GraphStore, graph: str, triples: list[ox.Triple]) -> bool:
    """Swap a graph's content in one validated step; True when the graph was created.

    The new content goes through the store's own atomic replacement of a source, loading a
    one-graph dataset (with the source's provenance, so its name stays) the way a dump is
    restored: staged, validated, then published in one transaction, blank nodes included.
    """
    info = _source(store, graph)
    if not triples:
        if info is not None:
            store.remove_source(info.name, command="Graph Store Protocol PUT /data")
        _writable(store).apply(Delta(created={graph}), command="Graph Store Protocol PUT /data")
        return info is None
    name = (
        info.name if info is not None else (_DEFAULT_SOURCE if _is_default(store, graph) else graph)
    )
    target = ox.NamedNode(graph)
    provenance = provenance_for(
        target, name, len(triples), origin="HTTP PUT /data", command="Graph Store Protocol PUT"
    )
    holder = ox.NamedNode(str(graph_iri("_gsp", store.base)))
    quads = [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]
    quads += [ox.Quad(t.subject, t.predicate, t.object, holder) for t in provenance]
    with tempfile.TemporaryDirectory(prefix="sic-gsp-") as folder:
        path = Path(folder) / "graph.nq"
        path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
        store.load_file(
            path, replace=True, fmt=ox.RdfFormat.N_QUADS, command="Graph Store Protocol PUT"
        )
    return info is None


def _delete(store: GraphStore, graph: str) -> None:
    info = _source(store, graph)
    if info is None:
        if _is_default(store, graph):
            return  # the default graph always exists; emptying an empty one changes nothing
        raise NotFound(f"no graph <{graph}> in the store")
    store.remove_source(info.name, command="Graph Store Protocol DELETE /data")


_WRITE_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"description": "Bad parameters or an RDF syntax error."},
    401: {"description": "No bearer token."},
    403: {"description": "Wrong token, or the service is read-only."},
    415: {"description": "Not an RDF graph syntax (or not UTF-8)."},
    422: {"description": "The result would not conform to the shapes; nothing changed."},
}


@router.put(
    "/data",
    summary="Replace a graph (needs the write token)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={201: {"description": "The graph was created."}, **_WRITE_RESPONSES},
)
async def put_graph(
    request: Request,
    service: ServiceDep,
    _auth: WriteAllowed,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Replace the graph's content with the body (201 when the graph is new, else 204)."""
    store, runner = service.store, service.runner
    target = _writable_target(request, store, required=True)
    assert target is not None  # required=True
    triples = await _body_triples(request, target)
    created = await runner.write(None, lambda _: _replace(store, target, triples))
    return Response(status_code=status.HTTP_201_CREATED if created else status.HTTP_204_NO_CONTENT)


@router.post(
    "/data",
    summary="Add to a graph, or create one (needs the write token)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        201: {"description": "A graph was created (its IRI in Location)."},
        **_WRITE_RESPONSES,
    },
)
async def post_graph(
    request: Request,
    service: ServiceDep,
    _auth: WriteAllowed,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Merge the body into the graph; without a target, create a new graph for it."""
    store, runner = service.store, service.runner
    target = _writable_target(request, store, required=False)
    headers: dict[str, str] = {}
    if target is None:
        target = str(graph_iri(f"gsp-{uuid.uuid4().hex}", store.base))
        headers["Location"] = target
    named = target
    triples = await _body_triples(request, named)
    created = await runner.write(None, lambda _: _merge(store, named, triples))
    code = status.HTTP_201_CREATED if created else status.HTTP_204_NO_CONTENT
    return Response(status_code=code, headers=headers)


@router.delete(
    "/data",
    summary="Delete a graph (needs the write token)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "No such graph."}, **_WRITE_RESPONSES},
)
async def delete_graph(
    request: Request,
    service: ServiceDep,
    _auth: WriteAllowed,
    graph: GraphParam = None,
    default: DefaultParam = None,
) -> Response:
    """Remove the graph (its source and provenance), if what remains still conforms."""
    store, runner = service.store, service.runner
    target = _writable_target(request, store, required=True)
    assert target is not None  # required=True
    await runner.write(None, lambda _: _delete(store, target))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
