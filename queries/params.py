"""Typed parameters: from the strings a caller gives to Python values and RDF terms.

The CLI, the HTTP API and the web pages all hand over plain strings; this module is the one place
that checks them against what a question declares (unknown name, missing value, value not
allowed, malformed number or date) and turns them into RDF terms. Terms are bound by the store
(pyoxigraph substitutions, or a VALUES block on a remote store), so a value can never change the
text of a query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from graph.results import Term
from sic import iris
from sic.errors import QueryError
from sic.rq import Param

XSD = "http://www.w3.org/2001/XMLSchema#"

Value = str | int | Decimal | bool | dt.date


@dataclass(frozen=True)
class Bound:
    """The parameters of one call, checked: Python values for analyses, terms for SPARQL.

    Only parameters that have a value (given or by default) appear; an optional parameter left
    out stays an unbound variable in the query, which matches anything.
    """

    values: Mapping[str, Value] = field(default_factory=dict)
    terms: Mapping[str, Term] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None else str(value)

    def integer(self, name: str, fallback: int) -> int:
        value = self.values.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else fallback

    def date(self, name: str) -> dt.date | None:
        value = self.values.get(name)
        return value if isinstance(value, dt.date) else None

    def term(self, name: str) -> Term:
        """The term bound to a parameter that must have one (required or defaulted)."""
        try:
            return self.terms[name]
        except KeyError:
            raise QueryError(f"parameter {name!r} has no value") from None


class ParamRefused(QueryError):
    """A parameter value refused, with what was expected by key, so that a page can say it in
    the reader's language (queries/locales via api/locales/i18n.*.json: `param.refused_<key>`);
    the message itself stays English, as the CLI and the JSON API give it."""

    def __init__(self, message: str, param: str, key: str, raw: str = "", **args: str) -> None:
        super().__init__(message)
        self.param = param
        self.key = key
        self.raw = raw
        self.args_told: dict[str, str] = dict(args)

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled whole: a refusal crosses from a query worker to the service process."""
        return (_refused, (str(self), self.param, self.key, self.raw, self.args_told))


def _refused(message: str, param: str, key: str, raw: str, args: dict[str, str]) -> ParamRefused:
    return ParamRefused(message, param, key, raw, **args)


def _literal(text: str, datatype: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


def _bad(query: str, param: Param, raw: str, expected: str, key: str, **args: str) -> ParamRefused:
    return ParamRefused(
        f"{query}: parameter {param.name!r} expects {expected}, got {raw!r}",
        param.name,
        key,
        raw,
        **args,
    )


def _check_range(query: str, param: Param, number: int | Decimal, raw: str) -> None:
    if param.minimum is not None and number < Decimal(str(param.minimum)):
        limit = f"{param.minimum:g}"
        raise _bad(query, param, raw, f"a number of at least {limit}", "at_least", limit=limit)
    if param.maximum is not None and number > Decimal(str(param.maximum)):
        limit = f"{param.maximum:g}"
        raise _bad(query, param, raw, f"a number of at most {limit}", "at_most", limit=limit)


def _code(query: str, param: Param, raw: str, base: str) -> tuple[Value, Term]:
    kind = param.kind or ""
    key = raw
    if raw.startswith(("http://", "https://")):
        parsed = iris.parse(raw)
        if parsed is None or parsed[1] != kind:
            raise _bad(query, param, raw, f"the key of one {kind}, or its IRI", "key_or_iri")
        key = parsed[2]
    if not key:
        raise _bad(query, param, raw, f"a {kind} code", "code")
    try:
        iri = iris.mint(kind, key, base)
    except ValueError as exc:
        raise QueryError(f"{query}: parameter {param.name!r}: {exc}") from exc
    return key, ox.NamedNode(str(iri))


def convert(query: str, param: Param, raw: str, base: str) -> tuple[Value, Term]:
    """One parameter value as (Python value, RDF term).

    :raises QueryError: if the text is not a value of the declared type, or not allowed.
    """
    raw = raw.strip()
    if param.allowed and raw not in param.allowed:
        allowed = ", ".join(param.allowed)
        raise ParamRefused(
            f"{query}: parameter {param.name!r} must be one of {allowed}, not {raw!r}",
            param.name,
            "one_of",
            raw,
            allowed=allowed,
        )
    if param.type == "code":
        return _code(query, param, raw, base)
    if param.type == "iri":
        if not raw.startswith(("http://", "https://", "urn:")):
            raise _bad(query, param, raw, "an absolute IRI", "iri")
        try:
            return raw, ox.NamedNode(raw)
        except ValueError:
            raise _bad(query, param, raw, "a valid IRI", "iri") from None
    if param.type == "integer":
        try:
            number = int(raw)
        except ValueError:
            raise _bad(query, param, raw, "an integer", "integer") from None
        _check_range(query, param, number, raw)
        return number, _literal(str(number), "integer")
    if param.type == "decimal":
        try:
            decimal = Decimal(raw)
        except InvalidOperation:
            raise _bad(query, param, raw, "a decimal number", "decimal") from None
        if not decimal.is_finite():
            raise _bad(query, param, raw, "a finite decimal number", "decimal")
        _check_range(query, param, decimal, raw)
        return decimal, _literal(format(decimal, "f"), "decimal")
    if param.type == "date":
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise _bad(query, param, raw, "a date as YYYY-MM-DD", "date") from None
        return day, _literal(day.isoformat(), "date")
    if param.type == "boolean":
        lowered = raw.lower()
        if lowered not in {"true", "false"}:
            raise _bad(query, param, raw, "true or false", "boolean")
        return lowered == "true", _literal(lowered, "boolean")
    return raw, ox.Literal(raw)


def _default_text(param: Param) -> str | None:
    default = param.default
    if default is None:
        return None
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, dt.date):
        return default.isoformat()
    return str(default)


def bind(
    query: str,
    declared: Sequence[Param],
    given: Mapping[str, str],
    base: str,
    today: dt.date | None = None,
) -> Bound:
    """Check the given values against the declared parameters and convert them.

    A date parameter whose default is `today` takes the current date (or `today` when given),
    so that "open calls" mean open now without the header hard-coding a day.

    :raises QueryError: on an unknown parameter, a missing required one, or a bad value.
    """
    names = {p.name for p in declared}
    unknown = sorted(set(given) - names)
    if unknown:
        known = ", ".join(sorted(names)) or "none"
        raise QueryError(f"{query}: unknown parameter {unknown[0]!r} (parameters: {known})")
    values: dict[str, Value] = {}
    terms: dict[str, Term] = {}
    for param in declared:
        raw = given.get(param.name)
        if raw is None or raw.strip() == "":
            raw = _default_text(param)
            if raw == "today":
                raw = (today or dt.date.today()).isoformat()
        if raw is None:
            if param.required:
                raise ParamRefused(
                    f"{query}: parameter {param.name!r} is required", param.name, "required"
                )
            continue
        values[param.name], terms[param.name] = convert(query, param, raw, base)
    return Bound(values, terms)
