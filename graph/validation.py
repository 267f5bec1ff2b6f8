"""Validation of writes against the union graph, before they commit.

A write is checked on what it can affect, not on the whole store: the nodes it adds or
changes, the nodes that link to them (a deletion can leave a dangling reference), and their
neighbourhood (see graph.neighbourhood). Rules that need the whole graph (keys unique per
class) run as queries of their own over the union. For a load that touches most of the store
anyway, the whole union is copied and validated at once, which is cheaper than many
neighbourhoods.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node as RdfNode

from graph.neighbourhood import GraphName, Node, inbound_subjects, neighbourhood
from graph.sparql_files import internal
from sic.errors import ValidationFailed, Violation
from sic.terms import to_rdflib
from sic.validation import Validator, validator

WHOLE_GRAPH_ABOVE = 2_000
"""Above this many focus nodes, copy the union and validate it whole instead of per node."""


def _subjects_and_objects(store: ox.Store, graph: ox.NamedNode) -> tuple[set[Node], set[Node]]:
    subjects: set[Node] = set()
    objects: set[Node] = set()
    for quad in store.quads_for_pattern(None, None, None, graph):
        if isinstance(quad.subject, ox.NamedNode | ox.BlankNode):
            subjects.add(quad.subject)
        if isinstance(quad.object, ox.NamedNode | ox.BlankNode):
            objects.add(quad.object)
    return subjects, objects


def _copy(store: ox.Store, graphs: Iterable[GraphName]) -> Graph:
    out = Graph()
    for g in graphs:
        for quad in store.quads_for_pattern(None, None, None, g):
            out.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return out


class WriteChecker:
    """Decides whether a write may commit; raises ValidationFailed with every violation if not."""

    def __init__(self, shapes: Validator | None = None) -> None:
        self._validator = shapes

    @property
    def validator(self) -> Validator:
        if self._validator is None:
            self._validator = validator()
        return self._validator

    def _run(self, data: Graph, focus: Sequence[RdfNode] | None) -> list[Violation]:
        return [
            v
            for v in self.validator.validate(data, focus_nodes=focus, include_global=False)
            if v.severity == "Violation"
        ]

    def global_violations(self, store: ox.Store, graphs: Sequence[GraphName]) -> list[Violation]:
        """Whole-graph rules, as queries over the union."""
        rows = store.query(internal("duplicate-identifiers").text, default_graph=list(graphs))
        out: list[Violation] = []
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            cls, ident, first, second = row["class"], row["identifier"], row["first"], row["second"]
            out.append(
                Violation(
                    focus_node=second.value if second else "",
                    path="dct:identifier",
                    message=(
                        f"The key {ident.value if ident else ''!r} is used twice for "
                        f"{cls.value if cls else 'one class'}: by <{first.value if first else ''}> "
                        "and by this node. Keys must be unique."
                    ),
                    value=ident.value if ident else None,
                    constraint="unique key",
                )
            )
        return out

    def check_new_graphs(
        self, store: ox.Store, new: Sequence[ox.NamedNode], others: Sequence[GraphName]
    ) -> None:
        """Check that the published graphs `others` plus the staged graphs `new` conform."""
        graphs: list[GraphName] = [*others, *new]
        focus: set[Node] = set()
        for g in new:
            subjects, objects = _subjects_and_objects(store, g)
            focus |= subjects | objects
        focus |= inbound_subjects(store, focus, others)
        if len(focus) > WHOLE_GRAPH_ABOVE:
            violations = self._run(_copy(store, graphs), None)
        else:
            data = neighbourhood(store, focus, graphs)
            violations = self._run(data, [to_rdflib(n) for n in sorted(focus, key=str)])
        violations += self.global_violations(store, graphs)
        if violations:
            raise ValidationFailed(violations)

    def check_removal(
        self, store: ox.Store, removed: ox.NamedNode, others: Sequence[GraphName]
    ) -> None:
        """Check that what remains conforms once `removed` is gone: whoever linked into it."""
        subjects, _ = _subjects_and_objects(store, removed)
        focus = inbound_subjects(store, subjects, others)
        if not focus:
            return
        data = neighbourhood(store, focus, others)
        violations = self._run(data, [to_rdflib(n) for n in sorted(focus, key=str)])
        if violations:
            raise ValidationFailed(violations)


def focus_iris(nodes: Iterable[str]) -> list[URIRef]:
    """IRIs as rdflib focus nodes (a convenience for callers holding strings)."""
    return [URIRef(n) for n in nodes]


def validate_union(
    store: ox.Store, graphs: Sequence[GraphName], checker: WriteChecker | None = None
) -> list[Violation]:
    """Whole-graph validation of the union of `graphs` (what `sic validate` does on a store).

    Returns every result, warnings included; callers decide what fails.
    """
    checker = checker or WriteChecker()
    data = _copy(store, graphs)
    return checker.validator.validate(data, include_global=False) + checker.global_violations(
        store, graphs
    )


def validate_standalone(data: Graph, checker: WriteChecker | None = None) -> list[Violation]:
    """Whole-graph validation of a graph that is not in any store (a workbook or file)."""
    from sic.terms import graph_to_quads

    checker = checker or WriteChecker()
    scratch = ox.Store()
    scratch.bulk_extend(graph_to_quads(data, ox.DefaultGraph()))
    found = checker.validator.validate(data, include_global=False)
    return found + checker.global_violations(scratch, [ox.DefaultGraph()])


_DCT_IDENTIFIER = URIRef("http://purl.org/dc/terms/identifier")


def check_delta(
    checker: WriteChecker,
    store: ox.Store,
    added: Iterable[tuple[RdfNode, RdfNode, RdfNode]],
    removed: Iterable[tuple[RdfNode, RdfNode, RdfNode]],
    graphs: Sequence[GraphName],
) -> None:
    """Check an explicit change (triples added and removed across `graphs`) before it commits.

    The neighbourhood is read as the store is now and the change applied to that copy, so the
    copy is what the store would hold around the changed nodes afterwards.
    """
    from sic.terms import to_ox

    added = list(added)
    removed = list(removed)
    touched: set[Node] = set()
    for s, _, o in [*added, *removed]:
        for term in (s, o):
            oxt = to_ox(term)
            if isinstance(oxt, ox.NamedNode | ox.BlankNode):
                touched.add(oxt)
    focus = touched | inbound_subjects(store, touched, graphs)
    data = neighbourhood(store, focus, graphs)
    for t in removed:
        data.remove(t)
    for t in added:
        data.add(t)
    # the removed triples may have been the only link to a focus node; keep only nodes left
    violations = checker.validator.validate(
        data, focus_nodes=[to_rdflib(n) for n in sorted(focus, key=str)], include_global=False
    )
    violations = [v for v in violations if v.severity == "Violation"]
    violations += _identifier_clashes(store, data, added, graphs)
    if violations:
        raise ValidationFailed(violations)


def _identifier_clashes(
    store: ox.Store,
    data: Graph,
    added: Sequence[tuple[RdfNode, RdfNode, RdfNode]],
    graphs: Sequence[GraphName],
) -> list[Violation]:
    from rdflib.namespace import RDF

    from sic.terms import to_ox

    query = internal("identifier-clash").text
    out: list[Violation] = []
    for s, p, o in added:
        if p != _DCT_IDENTIFIER:
            continue
        for cls in data.objects(s, RDF.type):
            rows = store.query(
                query,
                default_graph=list(graphs),
                substitutions={
                    ox.Variable("node"): to_ox(s),
                    ox.Variable("class"): to_ox(cls),
                    ox.Variable("identifier"): to_ox(o),
                },
            )
            assert isinstance(rows, ox.QuerySolutions)
            for row in rows:
                other = row["other"]
                out.append(
                    Violation(
                        focus_node=str(s),
                        path="dct:identifier",
                        message=(
                            f"The key {str(o)!r} is already used by"
                            f" <{other.value if other else ''}> for {cls}. Keys must be unique."
                        ),
                        value=str(o),
                        constraint="unique key",
                    )
                )
    return out
