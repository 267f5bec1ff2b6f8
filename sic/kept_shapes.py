"""What pyshacl would rebuild on every validation, kept on the shapes that never change.

pyshacl's `Shape.validate` builds a new SPARQL-based constraint object (its query helpers,
their prefixes gathered from the shapes graph) for every shape it runs, on every call, and each
shape reads its target declarations from the shapes graph again before it looks at the data.
Both depend on the shapes graph only, which `sic.validation.Validator` parses once and never
changes, so for its shapes they are made once and kept. Shapes of any other pyshacl caller are
left to pyshacl's own behaviour.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, SupportsIndex

import pyshacl.shape as pyshacl_shape
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint
from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper
from pyshacl.shape import Shape
from pyshacl.shapes_graph import ShapesGraph

from sic.vocab import SH

__all__ = ["KEPT_COMPONENTS", "keep", "made"]

KEPT_COMPONENTS: tuple[type, ...] = (SPARQLBasedConstraint,)
"""The constraint classes kept per shape: those whose objects hold nothing of a validation run."""

# Set on a kept ShapesGraph (pyshacl's Shape has __slots__): (shape node, constraint class) ->
# the constraint object, and shape node -> its target declarations (`_Targets`).
_KEPT = "_sic_kept_constraints"
_TARGETS = "_sic_kept_targets"
_INSTALL = threading.Lock()
_made: dict[type, int] = {}


def made(component: type) -> int:
    """How many `component` objects were built for kept shapes (for tests: at most one a shape)."""
    return _made.get(component, 0)


def _kept_factory(component: type) -> Callable[[Shape], Any]:
    def build(shape: Shape) -> Any:
        kept: dict[tuple[Any, type], Any] | None = getattr(shape.sg, _KEPT, None)
        if kept is None:
            return component(shape)
        found = kept.get((shape.node, component))
        if found is None:
            found = kept[(shape.node, component)] = component(shape)
            _made[component] = _made.get(component, 0) + 1
        return found

    build.__name__ = f"kept_{component.__name__}"
    return build


def _install() -> None:
    """Point pyshacl's constraint table (which it reads from its `shape` module on every
    `Shape.validate`) at factories that reuse the kept objects; once per process."""
    with _INSTALL:
        table = getattr(pyshacl_shape, "CONSTRAINT_PARAMS", None)
        if table is not None and getattr(table, "kept", False):
            return
        factories = {component: _kept_factory(component) for component in KEPT_COMPONENTS}
        mapping = {
            parameter: factories.get(component, component)
            for parameter, component in CONSTRAINT_PARAMETERS_MAP.items()
        }
        pyshacl_shape.CONSTRAINT_PARAMS = _Table(_Parameters(ALL_CONSTRAINT_PARAMETERS), mapping)  # type: ignore[attr-defined]
        if not hasattr(SPARQLQueryHelper, _ORIGINAL_PRE_BIND):
            setattr(SPARQLQueryHelper, _ORIGINAL_PRE_BIND, SPARQLQueryHelper.pre_bind_variables)
            SPARQLQueryHelper.pre_bind_variables = _pre_bind_variables  # type: ignore[method-assign]


_ORIGINAL_PRE_BIND = "_sic_original_pre_bind_variables"
_PRE_BOUND = "_sic_pre_bound"


def _pre_bind_variables(
    self: SPARQLQueryHelper, thisnode: Any, valuenode: Any = None, extravars: Any = None
) -> tuple[dict[str, Any], str]:
    """pyshacl's `pre_bind_variables`, its text work done once per query helper.

    pyshacl checks a SPARQL constraint's text with seven regular expressions, and rewrites its
    $PATH, every time the constraint meets a focus node: a fifth of a one-project write's
    validation. The outcome depends only on the helper's own text and shape (fixed for its
    life: a kept constraint keeps its helpers) and on whether a value node is given and true
    and which extra variables are named; the nodes themselves are only placed in the bindings.
    So the first call of each kind runs pyshacl's code and the rest reuse what it found; a
    call that raises is never remembered and raises again the same way.
    """
    key = (valuenode is not None, bool(valuenode), tuple(sorted(extravars or ())))
    memo: dict[Any, tuple[frozenset[str], dict[str, Any], str]] | None = self.__dict__.get(
        _PRE_BOUND
    )
    if memo is None:
        memo = self.__dict__[_PRE_BOUND] = {}
    found = memo.get(key)
    if found is None:
        original = getattr(SPARQLQueryHelper, _ORIGINAL_PRE_BIND)
        bindings, text = original(self, thisnode, valuenode, extravars)
        given = {"this": thisnode, "value": valuenode}
        nodes = frozenset(k for k in bindings if k in given and bindings[k] is given[k])
        fixed = {k: v for k, v in bindings.items() if k not in nodes}
        memo[key] = (nodes, fixed, text)
        return bindings, text
    nodes, fixed, text = found
    bindings = {k: v for k, v in (("this", thisnode), ("value", valuenode)) if k in nodes}
    bindings.update(fixed)
    return bindings, text


class _Parameters(list[Any]):
    """pyshacl's list of constraint parameters, answering `in` from a set.

    `Shape.validate` asks, for every predicate of every shape it runs, whether it is in this
    list (about 30 IRIs, each compared by rdflib's Python-level `__eq__`): a sixth of a write's
    validation time. Same items, same order; `copy` (which pyshacl makes in advanced mode
    before appending sh:expression) keeps the set.
    """

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self._members = set(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def copy(self) -> _Parameters:
        return _Parameters(self)

    def append(self, item: Any) -> None:
        super().append(item)
        self._members.add(item)

    def extend(self, items: Iterable[Any]) -> None:
        super().extend(items)
        self._members = set(self)

    def insert(self, index: SupportsIndex, item: Any) -> None:
        super().insert(index, item)
        self._members.add(item)


class _Table(tuple[list[Any], dict[Any, Any]]):
    """pyshacl's (parameters, parameter -> constraint class) pair, marked as installed."""

    kept = True

    def __new__(cls, parameters: list[Any], mapping: dict[Any, Any]) -> _Table:
        return super().__new__(cls, (parameters, mapping))


class _KeptShape(Shape):
    """A pyshacl shape whose target declarations are read from the shapes graph once.

    Same layout as `Shape` (no new slots), so a harvested shape can be switched to it.
    """

    __slots__ = ()

    def _kept(self) -> _Targets:
        targets: _Targets = getattr(self.sg, _TARGETS)[self.node]
        return targets

    def target(self) -> tuple[list[Any], ...]:
        return tuple(list(found) for found in self._kept().declared)

    def implicit_class_targets(self) -> list[Any]:
        return list(self._kept().declared[2])

    def advanced_target(self) -> dict[Any, Any]:
        # Custom targets (sh:target) hold query helpers: only their absence is kept.
        return super().advanced_target() if self._kept().custom else {}  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class _Targets:
    """A shape's `Shape.target()` lists, and whether it declares custom targets (sh:target)."""

    declared: tuple[tuple[Any, ...], ...]
    custom: bool


def _targets(shape: Shape) -> _Targets:
    return _Targets(
        declared=tuple(tuple(found) for found in shape.target()),  # type: ignore[no-untyped-call]
        custom=any(True for _ in shape.sg.objects(shape.node, SH.target)),  # type: ignore[no-untyped-call]
    )


def keep(shapes_graph: ShapesGraph) -> None:
    """Keep, for every shape of the harvested `shapes_graph`, its SPARQL constraint objects (made
    at their first use) and its target declarations; the graph must not change afterwards."""
    _install()
    shapes = list(shapes_graph.shapes)
    setattr(shapes_graph, _KEPT, {})
    setattr(
        shapes_graph,
        _TARGETS,
        {shape.node: _targets(shape) for shape in shapes},
    )
    for shape in shapes:
        if type(shape) is Shape:
            shape.__class__ = _KeptShape
