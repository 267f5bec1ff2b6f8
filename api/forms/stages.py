"""The rules a project must meet at a stage, read from the shapes before a person moves it.

A stage move is refused by the SHACL shapes when the project does not meet the rules of its
new stage (a `funded` project needs a committed or disbursed funding: shapes/cycle.ttl), so
the stage form shows, for each stage, the shapes whose rule names it: their title and their
message, as the shapes say them. The shapes are the one place these rules are written.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from loaders import enums
from queries.shapes_page import bundled_shapes

SH = "http://www.w3.org/ns/shacl#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@dataclass(frozen=True)
class Rule:
    """One shape that concerns a stage: its title and its message (in the shapes' language)."""

    shape: str
    title: str
    message: str
    lang: str


def stage_rules() -> dict[str, list[Rule]]:
    """Per stage notation (`funded`), the shapes whose SPARQL rule names that stage."""
    triples = bundled_shapes().triples
    by_subject: dict[str, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(str(t.subject), []).append(t)
    selects: dict[str, str] = {}  # the sh:sparql node -> its query text
    for t in triples:
        if t.predicate.value == SH + "select" and isinstance(t.object, ox.Literal):
            selects[str(t.subject)] = t.object.value
    rules: dict[str, list[Rule]] = {}
    for t in triples:
        if t.predicate.value != SH + "sparql" or str(t.object) not in selects:
            continue
        query = selects[str(t.object)]
        shape = str(t.subject)
        title = _literal(by_subject.get(shape, []), RDFS_LABEL)
        message = _literal(by_subject.get(shape, []), SH + "message")
        for notation, concept in enums.STAGES.concepts.items():
            local = str(concept).rsplit("#", 1)[-1]
            if f"sic:{local}" in query or str(concept) in query:
                rules.setdefault(notation, []).append(
                    Rule(shape.strip("<>"), title[0], message[0], message[1] or title[1])
                )
    return rules


def _literal(triples: list[ox.Triple], predicate: str) -> tuple[str, str]:
    for t in triples:
        if t.predicate.value == predicate and isinstance(t.object, ox.Literal):
            return t.object.value, t.object.language or ""
    return "", ""
