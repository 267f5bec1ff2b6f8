"""What the conformance tests share: answers, their comparison, and the two targets.

A *target* is something that holds an RDF dataset and answers SPARQL: the ENGINE (a plain
in-memory `pyoxigraph.Store`, the floor the service is built on) or the SERVICE (a real
`sic serve` process reached over HTTP exactly as an outside client reaches it). Both implement
`Target`, and both answers go through the same decoding (`decode`) and the same comparison
(`compare_answers`, `compare_datasets`), so that a difference between them can only come from
the service itself.

The comparison is deliberately strict and deliberately one piece of code: solutions are
multisets of rows, graphs are sets of triples, both equal up to a consistent renaming of blank
nodes (`match_rows`). Terms are compared as RDF terms (lexical form, datatype, language), never
by value; rdflib is not used because it normalises literal lexical forms by default. The one
exception is the CSV results format, which cannot carry datatypes or languages: CSV answers
are compared as their normalised text cells.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import quote

import httpx
import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = Mapping[str, Term]
GraphName = ox.NamedNode | None
"""A graph of a dataset: an IRI, or None for the default graph."""
Dataset = dict[GraphName, list[ox.Triple]]

RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

# -- media types ----------------------------------------------------------------------------

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
NTRIPLES = "application/n-triples"
SLOW = 5.0
"""Seconds past which a service request is listed as slow."""

RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    JSON: ox.QueryResultsFormat.JSON,
    XML: ox.QueryResultsFormat.XML,
    TSV: ox.QueryResultsFormat.TSV,
    CSV: ox.QueryResultsFormat.CSV,
}


# -- answers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Solutions:
    """A SELECT answer: its variables and its rows (unbound variables are absent from a row).

    `from_csv` marks rows read from the CSV format, whose cells are plain strings (and
    `_:label` blank nodes): such answers only compare with other CSV answers.
    """

    variables: tuple[str, ...]
    rows: list[dict[str, Term]]
    from_csv: bool = False


@dataclass(frozen=True)
class Boolean:
    """An ASK answer."""

    value: bool


@dataclass(frozen=True)
class Graph:
    """A CONSTRUCT or DESCRIBE answer."""

    triples: list[ox.Triple]


Answer = Solutions | Boolean | Graph


def media_type_of(content_type: str | None) -> str:
    """`text/csv; charset=utf-8` -> `text/csv`."""
    return (content_type or "").split(";")[0].strip().lower()


def solutions_of(results: ox.QuerySolutions) -> Solutions:
    variables = tuple(v.value for v in results.variables)
    rows: list[dict[str, Term]] = []
    for solution in results:
        row: dict[str, Term] = {}
        for name in variables:
            value = solution[name]
            if value is not None:
                row[name] = value
        rows.append(row)
    return Solutions(variables, rows)


def parse_csv_results(text: str) -> Solutions:
    """Read SPARQL CSV results into plain-string cells, as the CSV/TSV spec lets us.

    CSV drops datatypes and languages, so every cell becomes a plain literal of its text,
    except `_:label` (a blank node, so that labels are compared up to renaming). An empty
    cell is an unbound variable (CSV cannot tell it from an empty string; neither can we).
    Quoting and line ends (the spec's CRLF) are undone by the csv module.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    table = [line for line in reader if line != []]
    if not table:
        return Solutions((), [], from_csv=True)
    header = tuple(table[0])
    rows: list[dict[str, Term]] = []
    for line in table[1:]:
        row: dict[str, Term] = {}
        for name, cell in zip(header, line, strict=False):
            if cell == "":
                continue
            term: Term = ox.Literal(cell)
            if cell.startswith("_:"):
                try:
                    term = ox.BlankNode(cell[2:])
                except ValueError:
                    term = ox.Literal(cell)
            row[name] = term
        if len(line) != len(header):
            row["(columns)"] = ox.Literal(f"{len(line)} cells for {len(header)} variables")
        rows.append(row)
    return Solutions(header, rows, from_csv=True)


def decode(body: bytes, media_type: str) -> Answer:
    """An answer from its serialization (the same code for the engine and the service)."""
    if media_type == CSV:
        return parse_csv_results(body.decode("utf-8"))
    if media_type in RESULTS_FORMATS:
        parsed = ox.parse_query_results(body, format=RESULTS_FORMATS[media_type])
        if isinstance(parsed, ox.QueryBoolean):
            return Boolean(bool(parsed))
        return solutions_of(parsed)
    if media_type == NTRIPLES:
        return Graph([q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)])
    raise ValueError(f"cannot read answers in {media_type!r}")


