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
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import SettingsDep, StoreDep
from api.in_worker import in_worker
from api.models import ErrorBody
from api.responses import (
    cached,
    is_fresh,
    not_modified,
    render,
    representation_headers,
    root_of,
)
from api.routes.linked_data import (
    ALL_REPRESENTATIONS,
    HTML,
    RDF_REPRESENTATIONS,
    FormatName,
    NodeView,
    PageLinks,
    PropertyView,
    Representation,
    ValueView,
    alternates,
    empty_document,
    etag,
    href,
    negotiate,
    serialize_rdf,
)
from graph.base import GraphStore
from graph.results import text
from queries.describe import (
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_PREF_LABEL,
    Statement,
    construct,
    preferred_label,
)
from queries.void import void_statistics, void_triples
from sic import vocab
from sic.validation import default_shape_files
from sic.vocab import ONTOLOGY_IRI, SIC_NS

router = APIRouter(tags=["metadata"])

OWL, SKOS, RDFS, DCT = (str(ns) for ns in (vocab.OWL, vocab.SKOS, vocab.RDFS, vocab.DCTERMS))
"""The namespaces as text, spelled once in sic/vocab.py."""

_FORMAT_QUERY = Query(
    alias="format",
    description="Overrides the Accept header: html, turtle, jsonld, ntriples or rdfxml.",
)


def _content(offered: Sequence[Representation]) -> dict[str, dict[str, object]]:
    return {rep.media_type: {} for rep in offered}


def _responses(
    offered: Sequence[Representation], what: str, *, empty: bool = True
) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {
        200: {"description": what, "content": _content(offered)},
        304: {"description": "The client's copy (If-None-Match) is current."},
        406: {"model": ErrorBody, "description": "None of the accepted media types is offered."},
    }
    if empty:
        out[404] = {
            "description": "Nothing to describe yet (empty store).",
            "content": _content(offered),
        }
    return out


# -- /ontology -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConceptView:
    """One value of a controlled list: its notation (the workbook value) and its labels."""

    iri: str
    anchor: str
    href: str | None
    notation: str
    labels: list[ValueView]
    definition: str | None


@dataclass(frozen=True)
class TermView:
    """One term of the ontology: a class, a property, a concept scheme or another term."""

    anchor: str
    iri: str
    label: str
    labels: list[ValueView]
    definitions: list[ValueView]
    types: list[ValueView]
    properties: list[PropertyView]
    concepts: list[ConceptView] = field(default_factory=list)


@dataclass(frozen=True)
class SectionView:
    """A part of the documentation (Classes, Object properties ...)."""

    anchor: str
    title: str
    terms: list[TermView]


@dataclass(frozen=True)
class OntologyPage:
    """Everything the ontology documentation shows."""

    iri: str
    title: str
    descriptions: list[ValueView]
    header: list[PropertyView]
    modules: list[TermView]
    sections: list[SectionView]


_SHOWN_APART = frozenset(
    {
        RDF_TYPE,
        RDFS_LABEL,
        SKOS_PREF_LABEL,
        SKOS + "definition",
        RDFS + "isDefinedBy",
        SKOS + "hasTopConcept",
        SKOS + "inScheme",
        SKOS + "topConceptOf",
        OWL + "imports",
        DCT + "title",
        DCT + "description",
    }
)
"""Properties a term's heading already shows (or that would repeat on every term)."""

_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("classes", "Classes", OWL + "Class"),
    ("object-properties", "Object properties", OWL + "ObjectProperty"),
    ("datatype-properties", "Datatype properties", OWL + "DatatypeProperty"),
    ("controlled-lists", "Controlled lists", SKOS + "ConceptScheme"),
)


def ontology_triples(store: GraphStore) -> list[ox.Triple]:
    """The ontology source as the store holds it, in a stable order."""
    triples = construct(store, "graph-triples", graph=ox.NamedNode(ONTOLOGY_IRI))
    return sorted(triples, key=lambda t: (str(t.subject), t.predicate.value, str(t.object)))


