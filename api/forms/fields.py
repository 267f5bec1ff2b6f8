"""The fields of a form: what a person types or picks, and the RDF terms it stands for.

A field holds text as a person sees it (an organisation's key, a stage's notation, a date as
YYYY-MM-DD); `terms` turns it into the terms the workbook mapping would write for the same
cell (loaders.cells reads the values), so a resource saved by a form is the same RDF as the
same row of a workbook. `shown` goes the other way, for the values a form opens with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import pyoxigraph as ox

from loaders import cells
from loaders.enums import Enumeration
from sic.iris import mint, parse
from sic.terms import to_ox

MAX_TEXT = 4000
"""Longest text a field takes (a description); a name is far shorter."""


class Kind(StrEnum):
    """How a field is typed and what it becomes."""

    text = "text"  # one line, a literal in the field's language
    long_text = "long_text"  # several lines, a literal in the field's language
    ref = "ref"  # one resource of the graph, by key
    refs = "refs"  # several resources of the graph, by key
    concept = "concept"  # one value of a controlled list, by notation
    region = "region"  # one UN M49 region, by code
    regions = "regions"  # several UN M49 regions
    country = "country"  # one ISO 3166-1 code
    countries = "countries"  # several
    date = "date"
    decimal = "decimal"
    currency = "currency"

    @property
    def many(self) -> bool:
        return self in (Kind.refs, Kind.regions, Kind.countries)


_ERRORS = {
    Kind.region: "forms.error.region",
    Kind.regions: "forms.error.region",
    Kind.country: "forms.error.country",
    Kind.countries: "forms.error.country",
    Kind.date: "forms.error.date",
    Kind.decimal: "forms.error.decimal",
    Kind.currency: "forms.error.currency",
}
"""The message key of a value a reader of loaders.cells refuses."""


class FieldError(ValueError):
    """A value a field cannot take, said as a message key of api/locales/forms.*.json."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__(key)
        self.key = key
        self.value = value


@dataclass(frozen=True)
class Field:
    """One field: its name (a workbook column), what it holds and the properties it writes.

    `of`: the kind of resource a reference names (`organisation`), or the controlled list a
    concept comes from. `lang`: the language tag of a text (only statements in that language
    are the field's: a French name stays when the English one is edited).
    """

    name: str
    kind: Kind
    predicates: tuple[str, ...]
    required: bool = False
    of: str = ""
    lang: str | None = None
    enumeration: Enumeration | None = None

    def owns(self, predicate: str, value: ox.NamedNode | ox.BlankNode | ox.Literal) -> bool:
        """Whether a statement of the resource is one this field shows and replaces."""
        if predicate not in self.predicates:
            return False
        if self.lang is not None and isinstance(value, ox.Literal):
            return value.language == self.lang
        return True

    def terms(self, typed: Sequence[str], base: str) -> list[ox.NamedNode | ox.Literal]:
        """The terms of what was typed (empty entries ignored).

        :raises FieldError: a value the field cannot take, or none when one is required.
        """
        values = [v.strip() for v in typed if v.strip()]
        if not self.kind.many and len(values) > 1:
            raise FieldError("forms.error.one_value", ", ".join(values))
        if not values and self.required:
            raise FieldError("forms.error.required", "")
        return [self._term(v, base) for v in dict.fromkeys(values)]

    def _term(self, value: str, base: str) -> ox.NamedNode | ox.Literal:
        kind = self.kind
        if len(value) > MAX_TEXT:
            raise FieldError("forms.error.too_long", value[:40])
        if kind in (Kind.text, Kind.long_text):
            return ox.Literal(value, language=self.lang) if self.lang else ox.Literal(value)
        if kind in (Kind.ref, Kind.refs):
            if not _is_key(value):
                raise FieldError("forms.error.not_a_choice", value)
            return ox.NamedNode(str(mint(self.of, value, base)))
        if kind is Kind.concept:
            assert self.enumeration is not None
            concept = self.enumeration.lookup(value)
            if concept is None:
                raise FieldError("forms.error.not_a_choice", value)
            return ox.NamedNode(str(concept))
        reader = {
            Kind.region: cells.region_iri,
            Kind.regions: cells.region_iri,
            Kind.country: cells.country,
            Kind.countries: cells.country,
            Kind.date: cells.date,
            Kind.decimal: cells.decimal,
            Kind.currency: cells.currency,
        }[kind]
        try:
            term = to_ox(reader(value))
        except ValueError:
            raise FieldError(_ERRORS[kind], value) from None
        assert isinstance(term, ox.NamedNode | ox.Literal)
        return term

    def shown(self, value: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
        """A stored value as the field shows it (a key, a notation, a code, a text)."""
        if isinstance(value, ox.Literal):
            return value.value
        iri = value.value
        if self.kind is Kind.concept and self.enumeration is not None:
            for notation, concept in self.enumeration.concepts.items():
                if str(concept) == iri:
                    return notation
        if self.kind in (Kind.region, Kind.regions):
            return iri.rsplit("/", 1)[-1]
        parsed = parse(iri)
        return parsed[2] if parsed is not None else iri


def _is_key(value: str) -> bool:
    """A workbook key: no spaces, slashes or characters that would break an IRI."""
    return bool(value) and all(c.isalnum() or c in "-._~" for c in value)