def result_set_of(triples: Sequence[ox.Triple]) -> Answer | None:
    """The answer written with the DAWG result-set vocabulary (`rs:ResultSet`), if it is one.

    Two SPARQL 1.1 tests give their expected SELECT answers as a Turtle graph of this
    vocabulary instead of a results document.
    """
    by_subject: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        by_subject[t.subject][t.predicate.value].append(t.object)
    roots = [
        s for s, po in by_subject.items() if ox.NamedNode(RS + "ResultSet") in po[RDF_TYPE.value]
    ]
    if len(roots) != 1:
        return None
    root = by_subject[roots[0]]
    if root[RS + "boolean"]:
        value = root[RS + "boolean"][0]
        return Boolean(isinstance(value, ox.Literal) and value.value == "true")
    variables = tuple(_text(v) for v in root[RS + "resultVariable"])
    rows: list[dict[str, Term]] = []
    for solution in root[RS + "solution"]:
        row: dict[str, Term] = {}
        for binding in by_subject[solution][RS + "binding"]:
            name = by_subject[binding][RS + "variable"][0]
            row[_text(name)] = by_subject[binding][RS + "value"][0]
        rows.append(row)
    return Solutions(variables, rows)


def _text(term: Term) -> str:
    assert isinstance(term, ox.Literal), f"a literal expected, {term} given"
    return term.value


# -- comparison: multisets of rows up to blank node renaming ----------------------------------


class Undecided(Exception):
    """The matcher gave up (too many candidate renamings): never counted as a pass."""


def _is_blank(term: Term) -> bool:
    return isinstance(term, ox.BlankNode)


def _blanks(rows: Iterable[Row]) -> set[ox.BlankNode]:
    return {t for row in rows for t in row.values() if isinstance(t, ox.BlankNode)}


def _colours(rows: Sequence[Row], rounds: int = 3) -> dict[ox.BlankNode, str]:
    """An isomorphism-invariant colour per blank node (colour refinement over the rows).

    A blank node's colour starts equal for all, then becomes a digest of the rows it appears
    in, seen with the other blank nodes' colours of the previous round. Two rows can only
    match if their colour-shapes are equal, and a blank node can only be renamed into one of
    the same colour: this prunes the search without ever excluding a real renaming.
    """
    colour = dict.fromkeys(_blanks(rows), "")
    for _ in range(rounds):
        seen: dict[ox.BlankNode, list[str]] = defaultdict(list)
        for row in rows:
            shape = _shape(row, colour)
            for name, term in row.items():
                if isinstance(term, ox.BlankNode):
                    seen[term].append(f"{name}@{shape}")
        colour = {
            b: hashlib.sha1("\n".join(sorted(seen[b])).encode()).hexdigest()[:16] for b in colour
        }
    return colour


def _shape(row: Row, colour: Mapping[ox.BlankNode, str]) -> str:
    """A row with each blank node replaced by its colour (and its place among the row's)."""
    order: dict[ox.BlankNode, int] = {}
    cells = []
    for name in sorted(row):
        term = row[name]
        if isinstance(term, ox.BlankNode):
            index = order.setdefault(term, len(order))
            cells.append(f"{name}=_:{colour.get(term, '')}#{index}")
        else:
            cells.append(f"{name}={term}")
    return " ".join(cells)


def show_row(row: Row) -> str:
    return "{" + ", ".join(f"?{name}={row[name]}" for name in sorted(row)) + "}"