def _index(triples: Iterable[ox.Triple]) -> dict[str, list[Statement]]:
    index: dict[str, list[Statement]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            index.setdefault(t.subject.value, []).append(
                Statement(t.predicate, t.object, ONTOLOGY_IRI)
            )
    return index


def _values(statements: Sequence[Statement], predicate: str, page: PageLinks) -> list[ValueView]:
    """The values of one property, English first, then the other languages alphabetically."""
    views = [page.value(s.value) for s in statements if s.predicate.value == predicate]
    return sorted(views, key=lambda v: (v.language not in ("en", None), v.language or "", v.text))


def _first_text(statements: Sequence[Statement], predicate: str) -> str | None:
    values = [text(s.value) for s in statements if s.predicate.value == predicate]
    return min(values) if values else None


def _concept_order(statements: Sequence[Statement]) -> tuple[int, str]:
    order = _first_text(statements, SIC_NS + "stageOrder")
    return (
        int(order) if order and order.isdigit() else 1_000,
        _first_text(statements, SKOS + "notation") or "",
    )


def build_ontology_page(triples: Sequence[ox.Triple], base: str, root: str) -> OntologyPage:
    """The documentation of the ontology from its triples (cached per version by the route)."""
    index = _index(triples)
    labels: dict[str, list[tuple[ox.NamedNode, ox.Literal]]] = {}
    vocabulary: dict[str, str] = {}
    for iri, statements in index.items():
        for s in statements:
            if s.predicate.value in (RDFS_LABEL, SKOS_PREF_LABEL) and isinstance(
                s.value, ox.Literal
            ):
                labels.setdefault(iri, []).append((s.predicate, s.value))
        label = preferred_label(labels, iri)
        if label:
            vocabulary[iri] = label
    page = PageLinks(base, root, labels, vocabulary, {ONTOLOGY_IRI: "ontology"})

    def types_of(iri: str) -> set[str]:
        return {text(s.value) for s in index.get(iri, []) if s.predicate.value == RDF_TYPE}

    in_scheme: dict[str, list[str]] = {}
    for iri, statements in index.items():
        for s in statements:
            if s.predicate.value == SKOS + "inScheme":
                in_scheme.setdefault(text(s.value), []).append(iri)

    def term(iri: str) -> TermView:
        statements = index[iri]
        node: NodeView = page.node(
            iri, [s for s in statements if s.predicate.value not in _SHOWN_APART]
        )
        concepts = [
            ConceptView(
                iri=c,
                anchor=c[len(SIC_NS) :] if c.startswith(SIC_NS) else "",
                href=href(c, base, root),
                notation=_first_text(index[c], SKOS + "notation") or "",
                labels=_values(index[c], SKOS_PREF_LABEL, page)
                or _values(index[c], RDFS_LABEL, page),
                definition=_first_text(index[c], SKOS + "definition"),
            )
            for c in sorted(in_scheme.get(iri, []), key=lambda c: (_concept_order(index[c]), c))
        ]
        return TermView(
            anchor=iri[len(SIC_NS) :] if iri.startswith(SIC_NS) else "",
            iri=iri,
            label=vocabulary.get(iri, iri),
            labels=_values(statements, RDFS_LABEL, page)
            or _values(statements, SKOS_PREF_LABEL, page),
            definitions=_values(statements, SKOS + "definition", page),
            types=[page.value(ox.NamedNode(t)) for t in sorted(types_of(iri))],
            properties=node.properties,
            concepts=concepts,
        )

    listed: set[str] = set()
    sections: list[SectionView] = []
    for anchor, title, cls in _SECTIONS:
        members = sorted(i for i in index if i.startswith(SIC_NS) and cls in types_of(i))
        listed |= set(members)
        sections.append(SectionView(anchor, title, [term(i) for i in members]))
    concepts = {c for members in in_scheme.values() for c in members}
    others = sorted(i for i in index if i.startswith(SIC_NS) and i not in listed | concepts)
    if others:
        sections.append(SectionView("other-terms", "Other terms", [term(i) for i in others]))
    modules = sorted(i for i in index if OWL + "Ontology" in types_of(i) and i != ONTOLOGY_IRI)
    aggregate = index.get(ONTOLOGY_IRI, [])
    header = page.properties([s for s in aggregate if s.predicate.value not in _SHOWN_APART])
    return OntologyPage(
        iri=ONTOLOGY_IRI,
        title=_english(aggregate, DCT + "title") or "SIC ontology",
        descriptions=_values(aggregate, DCT + "description", page),
        header=header,
        modules=[
            TermView(
                anchor="",
                iri=m,
                label=_english(index[m], DCT + "title") or m,
                labels=[],
                definitions=_values(index[m], RDFS + "comment", page),
                types=[],
                properties=[],
            )
            for m in modules
        ],
        sections=sections,
    )


def _english(statements: Sequence[Statement], predicate: str) -> str | None:
    found = [s.value for s in statements if s.predicate.value == predicate]
    literals = [v for v in found if isinstance(v, ox.Literal)]
    literals.sort(key=lambda v: (v.language not in ("en", ""), v.value))
    return literals[0].value if literals else None


@router.get(
    "/ontology",
    response_class=Response,
    responses=_responses(ALL_REPRESENTATIONS, "The ontology, documented (HTML) or as RDF."),
    summary="The SIC ontology and its controlled lists",
)
@in_worker
def ontology(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    format_name: Annotated[FormatName | None, _FORMAT_QUERY] = None,
) -> Response:
    """The ontology source of the store: a documentation page for people, RDF for machines."""
    rep = negotiate(request, ALL_REPRESENTATIONS, format_name)
    media_type = rep.media_type
    version = store.version()
    tag = etag(version, "ontology-" + rep.name)
    if is_fresh(request, tag):
        return not_modified(tag)
    triples = cached(request, "ontology", ontology_triples).get(store, version)
    headers = representation_headers(tag)
    if not triples:
        note = "the store holds no ontology yet; `sic load` or `sic serve` loads it"
        body = (
            empty_document(rep, request, note)
            if rep is not HTML
            else render("not_found.html", iri=ONTOLOGY_IRI, root=root_of(request))
        )
        return Response(body, status_code=404, media_type=media_type, headers=headers)
    if rep is not HTML:
        return Response(
            serialize_rdf(triples, rep, request), media_type=media_type, headers=headers
        )
    root = root_of(request)
    doc = cached(
        request,
        f"ontology-page:{root}",
        lambda s: build_ontology_page(triples, settings.base_iri, root),
    ).get(store, version)
    links = alternates(request, RDF_REPRESENTATIONS)
    return Response(
        render("ontology.html", doc=doc, root=root, alternates=links),
        media_type=media_type,
        headers=headers,
    )


# -- /shapes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShapesFile:
    """One file of shapes/ (one module of rules): its name, what it says it covers, its text."""

    name: str
    summary: str
    text: str


@dataclass(frozen=True)
class Shapes:
    """The bundled data shapes: their triples (for RDF) and their files (for people)."""

    triples: list[ox.Triple]
    files: list[ShapesFile]
    digest: str


@lru_cache(maxsize=2)
def _read_shapes(stamp: tuple[tuple[str, int, int], ...]) -> Shapes:
    digest = hashlib.sha256()
    files: list[ShapesFile] = []
    triples: set[ox.Triple] = set()
    for name, _, _ in stamp:
        path = Path(name)
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        triples |= {q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)}
        source = data.decode("utf-8")
        comments = []
        for line in source.splitlines():
            if not line.startswith("#"):
                break
            comments.append(line.lstrip("# ").strip())
        files.append(ShapesFile(path.name, " ".join(c for c in comments if c), source))
    ordered = sorted(triples, key=lambda t: (str(t.subject), t.predicate.value, str(t.object)))
    return Shapes(ordered, files, digest.hexdigest()[:16])


