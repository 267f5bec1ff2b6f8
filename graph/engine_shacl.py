"""Whole-graph SHACL validation run as SPARQL by the store itself.

pyshacl walks a Python copy of the graph node by node: at 1M triples the copy alone takes
longer than a load, and the validation minutes. Here each constraint of the shapes becomes one
SELECT that the store evaluates over the union of the published graphs, listing only the
results. The queries are compiled from the shapes graph when the checker starts, so the shapes
stay the one statement of the rules; pyshacl stays the reference (tests/graph/
test_engine_shacl.py runs both on valid and broken graphs) and still validates each write's
small neighbourhood.

Where pyshacl decides with Python (is a literal well-formed, does a regex match, how do two
literals compare) the query calls back into the same Python decision (pyoxigraph custom
functions), so edge cases such as `"1e5"^^xsd:decimal` get pyshacl's verdict, not the store's.

A shape using a feature this compiler does not translate (sh:node, sh:or, sh:qualified...,
sh:closed, SPARQL-based targets, a SPARQL constraint that is not a plain pattern over `$this`
...) is left to pyshacl, on a copy of the union, with the compiled shapes switched off; a debug
line names each such shape and why.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

import pyoxigraph as ox
from pyshacl.rdfutil.compare import compare_literal
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node, Variable

from graph.neighbourhood import GraphName
from sic.errors import Violation
from sic.terms import to_rdflib
from sic.validation import (
    GLOBAL_SCOPE,
    SICSH,
    Validator,
    compact,
    format_message,
    message_texts,
    render_path,
    result_order,
    term_text,
)
from sic.vocab import RDF, RDFS, SH, XSD

_LOG = logging.getLogger(__name__)

_FN = "urn:x-sic:engine-shacl#"
_WELL_TYPED = ox.NamedNode(_FN + "wellTyped")
_SEARCH = ox.NamedNode(_FN + "search")
_IN_RANGE = ox.NamedNode(_FN + "inRange")
_ORDERED = ox.NamedNode(_FN + "ordered")

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_NOT_CONSTRAINTS = {
    RDF.type,
    SH.path,
    SH.property,
    *_TARGETS,
    SH.severity,
    SH.message,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.prefixes,
    SH.declare,
    SH.flags,  # read with sh:pattern
}
_RANGE = {
    SH.minExclusive: ">",
    SH.minInclusive: ">=",
    SH.maxExclusive: "<",
    SH.maxInclusive: "<=",
}
_NODE_KIND_FAILS = {
    SH.IRI: "!isIRI(?value)",
    SH.BlankNode: "!isBlank(?value)",
    SH.Literal: "!isLiteral(?value)",
    SH.BlankNodeOrIRI: "isLiteral(?value)",
    SH.BlankNodeOrLiteral: "isIRI(?value)",
    SH.IRIOrLiteral: "isBlank(?value)",
}
_TYPE = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
_UNSAFE_ALGEBRA = {
    "Group",
    "AggregateJoin",
    "Slice",
    "OrderBy",
    "Minus",
    "Graph",
    "ServiceGraphPattern",
    "ToMultiSet",
    "SubSelect",
}
_PASS_THROUGH = {"SelectQuery", "Project", "Distinct", "Reduced", "Filter", "Extend"}


class Untranslatable(Exception):
    """A shape uses something the compiler does not translate; pyshacl checks that shape."""


@dataclass(frozen=True)
class Flag:
    """One constraint component a check's rows can fail: the row's `?fN` is true when it does."""

    component: str
    default_message: str


@dataclass(frozen=True)
class Check:
    """Constraints of one shape as one SELECT over the union.

    Rows bind `this` (the focus node), `value` when the constraints are about value nodes, and
    one boolean `f0`, `f1` ... per entry of `flags`: each true one is a result. A SPARQL-based
    constraint (`focus` set) is the shape's own query instead: every row is a result and also
    binds `path` and any variable the message quotes; its rows are kept only for the shape's
    focus nodes, which the `focus` query lists.
    """

    shape: Node
    query: str
    severity: str
    message: str
    flags: tuple[Flag, ...] = ()
    path: str | None = None
    focus: str | None = None
    translations: tuple[tuple[str, str], ...] = ()  # the message's other languages


@dataclass
class CompiledShapes:
    """What the store can check itself, and which shapes pyshacl must still run."""

    checks: list[Check] = field(default_factory=list)
    fallback: dict[Node, str] = field(default_factory=dict)
    compiled: set[Node] = field(default_factory=set)


# -- Python decisions the queries call back into (pyshacl's own semantics) -------------------


def _python_value_ok(value: object, datatype: URIRef) -> bool:
    """pyshacl's test of a well-typed literal's Python value (DatatypeConstraintComponent)."""
    checks: dict[URIRef, type | tuple[type, ...]] = {
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: date,
        XSD.time: time,
        XSD.dateTime: datetime,
    }
    expected = checks.get(datatype)
    return expected is None or isinstance(value, expected)


def _well_typed(term: ox.Literal) -> ox.Literal:
    lit = Literal(term.value, datatype=URIRef(term.datatype.value))
    ok = lit.ill_typed is not True and _python_value_ok(lit.value, URIRef(term.datatype.value))
    return ox.Literal(ok)


@functools.lru_cache(maxsize=64)
def _regex(pattern: str, flags: str) -> re.Pattern[str]:
    options = 0
    if "i" in flags.lower():
        options |= re.IGNORECASE
    if "m" in flags.lower():
        options |= re.MULTILINE
    return re.compile(pattern, options)


def _search(text: ox.Literal, pattern: ox.Literal, flags: ox.Literal) -> ox.Literal:
    return ox.Literal(_regex(pattern.value, flags.value).search(text.value) is not None)


def _rdflib_literal(term: object) -> Literal | None:
    return to_rdflib(term) if isinstance(term, ox.Literal) else None  # type: ignore[return-value]


def _in_range(value: ox.NamedNode | ox.Literal, bound: ox.Literal, op: ox.Literal) -> ox.Literal:
    """pyshacl's min/maxExclusive/Inclusive: literals of comparable kinds, compared."""
    v, m = _rdflib_literal(value), _rdflib_literal(bound)
    if v is None or m is None or isinstance(v.value, str) != isinstance(m.value, str):
        return ox.Literal(False)
    try:
        cmp: int = compare_literal(v, m)  # type: ignore[no-untyped-call]
    except (TypeError, NotImplementedError):
        return ox.Literal(False)
    ok = {">": cmp > 0, ">=": cmp >= 0, "<": cmp < 0, "<=": cmp <= 0}[op.value]
    return ox.Literal(ok)