def match_rows(
    expected: Sequence[Row], actual: Sequence[Row], *, budget: int = 200_000
) -> str | None:
    """None when `actual` equals `expected` as a multiset up to a blank node bijection.

    Otherwise a description of the difference. Rows without blank nodes must match exactly
    (as multisets); rows with blank nodes are matched by backtracking over a consistent
    bijection between the two sides' blank nodes, candidates pruned by colour. A found
    matching is checked by construction (every expected row consumed one actual row under one
    bijection), so a pass is always real; `Undecided` is raised past `budget` steps.
    """
    if len(expected) != len(actual):
        return f"{len(expected)} rows expected, {len(actual)} given" + _row_difference(
            expected, actual
        )
    expected_ground = Counter(_shape(r, {}) for r in expected if not _blanks([r]))
    actual_ground = Counter(_shape(r, {}) for r in actual if not _blanks([r]))
    if expected_ground != actual_ground:
        return "rows differ" + _row_difference(expected, actual)
    expected_blank = [r for r in expected if _blanks([r])]
    actual_blank = [r for r in actual if _blanks([r])]
    if not expected_blank:
        return None
    e_colour = _colours(expected_blank)
    a_colour = _colours(actual_blank)
    e_shapes = [_shape(r, e_colour) for r in expected_blank]
    a_shapes = [_shape(r, a_colour) for r in actual_blank]
    if Counter(e_shapes) != Counter(a_shapes):
        return "rows with blank nodes differ" + _row_difference(expected_blank, actual_blank)
    candidates: dict[str, list[int]] = defaultdict(list)
    for index, shape in enumerate(a_shapes):
        candidates[shape].append(index)
    order = _connected_order(expected_blank, [len(candidates[shape]) for shape in e_shapes])
    actual_by_blank: dict[ox.BlankNode, list[int]] = defaultdict(list)
    for index, row in enumerate(actual_blank):
        for b in dict.fromkeys(t for t in row.values() if isinstance(t, ox.BlankNode)):
            actual_by_blank[b].append(index)
    forward: dict[ox.BlankNode, ox.BlankNode] = {}
    backward: dict[ox.BlankNode, ox.BlankNode] = {}
    used = [False] * len(actual_blank)

    def extend(e_row: Row, a_row: Row) -> list[ox.BlankNode] | None:
        """Bind e_row's blank nodes to a_row's; the newly bound ones, or None on conflict."""
        added: list[ox.BlankNode] = []
        for name, e_term in e_row.items():
            a_term = a_row[name]
            if not isinstance(e_term, ox.BlankNode):
                continue
            assert isinstance(a_term, ox.BlankNode)
            known = forward.get(e_term)
            if known is None:
                if a_term in backward:
                    break
                forward[e_term] = a_term
                backward[a_term] = e_term
                added.append(e_term)
            elif known != a_term:
                break
        else:
            return added
        undo(added)
        return None

    def undo(added: list[ox.BlankNode]) -> None:
        for e_term in added:
            del backward[forward.pop(e_term)]

    def options_for(e_index: int) -> list[int]:
        """The actual rows of the same shape; only those holding the image of a blank node of
        the row that is already renamed, when there is one (so the search follows the rows'
        connections instead of guessing)."""
        shape = e_shapes[e_index]
        for term in expected_blank[e_index].values():
            if isinstance(term, ox.BlankNode) and term in forward:
                return [i for i in actual_by_blank[forward[term]] if a_shapes[i] == shape]
        return candidates[shape]

    def search() -> bool:
        """Depth-first over `order`, with an explicit stack (rows can be thousands deep)."""
        steps = 0
        chosen = [-1] * len(order)  # the candidate tried at each position
        bound: list[list[ox.BlankNode] | None] = [None] * len(order)
        tried: list[list[int]] = [[] for _ in order]
        position = 0
        while 0 <= position < len(order):
            e_index = order[position]
            if chosen[position] == -1 and bound[position] is None:
                tried[position] = options_for(e_index)  # the earlier positions are fixed now
            options = tried[position]
            previous = bound[position]
            if previous is not None:  # come back to try the next candidate here
                undo(previous)
                used[options[chosen[position]]] = False
                bound[position] = None
            for k in range(chosen[position] + 1, len(options)):
                if used[options[k]]:
                    continue
                steps += 1
                if steps > budget:
                    raise Undecided(f"no decision after {budget} steps")
                added = extend(expected_blank[e_index], actual_blank[options[k]])
                if added is not None:
                    used[options[k]] = True
                    chosen[position], bound[position] = k, added
                    position += 1
                    if position < len(order):
                        chosen[position] = -1
                    break
            else:
                chosen[position] = -1
                position -= 1
        return position == len(order)

    if search():
        return None
    return "same rows, but no consistent renaming of blank nodes maps one side onto the other"


