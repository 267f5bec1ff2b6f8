"""The one SHACL validator of the platform: shapes parsed once, graphs checked many times.

Loaders validate whole workbooks, the store validates every write (the changed nodes' two-link
neighbourhood, copied into a small graph, checked with `focus_nodes`), and the service reports the
results; all of them go through `validator()` so that the shapes are read and prepared once per
process and every caller gets the same plain `Violation` records.

Speed: pyshacl's `validate()` entry point re-reads the shapes graph and re-harvests every shape
on each call. Here the shapes are parsed once and wrapped once in pyshacl `ShapesGraph` objects
that are reused by a fresh pyshacl `Validator` per call, the SPARQL constraints are parsed once
and reused as prepared queries, and what pyshacl would rebuild from the shapes on every run
(SPARQL constraint objects, implicit targets) is kept on them (sic.kept_shapes). Whole-graph
rules (shapes marked `sicsh:scope "global"`) can be switched off for write validation and run
by the store as queries of its own (`Validator.global_shapes()`).
"""

from __future__ import annotations

import copy
import functools
import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

from pyparsing import ParserElement
from pyshacl.errors import ReportableRuntimeError, ShapeLoadError, ValidationFailure
from pyshacl.graph_abstraction import DataGraph
from pyshacl.shapes_graph import ShapesGraph
from pyshacl.validator import Validator as PyshaclValidator
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.graph import ConjunctiveGraph
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Identifier, Node

from sic.errors import ShapesError, ValidationFailed, Violation
from sic.kept_shapes import keep
from sic.paths import shapes_dir
from sic.shape_selection import selected_view, shape_index
from sic.vocab import PREFIXES, RDF, RDFS, SH, XSD

__all__ = [
    "GLOBAL_SCOPE",
    "ONTOLOGY_SHAPES_FILE",
    "SHAPES_NS",
    "SICSH",
    "GlobalShape",
    "Validator",
    "compact",
    "conforms",
    "default_shape_files",
    "english_text",
    "format_message",
    "message_texts",
    "render_path",
    "result_order",
    "term_text",
    "validator",
]

SHAPES_NS = "https://w3id.org/4p1000/shapes#"
SICSH = Namespace(SHAPES_NS)
GLOBAL_SCOPE = "global"
# Shapes for the ontology itself (checked by the ontology build), not for data.
ONTOLOGY_SHAPES_FILE = "ontology.ttl"

_LOG = logging.getLogger(__name__)
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_COMPACT_PREFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        ((namespace, prefix) for prefix, namespace in {**PREFIXES, "sicsh": SHAPES_NS}.items()),
        key=lambda item: -len(item[0]),
    )
)
_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*(?<!\.)")
_MESSAGE_VARIABLE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def default_shape_files(directory: Path | None = None) -> list[Path]:
    """The data-shape files: every `*.ttl` in the shapes folder except the ontology's shapes.

    Sorted by name so that the shapes graph, and therefore every report, is built the same way
    on every machine.
    """
    folder = directory if directory is not None else shapes_dir()
    return sorted(p for p in folder.glob("*.ttl") if p.name != ONTOLOGY_SHAPES_FILE)


def compact(iri: str) -> str:
    """`sic:objective` for the IRI of sic:objective; the IRI unchanged when no prefix fits.

    Uses the platform prefixes (sic.vocab.PREFIXES) plus `sicsh:` for the shapes themselves.
    """
    for namespace, prefix in _COMPACT_PREFIXES:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if _LOCAL_NAME.fullmatch(local):
                return f"{prefix}:{local}"
    return iri


def conforms(violations: Iterable[Violation]) -> bool:
    """True when no result has severity Violation (warnings and infos do not block a write)."""
    return all(v.severity != "Violation" for v in violations)


def term_text(term: object) -> str | None:
    """The plain text of an RDF term: an IRI without brackets, a literal's lexical form.

    Accepts rdflib terms and pyoxigraph terms (whose `str()` is N-Triples syntax, hence
    `.value`), so the store can hand over query solutions as they come.
    """
    if term is None:
        return None
    if isinstance(term, Node):
        return str(term)
    value = getattr(term, "value", None)
    return value if isinstance(value, str) else str(term)


def format_message(template: str, bindings: Mapping[str, str | None]) -> str:
    """Fill `{?var}` / `{$var}` placeholders as SHACL-SPARQL does; unknown ones stay as they are."""

    def fill(match: re.Match[str]) -> str:
        value = bindings.get(match.group(1))
        return value if value is not None else match.group(0)

    return _MESSAGE_VARIABLE.sub(fill, template)


