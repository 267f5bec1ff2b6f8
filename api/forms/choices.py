"""What a form lets a person pick, read from the graph (form-entities.rq, form-concepts.rq).

Names come in the page's language when the graph has one, else in English, else any; a topic
shows the AGROVOC concept it matches, so a person picks topics as AGROVOC terms.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from graph.base import GraphStore
from queries.describe import solutions
from sic.iris import parse
from sic.vocab import AGROVOC_NS, SIC_NS


@dataclass(frozen=True)
class Choice:
    """One value a field may take: what the form holds (`key`) and what a person reads."""

    key: str
    label: str


Choices = dict[str, list[Choice]]
"""Per list (a kind such as `organisation`, or a scheme such as `Stages`): its values."""


def _rank(term: ox.Literal, lang: str) -> int:
    tag = term.language or ""
    return 0 if tag == lang else 1 if tag == "en" else 2 if not tag else 3


def _entity_key(kind: str, iri: str) -> str:
    if kind == "region":
        return iri.rsplit("/", 1)[-1]
    parsed = parse(iri)
    return parsed[2] if parsed is not None else iri


def read_choices(store: GraphStore, lang: str) -> Choices:
    """Every list the forms offer, each value named in `lang` where the graph allows."""
    best: dict[tuple[str, str], tuple[int, str]] = {}
    extra: dict[tuple[str, str], str] = {}
    order: dict[tuple[str, str], float] = {}
    for row in solutions(store, "form-entities"):
        kind, entity = row["kind"], row["entity"]
        if not isinstance(kind, ox.Literal) or not isinstance(entity, ox.NamedNode):
            continue
        key = (kind.value, _entity_key(kind.value, entity.value))
        label = row.get("label", None)
        _keep(best, key, label, lang)
        match = row.get("extra", None)
        if isinstance(match, ox.NamedNode) and match.value.startswith(AGROVOC_NS):
            extra[key] = match.value.removeprefix(AGROVOC_NS)
    for row in solutions(store, "form-concepts"):
        scheme, notation = row["scheme"], row["notation"]
        if not isinstance(scheme, ox.NamedNode) or not isinstance(notation, ox.Literal):
            continue
        key = (scheme.value.removeprefix(SIC_NS), notation.value)
        _keep(best, key, row.get("label", None), lang)
        rank = row.get("order", None)
        if isinstance(rank, ox.Literal):
            order[key] = float(rank.value)
    lists: Choices = defaultdict(list)
    for (list_name, value), (_, text) in best.items():
        shown = text or value
        if (list_name, value) in extra:
            shown = f"{shown} (AGROVOC {extra[list_name, value]})"
        lists[list_name].append(Choice(value, shown))
    for name, values in lists.items():
        if any((name, c.key) in order for c in values):
            values.sort(key=lambda c, n=name: (order.get((n, c.key)) or 98.0, c.key))  # type: ignore[misc]
        else:
            values.sort(key=lambda c: c.label.casefold())
    return dict(lists)


def _keep(
    best: dict[tuple[str, str], tuple[int, str]],
    key: tuple[str, str],
    label: object,
    lang: str,
) -> None:
    rank, text = (_rank(label, lang), label.value) if isinstance(label, ox.Literal) else (9, "")
    if key not in best or rank < best[key][0]:
        best[key] = (rank, text)
