"""What the service says about itself: /ontology, /shapes, /.well-known/void and /dump.nq.gz.

A linked-data client that lands here should be able to learn the vocabulary (/ontology, a
documentation page for people and the RDF for machines, both read from the ontology source the
store holds, so they always match what queries see), the rules data must follow (/shapes, the
SHACL shapes every write is validated with), what the dataset contains (/.well-known/void,
VoID statistics per dataset and per source graph, generated from the store as RFC 8615 and the
VoID note suggest), and how to take all of it (/dump.nq.gz, every source graph and the
provenance graph). Everything derived from the store is cached per store version and carries
that version in its ETag.
"""

from __future__ import annotations

import gzip
import io

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import SettingsDep, StoreDep
from api.in_worker import in_worker
from api.responses import cached, is_fresh, not_modified, render, representation_headers, root_of
from api.routes import pages as web_pages
from api.routes.linked_data import (
    ALL_REPRESENTATIONS,
    HTML,
    RDF_REPRESENTATIONS,
    FormatParam,
    alternates,
    empty_document,
    etag,
    rdf_response,
    responses,
    validators,
)
from graph.base import GraphStore
from queries.ontology_page import build_ontology_page, ontology_triples
from queries.shapes_page import bundled_shapes
from queries.void import void_statistics, void_triples
from sic.vocab import ONTOLOGY_IRI

router = APIRouter(tags=["metadata"])


_EMPTY = "Nothing to describe yet (empty store)."


# -- /ontology -----------------------------------------------------------------------------


@router.get(
    "/ontology",
    response_class=Response,
    responses=responses(ALL_REPRESENTATIONS, "The ontology, documented (HTML) or as RDF.", _EMPTY),
    summary="The SIC ontology and its controlled lists",
)
@in_worker
def ontology(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    format_name: FormatParam = None,
) -> Response:
    """The ontology source of the store: a documentation page for people (in the reader's
    language, with the switcher of the other pages), RDF for machines."""
    version = store.version()
    rep, tag = validators(request, ALL_REPRESENTATIONS, format_name, version, "ontology-")
    ui = web_pages.reader(request)
    spoken: dict[str, str] = {}
    if rep is HTML:
        tag = etag(version, f"ontology-{web_pages.html_variant(request)}")
        spoken = {"Vary": "Accept, Accept-Language", "Content-Language": ui.lang}
    if is_fresh(request, tag):
        return not_modified(tag, spoken)
    triples = cached(request, "ontology", ontology_triples).get(store, version)
    if not triples:
        note = "the store holds no ontology yet; `sic load` or `sic serve` loads it"
        body = (
            empty_document(rep, request, note)
            if rep is not HTML
            else render("not_found.html", iri=ONTOLOGY_IRI, root=root_of(request))
        )
        headers = representation_headers(tag)
        return Response(body, status_code=404, media_type=rep.media_type, headers=headers)
    if rep is not HTML:
        return rdf_response(triples, rep, request, tag)
    root = root_of(request)
    doc = cached(
        request,
        f"ontology-page:{root}:{ui.lang}",
        lambda s: build_ontology_page(triples, settings.base_iri, root, ui.lang),
    ).get(store, version)
    links = alternates(request, RDF_REPRESENTATIONS)
    body = web_pages.render_page(request, ui, "ontology.html", doc=doc, alternates=links)
    headers = representation_headers(tag, spoken)
    return Response(body, media_type=rep.media_type, headers=headers)


# -- /shapes -------------------------------------------------------------------------------


@router.get(
    "/shapes",
    response_class=Response,
    responses=responses(
        ALL_REPRESENTATIONS, "The SHACL shapes, documented (HTML) or as RDF.", None
    ),
    summary="The SHACL shapes every write is validated against",
)
def shapes(request: Request, format_name: FormatParam = None) -> Response:
    """The bundled data shapes; their ETag is a digest of the shape files (and, for the page,
    of the reader's language: the rules' sentences are said in it)."""
    loaded = bundled_shapes()
    rep, tag = validators(request, ALL_REPRESENTATIONS, format_name, loaded.digest, "shapes-")
    ui = web_pages.reader(request)
    spoken: dict[str, str] = {}
    if rep is HTML:
        tag = etag(loaded.digest, f"shapes-{web_pages.html_variant(request)}")
        spoken = {"Vary": "Accept, Accept-Language", "Content-Language": ui.lang}
    if is_fresh(request, tag):
        return not_modified(tag, spoken)
    if rep is not HTML:
        return rdf_response(loaded.triples, rep, request, tag)
    links = alternates(request, RDF_REPRESENTATIONS)
    body = web_pages.render_page(request, ui, "shapes.html", files=loaded.files, alternates=links)
    return Response(body, media_type=rep.media_type, headers=representation_headers(tag, spoken))


# -- /.well-known/void ---------------------------------------------------------------------


@router.get(
    "/.well-known/void",
    response_class=Response,
    responses=responses(RDF_REPRESENTATIONS, "The VoID description of the dataset.", _EMPTY),
    summary="VoID statistics of the dataset and of each source graph",
)
@in_worker
def void(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    format_name: FormatParam = None,
) -> Response:
    """VoID + DCAT about the dataset, generated from the store (RFC 8615 well-known location)."""
    version = store.version()
    rep, tag = validators(request, RDF_REPRESENTATIONS, format_name, version, "void-")
    if is_fresh(request, tag):
        return not_modified(tag)
    stats = cached(request, "void", void_statistics).get(store, version)
    here = str(request.url_for("void"))
    triples = void_triples(stats, here, here.removesuffix(".well-known/void"), settings.base_iri)
    return rdf_response(triples, rep, request, tag)


# -- /dump.nq.gz ---------------------------------------------------------------------------


def gzipped_dump(store: GraphStore) -> bytes:
    """Every published source and the provenance graph as gzipped N-Quads (deterministic bytes).

    Written straight into the compressor, so only the compressed bytes are ever held (about a
    tenth of the N-Quads); level 6 costs a third of level 9's time for a few percent in size.
    """
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0, compresslevel=6) as out:
        store.dump(out, ox.RdfFormat.N_QUADS)  # type: ignore[arg-type]
    return packed.getvalue()


@router.get(
    "/dump.nq.gz",
    response_class=Response,
    responses={
        200: {
            "description": "The whole dataset, N-Quads compressed with gzip.",
            "content": {"application/gzip": {}},
        },
        304: {"description": "The client's copy (If-None-Match) is current."},
    },
    summary="The whole dataset as gzipped N-Quads",
)
@in_worker
def dump(request: Request, store: StoreDep) -> Response:
    """The dataset as one file, which `sic load` restores graph by graph, provenance included."""
    version = store.version()
    tag = etag(version, "dump")
    headers = {
        "ETag": tag,
        "Content-Disposition": 'attachment; filename="sic-kg.nq.gz"',
    }
    if is_fresh(request, tag):
        return Response(status_code=304, headers=headers)
    body = cached(request, "dump", gzipped_dump).get(store, version)
    return Response(body, media_type="application/gzip", headers=headers)
