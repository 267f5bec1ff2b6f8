"""A resource as a form opens it: its statements, the values of the form's fields, its version.

The version (the form's ETag) is a digest of every statement about the resource, with the
graph that holds it, so a save can tell that someone changed the resource since the form was
opened, whatever part they changed, and refuse rather than overwrite their change. It is read
on the data the save is prepared against, in the same worker.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from api.forms.fields import Field
from graph.base import GraphStore
from queries.describe import solutions

Value = ox.NamedNode | ox.BlankNode | ox.Literal
NEW = "new"
"""The version of a resource that does not exist yet."""


@dataclass(frozen=True)
class Stated:
    """One statement about the resource: its property, its value, the graph that holds it."""

    graph: str
    predicate: str
    value: Value


@dataclass(frozen=True)
class Snapshot:
    """Every statement about one resource as the graph holds it now, and their version."""

    iri: str
    statements: tuple[Stated, ...]

    @property
    def exists(self) -> bool:
        return bool(self.statements)

    @property
    def etag(self) -> str:
        return version_of(self.statements)

    def owned(self, field: Field) -> list[Stated]:
        """The statements a field shows, and replaces when saved."""
        return [s for s in self.statements if field.owns(s.predicate, s.value)]

    def shown(self, fields: Iterable[Field]) -> dict[str, list[str]]:
        """Each field's values as a person sees them, sorted so two readings compare equal."""
        return {f.name: sorted({f.shown(s.value) for s in self.owned(f)}) for f in fields}

    def objects(self, predicate: str) -> list[Value]:
        return [s.value for s in self.statements if s.predicate == predicate]


def version_of(statements: Iterable[Stated]) -> str:
    """A digest of statements (order does not matter); `new` for none."""
    lines = sorted(f"{s.graph} {s.predicate} {s.value}" for s in statements)
    if not lines:
        return NEW
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:24]


def snapshot(store: GraphStore, iri: str) -> Snapshot:
    """The statements about `iri` in every source (form-snapshot.rq)."""
    result = solutions(store, "form-snapshot", this=ox.NamedNode(iri))
    statements = []
    for row in result:
        graph, predicate, value = row["graph"], row["property"], row["value"]
        if not isinstance(graph, ox.NamedNode) or not isinstance(predicate, ox.NamedNode):
            continue
        if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal):
            statements.append(Stated(graph.value, predicate.value, value))
    return Snapshot(iri, tuple(statements))
