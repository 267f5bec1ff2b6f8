"""The W3C SPARQL 1.1 query and update evaluation suites: manifests read, cases run on a target.

The suites (tests/data/w3c-eval, copied verbatim from w3c/rdf-tests) assume each file's own
URL as its base IRI and as the name of the graph a `qt:graphData` file is loaded into, so every
file is given its URL under https://w3c.github.io/rdf-tests/sparql/sparql11/FOLDER/. Entries are
taken in `mf:entries` order; an entry whose type no runner here handles is kept in `not_run`
with its type, never dropped.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Literal

import pyoxigraph as ox


def _sibling(name: str) -> ModuleType:
    """A helper module of this folder (tests is no package; pytest imports with importlib)."""
    key = f"sic_conformance_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, Path(__file__).with_name(f"{name}.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules[key]


if TYPE_CHECKING:
    import harness as h
else:
    h = _sibling("harness")

BASE = "https://w3c.github.io/rdf-tests/sparql/sparql11/"
QUERY_FOLDERS = (
    "aggregates", "bind", "bindings", "cast", "construct", "csv-tsv-res", "exists", "functions",
    "grouping", "json-res", "negation", "project-expression", "property-path", "subquery",
)  # fmt: skip
UPDATE_FOLDERS = (
    "add", "basic-update", "clear", "copy", "delete-data", "delete-insert", "delete-where",
    "delete", "drop", "move", "update-silent",
)  # fmt: skip

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

QUERY_TYPES = {"QueryEvaluationTest", "CSVResultFormatTest"}
UPDATE_TYPES = {"UpdateEvaluationTest"}

Kind = Literal["query", "update"]


@dataclass(frozen=True)
class DataFile:
    """A file to load: where it is, its URL (its base IRI), and its graph (None: default)."""

    path: Path
    url: str
    graph: str | None


@dataclass(frozen=True)
class Case:
    """One evaluation test: the query or update request, its data and its expected result."""

    id: str
    folder: str
    kind: Kind
    type: str
    name: str
    text: Path
    text_url: str
    data: tuple[DataFile, ...]
    result: DataFile | None = None
    """The expected answer of a query test."""
    expected: tuple[DataFile, ...] = ()
    """The expected dataset of an update test."""


@dataclass(frozen=True)
class NotRun:
    """A manifest entry of a type these runners do not handle (listed, never hidden)."""

    id: str
    type: str
    name: str


@dataclass(frozen=True)
class Suites:
    cases: list[Case]
    not_run: list[NotRun]


class _Manifest:
    """A manifest's triples indexed by subject, and its files mapped back to local paths."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.base = f"{BASE}{folder.name}/"
        self.index: dict[object, dict[str, list[h.Term]]] = defaultdict(lambda: defaultdict(list))
        for quad in ox.parse(path=folder / "manifest.ttl", base_iri=self.base + "manifest.ttl"):
            self.index[quad.subject][quad.predicate.value].append(quad.object)

    def one(self, subject: object, predicate: str) -> h.Term | None:
        values = self.index[subject].get(predicate, [])
        assert len(values) <= 1, f"{subject} has several {predicate}"
        return values[0] if values else None

    def all(self, subject: object, predicate: str) -> list[h.Term]:
        return list(self.index[subject].get(predicate, []))

    def items(self, head: h.Term | None) -> list[h.Term]:
        out = []
        while head is not None and head != ox.NamedNode(RDF + "nil"):
            first = self.one(head, RDF + "first")
            assert first is not None, "a broken RDF list"
            out.append(first)
            head = self.one(head, RDF + "rest")
        return out

    def file(self, term: h.Term | None, graph: str | None = None) -> DataFile:
        assert isinstance(term, ox.NamedNode), f"a file IRI expected, {term} given"
        assert term.value.startswith(self.base), term.value
        path = self.folder / term.value[len(self.base) :]
        assert path.is_file(), f"{path} is missing"
        return DataFile(path, term.value, graph)

    def graph_data(self, subject: h.Term, predicate: str) -> list[DataFile]:
        """`qt:graphData <f>` (named by its URL) or `[ut:graph <f>; rdfs:label "IRI"]`."""
        out = []
        for value in self.all(subject, predicate):
            if isinstance(value, ox.NamedNode):
                out.append(self.file(value, value.value))
            else:
                label = self.one(value, RDFS_LABEL)
                assert isinstance(label, ox.Literal), f"a graph without a name in {subject}"
                out.append(self.file(self.one(value, UT + "graph"), label.value))
        return out


