"""Facts about RDF files the store needs before it reads them: format, checksum, an open stream.

The format table is the loaders' (loaders.rdf): one list of the names we read, `.gz` included.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from typing import IO, cast

from loaders.rdf import GZIP_SUFFIX, rdf_format

__all__ = ["checksum_of", "is_gzipped", "open_rdf", "rdf_format"]


def is_gzipped(path: Path) -> bool:
    return path.suffix.lower() == GZIP_SUFFIX


def open_rdf(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed on the fly when its name ends in `.gz`."""
    if is_gzipped(path):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def checksum_of(path: Path) -> str:
    """sha256 of a file's bytes, as `sha256:<hex>` (streamed: dumps can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"