@dataclass(frozen=True)
class GlobalShape:
    """A whole-graph rule, for the store to run as its own query.

    Each query is a complete SPARQL SELECT (PREFIX declarations included) whose `$this` is an
    ordinary variable: run as it is against the whole store it lists every violation; to check
    only some nodes, bind `this` (pyoxigraph: `substitutions={Variable("this"): node}`). Rows
    bind `this`, usually `value` and `path`, and any variable the message mentions;
    `violation(row)` turns one row into the same `Violation` that SHACL validation would give.
    """

    iri: str
    label: str
    message: str
    severity: str
    target_classes: tuple[str, ...]
    queries: tuple[str, ...]
    # The message's other languages, as (tag, template) pairs: see `Violation.translations`.
    translations: tuple[tuple[str, str], ...] = ()

    def violation(self, row: Mapping[str, object]) -> Violation:
        """The `Violation` for one result row (variable name, without `?`, -> rdflib or
        pyoxigraph term, or None when unbound)."""
        bindings = {name: term_text(term) for name, term in row.items()}
        focus = bindings.get("this")
        if focus is None:
            raise ValueError(f"a result row of {self.iri} does not bind ?this: {row!r}")
        path = bindings.get("path")
        return Violation(
            focus_node=focus,
            path=compact(path) if path is not None else None,
            message=format_message(self.message, bindings),
            severity=self.severity,
            value=bindings.get("value"),
            source_shape=compact(self.iri),
            constraint="sh:SPARQLConstraintComponent",
            translations=tuple(
                (tag, format_message(text, bindings)) for tag, text in self.translations
            ),
        )