def _pair_operand(term: object) -> tuple[object, bool]:
    if isinstance(term, ox.NamedNode):
        return term.value, True
    lit = _rdflib_literal(term)
    if lit is not None and isinstance(lit.value, str):
        return lit.value, True
    return lit, False


def _ordered(value: object, other: object, strict: ox.Literal) -> ox.Literal:
    """pyshacl's sh:lessThan / sh:lessThanOrEquals on one pair of values."""
    a, a_text = _pair_operand(value)
    b, b_text = _pair_operand(other)
    if a is None or b is None or a_text != b_text:
        return ox.Literal(False)
    try:
        ok = a < b if strict.value == "true" else a <= b  # type: ignore[operator]
    except TypeError:
        return ox.Literal(False)
    return ox.Literal(bool(ok))


_FUNCTIONS: dict[
    ox.NamedNode, Callable[..., ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]
] = {
    _WELL_TYPED: _well_typed,
    _SEARCH: _search,
    _IN_RANGE: _in_range,
    _ORDERED: _ordered,
}


# -- compiling the shapes --------------------------------------------------------------------


def _n3(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return ox.Literal(
            str(node),
            datatype=ox.NamedNode(str(node.datatype)) if node.datatype else None,
            language=node.language,
        ).__str__()
    raise Untranslatable(f"{node!r} cannot be written into a query")


def _sparql_path(shapes: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^({_sparql_path(shapes, inverse)})"
    for predicate, suffix in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = shapes.value(path, predicate)
        if inner is not None:
            return f"({_sparql_path(shapes, inner)}){suffix}"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return (
            "(" + "|".join(_sparql_path(shapes, i) for i in Collection(shapes, alternatives)) + ")"
        )
    if shapes.value(path, RDF.first) is not None:
        return "(" + "/".join(_sparql_path(shapes, i) for i in Collection(shapes, path)) + ")"
    raise Untranslatable(f"the path {path!r} is not a SHACL property path")


def _target_patterns(shapes: Graph, shape: Node) -> list[str]:
    if (shape, SH.target, None) in shapes:
        raise Untranslatable("SPARQL-based targets (sh:target)")
    patterns = [f"?this {_TYPE} {_n3(c)} ." for c in shapes.objects(shape, SH.targetClass)]
    patterns += [f"BIND({_n3(n)} AS ?this)" for n in shapes.objects(shape, SH.targetNode)]
    patterns += [f"?this {_n3(p)} [] ." for p in shapes.objects(shape, SH.targetSubjectsOf)]
    patterns += [f"[] {_n3(p)} ?this ." for p in shapes.objects(shape, SH.targetObjectsOf)]
    return patterns


def _union(patterns: Sequence[str]) -> str:
    return " UNION ".join(f"{{ {p} }}" for p in sorted(set(patterns)))


def _is_true(shapes: Graph, node: Node, predicate: URIRef) -> bool:
    value = shapes.value(node, predicate)
    return isinstance(value, Literal) and value.value is True


_NATIVE_LEXICAL = {
    # lexical forms on which the store's own cast and rdflib agree (rdflib also accepts some
    # the store does not, such as "1e5" for a decimal: those go to the Python test)
    XSD.decimal: "^-?[0-9]+([.][0-9]+)?$",
    XSD.integer: "^-?[0-9]+$",
    XSD.date: "^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$",
    XSD.boolean: "^(true|false)$",
}
_NUMERIC = (XSD.decimal, XSD.integer)
# patterns the store's regex reads as Python's re does: no escapes but "\.", no "(?" groups
_SAFE_PATTERN = re.compile(r"(?:[^\\(\n]|\\\.|\((?!\?))*")


_MAX_COUNT = "sh:MaxCountConstraintComponent"
_CLASS = "sh:ClassConstraintComponent"


def _fn(function: ox.NamedNode, *args: str) -> str:
    return f"<{function.value}>({', '.join(args)})"


def _well_typed_test(datatype: URIRef, var: str = "?value") -> str:
    """SPARQL true when a literal of `datatype` is well-typed as rdflib (and pyshacl) sees it."""
    python = _fn(_WELL_TYPED, var)
    lexical = _NATIVE_LEXICAL.get(datatype)
    if lexical is None:
        return python
    native = f'REGEX(STR({var}), "{lexical}") && isLiteral({_n3(datatype)}({var}))'
    return f"COALESCE({native}, false) || {python}"


def _int(node: Node) -> int:
    if not (isinstance(node, Literal) and isinstance(node.value, int)):
        raise Untranslatable(f"a count that is not an integer: {node!r}")
    return node.value


class _ShapeCompiler:
    """The checks of one shape, given the pattern that binds its focus nodes to ?this."""

    def __init__(self, shapes: Graph, shape: Node, focus: str) -> None:
        self.shapes = shapes
        self.shape = shape
        self.focus = focus
        path = shapes.value(shape, SH.path)
        self.path = _sparql_path(shapes, path) if path is not None else None
        self.rendered = render_path(shapes, path) if path is not None else None
        severity = shapes.value(shape, SH.severity)
        self.severity = str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"
        message, translations = message_texts(shapes.objects(shape, SH.message))
        self.message = message or ""
        self.translations = translations if message else ()
        self.value_tests: list[tuple[Flag, str]] = []
        self.counts: list[tuple[Flag, str]] = []
        self.checks: list[Check] = []

    def _values(self) -> str:
        """A pattern binding ?value to each value node of the focus node ?this."""
        if self.path is None:
            return f"{{ {self.focus} }} BIND(?this AS ?value)"
        return f"{{ {self.focus} }} ?this {self.path} ?value ."

    def _flagged(
        self, head: str, body: str, tests: Sequence[tuple[Flag, str]], tail: str = ""
    ) -> Check:
        """One query for several tests of the same rows: each binds ?fN, rows with one true kept.

        A test that raises an error counts as failed, as pyshacl fails a value it cannot
        compare or convert.
        """
        binds = " ".join(f"BIND(COALESCE({t}, true) AS ?f{i})" for i, (_, t) in enumerate(tests))
        flags = " || ".join(f"?f{i}" for i in range(len(tests)))
        names = " ".join(f"?f{i}" for i in range(len(tests)))
        return Check(
            shape=self.shape,
            query=f"SELECT {head} {names} WHERE {{ {body} {binds} FILTER ({flags}) }}{tail}",
            severity=self.severity,
            message=self.message,
            flags=tuple(flag for flag, _ in tests),
            path=self.rendered,
            translations=self.translations,
        )

    def compile(self) -> list[Check]:
        shapes, shape = self.shapes, self.shape
        unknown = sorted(
            str(p)
            for p in set(shapes.predicates(shape, None))
            if str(p).startswith(str(SH)) and p not in _NOT_CONSTRAINTS and p not in _COMPILERS
        )
        if unknown:
            raise Untranslatable("uses " + ", ".join(compact(u) for u in unknown))
        for predicate, compile_one in _COMPILERS.items():
            for value in sorted(shapes.objects(shape, predicate), key=str):
                compile_one(self, value)
        if self.value_tests:
            self.checks.append(
                self._flagged("DISTINCT ?this ?value", self._values(), self.value_tests)
            )
        if self.counts and all(flag.component == _MAX_COUNT for flag, _ in self.counts):
            # nothing to count for the nodes without values: a plain join, no OPTIONAL
            counted = (
                f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {{ {self.focus} }} "
                f"?this {self.path} ?v }} GROUP BY ?this }}"
            )
            self.checks.append(self._flagged("?this", counted, self.counts))
        elif self.counts:
            counted = (
                f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ "
                f"{{ SELECT DISTINCT ?this WHERE {{ {self.focus} }} }} "
                f"OPTIONAL {{ ?this {self.path} ?v }} }} GROUP BY ?this }}"
            )
            self.checks.append(self._flagged("?this", counted, self.counts))
        return self.checks

    def _value_test(self, component: str, fails: str, default: str) -> None:
        self.value_tests.append((Flag(f"sh:{component}ConstraintComponent", default), fails))

    # -- one method per constraint component --

    def min_count(self, n: Node) -> None:
        count = _int(n)
        if self.path is None:
            raise Untranslatable("sh:minCount on a node shape")
        if count > 0:
            flag = Flag("sh:MinCountConstraintComponent", f"Less than {count} values")
            self.counts.append((flag, f"?n < {count}"))

    def max_count(self, n: Node) -> None:
        count = _int(n)
        if self.path is None:
            raise Untranslatable("sh:maxCount on a node shape")
        flag = Flag("sh:MaxCountConstraintComponent", f"More than {count} values")
        self.counts.append((flag, f"?n > {count}"))

    def datatype(self, datatype: Node) -> None:
        if not isinstance(datatype, URIRef):
            raise Untranslatable("sh:datatype that is not an IRI")
        if datatype == RDF.langString:
            ok = 'isLiteral(?value) && lang(?value) != ""'
        elif datatype == XSD.string:
            ok = f"isLiteral(?value) && datatype(?value) = {_n3(datatype)}"
        elif datatype == RDFS.Literal:
            ok = "isLiteral(?value)"
        else:
            ok = (
                f"isLiteral(?value) && datatype(?value) = {_n3(datatype)} "
                f"&& ({_well_typed_test(datatype)})"
            )
        message = f"Value is not Literal with datatype {compact(str(datatype))}"
        self._value_test("Datatype", f"!({ok})", message)

    def class_(self, cls: Node) -> None:
        # its own query: MINUS is one anti-join where NOT EXISTS walks the path once per value
        flag = Flag(_CLASS, f"Value does not have class {compact(str(cls))}")
        body = f"{self._values()} MINUS {{ ?value {_TYPE} {_n3(cls)} }}"
        self.checks.append(self._flagged("DISTINCT ?this ?value", body, [(flag, "true")]))

    def node_kind(self, kind: Node) -> None:
        fails = _NODE_KIND_FAILS.get(kind)  # type: ignore[call-overload]
        if fails is None:
            raise Untranslatable(f"sh:nodeKind {kind}")
        self._value_test("NodeKind", fails, f"Value is not of Node Kind {compact(str(kind))}")

    def in_(self, members: Node) -> None:
        items = list(Collection(self.shapes, members))
        same = " || ".join(f"sameTerm(?value, {_n3(i)})" for i in items) or "false"
        self._value_test("In", f"!({same})", "Value not in list")

    def pattern(self, pattern: Node) -> None:
        flags = self.shapes.value(self.shape, SH.flags)
        text = _n3(Literal(str(pattern)))
        python = _fn(_SEARCH, "STR(?value)", text, _n3(Literal(str(flags or ""))))
        if flags is None and _SAFE_PATTERN.fullmatch(str(pattern)):
            # Python's "$" also matches before a final newline: such values go to Python
            matches = f'IF(CONTAINS(STR(?value), "\\n"), {python}, REGEX(STR(?value), {text}))'
        else:
            matches = python
        fails = f"isBlank(?value) || !({matches})"
        self._value_test("Pattern", fails, f"Value does not match pattern {pattern}")

    def bound(self, predicate: URIRef, bound: Node) -> None:
        if not isinstance(bound, Literal):
            raise Untranslatable(f"{compact(str(predicate))} of a non-literal")
        op = _RANGE[predicate]
        python = _fn(_IN_RANGE, "?value", _n3(bound), _n3(Literal(op)))
        if bound.datatype in _NUMERIC and bound.value is not None:
            numeric = " || ".join(f"datatype(?value) = {_n3(d)}" for d in _NUMERIC)
            well_formed = f"COALESCE(isLiteral({_n3(XSD.decimal)}(?value)), false)"
            ok = f"IF(({numeric}) && {well_formed}, ?value {op} {_n3(bound)}, {python})"
        else:
            ok = python
        component = str(predicate).rsplit("#", 1)[-1]
        name = component[0].upper() + component[1:]
        self._value_test(name, f"!({ok})", f"Value is not {op} {bound}")

    def pair_order(self, other: Node, *, strict: bool) -> None:
        if self.path is None or not isinstance(other, URIRef):
            raise Untranslatable("sh:lessThan(OrEquals) on a node shape or to a non-IRI")
        op = "<" if strict else "<="
        python = _fn(_ORDERED, "?value", "?other", "true" if strict else "false")
        same_kind = " || ".join(
            f"(datatype(?value) = {_n3(d)} && datatype(?other) = {_n3(d)} "
            f"&& ({_well_typed_test(d)}) && ({_well_typed_test(d, '?other')}))"
            for d in (XSD.date, *_NUMERIC)
        )
        ok = (
            f"IF(isLiteral(?value) && isLiteral(?other) && ({same_kind}), "
            f"?value {op} ?other, {python})"
        )
        name = "LessThan" if strict else "LessThanOrEquals"
        flag = Flag(f"sh:{name}ConstraintComponent", f"Value is not {op} value of {other}")
        body = f"{self._values()} ?this {_n3(other)} ?other ."
        test = f"isBlank(?value) || isBlank(?other) || !({ok})"
        # one result per pair of values, as pyshacl gives
        self.checks.append(self._flagged("?this ?value", body, [(flag, test)]))

    def equals(self, other: Node) -> None:
        if not isinstance(other, URIRef):
            raise Untranslatable("sh:equals of a non-IRI")
        o = _n3(other)
        mine = (
            "FILTER(sameTerm(?this, ?value))" if self.path is None else f"?this {self.path} ?value"
        )
        body = (
            f"{{ {self._values()} FILTER NOT EXISTS {{ ?this {o} ?value }} }} UNION "
            f"{{ {{ {self.focus} }} ?this {o} ?value . FILTER NOT EXISTS {{ {mine} }} }}"
        )
        flag = Flag("sh:EqualsConstraintComponent", f"Value sets are not equal to {other}")
        self.checks.append(self._flagged("DISTINCT ?this ?value", body, [(flag, "true")]))

    def disjoint(self, other: Node) -> None:
        if not isinstance(other, URIRef):
            raise Untranslatable("sh:disjoint of a non-IRI")
        fails = f"EXISTS {{ ?this {_n3(other)} ?value }}"
        self._value_test("Disjoint", fails, f"Value sets are not disjoint with {other}")

    def has_value(self, value: Node) -> None:
        if self.path is None:
            fails = f"!sameTerm(?this, {_n3(value)})"
        else:
            fails = f"NOT EXISTS {{ ?this {self.path} {_n3(value)} }}"
        flag = Flag("sh:HasValueConstraintComponent", f"Value does not have {value}")
        body = f"{{ SELECT DISTINCT ?this WHERE {{ {self.focus} }} }}"
        self.checks.append(self._flagged("?this", body, [(flag, fails)]))

    def unique_lang(self, flag: Node) -> None:
        if self.path is None:
            raise Untranslatable("sh:uniqueLang on a node shape")
        if not (isinstance(flag, Literal) and flag.value is True):
            return
        counted = (
            f"{{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {self._values()} "
            'FILTER (lang(?value) != "") } GROUP BY ?this (LCASE(lang(?value)) AS ?lang) }'
        )
        unique = Flag(
            "sh:UniqueLangConstraintComponent", "More than one String shares the same Language"
        )
        self.checks.append(self._flagged("?this", counted, [(unique, "?n > 1")]))

    def sparql(self, constraint: Node) -> None:
        shapes = self.shapes
        if _is_true(shapes, constraint, SH.deactivated):
            return
        if self.path is not None:
            raise Untranslatable("a SPARQL constraint on a property shape ($PATH)")
        select = shapes.value(constraint, SH.select)
        if select is None:
            raise Untranslatable("a SPARQL constraint without sh:select")
        text = str(select)
        if re.search(r"[?$](shapesGraph|currentShape|failure)\b", text):
            raise Untranslatable(
                "a SPARQL constraint using $shapesGraph, $currentShape or ?failure"
            )
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _declared(shapes, constraint))
        query = _decorrelated(prefixes + text)
        message, translations = message_texts(shapes.objects(constraint, SH.message))
        if not message:
            message, translations = self.message, self.translations
        self.checks.append(
            Check(
                shape=self.shape,
                query=query,
                severity=self.severity,
                message=message,
                focus=f"SELECT DISTINCT ?this WHERE {{ {self.focus} }}",
                translations=translations,
            )
        )


_COMPILERS: dict[URIRef, Callable[[_ShapeCompiler, Node], None]] = {
    SH.minCount: _ShapeCompiler.min_count,
    SH.maxCount: _ShapeCompiler.max_count,
    SH.datatype: _ShapeCompiler.datatype,
    SH["class"]: _ShapeCompiler.class_,
    SH.nodeKind: _ShapeCompiler.node_kind,
    SH["in"]: _ShapeCompiler.in_,
    SH.pattern: _ShapeCompiler.pattern,
    SH.minExclusive: lambda c, v: c.bound(SH.minExclusive, v),
    SH.minInclusive: lambda c, v: c.bound(SH.minInclusive, v),
    SH.maxExclusive: lambda c, v: c.bound(SH.maxExclusive, v),
    SH.maxInclusive: lambda c, v: c.bound(SH.maxInclusive, v),
    SH.lessThan: lambda c, o: c.pair_order(o, strict=True),
    SH.lessThanOrEquals: lambda c, o: c.pair_order(o, strict=False),
    SH.equals: _ShapeCompiler.equals,
    SH.disjoint: _ShapeCompiler.disjoint,
    SH.hasValue: _ShapeCompiler.has_value,
    SH.uniqueLang: _ShapeCompiler.unique_lang,
    SH.sparql: _ShapeCompiler.sparql,
}


def _declared(shapes: Graph, constraint: Node) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for holder in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                found[str(prefix)] = str(namespace)
    return sorted(found.items())


def _walk(node: object) -> Iterator[object]:
    yield node
    if isinstance(node, Mapping):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _walk(value)


def _binds_this_first(node: object) -> bool:
    """Whether every solution of the pattern binds ?this through a triple pattern.

    Then running the query with $this free and keeping the rows of focus nodes gives what
    pre-binding $this to each focus node gives (SHACL-SPARQL), with one query for all.
    """
    name = getattr(node, "name", None)
    if not isinstance(node, Mapping):
        return False
    if name == "BGP":
        return any(Variable("this") in triple for triple in node["triples"])
    if name in _PASS_THROUGH:
        return _binds_this_first(node["p"])
    if name == "Join":
        return _binds_this_first(node["p1"]) or _binds_this_first(node["p2"])
    if name == "LeftJoin":
        return _binds_this_first(node["p1"])
    if name == "Union":
        return _binds_this_first(node["p1"]) and _binds_this_first(node["p2"])
    return False


def _algebra(query: str) -> object:
    try:
        return prepareQuery(query).algebra
    except Exception as exc:  # rdflib raises pyparsing and many other types
        raise Untranslatable(f"a SPARQL constraint rdflib cannot parse: {exc}") from exc


def _check_pre_binding(query: str) -> None:
    algebra = _algebra(query)
    names = {getattr(n, "name", None) for n in _walk(algebra)}
    unsafe = sorted(str(n) for n in names & _UNSAFE_ALGEBRA)
    if unsafe:
        raise Untranslatable("a SPARQL constraint with " + ", ".join(unsafe))
    if not _binds_this_first(algebra):
        raise Untranslatable("a SPARQL constraint whose $this no triple pattern binds first")


_NOT_EXISTS = re.compile(r"FILTER\s+NOT\s+EXISTS\s*\{", re.IGNORECASE)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


def _closing(text: str, opening: int) -> int:
    """The index of the brace closing the one at `opening`."""
    depth = 0
    for i in range(opening, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise Untranslatable("unbalanced braces in a SPARQL constraint")


def _decorrelated(query: str) -> str:
    """The constraint's query, checked, with its top-level `FILTER NOT EXISTS { P }` turned
    into a `MINUS { P }` at the end of the WHERE group when that cannot change the result.

    The store evaluates NOT EXISTS once per row, scanning P's second pattern whole every time
    (2 s for 2,000 projects, quadratic in the data); MINUS is one hash anti-join. The two agree
    when P shares no variable with the rest of the query but $this, and every solution of P
    and of the rest binds $this: then both keep exactly the rows whose $this has no P.

    :raises Untranslatable: if the query is not one the engine can run with $this free.
    """
    _check_pre_binding(query)
    prologue, _, _ = query.partition("SELECT")
    spans: list[tuple[int, int]] = []
    for match in _NOT_EXISTS.finditer(query):
        start, brace = match.start(), match.end() - 1
        if query[:start].count("{") - query[:start].count("}") != 1:
            return query  # not directly in the WHERE group
        end = _closing(query, brace)
        spans.append((start, end))
    if not spans:
        return query
    rest = query
    inners = []
    for start, end in reversed(spans):
        inner = query[query.index("{", start) + 1 : end]
        inners.append(inner)
        rest = rest[:start] + rest[end + 1 :]
    outside = set(_VARIABLE.findall(rest))
    for inner in inners:
        if set(_VARIABLE.findall(inner)) & outside != {"this"}:
            return query
        if not _binds_this_first(_algebra(f"{prologue} SELECT * WHERE {{ {inner} }}")):
            return query
    last = rest.rindex("}")
    minus = " ".join(f"MINUS {{ {inner} }}" for inner in reversed(inners))
    return rest[:last] + minus + "\n" + rest[last:]


def compile_shapes(shapes: Graph, *, include_global: bool = False) -> CompiledShapes:
    """Every active shape of `shapes` as checks, or as a fallback with the reason.

    `include_global=False` leaves out the shapes marked `sicsh:scope "global"`, as
    `Validator.validate(..., include_global=False)` does.
    """
    off = {s for s in shapes.subjects(SH.deactivated, None) if _is_true(shapes, s, SH.deactivated)}
    if not include_global:
        off |= {s for s, scope in shapes.subject_objects(SICSH.scope) if str(scope) == GLOBAL_SCOPE}
    nodes = {s for p in (*_TARGETS, SH.target) for s in shapes.subjects(p, None)}
    nodes |= set(shapes.subjects(RDF.type, SH.NodeShape))
    nodes |= set(shapes.subjects(SH.property, None))
    nodes = {n for n in nodes if (n, SH.path, None) not in shapes and n not in off}
    out = CompiledShapes()
    focus_of: dict[Node, list[str]] = {}
    for node in sorted(nodes, key=str):
        try:
            patterns = _target_patterns(shapes, node)
        except Untranslatable as exc:
            out.fallback[node] = str(exc)
            continue
        if not patterns:
            continue
        focus_of.setdefault(node, []).extend(patterns)
        for prop in shapes.objects(node, SH.property):
            if prop not in off:
                focus_of.setdefault(prop, []).extend(patterns)
    for prop in {s for s in shapes.subjects(SH.path, None) if s not in off}:
        try:
            own = _target_patterns(shapes, prop)
        except Untranslatable as exc:
            out.fallback[prop] = str(exc)
            continue
        if own:
            focus_of.setdefault(prop, []).extend(own)
    parents: dict[Node, list[Node]] = {}
    for node in nodes:
        for prop in shapes.objects(node, SH.property):
            parents.setdefault(prop, []).append(node)
    for shape in sorted(focus_of, key=str):
        if shape in out.fallback:
            continue
        try:
            checks = _ShapeCompiler(shapes, shape, _union(focus_of[shape])).compile()
        except Untranslatable as exc:
            out.fallback[shape] = str(exc)
            # pyshacl reaches a property shape through its node shapes: they run there too
            for parent in parents.get(shape, []):
                out.fallback.setdefault(parent, f"its property shape {shape} falls back")
            continue
        out.checks += checks
        out.compiled.add(shape)
    for shape in out.fallback:
        out.compiled.discard(shape)
    out.checks = [c for c in out.checks if c.shape in out.compiled]
    for shape, why in sorted(out.fallback.items(), key=lambda item: str(item[0])):
        _LOG.debug("shape %s is left to pyshacl: %s", shape, why)
    return out


# -- running ---------------------------------------------------------------------------------


def _shape_name(shape: Node) -> str | None:
    return compact(str(shape)) if isinstance(shape, URIRef) else None


_Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _rows(
    store: ox.Store, query: str, graphs: Sequence[GraphName]
) -> tuple[list[str], list[dict[str, _Term | None]]]:
    """The query's variables and rows, read whole.

    pyoxigraph's solutions must be freed on the thread that made them. A custom function that
    raises leaves a traceback whose frames can keep the solutions alive until the garbage
    collector frees them on another thread (an error at exit), so they are read here and let go
    before this returns, whatever happens.
    """
    solutions = store.query(query, default_graph=list(graphs), custom_functions=_FUNCTIONS)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    rows: list[dict[str, _Term | None]] = []
    row = None
    try:
        for row in solutions:  # a loop, not a comprehension: its frame would hold them
            rows.append(dict(zip(names, row, strict=True)))
    finally:
        del solutions, row
    return names, rows


def _run_check(check: Check, store: ox.Store, graphs: Sequence[GraphName]) -> list[Violation]:
    names, rows = _rows(store, check.query, graphs)
    out: list[Violation] = []
    if check.focus is None:
        for row in rows:
            value = term_text(row["value"]) if "value" in names else None
            for i, flag in enumerate(check.flags):
                fired = row[f"f{i}"]
                if not (isinstance(fired, ox.Literal) and fired.value == "true"):
                    continue
                out.append(
                    Violation(
                        focus_node=term_text(row["this"]) or "",
                        path=check.path,
                        message=check.message or flag.default_message,
                        severity=check.severity,
                        value=value,
                        source_shape=_shape_name(check.shape),
                        constraint=flag.component,
                        translations=check.translations if check.message else (),
                    )
                )
        return out
    focus = {row["this"] for row in _rows(store, check.focus, graphs)[1]}
    seen: set[tuple[object, ...]] = set()
    for row in rows:
        this = row["this"] if "this" in names else None
        if this not in focus:
            continue
        key = tuple(row[n] for n in names)
        if key in seen:
            continue
        seen.add(key)
        bindings = {n: term_text(row[n]) for n in names if row[n] is not None}
        if bindings.get("value") is None:  # a node shape's result is about its focus node
            bindings["value"] = bindings["this"]
        path = row["path"] if "path" in names else None
        out.append(
            Violation(
                focus_node=bindings["this"] or "",
                path=compact(path.value) if isinstance(path, ox.NamedNode) else None,
                message=format_message(check.message, bindings),
                severity=check.severity,
                value=bindings["value"],
                source_shape=_shape_name(check.shape),
                constraint="sh:SPARQLConstraintComponent",
                translations=tuple(
                    (tag, format_message(text, bindings)) for tag, text in check.translations
                ),
            )
        )
    return out


def default_threads() -> int:
    """One thread per core this process may run on, at most MAX_THREADS.

    pyoxigraph lets go of the interpreter while it evaluates, and the checks are independent
    scans, so they spread over the cores: at M on 2 cores the 219 checks took 13.1 s on one
    thread and 6.7 s on two (a third thread gained nothing).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(1, min(MAX_THREADS, cores))


MAX_THREADS = 4


class EngineValidator:
    """Whole-graph validation of a store's union with the shapes of a `Validator`.

    Compiles once (both with and without the global shapes, on first use of each); `validate`
    returns what `validator.validate(copy_of_union, include_global=...)` returns, running the
    checks on `threads` threads (default: `default_threads()`).
    """

    def __init__(self, validator: Validator, *, threads: int | None = None) -> None:
        self._validator = validator
        self._threads = threads
        self._compiled: dict[bool, CompiledShapes] = {}
        self._fallback: dict[bool, Validator] = {}

    def compiled(self, *, include_global: bool = False) -> CompiledShapes:
        found = self._compiled.get(include_global)
        if found is None:
            found = compile_shapes(self._validator.shapes_graph, include_global=include_global)
            self._compiled[include_global] = found
        return found

    def validate(
        self,
        store: ox.Store,
        graphs: Sequence[GraphName],
        copy: Callable[[], Graph],
        *,
        include_global: bool = False,
    ) -> list[Violation]:
        """Every result over the union of `graphs`, warnings included, in the validator's order.

        `copy` gives the union as an rdflib graph; it is called only when some shape is left
        to pyshacl.
        """
        compiled = self.compiled(include_global=include_global)
        threads = min(self._threads or default_threads(), len(compiled.checks))
        found: list[Violation] = []
        if threads <= 1:
            for check in compiled.checks:
                found += _run_check(check, store, graphs)
        else:
            # the threads end before this returns: nothing of them is left for a fork to copy
            with ThreadPoolExecutor(threads, thread_name_prefix="sic-shacl") as pool:
                for results in pool.map(lambda c: _run_check(c, store, graphs), compiled.checks):
                    found += results
        if compiled.fallback:
            rest = self._fallback.get(include_global)
            if rest is None:
                rest = self._validator.deactivating(compiled.compiled)
                self._fallback[include_global] = rest
            found += rest.validate(copy(), include_global=include_global)
        return sorted(found, key=result_order)


def shapes_left_to_pyshacl(shapes: Graph, *, include_global: bool = False) -> dict[str, str]:
    """Which shapes the engine cannot compile, and why (for `sic` diagnostics and tests)."""
    compiled = compile_shapes(shapes, include_global=include_global)
    return {str(k): v for k, v in compiled.fallback.items()}
