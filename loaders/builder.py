"""The machinery the per-sheet mappings share: adding triples with their origin cell, reading
cells with their problems, and resolving references between sheets.

Every problem is recorded and mapping carries on, so one run reports everything that is wrong.
A row whose key is missing is still mapped (onto a blank node) so that its other cells are
checked too; its triples are never kept, since a workbook with problems is not loaded at all.

The triples are kept as a plain list, in the order they were made, not in an rdflib Graph:
indexing them there cost most of the mapping (2.2 of 2.6 s for 95k triples) and nothing
needs to look them up; the store indexes them when they are bulk-loaded. `graph` builds the
rdflib Graph on demand, for small uses (one submitted project, `sic validate`, tests).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import TypeVar

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from loaders import cells as read
from loaders.enums import Enumeration
from loaders.messages import problem as said
from loaders.sheets import BY_NAME, Sheet
from loaders.table import Row, Table, Tables, split
from sic.errors import Location, Problem
from sic.iris import mint

T = TypeVar("T")
Subject = URIRef | BNode
Triple = tuple[Subject, URIRef, Node]


class Builder:
    """The graph being built from one workbook, with where each of its values came from."""

    def __init__(self, tables: Tables, base: str) -> None:
        self.tables = tables
        self.base = base
        self.triples: list[Triple] = []
        self.origins: dict[tuple[Node, Node], Location] = {}
        self.problems: list[Problem] = []
        self.keys: dict[str, dict[str, int]] = {}
        self.agrovoc_topics: dict[str, URIRef] = {}
        self.keyless: set[str] = set()
        self.columns: dict[tuple[str, Node], str] = {}
        # (file, row) -> subjects the row gave a value that an earlier row had given already
        # (a repeated key): with `origins`, every node a row touched (Workbook.made_by)
        self.also_made: dict[tuple[str, int | None], set[Node]] = {}
        self._minted: dict[tuple[str, str], URIRef] = {}

    def add(self, subject: Subject, predicate: URIRef, value: Node, where: Location) -> None:
        """Add a triple; the first cell that gave (subject, predicate) a value is its origin."""
        self.triples.append((subject, predicate, value))
        first = self.origins.setdefault((subject, predicate), where)
        if first is not where and (first.file, first.row) != (where.file, where.row):
            self.also_made.setdefault((where.file, where.row), set()).add(subject)

    @property
    def graph(self) -> Graph:
        """The triples as an rdflib Graph, built anew on each call (see the module docstring)."""
        graph = Graph()
        for triple in self.triples:
            graph.add(triple)
        return graph

    def problem(
        self, where: Location, message: str, translations: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.problems.append(Problem(where, message, translations=translations))

    def say(self, where: Location, key: str, /, **params: object) -> None:
        """Record the problem `key` of `loaders.messages`, in every language it is written in."""
        self.problems.append(said(where, key, "error", **params))

    def iri(self, kind: str, key: str) -> URIRef:
        """The entity's IRI, minted once per entity: references repeat it, and one object for
        each IRI also makes the store's conversion of the triples cheaper (sic.source)."""
        found = self._minted.get((kind, key))
        if found is None:
            found = self._minted[(kind, key)] = mint(kind, key, self.base)
        return found

    def collect_keys(self, sheet: Sheet) -> None:
        """Index a sheet's keys (first row of each) and report repeats and unusable keys."""
        table = self.tables.tables.get(sheet.name)
        index: dict[str, int] = {}
        self.keys[sheet.name] = index
        if table is None or sheet.key is None:
            return
        if sheet.key not in table.columns:
            self.keyless.add(sheet.name)
            return
        for row in table.rows:
            key = row.get(sheet.key)
            if not key:
                continue
            where = table.at(row.number, sheet.key)
            if ";" in key:
                self.say(where, "row.key_separator", column=sheet.key, key=key)
            elif key in index:
                self.say(where, "row.key_duplicate", column=sheet.key, key=key, row=index[key])
            else:
                index[key] = row.number

    def has(self, sheet_name: str, key: str) -> bool:
        return key in self.keys.get(sheet_name, {})

    def readable(self, sheet_name: str) -> bool:
        """False when the sheet's keys are unknown: it could not be read, lacks its key column,
        or is required and missing. Each is reported once already, and every reference into it
        would otherwise be reported again as dangling."""
        if sheet_name in self.tables.unreadable or sheet_name in self.keyless:
            return False
        return sheet_name in self.tables.tables or not BY_NAME[sheet_name].required

    def rows(self, sheet: Sheet) -> list[RowCells]:
        table = self.tables.tables.get(sheet.name)
        if table is None:
            return []
        return [RowCells(self, sheet, table, row) for row in table.rows]


