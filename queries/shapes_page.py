"""The rules data must follow, as /shapes shows them: the bundled SHACL shape files.

The page shows the Turtle files as they are, with the summary their opening comments give:
their comments and `sh:message`s are written for people, and are the most faithful account of
each rule. Before each file's text, its rules are listed with their sentence in the reader's
language (the bundled shapes write each in English, French and Spanish; a shape that lacks the
reader's language is shown in English, marked). Machines get the union of their triples. Both
are read again when a file changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from sic.validation import compact, default_shape_files

SH = "http://www.w3.org/ns/shacl#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@dataclass(frozen=True)
class ShapeRule:
    """One rule of a file: the shape's name, its English label, its severity and its message in
    every language the file gives, as sorted (language tag, text) pairs."""

    name: str
    label: str
    severity: str
    messages: tuple[tuple[str, str], ...]

    def message_in(self, lang: str) -> tuple[str, str]:
        """(text, its language): the message in `lang`, else English, else untagged."""
        by_lang = dict(self.messages)
        for wanted in (lang, "en", ""):
            if wanted in by_lang:
                return by_lang[wanted], wanted
        return ("", "")


@dataclass(frozen=True)
class ShapesFile:
    """One file of shapes/ (one module of rules): its name, what it says it covers, its text."""

    name: str
    summary: str
    text: str
    rules: tuple[ShapeRule, ...] = ()


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
        own = {q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)}
        triples |= own
        source = data.decode("utf-8")
        comments = []
        for line in source.splitlines():
            if not line.startswith("#"):
                break
            comments.append(line.lstrip("# ").strip())
        summary = " ".join(c for c in comments if c)
        files.append(ShapesFile(path.name, summary, source, _rules(own)))
    ordered = sorted(triples, key=lambda t: (str(t.subject), t.predicate.value, str(t.object)))
    return Shapes(ordered, files, digest.hexdigest()[:16])


def bundled_shapes() -> Shapes:
    """The data shapes every write is validated with (read again when a file changes)."""
    files = default_shape_files()
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _read_shapes(stamp)


def _rules(triples: set[ox.Triple]) -> tuple[ShapeRule, ...]:
    """The named shapes of one file that carry a message, in the order of their names."""
    found: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for t in triples:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        predicate = t.predicate.value
        if predicate in (SH + "message", RDFS_LABEL) and isinstance(t.object, ox.Literal):
            entry = found.setdefault(t.subject.value, {})
            tag = (t.object.language or "").lower()
            entry.setdefault(predicate, []).append((tag, t.object.value))
        elif predicate == SH + "severity" and isinstance(t.object, ox.NamedNode):
            found.setdefault(t.subject.value, {})["severity"] = [("", t.object.value)]
    rules = []
    for iri, entry in found.items():
        messages = entry.get(SH + "message")
        if not messages:
            continue
        labels = dict(entry.get(RDFS_LABEL, []))
        severity = entry.get("severity", [("", SH + "Violation")])[0][1].rsplit("#", 1)[-1]
        rules.append(
            ShapeRule(
                name=compact(iri),
                label=labels.get("en") or labels.get("") or "",
                severity=severity,
                messages=tuple(sorted(dict(messages).items())),
            )
        )
    return tuple(sorted(rules, key=lambda r: r.name))
