"""Which shapes can target a write's focus nodes, so pyshacl runs only those.

Given explicit focus nodes, pyshacl still runs every shape of the shapes graph: each one finds
all its targets in the data (class instances, subjects and objects of predicates) and only then
drops those that are not focus nodes. On a write's neighbourhood that is most of the work, for
shapes that could never report anything. A shape reports on a focus node only if one of its
target declarations reaches that node in the data graph, and which declarations can do so
follows from the node's types (with their `rdfs:subClassOf` ancestors in the data, as pyshacl
follows them), the predicates around it, and the node itself. The declarations are read once per
shapes graph; the shapes for a set of classes are worked out once and kept.

Shapes with custom targets (`sh:target`) are always run, and so are the results of every
selected shape computed exactly as pyshacl computes them: the selection only leaves out shapes
that would have found no focus node, so the report is the same.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pyshacl.shape import Shape
from pyshacl.shapes_graph import ShapesGraph
from rdflib import Graph, URIRef
from rdflib.term import Node

from sic.vocab import RDF, RDFS, SH

__all__ = ["ShapeIndex", "selected_view", "shape_index"]

_INDEX = "_sic_shape_index"
_BUILD = threading.Lock()
_KEPT_SELECTIONS = 4096
"""At most this many class sets and selections are kept per shapes graph (a few dozen occur)."""


@dataclass
class ShapeIndex:
    """The target declarations of a shapes graph's shapes, by what they target.

    Shapes are named by their position in `shapes` (pyshacl's own order), so a selection keeps
    the order in which pyshacl would have run them.
    """

    shapes: tuple[Shape, ...]
    by_class: dict[Node, frozenset[int]]
    by_node: dict[Node, frozenset[int]]
    by_subject_of: dict[Node, frozenset[int]]
    by_object_of: dict[Node, frozenset[int]]
    always: frozenset[int]
    _by_classes: dict[frozenset[Node], frozenset[int]] = field(default_factory=dict)
    _views: dict[tuple[int, ...], ShapesGraph] = field(default_factory=dict)

    def select(self, data: Graph, focus: Sequence[URIRef]) -> tuple[int, ...]:
        """The positions of the shapes that may target a node of `focus` in `data`, in order."""
        chosen: set[int] = set(self.always)
        classes: set[Node] = set()
        for node in focus:
            for cls in data.objects(node, RDF.type):
                classes.update(
                    up for up in data.transitive_objects(cls, RDFS.subClassOf) if up is not None
                )
            chosen.update(self.by_node.get(node, ()))
            if self.by_subject_of:
                for predicate in data.predicates(node, None):
                    chosen.update(self.by_subject_of.get(predicate, ()))
            if self.by_object_of:
                for predicate in data.predicates(None, node):
                    chosen.update(self.by_object_of.get(predicate, ()))
        chosen.update(self._for_classes(frozenset(classes)))
        return tuple(sorted(chosen))

    def _for_classes(self, classes: frozenset[Node]) -> frozenset[int]:
        found = self._by_classes.get(classes)
        if found is None:
            found = frozenset(i for cls in classes for i in self.by_class.get(cls, ()))
            if len(self._by_classes) < _KEPT_SELECTIONS:
                self._by_classes[classes] = found
        return found


def _grouped(pairs: Iterable[tuple[Node, int]]) -> dict[Node, frozenset[int]]:
    out: dict[Node, set[int]] = {}
    for key, position in pairs:
        out.setdefault(key, set()).add(position)
    return {key: frozenset(found) for key, found in out.items()}


def shape_index(shapes_graph: ShapesGraph) -> ShapeIndex:
    """The index of `shapes_graph` (harvested, never changed afterwards), built on first use.

    Also marks every shape advanced, as each full run of the validator (always in advanced mode)
    does for all of them, so that a shape reached only through another (sh:node, sh:property)
    behaves the same whether or not it was in the selection.
    """
    with _BUILD:
        found: ShapeIndex | None = getattr(shapes_graph, _INDEX, None)
        if found is not None:
            return found
        shapes = tuple(shapes_graph.shapes)
        classes: list[tuple[Node, int]] = []
        nodes: list[tuple[Node, int]] = []
        subject_of: list[tuple[Node, int]] = []
        object_of: list[tuple[Node, int]] = []
        always: set[int] = set()
        for position, shape in enumerate(shapes):
            shape.set_advanced(True)
            if shape.deactivated:
                continue  # pyshacl skips it before it looks for targets
            target_nodes, target_classes, implicit, objects_of, subjects_of = shape.target()
            nodes += [(n, position) for n in target_nodes]
            classes += [(c, position) for c in (*target_classes, *implicit)]
            subject_of += [(p, position) for p in subjects_of]
            object_of += [(p, position) for p in objects_of]
            if (shape.node, SH.target, None) in shapes_graph.graph:
                always.add(position)
        index = ShapeIndex(
            shapes=shapes,
            by_class=_grouped(classes),
            by_node=_grouped(nodes),
            by_subject_of=_grouped(subject_of),
            by_object_of=_grouped(object_of),
            always=frozenset(always),
        )
        setattr(shapes_graph, _INDEX, index)
        return index


def selected_view(shapes_graph: ShapesGraph, selection: tuple[int, ...]) -> ShapesGraph:
    """`shapes_graph` as pyshacl's run sees it, with only the `selection` shapes to run.

    A shallow copy: the graph, the shapes and what sic.kept_shapes keeps are shared, and a shape
    still finds any other shape (sh:node) through its own shapes graph, the original.
    """
    index = shape_index(shapes_graph)
    with _BUILD:
        view = index._views.get(selection)
        if view is None:
            view = copy.copy(shapes_graph)
            view._node_shape_cache = {index.shapes[i].node: index.shapes[i] for i in selection}
            if len(index._views) < _KEPT_SELECTIONS:
                index._views[selection] = view
        return view
