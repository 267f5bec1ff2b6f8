"""Just enough SPARQL rewriting to page a query and bind its parameters on a remote server.

The lexing is graph.sparql_lexer's. A remote server has no `substitutions` argument and may
silently cut a large result, so the remote backend rewrites query text in three narrow ways:
it binds parameters with a VALUES block placed first in the WHERE group, it strips and
re-applies the query's own top-level LIMIT/OFFSET while paging, and it adds an ORDER BY when a
result spans several pages. All three need to know where the top-level parts of a query are,
which the tokenizer can tell without a full parser. Terms inserted into the text are always
pyoxigraph terms in their N-Triples form, never caller text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from graph.results import Term
from graph.sparql_lexer import matching, tokens
from sic.errors import QueryError

QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


@dataclass(frozen=True)
class QueryShape:
    """Where the top-level parts of one query are (offsets into its text)."""

    text: str
    form: str  # SELECT, CONSTRUCT, ASK or DESCRIBE
    form_start: int  # offset of the form keyword (the prologue ends before it)
    template: tuple[int, int] | None  # CONSTRUCT template braces, inclusive offsets
    where: tuple[int, int] | None  # WHERE group braces: offset of '{' and of its '}'
    limit: int | None
    offset: int | None
    modifiers_cut: list[tuple[int, int]]  # spans of the top-level LIMIT/OFFSET clauses
    has_order_by: bool
    values_start: int | None  # a trailing top-level VALUES clause
    star: bool = False  # SELECT *: its columns come in a server's own order
    has_from: bool = False  # FROM / FROM NAMED clauses (a subquery cannot hold them)

    @property
    def prologue(self) -> str:
        return self.text[: self.form_start]


def shape(text: str) -> QueryShape:
    """Locate the query form, WHERE group and solution modifiers of a query.

    :raises QueryError: if the text is not a query (an update, or no query form at all).
    """
    toks = tokens(text)
    form_index = next(
        (i for i, t in enumerate(toks) if t.depth == 0 and t.keyword in QUERY_FORMS), None
    )
    if form_index is None:
        raise QueryError("not a SPARQL query: expected SELECT, CONSTRUCT, ASK or DESCRIBE")
    form = toks[form_index].keyword
    i = form_index + 1
    after = [t.text.upper() for t in toks[i : i + 2]]
    star = form == "SELECT" and (after[:1] == ["*"] or after[1:2] == ["*"])
    template: tuple[int, int] | None = None
    if form == "CONSTRUCT" and i < len(toks) and toks[i].text == "{":
        close = matching(toks, i)
        template = (toks[i].start, toks[close].start)
        i = close + 1
    where: tuple[int, int] | None = None
    where_end_index = len(toks) - 1
    has_from = False
    for j in range(i, len(toks)):
        t = toks[j]
        has_from = has_from or (t.depth == 0 and t.keyword == "FROM")
        if t.depth == 0 and t.text == "{":
            close = matching(toks, j)
            where = (t.start, toks[close].start)
            where_end_index = close
            break
    limit = offset = None
    cuts: list[tuple[int, int]] = []
    has_order_by = False
    values_start = None
    if where is not None:
        j = where_end_index + 1
        while j < len(toks):
            t = toks[j]
            if t.depth == 0 and t.keyword in ("LIMIT", "OFFSET") and j + 1 < len(toks):
                number = toks[j + 1]
                if number.kind != "number" or not number.text.isdigit():
                    raise QueryError(f"{t.keyword} must be followed by an integer")
                if t.keyword == "LIMIT":
                    limit = int(number.text)
                else:
                    offset = int(number.text)
                cuts.append((t.start, number.end))
                j += 2
                continue
            if t.depth == 0 and t.keyword == "ORDER":
                has_order_by = True
            if t.depth == 0 and t.keyword == "VALUES":
                values_start = t.start
                break
            j += 1
    return QueryShape(
        text=text,
        form=form,
        form_start=toks[form_index].start,
        template=template,
        where=where,
        limit=limit,
        offset=offset,
        modifiers_cut=cuts,
        has_order_by=has_order_by,
        values_start=values_start,
        star=star,
        has_from=has_from,
    )


def term_text(term: Term) -> str:
    """A term as SPARQL text: pyoxigraph's N-Triples form, which SPARQL reads as is."""
    if isinstance(term, ox.BlankNode):
        raise QueryError("a blank node cannot be bound as a query parameter")
    return str(term)


