"""Facts about RDF files the store needs before it reads them: format and checksum."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from sic.errors import LoaderError, Location, Problem

_EXTRA_EXTENSIONS = {
    "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
}


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, from its extension.

    :raises LoaderError: if the extension names no RDF format we read.
    """
    ext = path.suffix.lstrip(".").lower()
    fmt = ox.RdfFormat.from_extension(ext) or _EXTRA_EXTENSIONS.get(ext)
    if fmt is None:
        raise LoaderError(
            [
                Problem(
                    Location(str(path)),
                    "unknown RDF format: expected .ttl, .nt, .nq, .trig, .jsonld or .rdf",
                )
            ]
        )
    return fmt


def checksum_of(path: Path) -> str:
    """sha256 of a file's bytes, as `sha256:<hex>` (streamed: dumps can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"