def bundled_shapes() -> Shapes:
    """The data shapes every write is validated with (read again when a file changes).

    The page shows the Turtle files as they are: their comments and `sh:message`s are written
    for people, and are the most faithful account of each rule.
    """
    files = default_shape_files()
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _read_shapes(stamp)


@router.get(
    "/shapes",
    response_class=Response,
    responses=_responses(
        ALL_REPRESENTATIONS, "The SHACL shapes, documented (HTML) or as RDF.", empty=False
    ),
    summary="The SHACL shapes every write is validated against",
)
def shapes(
    request: Request, format_name: Annotated[FormatName | None, _FORMAT_QUERY] = None
) -> Response:
    """The bundled data shapes; their ETag is a digest of the shape files."""
    rep = negotiate(request, ALL_REPRESENTATIONS, format_name)
    media_type = rep.media_type
    loaded = bundled_shapes()
    tag = etag(loaded.digest, "shapes-" + rep.name)
    if is_fresh(request, tag):
        return not_modified(tag)
    headers = representation_headers(tag)
    if rep is not HTML:
        return Response(
            serialize_rdf(loaded.triples, rep, request), media_type=media_type, headers=headers
        )
    links = alternates(request, RDF_REPRESENTATIONS)
    body = render("shapes.html", files=loaded.files, root=root_of(request), alternates=links)
    return Response(body, media_type=media_type, headers=headers)


# -- /.well-known/void ---------------------------------------------------------------------


@router.get(
    "/.well-known/void",
    response_class=Response,
    responses=_responses(RDF_REPRESENTATIONS, "The VoID description of the dataset."),
    summary="VoID statistics of the dataset and of each source graph",
)
@in_worker
def void(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    format_name: Annotated[FormatName | None, _FORMAT_QUERY] = None,
) -> Response:
    """VoID + DCAT about the dataset, generated from the store (RFC 8615 well-known location)."""
    rep = negotiate(request, RDF_REPRESENTATIONS, format_name)
    media_type = rep.media_type
    version = store.version()
    tag = etag(version, "void-" + rep.name)
    if is_fresh(request, tag):
        return not_modified(tag)
    stats = cached(request, "void", void_statistics).get(store, version)
    root_url = str(request.url_for("void")).removesuffix(".well-known/void")
    triples = void_triples(stats, str(request.url_for("void")), root_url, settings.base_iri)
    return Response(
        serialize_rdf(triples, rep, request),
        media_type=media_type,
        headers=representation_headers(tag),
    )


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