class RowCells:
    """One row being mapped: its cells, read with their location and their problems."""

    def __init__(self, builder: Builder, sheet: Sheet, table: Table, row: Row) -> None:
        self.builder = builder
        self.sheet = sheet
        self.table = table
        self.row = row

    def at(self, column: str | None = None) -> Location:
        return self.table.at(self.row.number, column)

    def value(self, column: str) -> str:
        return self.row.get(column)

    def required(self, column: str) -> str:
        """The value of a required column, reporting it when empty.

        When the whole column is missing the header check has said so once; repeating it on
        every row would only bury the other problems.
        """
        value = self.row.get(column)
        if not value and column in self.table.columns:
            expects = self.sheet.column(column).expects
            self.builder.say(self.at(column), "row.required_value", expects=expects)
        return value

    def read(self, column: str, reader: Callable[[str], T], required: bool = False) -> T | None:
        """One value read with a `loaders.cells` reader, None (reported) when it is bad."""
        text = self.required(column) if required else self.value(column)
        if not text:
            return None
        try:
            return reader(text)
        except read.BadValue as error:
            self.builder.problem(self.at(column), str(error), error.translations)
            return None

    def read_all(self, column: str, reader: Callable[[str], T], required: bool = False) -> list[T]:
        """Every value of a multi-valued cell read with a reader; bad ones reported, skipped."""
        text = self.required(column) if required else self.value(column)
        results: list[T] = []
        for piece in split(text):
            try:
                results.append(reader(piece))
            except read.BadValue as error:
                self.builder.problem(self.at(column), str(error), error.translations)
        return results

    def subject(self, cls: URIRef) -> Subject:
        """The entity a keyed row describes, typed and identified by its key."""
        key_column = self.sheet.key
        if key_column is None:
            raise TypeError(f"{self.sheet.name} has no key column, so its rows are not entities")
        key = self.required(key_column)
        if not key or ";" in key:
            node: Subject = BNode()
            self.builder.add(node, RDF.type, cls, self.at(key_column))
            return node
        subject = self.builder.iri(self.sheet.kind, key)
        self.builder.add(subject, RDF.type, cls, self.at(key_column))
        self.builder.add(subject, DCTERMS.identifier, Literal(key), self.at(key_column))
        return subject

    def add(self, subject: Subject, predicate: URIRef, value: Node | None, column: str) -> None:
        """Add a value read from `column`; None (an empty or bad cell) adds nothing."""
        self._feeds(predicate, column)
        if value is not None:
            self.builder.add(subject, predicate, value, self.at(column))

    def add_all(
        self, subject: Subject, predicate: URIRef, values: Iterable[Node], column: str
    ) -> None:
        self._feeds(predicate, column)
        for value in values:
            self.builder.add(subject, predicate, value, self.at(column))

    def _feeds(self, predicate: URIRef, column: str) -> None:
        """Note that `column` of this file gives `predicate`, even when this cell is empty, so a
        violation about a missing value can point at the empty cell."""
        self.builder.columns.setdefault((self.table.source, predicate), column)

    def texts(self, subject: Subject, column: str, *predicates: URIRef) -> None:
        """A translated text column and its `_fr`/`_es` variants as language-tagged literals."""
        spec = self.sheet.column(column)
        if spec.required:
            self.required(column)
        for predicate in predicates:
            self._feeds(predicate, column)
        for name, language in spec.variants():
            text = self.value(name)
            if text:
                for predicate in predicates:
                    self.builder.add(
                        subject, predicate, Literal(text, lang=language), self.at(name)
                    )

    def enum(self, column: str, enumeration: Enumeration, required: bool = False) -> URIRef | None:
        """The concept for a controlled-list cell; an unknown value lists the allowed ones."""
        text = self.required(column) if required else self.value(column)
        if not text:
            return None
        concept = enumeration.lookup(text)
        if concept is None:
            key, close = hinted("row.unknown_value", text, list(enumeration.concepts))
            self.builder.say(
                self.at(column),
                key,
                suggestion=close,
                noun=enumeration.noun,
                text=text,
                allowed=enumeration.allowed(),
            )
        return concept

    def ref(self, column: str, target: str, required: bool = False) -> URIRef | None:
        """The entity a single-valued reference cell names, reporting it when it does not exist."""
        text = self.required(column) if required else self.value(column)
        return self._resolve(column, target, text) if text else None

    def refs(self, column: str, target: str, required: bool = False) -> list[URIRef]:
        """The entities a multi-valued reference cell names; missing ones are reported."""
        text = self.required(column) if required else self.value(column)
        found = (self._resolve(column, target, piece) for piece in split(text))
        return [iri for iri in found if iri is not None]

    def _resolve(self, column: str, target: str, key: str) -> URIRef | None:
        sheet = BY_NAME[target]
        if self.builder.has(target, key):
            return self.builder.iri(sheet.kind, key)
        if self.builder.readable(target):
            self._dangling(column, sheet, key)
        return None

    def _dangling(self, column: str, sheet: Sheet, key: str) -> None:
        source = self.builder.tables.source(sheet.name)
        known = list(self.builder.keys.get(sheet.name, {}))
        if sheet.name not in self.builder.tables.tables:
            message = "row.dangling_no_source"
            self.builder.say(self.at(column), message, noun=sheet.noun, key=key, source=source)
            return
        message, close = hinted("row.dangling", key, known)
        self.builder.say(
            self.at(column),
            message,
            suggestion=close,
            noun=sheet.noun,
            key=key,
            source=source,
        )

    def topics(self, column: str) -> list[URIRef]:
        """Topic references: a local topic code, or an AGROVOC id (the local topic mapped to it
        when there is one, so that both spellings reach the same node)."""
        found: list[URIRef] = []
        for value in split(self.value(column)):
            if self.builder.has("topics", value):
                found.append(self.builder.iri("topic", value))
            elif read.is_agrovoc_id(value):
                local = self.builder.agrovoc_topics.get(value)
                found.append(local if local is not None else read.agrovoc_iri(value))
            elif self.builder.readable("topics"):
                source = self.builder.tables.source("topics")
                known = list(self.builder.keys.get("topics", {}))
                key, close = hinted("row.unknown_topic", value, known)
                self.builder.say(
                    self.at(column),
                    key,
                    suggestion=close,
                    value=value,
                    source=source,
                )
        return found


def hinted(key: str, value: str, candidates: list[str]) -> tuple[str, str | None]:
    """`key` and no suggestion, or its `_hint` form and the candidate close to `value`."""
    close = suggestion(value, candidates)
    return (key if close is None else key + "_hint"), close


def suggestion(value: str, candidates: list[str]) -> str | None:
    """The candidate closest to `value` when one is close enough to be a likely typo."""
    close = difflib.get_close_matches(value, candidates, n=1, cutoff=0.75)
    return close[0] if close else None
