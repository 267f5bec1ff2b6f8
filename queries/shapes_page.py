"""The rules data must follow, as /shapes shows them: the bundled SHACL shape files.

The page shows the Turtle files as they are, with the summary their opening comments give:
their comments and `sh:message`s are written for people, and are the most faithful account of
each rule. Machines get the union of their triples. Both are read again when a file changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from sic.validation import default_shape_files


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
    """The data shapes every write is validated with (read again when a file changes)."""
    files = default_shape_files()
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _read_shapes(stamp)