def read_manifest(folder: Path) -> Suites:
    """The cases of one folder, in `mf:entries` order."""
    manifest = _Manifest(folder)
    root = ox.NamedNode(manifest.base + "manifest.ttl")
    cases: list[Case] = []
    not_run: list[NotRun] = []
    for entry in manifest.items(manifest.one(root, MF + "entries")):
        assert isinstance(entry, ox.NamedNode)
        local = entry.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        case_id = f"{folder.name}/{local}"
        types = [t.value.removeprefix(MF) for t in manifest.all(entry, RDF + "type")]
        assert len(types) == 1, f"{case_id}: types {types}"
        name_term = manifest.one(entry, MF + "name")
        name = name_term.value if isinstance(name_term, ox.Literal) else local
        action = manifest.one(entry, MF + "action")
        result = manifest.one(entry, MF + "result")
        if types[0] in QUERY_TYPES:
            query = manifest.file(manifest.one(action, QT + "query"))
            data = [manifest.file(d) for d in manifest.all(action, QT + "data")]
            data += manifest.graph_data(action, QT + "graphData")
            cases.append(
                Case(case_id, folder.name, "query", types[0], name, query.path, query.url,
                     tuple(data), result=manifest.file(result))
            )  # fmt: skip
        elif types[0] in UPDATE_TYPES:
            request = manifest.file(manifest.one(action, UT + "request"))
            data = [manifest.file(d) for d in manifest.all(action, UT + "data")]
            data += manifest.graph_data(action, UT + "graphData")
            expected = [manifest.file(d) for d in manifest.all(result, UT + "data")]
            expected += manifest.graph_data(result, UT + "graphData")
            outcome = manifest.one(result, UT + "result")
            assert outcome in (None, ox.NamedNode(UT + "success")), f"{case_id}: {outcome}"
            cases.append(
                Case(case_id, folder.name, "update", types[0], name, request.path, request.url,
                     tuple(data), expected=tuple(expected))
            )  # fmt: skip
        else:
            not_run.append(NotRun(case_id, types[0], name))
    return Suites(cases, not_run)


def read_suites(root: Path) -> Suites:
    """Every case of the query folders, then of the update folders."""
    cases: list[Case] = []
    not_run: list[NotRun] = []
    for folder in (*QUERY_FOLDERS, *UPDATE_FOLDERS):
        suites = read_manifest(root / folder)
        cases += suites.cases
        not_run += suites.not_run
    return Suites(cases, not_run)


# -- running ----------------------------------------------------------------------------------


def load(files: tuple[DataFile, ...]) -> h.Dataset:
    """The dataset the files make: each parsed with its URL as base, blank nodes per file.

    Every named graph a file is given for exists afterwards, even when the file is empty.
    """
    data: h.Dataset = {}
    for f in files:
        graph = None if f.graph is None else ox.NamedNode(f.graph)
        quads = ox.parse(path=f.path, base_iri=f.url, rename_blank_nodes=True)
        data.setdefault(graph, []).extend(q.triple for q in quads)
    return data


def expected_answer(result: DataFile) -> tuple[h.Answer, str]:
    """The expected answer of a query test, and the media type to ask the target for.

    Solutions and booleans are asked for as SPARQL JSON, except where the expected format is
    itself what the test is about (CSV, TSV); graphs as N-Triples.
    """
    suffix = result.path.suffix
    if suffix == ".csv":
        return h.parse_csv_results(result.path.read_text(encoding="utf-8")), h.CSV
    if suffix in (".srx", ".srj", ".tsv"):
        media = {".srx": h.XML, ".srj": h.JSON, ".tsv": h.TSV}[suffix]
        answer = h.decode(result.path.read_bytes(), media)
        return answer, h.TSV if suffix == ".tsv" else h.JSON
    triples = [q.triple for q in ox.parse(path=result.path, base_iri=result.url)]
    result_set = h.result_set_of(triples)
    if result_set is not None:
        return result_set, h.JSON
    return h.Graph(triples), h.NTRIPLES


@dataclass(frozen=True)
class Outcome:
    """How one case went on one target: passed, or why not."""

    passed: bool
    detail: str
    seconds: float
    numbers_only: bool = False
    """Failed, but would pass with numbers compared by value (see harness.by_value)."""


def run_case(case: Case, target: h.Target) -> Outcome:
    """Run one case on one target and compare with the expected result.

    A refusal (TargetError) where success is expected is a failure with what the target said.
    Any other exception is a failure too, marked HARNESS so that it is looked into.
    """
    started = time.monotonic()

    def done(detail: str | None, numbers_only: bool = False) -> Outcome:
        return Outcome(detail is None, detail or "", time.monotonic() - started, numbers_only)

    try:
        text = case.text.read_text(encoding="utf-8")
        setup = load(case.data)
        if case.kind == "query":
            assert case.result is not None
            expected, media_type = expected_answer(case.result)
        else:
            expected_data = load(case.expected)
    except Exception:
        return done(f"HARNESS: cannot read the case: {traceback.format_exc(limit=3)}")
    step = "setup"
    try:
        target.reset(setup)
        if case.kind == "query":
            step = "query"
            answer = target.query(text, case.text_url, media_type)
            difference = h.compare_answers(expected, answer)
            return done(
                difference, difference is not None and not h.differs_by_value(expected, answer)
            )
        step = "update"
        target.update(text, case.text_url)
        step = "reading the dataset"
        dataset = target.dataset()
        difference = h.compare_datasets(expected_data, dataset)
        return done(
            difference, difference is not None and not h.differs_by_value(expected_data, dataset)
        )
    except h.TargetError as error:
        return done(f"{step}: {error}")
    except Exception as error:
        return done(f"{step}: {type(error).__name__}: {error}")
