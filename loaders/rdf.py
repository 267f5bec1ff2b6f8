"""Reading RDF (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) from files, optionally
gzipped, and from request bodies, as Sources (sic.source), with pyoxigraph's own parsers:
they are fast enough for bulk loads and say where an input is wrong.

This is the one place RDF input is parsed, so every syntax error reads the same way: the file
(or "request body"), the line and the column. A file's format comes from its name (`data.ttl`,
`dump.nq.gz`), never from guessing at the content: a file whose name does not say is refused
with the list of names that do. A body's format is its declared media type, and the body is
screened (loaders.screening) before a parser sees it.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from loaders.messages import problem as said
from loaders.screening import check_rdf_body
from sic.errors import LoaderError, Location, Problem, TooLarge
from sic.source import Counted, Source, not_counted

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
"""File extension -> format. `.owl` and `.xml` are RDF/XML, the usual meaning for ontologies."""

GZIP_SUFFIX = ".gz"
REQUEST_BODY = "request body"
"""What a syntax error in a request body names in place of a file."""


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF format a file name announces, looking through a trailing `.gz`.

    Raises:
        LoaderError: when the extension is not one of FORMATS.
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == GZIP_SUFFIX:
        suffixes.pop()
    extension = suffixes[-1] if suffixes else ""
    fmt = FORMATS.get(extension)
    if fmt is None:
        known = ", ".join(FORMATS)
        key = "rdf.unknown_format" if extension else "rdf.unknown_format_none"
        where = Location(str(path))
        refused = said(where, key, extension=extension, known=known, gzip=GZIP_SUFFIX)
        raise LoaderError([refused])
    return fmt


def read_rdf(path: Path, *, name: str | None = None) -> Source:
    """An RDF file as a Source, named after the file unless `name` is given.

    A file in a format that can name graphs (N-Quads, TriG, JSON-LD) is a dataset: its named
    graphs are restored as they were, so that a dump loads back into the same dataset.
    Nothing is parsed yet; a relative IRI in the file is a syntax error rather than an IRI
    silently made from where the file happens to be.

    Raises:
        LoaderError: when the file is missing or its extension is unknown.
    """
    fmt = rdf_format(path)
    if not path.is_file():
        raise LoaderError([said(Location(str(path)), "rdf.no_such_file")])
    return Source(
        name=name or path.name,
        origin=str(path),
        checksum=_checksum_of_file(path),
        content=_File(path, fmt),
        dataset=bool(fmt.supports_datasets),
    )


def read_body(
    data: bytes,
    fmt: ox.RdfFormat,
    *,
    base_iri: str,
    max_nesting: int,
    graph_only: bool = False,
    where: str = REQUEST_BODY,
) -> Source:
    """A request body in a known RDF syntax as a Source; relative IRIs resolve against
    `base_iri`. With `graph_only`, a statement in a named graph is a syntax error (the
    content of one graph cannot name others).

    Raises:
        QueryError: the body nests deeper than `max_nesting` or declares a DTD (screened
            before any parser runs).
    """
    check_rdf_body(data, fmt.media_type, max_nesting)
    return Source(
        name=where,
        origin=where,
        checksum=f"sha256:{hashlib.sha256(data).hexdigest()}",
        content=_Body(data, fmt, where, base_iri, graph_only),
        dataset=bool(fmt.supports_datasets) and not graph_only,
    )


@dataclass(frozen=True)
class _File:
    """An RDF file's statements, read from disk on each call."""

    path: Path
    fmt: ox.RdfFormat

    def quads(self) -> Iterator[ox.Quad]:
        with _located(str(self.path), self.fmt), _open(self.path) as stream:
            yield from ox.parse(stream, self.fmt)

    def load_into(
        self, store: ox.Store, graph: ox.NamedNode, counted: Counted = not_counted
    ) -> None:
        # one call of pyoxigraph's loader, which cannot report as it goes: `counted` is not told
        with _located(str(self.path), self.fmt):
            if self.path.suffix.lower() == GZIP_SUFFIX:
                with _open(self.path) as stream:
                    store.bulk_load(stream, format=self.fmt, to_graph=graph)
            else:  # pyoxigraph reads the file itself: the fastest way in
                store.bulk_load(path=str(self.path), format=self.fmt, to_graph=graph)


@dataclass(frozen=True)
class _Body:
    """A request body's statements, parsed from its bytes on each call."""

    data: bytes
    fmt: ox.RdfFormat
    where: str
    base_iri: str
    graph_only: bool

    def quads(self) -> Iterator[ox.Quad]:
        with _located(self.where, self.fmt):
            yield from ox.parse(
                self.data,
                self.fmt,
                base_iri=self.base_iri,
                without_named_graphs=self.graph_only,
            )

    def load_into(
        self, store: ox.Store, graph: ox.NamedNode, counted: Counted = not_counted
    ) -> None:
        with _located(self.where, self.fmt):
            store.bulk_load(self.data, format=self.fmt, base_iri=self.base_iri, to_graph=graph)


@contextmanager
def _located(where: str, fmt: ox.RdfFormat) -> Iterator[None]:
    """Parser failures as the platform's errors, naming the input, line and column."""
    try:
        yield
    except SyntaxError as error:
        raise LoaderError([_syntax_problem(where, error)]) from error
    except MemoryError:
        raise TooLarge(
            f"{where}: a line, literal or term is larger than the {fmt.name} parser's buffer "
            "(16 MB)"
        ) from None
    except (OSError, EOFError, zlib.error) as error:
        raise LoaderError([said(Location(where), "rdf.cannot_read", error=error)]) from error


def _open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == GZIP_SUFFIX:
        return cast(IO[bytes], gzip.open(path, "rb"))  # a GzipFile is a binary stream
    return path.open("rb")


def _checksum_of_file(path: Path) -> str:
    """sha256 of a file's bytes, as `sha256:<hex>` (streamed: dumps can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def _syntax_problem(where: str, error: SyntaxError) -> Problem:
    """pyoxigraph puts the line and column in `lineno` and `offset` (1-based); RDF/XML errors
    may have neither, and then the input alone is named."""
    message = error.msg or str(error)
    if error.lineno is None:
        return Problem(Location(where, text=True), message)
    column = str(error.offset) if error.offset is not None else None
    return Problem(Location(where, error.lineno, column, text=True), message)