def values_block(bindings: Mapping[str, Term]) -> str:
    """`VALUES (?a ?b) { (<x> "y") }` from terms (variables checked, terms serialised)."""
    names = sorted(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"not a variable name: {name!r}")
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(term_text(bindings[n]) for n in names)
    return f"VALUES ({head}) {{ ({row}) }}"


def values_rows(variable: str, terms: Iterable[ox.NamedNode | ox.Literal]) -> str:
    """`VALUES ?v { <a> <b> }` for one variable and many terms."""
    return f"VALUES ?{variable} {{ {' '.join(str(t) for t in terms)} }}"


def bind(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with `bindings` joined first in its WHERE group (what substitutions mean)."""
    if not bindings:
        return text
    found = shape(text)
    if found.where is None:
        raise QueryError("parameters need a query with a WHERE group")
    at = found.where[0] + 1
    return f"{text[:at]} {values_block(bindings)} {text[at:]}"


def _without_slice(found: QueryShape, order_by: Sequence[str]) -> tuple[str, str]:
    """(query up to its solution modifiers with an ORDER BY added, trailing VALUES clause)."""
    text = found.text
    end = found.values_start if found.values_start is not None else len(text)
    head, tail = text[:end], text[end:]
    for start, stop in sorted(found.modifiers_cut, reverse=True):
        head = head[:start] + " " * (stop - start) + head[stop:]
    order = ""
    if order_by and not found.has_order_by:
        order = " ORDER BY " + " ".join(f"?{v}" for v in order_by)
    return head.rstrip() + order, tail


def paged(found: QueryShape, limit: int, offset: int, order_by: Sequence[str] = ()) -> str:
    """The query with its own LIMIT/OFFSET replaced by `limit`/`offset` (and an ORDER BY)."""
    head, tail = _without_slice(found, order_by)
    return f"{head} LIMIT {limit} OFFSET {offset}\n{tail}"


def paged_subquery(
    found: QueryShape, limit: int, offset: int, order_by: Sequence[str], variables: Sequence[str]
) -> str:
    """The ordered query as a subquery, sliced outside: a page past a sort limit.

    Virtuoso refuses an ORDER BY whose LIMIT + OFFSET passes its row cap (error SR353) but
    slices an ordered subquery, and keeps its order.
    """
    if found.has_from:
        raise QueryError(
            "this server cannot page an ordered query with FROM clauses past its row cap; "
            "name the graphs with default_graph instead"
        )
    head, tail = _without_slice(found, order_by)
    inner = head[found.form_start :] + "\n" + tail
    columns = " ".join(f"?{v}" for v in variables) or "*"
    return (
        f"{found.prologue}SELECT {columns} WHERE {{ {{ {inner} }} }} "
        f"LIMIT {limit} OFFSET {offset}\n"
    )


def count_query(found: QueryShape) -> str:
    """How many rows the query returns (its own LIMIT/OFFSET applied), as one row.

    A count is a single row, which no row cap can cut: comparing it with the rows a server sent
    tells whether it sent them all.
    """
    if found.has_from:
        raise QueryError("a query with FROM clauses cannot be counted as a subquery")
    inner = found.text[found.form_start :]
    return f"{found.prologue}SELECT (COUNT(*) AS ?count) WHERE {{ {{ {inner}\n }} }}\n"


def construct_as_select(found: QueryShape) -> tuple[str, str]:
    """Split a CONSTRUCT into (SELECT * over its WHERE, the template) for paging.

    The short form `CONSTRUCT WHERE { ... }` uses its pattern as the template.
    """
    if found.form != "CONSTRUCT" or found.where is None:
        raise QueryError("not a CONSTRUCT query with a WHERE group")
    text = found.text
    where_open, where_close = found.where
    body = text[where_open + 1 : where_close]
    template = (
        text[found.template[0] + 1 : found.template[1]] if found.template is not None else body
    )
    rest_start = (found.template[1] + 1) if found.template is not None else found.form_start + 9
    select = f"{found.prologue}SELECT * {text[rest_start:]}"
    return select, template


def graph_update(graph: ox.NamedNode, triples: Sequence[ox.Triple]) -> str:
    """One INSERT operation putting `triples` into `graph`.

    INSERT DATA when there is no blank node; otherwise a template with an empty WHERE (Virtuoso
    refuses blank nodes in INSERT DATA), where one label is one node within the operation.
    """
    body = " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
    blank = any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    )
    if blank:
        return f"INSERT {{ GRAPH {graph} {{ {body} }} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH {graph} {{ {body} }} }}"
