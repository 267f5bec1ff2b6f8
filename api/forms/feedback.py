"""The problems of a refused save, put back next to the fields they concern, in the page's language.

A value that fits no field is named by its field already (api.forms.change.FormRefused); a
SHACL result names a property (`sh:resultPath`) of a node, so it belongs to the field that
writes that property of the resource the form edits. A result about another node (a Task
Force role that an organisation's new status breaks) or about no property of the form is
shown above the form. Each result is said in the page's language by the kind of constraint it
breaks (a missing value, one too many, a value of the wrong kind, a rule), followed by the
shape's own sentence in the page's language when the shape has one (the bundled shapes speak
English, French and Spanish), else in English, marked as such (a user's own shapes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api.forms.specs import FormSpec
from api.i18n import Ui
from queries.describe import compact_iri
from sic.errors import Violation

GENERAL = ""
"""Where a problem that belongs to no field is shown: above the form."""

_CONSTRAINTS = {
    "MinCount": "forms.violation.required",
    "MaxCount": "forms.violation.too_many",
    "Class": "forms.violation.unknown",
    "Datatype": "forms.violation.invalid",
    "NodeKind": "forms.violation.invalid",
    "Pattern": "forms.violation.invalid",
    "In": "forms.violation.invalid",
    "MinExclusive": "forms.violation.too_small",
    "MinInclusive": "forms.violation.too_small",
    "LessThanOrEquals": "forms.violation.order",
    "SPARQL": "forms.violation.rule",
}
"""Constraint components (sh:...ConstraintComponent) by the message key that says them."""


@dataclass(frozen=True)
class Said:
    """One problem as a person reads it: in their language, and the shapes' own words."""

    text: str
    detail: str = ""
    detail_lang: str = "en"
    """The language `detail` is written in: the page's, or English when the shape lacks it."""


def constraint_key(constraint: str | None) -> str:
    name = (constraint or "").rsplit(":", 1)[-1].rsplit("#", 1)[-1]
    return _CONSTRAINTS.get(name.removesuffix("ConstraintComponent"), "forms.violation.other")


def field_of(spec: FormSpec, focus: str, violation: Violation) -> str:
    """The field a SHACL result concerns, or GENERAL."""
    if violation.focus_node != focus or not violation.path:
        return GENERAL
    for f in spec.fields:
        if violation.path in f.predicates or violation.path in {
            compact_iri(p) for p in f.predicates
        }:
            return f.name
    return GENERAL


def violations_by_field(
    spec: FormSpec, focus: str, violations: Sequence[Violation], ui: Ui
) -> dict[str, list[Said]]:
    out: dict[str, list[Said]] = {}
    for v in violations:
        name = field_of(spec, focus, v)
        lang = ui.lang if v.speaks(ui.lang) else "en"
        said = Said(ui(constraint_key(v.constraint)), v.message_in(lang), lang)
        out.setdefault(name, []).append(said)
    return out


def problems_by_field(problems: Sequence[tuple[str, str, str]], ui: Ui) -> dict[str, list[Said]]:
    out: dict[str, list[Said]] = {}
    for name, key, value in problems:
        out.setdefault(name, []).append(Said(ui(key, value=value)))
    return out