class _PreparedQueryGraph(Graph):
    """An rdflib graph that parses each distinct SPARQL text once per process.

    pyshacl runs a SPARQL constraint by sending its text to `Graph.query` for every focus node;
    rdflib would parse and translate it every time, which costs more than evaluating it on a
    small graph. The texts come from the shapes, so there are few of them.
    """

    def query(  # type: ignore[override]
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 (rdflib's name)
        initBindings: Mapping[str, Identifier] | None = None,  # noqa: N803 (rdflib's name)
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if isinstance(query_object, str) and not initNs:
            query_object = _prepared(query_object)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


@functools.lru_cache(maxsize=512)
def _prepared(text: str) -> Query:
    try:
        return prepareQuery(text)
    finally:
        # pyparsing's packrat cache keeps the parse's exceptions, whose tracebacks keep every
        # caller's frame alive (and so the store a caller holds, with its file lock).
        ParserElement.reset_cache()


def _plain(term: Node) -> Node:
    """`"x"^^xsd:string` as the simple literal `"x"`: the same RDF term, which rdflib and pyshacl
    nevertheless tell apart (pyoxigraph, and oxrdflib after it, always spell out xsd:string)."""
    if isinstance(term, Literal) and term.datatype == XSD.string and term.language is None:
        return Literal(str(term))
    return term


def _working_copy(data: Graph) -> _PreparedQueryGraph:
    """A private copy of `data` (all named graphs merged) with simple literals made plain.

    pyshacl would copy the data anyway in advanced mode; copying here lets it run in place on a
    graph that normalises literals and prepares queries, and never touches the caller's graph.
    """
    copy = _PreparedQueryGraph()
    if isinstance(data, ConjunctiveGraph):
        triples: Iterator[tuple[Node, Node, Node]] = (
            (s, p, o) for s, p, o, _ in data.quads((None, None, None, None))
        )
    else:
        triples = iter(data.triples((None, None, None)))
    copy.addN((s, p, _plain(o), copy) for s, p, o in triples)
    return copy


def english_text(values: Iterable[Node]) -> str | None:
    """The English text among `values` (else untagged, else any), chosen deterministically."""

    def rank(literal: Literal) -> tuple[int, str]:
        language = (literal.language or "").lower()
        if language == "en" or language.startswith("en-"):
            return (0, str(literal))
        return (1 if not language else 2, str(literal))

    literals = sorted((v for v in values if isinstance(v, Literal)), key=rank)
    return str(literals[0]) if literals else None


def message_texts(values: Iterable[Node]) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """A rule's message as `english_text` picks it, plus its other languages.

    The other languages are (primary tag, text) pairs sorted by tag, one per language (the
    smallest text when a shape has two), so that every path that reads a rule's messages (the
    pyshacl report, graph.engine_shacl, a global shape's query) gives the face the same choice.
    """
    english = english_text(values := list(values))
    chosen: dict[str, str] = {}
    for value in values:
        if not isinstance(value, Literal) or not value.language:
            continue
        tag = value.language.split("-", 1)[0].lower()
        if tag != "en" and (tag not in chosen or str(value) < chosen[tag]):
            chosen[tag] = str(value)
    return english, tuple(sorted(chosen.items()))


@functools.lru_cache(maxsize=1024)
def _template_pattern(template: str) -> re.Pattern[str]:
    """A message template as a pattern its filled-in texts match (`{?var}` matches anything)."""
    parts = _MESSAGE_VARIABLE.split(template)
    return re.compile(
        "".join(re.escape(part) if i % 2 == 0 else "(.*?)" for i, part in enumerate(parts)),
        re.DOTALL,
    )


def _tagged_messages(report: Graph, result: Node, shapes: Graph | None) -> list[Node]:
    """A result's messages with their language tags back.

    pyshacl 0.40 drops the tag of a SPARQL-based rule's message when it fills in the
    variables (`Literal(text)`), so three languages would come back as three untagged texts;
    each is given the tag of the shape's message template it fills.
    """
    messages = list(report.objects(result, SH.resultMessage))
    shape = report.value(result, SH.sourceShape)
    if shapes is None or not isinstance(shape, URIRef):
        return messages
    if all(not isinstance(m, Literal) or m.language for m in messages):
        return messages
    holders = [shape, *shapes.objects(shape, SH.sparql)]
    templates = [
        t
        for holder in holders
        for t in shapes.objects(holder, SH.message)
        if isinstance(t, Literal) and t.language
    ]
    tagged: list[Node] = []
    for message in messages:
        if isinstance(message, Literal) and not message.language:
            for template in templates:
                if _template_pattern(str(template)).fullmatch(str(message)):
                    assert isinstance(template, Literal)
                    message = Literal(str(message), lang=template.language)
                    break
        tagged.append(message)
    return tagged


def render_path(graph: Graph, path: Node) -> str:
    """A SHACL property path as SPARQL path syntax with compact names (`sic:objective`,
    `^org:member`, `org:member/org:memberOf`)."""
    if isinstance(path, URIRef):
        return compact(str(path))
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + render_path(graph, inverse)
    for predicate, suffix in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return f"({render_path(graph, inner)}){suffix}"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        items = Collection(graph, alternatives)
        return "(" + "|".join(render_path(graph, item) for item in items) + ")"
    if graph.value(path, RDF.first) is not None:
        return "/".join(render_path(graph, item) for item in Collection(graph, path))
    return str(path)


def _read_report(report: Graph, shapes: Graph | None = None) -> list[Violation]:
    """Plain `Violation` records from a pyshacl validation report graph.

    `shapes` (the graph the report's shapes come from) lets SPARQL-based messages get their
    language tags back (see `_tagged_messages`).
    """
    violations = []
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        severity = report.value(result, SH.resultSeverity)
        shape = report.value(result, SH.sourceShape)
        component = report.value(result, SH.sourceConstraintComponent)
        message, translations = message_texts(_tagged_messages(report, result, shapes))
        violations.append(
            Violation(
                focus_node=str(focus),
                path=render_path(report, path) if path is not None else None,
                message=message or "The data does not conform to a shape.",
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                value=str(value) if value is not None else None,
                source_shape=compact(str(shape)) if isinstance(shape, URIRef) else None,
                constraint=compact(str(component)) if component is not None else None,
                translations=translations if message else (),
            )
        )
    return violations


def result_order(v: Violation) -> tuple[int, str, str, str, str, str]:
    return (
        _SEVERITY_ORDER.get(v.severity, 3),
        v.focus_node,
        v.path or "",
        v.source_shape or "",
        v.constraint or "",
        v.value or "",
    )


class Validator:
    """SHACL validation with shapes parsed once.

    `shape_files` defaults to `default_shape_files()`. Instances are safe to share between
    threads (validations run one at a time: pyshacl is pure Python, so this costs no real
    parallelism and keeps the shared shape objects consistent).
    """

    def __init__(self, shape_files: Sequence[str | PathLike[str]] | None = None) -> None:
        files = [Path(f) for f in shape_files] if shape_files is not None else default_shape_files()
        if not files:
            raise ShapesError(f"no shape files found in {shapes_dir()}")
        graph = Graph()
        for path in files:
            try:
                graph.parse(path, format="turtle")
            except Exception as exc:  # rdflib raises many unrelated types for bad Turtle
                raise ShapesError(f"cannot read shapes file {path}: {exc}") from exc
        for prefix, namespace in {**PREFIXES, "sicsh": SHAPES_NS}.items():
            graph.bind(prefix, namespace)
        self._files = tuple(files)
        self._graph = graph
        self._global_iris = frozenset(
            shape
            for shape, scope in graph.subject_objects(SICSH.scope)
            if str(scope) == GLOBAL_SCOPE
        )
        self._global_shapes = tuple(self._read_global_shapes())
        local = Graph()
        local += graph
        for shape in self._global_iris:
            local.add((shape, SH.deactivated, Literal(True)))
        full = Graph()
        full += graph
        self._full = self._shapes_graph(full)
        self._local = self._shapes_graph(local)
        # pyshacl only changes the data graph when shapes carry SHACL rules; without rules it can
        # run on our private working copy without copying it again.
        self._in_place = (None, SH.rule, None) not in graph
        self._placeholder = Graph()
        self._lock = threading.Lock()
        self._select = True

    def with_shape_selection(self, enabled: bool) -> Validator:
        """This validator, sharing its shapes, running only the shapes that can target the
        focus nodes (`enabled`, the default) or every shape as pyshacl would (to compare)."""
        clone = copy.copy(self)
        clone._select = enabled
        return clone

    def deactivating(self, shapes: Iterable[Node]) -> Validator:
        """This validator with `shapes` switched off (`sh:deactivated true`), sharing the parse.

        For running only the shapes another checker cannot (graph.engine_shacl hands pyshacl
        the shapes it could not compile): the shapes are named by the nodes of this validator's
        own graph, blank nodes included, which a second parse of the files would rename.
        """
        off = [(shape, SH.deactivated, Literal(True)) for shape in shapes]
        clone = copy.copy(self)
        full = Graph()
        full += self._graph
        local = Graph()
        local += self._graph
        for shape in self._global_iris:
            local.add((shape, SH.deactivated, Literal(True)))
        for triple in off:
            full.add(triple)
            local.add(triple)
        clone._full = self._shapes_graph(full)
        clone._local = self._shapes_graph(local)
        clone._lock = threading.Lock()
        return clone

    @staticmethod
    def _shapes_graph(graph: Graph) -> ShapesGraph:
        """Wrap and harvest once, so shape errors surface now and not at the first write."""
        shapes_graph = ShapesGraph(graph, debug=False, logger=_LOG)
        try:
            list(shapes_graph.shapes)
        except (ShapeLoadError, ReportableRuntimeError) as exc:
            raise ShapesError(f"the shapes cannot be used: {exc}") from exc
        keep(shapes_graph)
        shape_index(shapes_graph)
        return shapes_graph

    @property
    def shape_files(self) -> tuple[Path, ...]:
        """The files the shapes were read from, in reading order."""
        return self._files

    @property
    def shapes_graph(self) -> Graph:
        """The parsed shapes (for serving or inspection; do not modify)."""
        return self._graph

    def warm(self) -> None:
        """Run every shape once, on one stand-in node of each class a shape targets, so that
        what pyshacl and rdflib prepare on first use (the SPARQL constraints' parsed queries,
        about 170 ms) is ready before a service forks its workers; the results are dropped."""
        data = Graph()
        targets = {t for t in self._graph.objects(None, SH.targetClass) if isinstance(t, URIRef)}
        stand_ins: list[URIRef] = []
        for n, target in enumerate(sorted(targets)):
            stand_ins.append(URIRef(f"urn:sic:warm:{n}"))
            data.add((stand_ins[-1], RDF.type, target))
        self.validate(data, focus_nodes=stand_ins, include_global=False)

    def global_shapes(self) -> tuple[GlobalShape, ...]:
        """The shapes marked `sicsh:scope "global"`, which write validation may skip."""
        return self._global_shapes

    def validate(
        self,
        data: Graph,
        focus_nodes: Sequence[Node] | None = None,
        *,
        include_global: bool = True,
    ) -> list[Violation]:
        """Every result of checking `data` against the shapes, errors first.

        With `focus_nodes`, only those nodes are checked (each against the shapes that target
        it), so a partial copy of the store can be validated without blaming its edge nodes for
        what was not copied; an empty sequence checks nothing. `include_global=False` skips the
        whole-graph rules, which a neighbourhood copy cannot decide. `data` is not modified.
        """
        pyshacl_focus: list[URIRef] | None = None
        keep: frozenset[str] | None = None
        if focus_nodes is not None:
            wanted = list(dict.fromkeys(focus_nodes))
            if not wanted:
                return []
            if all(isinstance(node, URIRef) for node in wanted):
                pyshacl_focus = [URIRef(str(node)) for node in wanted]
            else:
                # pyshacl's focus filter only keeps IRIs; check everything, keep what was asked.
                keep = frozenset(str(node) for node in wanted)
        work = _working_copy(data)
        options: dict[str, Any] = {
            "inference": "none",
            "advanced": True,
            "allow_warnings": True,
            "abort_on_first": False,
            "inplace": self._in_place,
            "focus_nodes": pyshacl_focus,
            "logger": _LOG,
        }
        shapes = self._full if include_global else self._local
        with self._lock:
            if pyshacl_focus is not None and self._select and self._in_place:
                # Only the shapes that can target a focus node (sic.shape_selection); without
                # SHACL rules nothing adds to the data before the shapes look at it.
                selection = shape_index(shapes).select(work, pyshacl_focus)
                if not selection:
                    return []
                shapes = selected_view(shapes, selection)
            runner = PyshaclValidator(
                DataGraph.from_rdflib(work), shacl_graph=self._placeholder, options=options
            )
            runner.shacl_graph = shapes
            try:
                _, report, _ = runner.run()  # type: ignore[no-untyped-call]
            except (ReportableRuntimeError, ValidationFailure) as exc:
                raise ShapesError(f"the shapes could not be applied: {exc}") from exc
        violations = _read_report(report, self._graph)
        if keep is not None:
            violations = [v for v in violations if v.focus_node in keep]
        return sorted(violations, key=result_order)

    def check(
        self,
        data: Graph,
        focus_nodes: Sequence[Node] | None = None,
        *,
        include_global: bool = True,
    ) -> list[Violation]:
        """`validate`, raising `ValidationFailed` (with the errors) unless the data conforms.

        Returns the warnings and infos of conforming data so callers can still show them.
        """
        results = self.validate(data, focus_nodes, include_global=include_global)
        errors = [v for v in results if v.severity == "Violation"]
        if errors:
            raise ValidationFailed(errors)
        return results

    def _read_global_shapes(self) -> Iterator[GlobalShape]:
        graph = self._graph
        for shape in sorted(self._global_iris, key=str):
            selects = []
            for constraint in graph.objects(shape, SH.sparql):
                select = graph.value(constraint, SH.select)
                if select is None:
                    continue
                prefixes = "".join(
                    f"PREFIX {p}: <{ns}>\n" for p, ns in self._declared_prefixes(constraint)
                )
                selects.append(prefixes + str(select).strip() + "\n")
            if not isinstance(shape, URIRef) or not selects:
                raise ShapesError(
                    f"shape {shape} is marked sicsh:scope {GLOBAL_SCOPE!r} but has no IRI or no "
                    "sh:sparql SELECT the store could run on its own"
                )
            severity = graph.value(shape, SH.severity)
            message, translations = message_texts(graph.objects(shape, SH.message))
            yield GlobalShape(
                iri=str(shape),
                label=english_text(graph.objects(shape, RDFS.label)) or compact(str(shape)),
                message=message or "",
                translations=translations if message else (),
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                target_classes=tuple(sorted(str(c) for c in graph.objects(shape, SH.targetClass))),
                queries=tuple(sorted(selects)),
            )

    def _declared_prefixes(self, constraint: Node) -> list[tuple[str, str]]:
        """The prefixes a SPARQL constraint may use: those its `sh:prefixes` nodes declare."""
        graph = self._graph
        found: dict[str, str] = {}
        for holder in graph.objects(constraint, SH.prefixes):
            for declaration in graph.objects(holder, SH.declare):
                prefix = graph.value(declaration, SH.prefix)
                namespace = graph.value(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    found[str(prefix)] = str(namespace)
        return sorted(found.items())


@functools.lru_cache(maxsize=1)
def validator() -> Validator:
    """The process-wide validator over the bundled data shapes (parsed on first use)."""
    return Validator()
