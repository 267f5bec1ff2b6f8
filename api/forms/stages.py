"""The rules a project must meet at a stage, read from the shapes before a person moves it.

A stage move is refused by the SHACL shapes when the project does not meet the rules of its
new stage (a `funded` project needs a committed or disbursed funding: shapes/cycle.ttl), so
the stage form shows, for each stage, the shapes whose rule names it: their title and their
message, as the shapes say them, the message in the page's language when the shape has it
(else in English). The shapes are the one place these rules are written.
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
    """One shape that concerns a stage: its title and its message, each with its language."""

    shape: str
    title: str
    message: str
    lang: str
    title_lang: str = ""


def stage_rules(lang: str = "en") -> dict[str, list[Rule]]:
    """Per stage notation (`funded`), the shapes whose SPARQL rule names that stage, their
    message in `lang` where the shape has one, else in English (then `Rule.lang` says "en")."""
    return {
        stage: [_in_language(rule, lang) for rule in rules]
        for stage, rules in _stage_rules().items()
    }


def _in_language(rule: _Rule, lang: str) -> Rule:
    title, title_lang = _pick(rule.titles, lang)
    message, message_lang = _pick(rule.messages, lang)
    return Rule(rule.shape, title, message, message_lang or title_lang, title_lang)


def _pick(texts: tuple[tuple[str, str], ...], lang: str) -> tuple[str, str]:
    """The text in `lang`, else English, else untagged, else the first: (text, its language)."""
    by_lang = dict((tag, text) for text, tag in texts)
    for wanted in (lang, "en", ""):
        if wanted in by_lang:
            return by_lang[wanted], wanted
    return texts[0] if texts else ("", "")


@dataclass(frozen=True)
class _Rule:
    """A stage's shape with its titles and messages in every language, as (text, tag) pairs."""

    shape: str
    titles: tuple[tuple[str, str], ...]
    messages: tuple[tuple[str, str], ...]


def _stage_rules() -> dict[str, list[_Rule]]:
    """Per stage notation (`funded`), the shapes whose SPARQL rule names that stage."""
    triples = bundled_shapes().triples
    by_subject: dict[str, list[ox.Triple]] = {}
    for t in triples:
        by_subject.setdefault(str(t.subject), []).append(t)
    selects: dict[str, str] = {}  # the sh:sparql node -> its query text
    for t in triples:
        if t.predicate.value == SH + "select" and isinstance(t.object, ox.Literal):
            selects[str(t.subject)] = t.object.value
    rules: dict[str, list[_Rule]] = {}
    for t in triples:
        if t.predicate.value != SH + "sparql" or str(t.object) not in selects:
            continue
        query = selects[str(t.object)]
        shape = str(t.subject)
        titles = _literals(by_subject.get(shape, []), RDFS_LABEL)
        messages = _literals(by_subject.get(shape, []), SH + "message")
        for notation, concept in enums.STAGES.concepts.items():
            local = str(concept).rsplit("#", 1)[-1]
            if f"sic:{local}" in query or str(concept) in query:
                rules.setdefault(notation, []).append(_Rule(shape.strip("<>"), titles, messages))
    return rules


def _literals(triples: list[ox.Triple], predicate: str) -> tuple[tuple[str, str], ...]:
    """Every literal of `predicate` as (text, language tag) pairs, in the triples' order."""
    return tuple(
        (t.object.value, (t.object.language or "").lower())
        for t in triples
        if t.predicate.value == predicate and isinstance(t.object, ox.Literal)
    )
