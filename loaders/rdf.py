"""Reading RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML, optionally gzipped)
with pyoxigraph's own parsers, which are fast enough for bulk loads and say where a file is wrong.

The format comes from the file name (`data.ttl`, `dump.nq.gz`), never from guessing at the
content: a file whose name does not say is refused with the list of names that do.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from sic.errors import LoaderError, Location, Problem

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
        shown = repr(extension) if extension else "no extension"
        raise LoaderError(
            [
                Problem(
                    Location(str(path)),
                    f"unknown RDF format ({shown}): expected a file name ending in one of "
                    f"{known}, optionally followed by {GZIP_SUFFIX}",
                )
            ]
        )
    return fmt


def is_dataset_format(fmt: ox.RdfFormat) -> bool:
    """Whether a format can carry named graphs (N-Quads, TriG, JSON-LD), so that a loader knows
    whether the file decides the graph names or the caller does."""
    return bool(fmt.supports_datasets)


def read_quads(
    path: Path, *, base_iri: str | None = None, rename_blank_nodes: bool = True
) -> Iterator[ox.Quad]:
    """Stream the quads of an RDF file (triples come in the default graph).

    Blank nodes are renamed by default, so that `_:b0` in two files are two nodes, as RDF
    merge requires. Without `base_iri`, a relative IRI is a syntax error rather than an IRI
    silently made from where the file happens to be.

    Raises:
        LoaderError: at once when the file is missing or its extension is unknown; while
            iterating, on the first syntax error, naming the file, line and column.
    """
    fmt = rdf_format(path)
    if not path.is_file():
        raise LoaderError([Problem(Location(str(path)), "no such file")])
    return _parse(path, fmt, base_iri, rename_blank_nodes)


def _parse(
    path: Path, fmt: ox.RdfFormat, base_iri: str | None, rename_blank_nodes: bool
) -> Iterator[ox.Quad]:
    try:
        with _open(path) as stream:
            yield from ox.parse(
                stream, fmt, base_iri=base_iri, rename_blank_nodes=rename_blank_nodes
            )
    except SyntaxError as error:
        raise LoaderError([_syntax_problem(path, error)]) from error
    except (OSError, EOFError, zlib.error) as error:
        raise LoaderError([Problem(Location(str(path)), f"cannot read: {error}")]) from error


def _open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == GZIP_SUFFIX:
        return cast(IO[bytes], gzip.open(path, "rb"))  # a GzipFile is a binary stream
    return path.open("rb")


def _syntax_problem(path: Path, error: SyntaxError) -> Problem:
    """pyoxigraph puts the line and column in `lineno` and `offset` (1-based); RDF/XML errors
    may have neither, and then the file alone is named."""
    message = error.msg or str(error)
    if error.lineno is None:
        return Problem(Location(str(path)), message)
    column = str(error.offset) if error.offset is not None else None
    return Problem(Location(str(path), error.lineno, column), message)
