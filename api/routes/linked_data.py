"""Dereferenceable IRIs: GET /id/{kind}/{key} describes `{BASE}id/{kind}/{key}`.

One URL per resource, several representations chosen by the Accept header (and `?format=`,
for links and for clients that cannot set headers): an HTML page for people, Turtle, JSON-LD,
N-Triples and RDF/XML for machines. Every response says `Vary: Accept` so that caches keep the
representations apart, and carries an ETag made of the store version and the representation,
so a client that already holds the current description gets 304 without the store being read
twice. An IRI the store knows nothing about is a 404 in the format that was asked for: a
crawler asking for Turtle gets a (valid, empty) Turtle document, a browser a page.

The helpers for representations (formats, ETags, RDF and JSON-LD, empty documents, alternate
links) live here because /ontology, /shapes and /.well-known/void (api.routes.meta) answer the
same way; what a page shows of the triples is built by queries.page_views.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from api.deps import SettingsDep, StoreDep
from api.in_worker import forwarding
from api.models import ErrorBody
from api.negotiation import RDF_FORMATS, Format, NotAcceptable, choose
from api.responses import cached, is_fresh, not_modified, render, representation_headers, root_of
from api.settings import Settings
from graph.base import GraphStore
from queries.describe import (
    CONTEXT_FILE,
    compactor,
    context_document,
    describe,
    jsonld,
    vocabulary_labels,
)
from queries.page_views import description_view
from sic.iris import KINDS, mint

router = APIRouter(tags=["linked data"])

FormatName = Literal["html", "turtle", "jsonld", "ntriples", "rdfxml"]


def _rdf_format(media_type: str) -> Format:
    return next(f for f in RDF_FORMATS if f.media_type == media_type)


@dataclass(frozen=True)
class Representation:
    """One way of writing a description: its `?format=` name, its label for links, and the
    negotiation Format (media type and aliases) that selects it."""

    name: str
    label: str
    format: Format

    @property
    def media_type(self) -> str:
        return self.format.media_type

    @property
    def rdf(self) -> ox.RdfFormat | None:
        return self.format.rdf


HTML = Representation("html", "HTML", Format("text/html", ("application/xhtml+xml",)))
TURTLE = Representation("turtle", "Turtle", _rdf_format("text/turtle"))
JSON_LD = Representation("jsonld", "JSON-LD", _rdf_format("application/ld+json"))
N_TRIPLES = Representation("ntriples", "N-Triples", _rdf_format("application/n-triples"))
RDF_XML = Representation("rdfxml", "RDF/XML", _rdf_format("application/rdf+xml"))

RDF_REPRESENTATIONS: tuple[Representation, ...] = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
"""Machine representations; the first is what a client that accepts anything gets."""
ALL_REPRESENTATIONS: tuple[Representation, ...] = (TURTLE, HTML, JSON_LD, N_TRIPLES, RDF_XML)
"""Everything /id/... and /ontology offer. Turtle first: `Accept: */*` (curl, crawlers) gets
data; browsers name text/html explicitly and get the page. A client asking for
`application/json` gets JSON-LD (the negotiation table's alias)."""


def negotiate(
    request: Request, offered: Sequence[Representation], format_name: str | None
) -> Representation:
    """The representation to send: `?format=` if given (so a link can name a format), else the
    Accept header's choice among `offered` (api.negotiation, as for /sparql).

    :raises NotAcceptable: nothing offered is acceptable, or `?format=` names one not offered
        here (406, listing what is).
    """
    formats = [rep.format for rep in offered]
    if format_name is not None:
        for rep in offered:
            if rep.name == format_name:
                return rep
        raise NotAcceptable(formats)
    chosen = choose(formats, request.headers.get("accept"))
    return next(rep for rep in offered if rep.format is chosen)


def etag(version: str, variant: str) -> str:
    """A strong validator for one representation of the data as of one store version."""
    return f'"{version}-{variant}"'


def validators(
    request: Request,
    offered: Sequence[Representation],
    format_name: str | None,
    version: str,
    prefix: str = "",
) -> tuple[Representation, str]:
    """The representation to send and its ETag (`version`: the store's, or a digest)."""
    rep = negotiate(request, offered, format_name)
    return rep, etag(version, prefix + rep.name)


# -- RDF and JSON-LD ---------------------------------------------------------------------


def context_url(request: Request) -> str:
    """The absolute URL of /context.jsonld on this service, for JSON-LD documents to cite."""
    return str(request.url_for("jsonld_context"))


def serialize_rdf(triples: Sequence[ox.Triple], rep: Representation, request: Request) -> bytes:
    """Triples in a machine representation; JSON-LD compacted under the service's context."""
    if rep is JSON_LD:
        return jsonld(triples, context_url(request))
    if rep.rdf is None:
        raise ValueError(f"{rep.name} is not an RDF syntax")
    prefixes = None
    if rep.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        prefixes = _used_prefixes(triples)
    return ox.serialize(triples, format=rep.rdf, prefixes=prefixes) or b""


def _used_prefixes(triples: Sequence[ox.Triple]) -> dict[str, str]:
    """The context's prefixes (one set everywhere) that the triples use, in its order."""
    iris: set[str] = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    namespaces = {iri.rsplit("#", 1)[0] + "#" for iri in iris} | {
        iri.rsplit("/", 1)[0] + "/" for iri in iris
    }
    return {p: ns for p, ns in sorted(compactor().prefixes) if ns in namespaces}


def rdf_response(
    triples: Sequence[ox.Triple], rep: Representation, request: Request, tag: str
) -> Response:
    """200 with the triples in a machine representation, and its validator."""
    body = serialize_rdf(triples, rep, request)
    return Response(body, media_type=rep.media_type, headers=representation_headers(tag))


def empty_document(rep: Representation, request: Request, note: str) -> bytes:
    """A valid document with no triples (for a 404 in an RDF format), with a comment."""
    if rep is JSON_LD:
        return json.dumps({"@context": context_url(request), "@graph": []}).encode()
    if rep is RDF_XML:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<!-- {note.replace('--', '- -')} -->\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
        ).encode()
    return f"# {note}\n".encode()