def _connected_order(rows: Sequence[Row], choices: Sequence[int]) -> list[int]:
    """Rows in breadth-first order over shared blank nodes, each component started at its
    row with the fewest candidates: every row after the first of its component shares a blank
    node with an earlier one, whose renaming then narrows its candidates."""
    by_blank: dict[ox.BlankNode, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        for term in row.values():
            if isinstance(term, ox.BlankNode):
                by_blank[term].append(index)
    remaining = set(range(len(rows)))
    order: list[int] = []
    while remaining:
        start = min(remaining, key=lambda i: (choices[i], i))
        remaining.discard(start)
        queue = deque([start])
        while queue:
            index = queue.popleft()
            order.append(index)
            for term in rows[index].values():
                if isinstance(term, ox.BlankNode):
                    for other in by_blank[term]:
                        if other in remaining:
                            remaining.discard(other)
                            queue.append(other)
    return order


def _row_difference(expected: Sequence[Row], actual: Sequence[Row], limit: int = 8) -> str:
    """The rows only one side has (blank nodes shown as `_:`), for the failure message."""

    def key(row: Row) -> str:
        return show_row({k: (ox.BlankNode("b") if _is_blank(v) else v) for k, v in row.items()})

    missing = Counter(key(r) for r in expected) - Counter(key(r) for r in actual)
    extra = Counter(key(r) for r in actual) - Counter(key(r) for r in expected)
    lines = []
    if not missing and not extra:
        shared = (len(_blanks(expected)), len(_blanks(actual)))
        return (
            f"\n  the rows agree with blank nodes masked, not in which blank nodes they share:"
            f" {shared[0]} distinct blank nodes expected, {shared[1]} given"
        )
    for title, rows in (("missing", missing), ("unexpected", extra)):
        if rows:
            shown = list(rows.elements())
            lines.append(f"\n  {title} ({len(shown)}):")
            lines += [f"\n    {r}" for r in shown[:limit]]
            if len(shown) > limit:
                lines.append(f"\n    ... and {len(shown) - limit} more")
    return "".join(lines)


def triple_rows(triples: Iterable[ox.Triple]) -> list[dict[str, Term]]:
    """A graph as rows ?s ?p ?o, duplicates removed (a graph is a set)."""
    unique = {(t.subject, t.predicate, t.object) for t in triples}
    return [{"s": s, "p": p, "o": o} for s, p, o in unique]


def compare_graphs(expected: Iterable[ox.Triple], actual: Iterable[ox.Triple]) -> str | None:
    """None when the graphs are isomorphic, else what differs."""
    return match_rows(triple_rows(expected), triple_rows(actual))


XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = {
    XSD + name
    for name in (
        "integer", "nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte",
        "nonNegativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
        "positiveInteger",
    )
}  # fmt: skip


def by_value(term: Term) -> Term:
    """A numeric or boolean literal replaced by one canonical literal of its value.

    For diagnosis only, never for pass/fail: pyoxigraph stores and computes numbers by value
    and gives them back in its own lexical form (`"1.0"^^xsd:decimal` comes back as `"1"`,
    `xsd:negativeInteger` as `xsd:integer`), which RDF term equality rightly counts as a
    difference. This tells such cases apart from real ones in the summary.
    """
    if not isinstance(term, ox.Literal):
        return term
    datatype = term.datatype.value
    try:
        if datatype in INTEGER_TYPES:
            return ox.Literal(str(int(term.value)), datatype=ox.NamedNode(XSD + "integer"))
        if datatype == XSD + "decimal":
            value = Decimal(term.value)
            return ox.Literal(format(value.normalize(), "f"), datatype=term.datatype)
        if datatype in (XSD + "double", XSD + "float"):
            return ox.Literal(repr(float(term.value)), datatype=term.datatype)
        if datatype == XSD + "boolean":
            return ox.Literal(str(term.value in ("true", "1")).lower(), datatype=term.datatype)
    except (ValueError, ArithmeticError):
        return term
    return term


def _valued(answer: Answer) -> Answer:
    if isinstance(answer, Solutions):
        rows = [{k: by_value(v) for k, v in row.items()} for row in answer.rows]
        return Solutions(answer.variables, rows, answer.from_csv)
    if isinstance(answer, Graph):
        return Graph([_valued_triple(t) for t in answer.triples])
    return answer


def _valued_triple(t: ox.Triple) -> ox.Triple:
    return ox.Triple(t.subject, t.predicate, by_value(t.object))


def differs_by_value(expected: Answer | Dataset, actual: Answer | Dataset) -> bool:
    """Whether two answers (or datasets) still differ with numbers compared by value."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        valued = (
            {g: [_valued_triple(t) for t in ts] for g, ts in d.items()} for d in (expected, actual)
        )
        return compare_datasets(next(valued), next(valued)) is not None
    assert not isinstance(expected, dict) and not isinstance(actual, dict)
    return compare_answers(_valued(expected), _valued(actual)) is not None


def compare_answers(expected: Answer, actual: Answer, *, ordered: bool = False) -> str | None:
    """None when `actual` is `expected`; otherwise what differs.

    `ordered` also requires the rows in the same order (for the differential tests' ORDER BY
    queries, whose order is total by construction); the W3C suites never check order.
    """
    try:
        if isinstance(expected, Boolean):
            if not isinstance(actual, Boolean):
                return f"a boolean expected, {type(actual).__name__} given"
            if expected.value != actual.value:
                return f"{expected.value} expected, {actual.value} given"
            return None
        if isinstance(expected, Graph):
            if not isinstance(actual, Graph):
                return f"a graph expected, {type(actual).__name__} given"
            return compare_graphs(expected.triples, actual.triples)
        if not isinstance(actual, Solutions):
            return f"solutions expected, {type(actual).__name__} given"
        if expected.from_csv != actual.from_csv:
            return "CSV cells compare only with CSV cells"
        if set(expected.variables) != set(actual.variables):
            return f"variables {sorted(expected.variables)} expected, {sorted(actual.variables)}"
        difference = match_rows(expected.rows, actual.rows)
        if difference is None and ordered:
            if any(_blanks([r]) for r in expected.rows):
                return "an ordered comparison of rows with blank nodes is not meaningful"
            if [_shape(r, {}) for r in expected.rows] != [_shape(r, {}) for r in actual.rows]:
                return "the same rows in another order"
        return difference
    except Undecided as error:
        return f"comparison undecided: {error}"


def compare_datasets(expected: Dataset, actual: Dataset) -> str | None:
    """Default graphs isomorphic, and the same non-empty named graphs, each isomorphic.

    Each graph is compared on its own (blank nodes renamed per graph), as the update
    evaluation tests mean it: their expected graphs come from separate files.
    """
    problems = []
    difference = compare_graphs(expected.get(None, []), actual.get(None, []))
    if difference is not None:
        problems.append(f"default graph: {difference}")
    e_names = {g for g, triples in expected.items() if g is not None and triples}
    a_names = {g for g, triples in actual.items() if g is not None and triples}
    for name in sorted(e_names - a_names, key=str):
        problems.append(f"named graph {name} is missing")
    for name in sorted(a_names - e_names, key=str):
        problems.append(f"unexpected named graph {name} ({len(actual[name])} triples)")
    for name in sorted(e_names & a_names, key=str):
        difference = compare_graphs(expected[name], actual[name])
        if difference is not None:
            problems.append(f"named graph {name}: {difference}")
    return "\n".join(problems) or None


# -- targets ----------------------------------------------------------------------------------


class TargetError(Exception):
    """A request the target refused or could not run, with what it said.

    `answered` is False when no answer came at all (timeout, broken connection): that is
    never a refusal, and the differential tests do not count it as one.
    """

    def __init__(self, message: str, *, answered: bool = True) -> None:
        super().__init__(message)
        self.answered = answered


class Target(Protocol):
    """What both the engine and the service offer the runners."""

    name: str

    def reset(self, data: Dataset) -> None:
        """Hold exactly `data` (a named graph given with no triples exists, empty)."""

    def query(self, text: str, base_iri: str | None, media_type: str) -> Answer:
        """Run a query; the answer as serialized in `media_type` and read back."""

    def update(self, text: str, base_iri: str | None) -> None:
        """Run an update request (raises TargetError when it is refused)."""

    def dataset(self) -> Dataset:
        """The whole dataset: default graph and named graphs."""


class EngineTarget:
    """pyoxigraph directly: a `Store()` in memory, its store default graph as default graph."""

    name = "engine"

    def __init__(self) -> None:
        self.store = ox.Store()

    def reset(self, data: Dataset) -> None:
        self.store = ox.Store()
        for graph, triples in data.items():
            name: ox.NamedNode | ox.DefaultGraph = ox.DefaultGraph() if graph is None else graph
            if graph is not None:
                self.store.add_graph(graph)
            self.store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)

    def query(self, text: str, base_iri: str | None, media_type: str) -> Answer:
        """The answer serialized by pyoxigraph in the format the service is asked for, then
        read back by `decode`: the engine's answers take the same path as the service's."""
        try:
            result = self.store.query(text, base_iri=base_iri)
        except (SyntaxError, ValueError, OSError, RuntimeError) as error:
            raise TargetError(f"{type(error).__name__}: {error}") from error
        if isinstance(result, ox.QueryTriples):
            return decode(result.serialize(format=ox.RdfFormat.N_TRIPLES) or b"", NTRIPLES)
        if isinstance(result, ox.QueryBoolean) and media_type in (CSV, TSV):
            media_type = JSON  # the CSV/TSV formats have no boolean
        if media_type not in RESULTS_FORMATS:
            media_type = JSON
        return decode(result.serialize(format=RESULTS_FORMATS[media_type]) or b"", media_type)

    def update(self, text: str, base_iri: str | None) -> None:
        try:
            self.store.update(text, base_iri=base_iri)
        except (SyntaxError, ValueError, OSError, RuntimeError) as error:
            raise TargetError(f"{type(error).__name__}: {error}") from error

    def dataset(self) -> Dataset:
        data: Dataset = defaultdict(list)
        for graph in self.store.named_graphs():
            if isinstance(graph, ox.NamedNode):
                data[graph] = []
        for quad in self.store:
            name = quad.graph_name
            assert isinstance(name, ox.NamedNode | ox.DefaultGraph), f"graph named {name}"
            data[name if isinstance(name, ox.NamedNode) else None].append(quad.triple)
        return dict(data)


def ntriples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


@dataclass
class ServiceTarget:
    """A real `sic serve` process, used as any client would use it.

    Reset: `DROP ALL` through /update, then one Graph Store Protocol PUT (N-Triples) per
    graph. Queries: POST application/sparql-query to /sparql (with `BASE <...>` prepended
    when the test has a base IRI; no dataset parameters). Updates: POST to /update. The
    dataset is read back with GSP GETs of the default graph and of every graph that
    `SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }` lists. Any non-2xx answer is a
    TargetError carrying its status and body.
    """

    url: str
    token: str
    timeout: float = 60.0
    """Seconds per request: well past the service's query timeout (10 s) and its wait for a
    query worker to start (30 s), so that a slow answer is recorded as slow, not as none."""
    name: str = "service"
    client: httpx.Client = field(init=False)
    gone: str | None = field(default=None, init=False)
    slow: list[str] = field(default_factory=list, init=False)
    """Requests that took more than SLOW seconds (reported by the W3C summary)."""

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.url, timeout=self.timeout)

    def close(self) -> None:
        self.client.close()

    def _send(self, method: str, path: str, **options: Any) -> httpx.Response:
        """One request; no answer at all (timeout, connection) is a TargetError too.

        After a request without an answer, the service is asked a trivial query; when that
        is not answered either, the service is taken as gone and every later request fails at
        once with that reason, instead of each waiting for its own timeout.
        """
        if self.gone is not None:
            raise TargetError(self.gone, answered=False)
        started = time.monotonic()
        try:
            response = self.client.request(method, path, **options)
            seconds = time.monotonic() - started
            if seconds > SLOW:
                self.slow.append(f"{method} {path.split('?')[0]}: {seconds:.1f} s")
            return response
        except httpx.HTTPError as error:
            message = f"{method} {path.split('?')[0]}: no answer: {type(error).__name__}: {error}"
            if not self.alive():
                self.gone = f"the service stopped answering ({message})"
            raise TargetError(message, answered=False) from error

    def alive(self, timeout: float = 60.0) -> bool:
        try:
            response = self.client.get("/sparql", params={"query": "ASK {}"}, timeout=timeout)
        except httpx.HTTPError:
            return False
        return response.is_success

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def _check(self, response: httpx.Response, what: str) -> httpx.Response:
        if not response.is_success:
            body = response.text[:1500]
            raise TargetError(f"{what}: HTTP {response.status_code}: {body}")
        return response

    @staticmethod
    def _graph_param(graph: GraphName) -> str:
        return "default" if graph is None else "graph=" + quote(graph.value, safe="")

    def put(self, graph: GraphName, triples: Iterable[ox.Triple]) -> None:
        headers = {**self._auth(), "Content-Type": NTRIPLES}
        response = self._send(
            "PUT", f"/data?{self._graph_param(graph)}", content=ntriples(triples), headers=headers
        )
        self._check(response, f"PUT /data?{self._graph_param(graph)}")

    def get(self, graph: GraphName) -> list[ox.Triple]:
        response = self._send(
            "GET", f"/data?{self._graph_param(graph)}", headers={"Accept": NTRIPLES}
        )
        if response.status_code == 404 and graph is not None:
            return []
        self._check(response, f"GET /data?{self._graph_param(graph)}")
        media = media_type_of(response.headers.get("content-type"))
        if media != NTRIPLES:
            raise TargetError(f"GET /data answered {media!r} for Accept {NTRIPLES}")
        return [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]

    def reset(self, data: Dataset) -> None:
        self.update("DROP ALL", None)
        for graph, triples in data.items():
            self.put(graph, triples)

    def query(self, text: str, base_iri: str | None, media_type: str) -> Answer:
        body = (f"BASE <{base_iri}>\n" if base_iri else "") + text
        headers = {"Content-Type": "application/sparql-query", "Accept": media_type}
        response = self._send("POST", "/sparql", content=body.encode(), headers=headers)
        self._check(response, "POST /sparql")
        given = media_type_of(response.headers.get("content-type"))
        if given != media_type:
            raise TargetError(f"/sparql answered {given!r} for Accept {media_type}")
        return decode(response.content, given)

    def update(self, text: str, base_iri: str | None) -> None:
        body = (f"BASE <{base_iri}>\n" if base_iri else "") + text
        headers = {**self._auth(), "Content-Type": "application/sparql-update"}
        response = self._send("POST", "/update", content=body.encode(), headers=headers)
        self._check(response, "POST /update")

    def graph_names(self) -> list[ox.NamedNode]:
        answer = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", None, JSON)
        assert isinstance(answer, Solutions)
        names = []
        for row in answer.rows:
            name = row.get("g")
            if not isinstance(name, ox.NamedNode):
                raise TargetError(f"a graph named {name} cannot be read with the GSP")
            names.append(name)
        return names

    def dataset(self) -> Dataset:
        data: Dataset = {None: self.get(None)}
        for name in self.graph_names():
            data[name] = self.get(name)
        return data
