"""Validation results as documents other tools read: a SHACL validation report in Turtle, and
JSON records with the workbook cell each result was traced to.

`sic validate --format turtle|json` prints these; they are the standard's own vocabulary
(sh:ValidationReport, sh:result ...) so that any SHACL tool can take our results.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from sic.errors import Violation
from sic.vocab import PREFIXES, SH


def violations_json(violations: Sequence[Violation], lang: str = "en") -> str:
    """JSON records; `message` stays English, and for another `lang` each record adds
    `translated` ({"lang", "message"}: the rule's sentence in `lang`, or in English, so said,
    where the shape has none), as the HTTP API's 422 answers do."""
    return json.dumps([_record(v, lang) for v in violations], indent=2, ensure_ascii=False)


def _record(v: Violation, lang: str) -> dict[str, object]:
    record: dict[str, object] = {
        "focus_node": v.focus_node,
        "path": v.path,
        "message": v.message,
        "severity": v.severity,
        "value": v.value,
        "source_shape": v.source_shape,
        "constraint": v.constraint,
        "file": v.location.file if v.location else None,
        "row": v.location.row if v.location else None,
        "column": v.location.column if v.location else None,
    }
    if lang != "en":
        said = lang if v.speaks(lang) else "en"
        record["translated"] = {"lang": said, "message": v.message_in(said)}
    return record


def _expand(name: str | None) -> URIRef | None:
    if not name:
        return None
    prefix, _, local = name.partition(":")
    if prefix in PREFIXES and local and not name.startswith(("http:", "https:")):
        return URIRef(PREFIXES[prefix] + local)
    return URIRef(name)


def violations_turtle(violations: Sequence[Violation]) -> str:
    """A SHACL validation report (sh:ValidationReport) for tools that read SHACL."""
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    conforms = not any(v.severity == "Violation" for v in violations)
    g.add((report, SH.conforms, Literal(conforms, datatype=XSD.boolean)))
    for v in violations:
        r = BNode()
        g.add((report, SH.result, r))
        g.add((r, RDF.type, SH.ValidationResult))
        g.add((r, SH.focusNode, URIRef(v.focus_node)))
        g.add((r, SH.resultMessage, Literal(v.message)))
        for tag, text in v.translations:  # the standard's way: one message per language
            g.add((r, SH.resultMessage, Literal(text, lang=tag)))
        g.add((r, SH.resultSeverity, SH[v.severity]))
        path = _expand(v.path)
        if path is not None:
            g.add((r, SH.resultPath, path))
        if v.value is not None:
            g.add((r, SH.value, Literal(v.value)))
        shape = _expand(v.source_shape)
        if shape is not None:
            g.add((r, SH.sourceShape, shape))
    return g.serialize(format="turtle")