# -- the route ---------------------------------------------------------------------------

FormatParam = Annotated[
    FormatName | None,
    Query(
        alias="format",
        description="Overrides the Accept header: html, turtle, jsonld, ntriples or rdfxml.",
    ),
]
"""`?format=`, for links and for clients that cannot set headers."""


def responses(
    offered: Sequence[Representation], what: str, missing: str | None, *extra: str
) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI responses of a negotiated route: `what` in each representation offered (and
    the `extra` media types), 304, 406, and 404 with an empty document when `missing` says."""
    content: dict[str, dict[str, object]] = {
        t: {} for t in (*(r.media_type for r in offered), *extra)
    }
    out: dict[int | str, dict[str, Any]] = {
        200: {"description": what, "content": content},
        304: {"description": "The client's copy (If-None-Match) is current."},
        406: {"model": ErrorBody, "description": "None of the accepted media types is offered."},
    }
    if missing is not None:
        out[404] = {"description": missing, "content": content}
    return out


def alternates(request: Request, offered: Sequence[Representation]) -> list[tuple[str, str, str]]:
    """(label, URL, media type) of each representation of this URL, for links on the page."""
    url = _ascii_url(request.url.remove_query_params("format"))
    joiner = "&" if "?" in url else "?"
    return [(rep.label, f"{url}{joiner}format={rep.name}", rep.media_type) for rep in offered]


def _ascii_url(url: object) -> str:
    """A URL with anything outside ASCII percent-encoded (UTF-8), as headers require."""
    return quote(str(url), safe=":/?#[]@!$&'()*+,;=%~")


def _link_header(request: Request, offered: Sequence[Representation]) -> str:
    return ", ".join(
        f'<{url}>; rel="alternate"; type="{media_type}"'
        for _, url, media_type in alternates(request, offered)
    )


@router.get(
    "/id/{kind}/{key:path}",
    response_class=Response,
    responses=responses(
        ALL_REPRESENTATIONS,
        "The description of the resource.",
        "The store says nothing about this IRI (an empty document or a page).",
        "application/json",
    ),
    summary="Describe one resource of the knowledge graph",
)
async def resource(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    kind: Annotated[str, PathParam(description=f"One of: {', '.join(sorted(KINDS))}.")],
    key: Annotated[str, PathParam(description="The workbook key (A2.03, inrae, ...).")],
    format_name: FormatParam = None,
) -> Response:
    """The description of `{BASE}id/{kind}/{key}` in the representation the client asked for.

    See queries.describe for what a description holds. The store is read only when the client's
    copy is out of date: the ETag is known from the store version alone. When the store knows
    its version without asking anyone (the embedded one), a 304 or a kept description is
    answered right here; anything that reads the store runs on a worker thread.
    """
    if store.version_is_local:
        quick = _without_reading(request, store, format_name)
        if quick is not None:
            return quick
    described: Response = await _described(
        request, store=store, settings=settings, kind=kind, key=key, format_name=format_name
    )
    return described


def _id_validators(
    request: Request, version: str, format_name: FormatName | None
) -> tuple[Representation, str, dict[str, str]]:
    """The representation, its ETag (a page differs by language) and the Link and Vary headers
    of an answer of /id/..."""
    from api.routes import pages as web_pages

    rep = negotiate(request, ALL_REPRESENTATIONS, format_name)
    tag = etag(version, web_pages.html_variant(request) if rep is HTML else rep.name)
    links = {"Link": _link_header(request, ALL_REPRESENTATIONS)}
    if rep is HTML:
        links["Vary"] = "Accept, Accept-Language"
    return rep, tag, links


def _without_reading(
    request: Request, store: GraphStore, format_name: FormatName | None
) -> Response | None:
    """The answer when it needs no store read: the client's copy is fresh (a kept description
    is served by the runner without a worker round trip)."""
    _, tag, links = _id_validators(request, store.version(), format_name)
    return not_modified(tag, links) if is_fresh(request, tag) else None


def _describe_resource(
    request: Request,
    store: GraphStore,
    settings: Settings,
    kind: str,
    key: str,
    format_name: FormatName | None,
) -> Response:
    """The description built from the store (in a worker: it runs several queries)."""
    # the HTML is api.routes.pages' (imported here: it builds on this module's helpers)
    from api.routes import pages as web_pages

    version = store.version()
    rep, tag, links = _id_validators(request, version, format_name)
    if is_fresh(request, tag):
        return not_modified(tag, links)
    iri = str(mint(kind, key, settings.base_iri)) if kind in KINDS else None
    sources = cached(request, "sources", lambda s: s.sources())
    description = (
        describe(store, iri, lambda: sources.get(store, version), for_people=rep is HTML)
        if iri is not None
        else None
    )
    headers = representation_headers(tag, links)
    if description is None:
        note = f"<{iri or request.url.path}> is not described by this service"
        if rep is HTML:
            body = render(
                "not_found.html",
                iri=iri or request.url.path,
                root=root_of(request),
                alternates=alternates(request, ALL_REPRESENTATIONS),
            )
        else:
            body = empty_document(rep, request, note)
        return Response(body, status_code=404, media_type=rep.media_type, headers=headers)
    if rep is not HTML:
        body = serialize_rdf(description.triples(), rep, request)
        return Response(body, media_type=rep.media_type, headers=headers)
    vocabulary = cached(request, "vocabulary", vocabulary_labels).get(store, version)
    lang = web_pages.reader(request).lang
    view = description_view(description, vocabulary, settings.base_iri, root_of(request), lang)
    links_to_rdf = alternates(request, RDF_REPRESENTATIONS)
    body = web_pages.resource_page(request, store, kind, key, view, links_to_rdf)
    return Response(body, media_type=rep.media_type, headers=headers)


_described = forwarding(_describe_resource)


@router.get(
    "/context.jsonld",
    name="jsonld_context",
    response_class=Response,
    responses={
        200: {"description": "The JSON-LD context.", "content": {"application/ld+json": {}}},
        304: {"description": "The client's copy (If-None-Match) is current."},
    },
    summary="The versioned JSON-LD context of every JSON-LD document this service writes",
)
def jsonld_context(request: Request) -> Response:
    """sic/context.jsonld as it is on disk; its ETag names its version and its content."""
    body = CONTEXT_FILE.read_bytes()
    version = context_document().get("owl:versionInfo", "0")
    tag = f'"context-{version}-{hashlib.sha256(body).hexdigest()[:16]}"'
    if is_fresh(request, tag):
        return Response(status_code=304, headers={"ETag": tag})
    return Response(
        body,
        media_type="application/ld+json",
        headers={"ETag": tag, "Access-Control-Allow-Origin": "*"},
    )
