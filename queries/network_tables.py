"""The rows the network projections are built from, kept by what each row is about.

Each building block (a `network-*.rq` file, and the labels) is read whole once. Its rows are
then kept by their owner, the thing a row is about (an organisation, a project, a funding
line...), so that after a write only the rows of the owners the write may have changed are
read again: a one-project write at M re-reads a handful of rows instead of 400,000.

Which owners a write may have changed. Every block reads the star of its owner (the triples
whose subject it is) and the stars of what that star points to, one hop away (a project's
stage concept, an organisation's type, a Task Force role's person). So a row can change only
when a write adds or removes a triple whose subject is its owner or one hop from it; the owners
to read again are the subjects the write touched, and the subjects linking to those, kept
where their class (before or after the write) is one the block reads. `Block.classes` names
them (none named: any subject, for a property anything may carry); a block without an owner
(small ones: the concepts, the labels) is read whole when a thing of one of its classes is
touched. A change too large to follow owner by owner (an ontology reload touches every concept)
reads the affected blocks whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.base import GraphStore
from graph.update import Delta
from queries.answer import Row, rows_of
from queries.sparql import rq, run_select
from sic.vocab import SIC_NS

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

FOLLOW_AT_MOST = 2_000
"""Owners one block re-reads one by one after a write; beyond, the block is read whole (a
substituted query costs about 0.2 ms, the whole of the largest block about a second at M)."""


FOLLOW_TRIPLES = 20_000
"""Triples a write may change and still be followed; a larger one (a source replaced) is cheaper
to read again whole."""


def _classes(*names: str) -> frozenset[str]:
    return frozenset(n if "://" in n else SIC_NS + n for n in names)


@dataclass(frozen=True)
class Block:
    """One building block: its query, the column naming a row's owner (None: read whole), and
    the classes of the things whose change may change its rows (empty: anything's)."""

    name: str
    owner: str | None
    classes: frozenset[str]


GROUPS = _classes("Project", "Alliance")

BLOCKS: Mapping[str, Block] = {
    b.name: b
    for b in (
        Block("network-organisations", "organisation", _classes("Organisation")),
        Block("network-organisation-links", "organisation", _classes("Organisation")),
        Block("network-groups", "group", GROUPS),
        Block("network-members", "group", GROUPS),
        Block("network-group-activities", "group", GROUPS),
        Block("network-project-countries", "project", _classes("Project")),
        Block("network-task-forces", "membership", _classes("TaskForceRole")),
        Block("network-fundings", "funding", _classes("Funding")),
        Block("network-calls", "call", _classes("FundingCall")),
        Block("network-call-links", "call", _classes("FundingCall")),
        Block("network-concepts", None, _classes("Topic", "Region", "StrategicObjective")),
        Block("network-region-countries", None, _classes("Region")),
        Block("objective-figures-projects", "project", _classes("Project")),
        Block("objective-figures-budgets", "project", _classes("Project")),
        Block("objective-figures-fundings", "funding", _classes("Funding")),
        Block("objective-figures-activity-objectives", "activity", _classes("Activity")),
        Block("objective-figures-addresses", "subject", frozenset()),
        Block(
            "page-labels",
            None,
            _classes(
                "Goal",
                "StrategicObjective",
                "Activity",
                "Category",
                "Topic",
                "Alliance",
                _SKOS + "Concept",
            ),
        ),
    )
}


Owner = ox.NamedNode | ox.BlankNode


def _order(row: Row) -> tuple[str, ...]:
    """The order rows are handed out in: by their plain values, so that every "first value
    wins" choice of the projections is independent of the store's order."""
    return tuple("" if v is None else str(v) for v in row.values())


@dataclass
class Table:
    """The rows of one block, by owner term (one owner, None, for a block read whole)."""

    block: Block
    by_owner: dict[Owner | None, list[Row]] = field(default_factory=dict)

    def rows(self) -> list[Row]:
        out = [row for rows in self.by_owner.values() for row in rows]
        out.sort(key=_order)
        return out


@dataclass(frozen=True)
class Changed:
    """The rows of one owner before and after a write (its key: the owner column's value)."""

    owner: Owner | None
    key: Any
    before: tuple[Row, ...]
    after: tuple[Row, ...]


def _read(store: GraphStore, block: Block, owner: Owner | None = None) -> dict[Any, list[Row]]:
    """The rows of a block (of one owner when given), by owner term."""
    query = rq(block.name)
    terms = {} if owner is None or block.owner is None else {block.owner: owner}
    result = run_select(store, query, terms)
    rows = rows_of(result, store.base, query.columns)
    if block.owner is None:
        return {None: sorted(rows, key=_order)}
    at = result.variables.index(block.owner)
    found: dict[Any, list[Row]] = {}
    for solution, row in zip(result.rows, rows, strict=True):
        found.setdefault(solution[at], []).append(row)
    for kept in found.values():
        kept.sort(key=_order)
    return found


class Tables:
    """The blocks of one store, each read whole on first use and then followed write by write."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._tables: dict[str, Table] = {}

    def rows(self, name: str) -> list[Row]:
        """Every row of a block, in the order of `_order`."""
        return self.table(name).rows()

    def table(self, name: str) -> Table:
        table = self._tables.get(name)
        if table is None:
            block = BLOCKS[name]
            table = self._tables[name] = Table(block, _read(self.store, block))
        return table

    def of(self, name: str, owner: Owner | None) -> list[Row]:
        """The rows of one owner of a block."""
        return self.table(name).by_owner.get(owner, [])

    @property
    def read(self) -> frozenset[str]:
        """The blocks read so far."""
        return frozenset(self._tables)

    def follow(self, deltas: Sequence[Delta]) -> dict[str, list[Changed]] | None:
        """Bring the blocks read so far up to the store's state after `deltas` (already
        committed), and say which owners' rows changed, per block (a block read whole changes
        as one owner, key None). None: the change is too large to follow (more than
        FOLLOW_TRIPLES triples); the tables are then left as they were, to be read again."""
        if sum(delta.size() for delta in deltas) > FOLLOW_TRIPLES:
            return None
        touched: set[Owner] = set()
        types: dict[Owner, set[str]] = {}
        for delta in deltas:
            for triples in (*delta.added.values(), *delta.removed.values()):
                for t in triples:
                    subject = t.subject
                    if isinstance(subject, ox.NamedNode | ox.BlankNode):
                        touched.add(subject)
                        if t.predicate == _RDF_TYPE and isinstance(t.object, ox.NamedNode):
                            types.setdefault(subject, set()).add(t.object.value)
        if not touched or not self._tables:
            return {}
        candidates = set(touched)
        for node in touched:
            candidates.update(self._linking(node))
        for node in candidates:
            types.setdefault(node, set()).update(self._types(node))
        changes: dict[str, list[Changed]] = {}
        for name, table in self._tables.items():
            block = table.block
            owners = [
                n for n in candidates if not block.classes or types.get(n, set()) & block.classes
            ]
            if not owners:
                continue
            if block.owner is None or len(owners) > FOLLOW_AT_MOST:
                found = self._whole(table)
            else:
                found = self._owners(table, owners)
            if found:
                changes[name] = found
        return changes

    def _linking(self, node: Owner) -> set[Owner]:
        """The subjects of triples whose object is `node`, in the store as it is now."""
        result = self.store.query("SELECT ?s ?o WHERE { ?s ?p ?o }", substitutions={"o": node})
        found: set[Owner] = set()
        for row in result:  # type: ignore[union-attr]
            subject = row.get("s")
            if isinstance(subject, ox.NamedNode | ox.BlankNode):
                found.add(subject)
        return found

    def _types(self, node: Owner) -> set[str]:
        result = self.store.query("SELECT ?s ?t WHERE { ?s a ?t }", substitutions={"s": node})
        return {
            t.value
            for row in result  # type: ignore[union-attr]
            if isinstance(t := row.get("t"), ox.NamedNode)
        }

    def _owners(self, table: Table, owners: Iterable[Owner]) -> list[Changed]:
        column = table.block.owner
        assert column is not None
        out: list[Changed] = []
        for owner in sorted(owners, key=str):
            before = table.by_owner.get(owner, [])
            after = _read(self.store, table.block, owner).get(owner, [])
            if before == after:
                continue
            if after:
                table.by_owner[owner] = after
            else:
                table.by_owner.pop(owner, None)
            key = (after or before)[0][column]
            out.append(Changed(owner, key, tuple(before), tuple(after)))
        return out

    def _whole(self, table: Table) -> list[Changed]:
        """Read a block whole again; every owner whose rows differ is changed."""
        before = table.by_owner
        after = _read(self.store, table.block)
        table.by_owner = after
        column = table.block.owner
        out: list[Changed] = []
        for owner in sorted(set(before) | set(after), key=str):
            old, new = before.get(owner, []), after.get(owner, [])
            if old != new:
                key = None if column is None else (new or old)[0][column]
                out.append(Changed(owner, key, tuple(old), tuple(new)))
        return out
