"""A SPARQL 1.1 Update request cut into its operations, before anything is evaluated.

The service evaluates an update one operation at a time (graph.update), with pyoxigraph doing
all the matching; to do that it needs each operation's parts as text (the WHERE group, the
DELETE and INSERT templates, the quad data) and its graph names resolved (WITH, USING, the
graphs of CLEAR, DROP, CREATE, ADD, MOVE and COPY). The grammar of an operation's outline is
small (SPARQL 1.1 Update, section 3 and the grammar rules [29]-[51]); the patterns and templates
inside the braces are left to pyoxigraph, which checks the whole request first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.sparql_lexer import Prologue, Token, matching
from sic.errors import QueryError

DEFAULT = "DEFAULT"
NAMED = "NAMED"
ALL = "ALL"

GRAPH_MANAGEMENT = ("CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "LOAD")


@dataclass
class Operation:
    """One operation of an update request, its parts as text and its graphs resolved.

    `kind`: INSERT DATA, DELETE DATA, DELETE WHERE, MODIFY, LOAD, CLEAR, DROP, CREATE, ADD,
    MOVE or COPY. `target` (CLEAR, DROP, CREATE, and the destination of ADD/MOVE/COPY) and
    `source` (ADD/MOVE/COPY) are a graph IRI or DEFAULT, NAMED, ALL. `prologue` is the text of
    every BASE and PREFIX declared before the operation, which the parts need to be read.
    """

    kind: str
    start: int
    end: int
    prologue: str
    base: str | None
    silent: bool = False
    target: str | None = None
    source: str | None = None
    data: str = ""
    delete: str | None = None
    insert: str | None = None
    where: str | None = None
    with_graph: str | None = None
    using: list[str] = field(default_factory=list)
    using_named: list[str] = field(default_factory=list)

    @property
    def reads(self) -> bool:
        """Whether the operation reads the dataset (so it must see earlier operations' work)."""
        return self.kind in ("DELETE WHERE", "MODIFY", "ADD", "MOVE", "COPY", "CLEAR", "DROP")


class _Reader:
    def __init__(self, toks: list[Token], text: str) -> None:
        self.toks = toks
        self.text = text
        self.i = 0
        self.prologue = Prologue()

    def peek(self, offset: int = 0) -> Token | None:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else None

    def keyword(self, offset: int = 0) -> str:
        token = self.peek(offset)
        return token.keyword if token is not None else ""

    def take(self, *words: str) -> str:
        token = self.peek()
        if token is None or (words and token.keyword not in words):
            where = f"offset {token.start}" if token is not None else "the end"
            raise QueryError(f"malformed update: expected {' or '.join(words)} at {where}")
        self.i += 1
        return token.keyword

    def optional(self, word: str) -> bool:
        if self.keyword() == word:
            self.i += 1
            return True
        return False

    def iri(self) -> str:
        token = self.peek()
        if token is None:
            raise QueryError("malformed update: expected an IRI at the end")
        self.i += 1
        return self.prologue.resolve(token)

    def group(self) -> tuple[str, int]:
        """The text of the braced group at the cursor (braces included), and its end offset."""
        token = self.peek()
        if token is None or token.text != "{":
            where = f"offset {token.start}" if token is not None else "the end"
            raise QueryError(f"malformed update: expected {{ at {where}")
        close = matching(self.toks, self.i)
        self.i = close + 1
        return self.text[token.start : self.toks[close].end], self.toks[close].end

    def graph_ref_all(self) -> str:
        word = self.keyword()
        if word in (DEFAULT, NAMED, ALL):
            self.i += 1
            return word
        self.take("GRAPH")
        return self.iri()

    def graph_or_default(self) -> str:
        if self.optional(DEFAULT):
            return DEFAULT
        self.optional("GRAPH")
        return self.iri()


def operations(toks: list[Token], text: str, base: str | None = None) -> list[Operation]:
    """The operations of an update request, in order (an empty request has none).

    :raises QueryError: if the outline of an operation is malformed or names an undeclared
        prefix (pyoxigraph's own check of the whole text gives the precise message first).
    """
    reader = _Reader(toks, text)
    reader.prologue.base = base
    found: list[Operation] = []
    while reader.peek() is not None:
        while reader.keyword() in ("BASE", "PREFIX"):
            reader.i = reader.prologue.declare(toks, reader.i, text)
        token = reader.peek()
        if token is None:
            break
        found.append(_operation(reader, token))
        if reader.peek() is not None:
            separator = reader.peek()
            if separator is None or separator.text != ";":
                where = separator.start if separator is not None else len(text)
                raise QueryError(f"malformed update: expected ; between operations at {where}")
            reader.i += 1
    return found


def _operation(reader: _Reader, first: Token) -> Operation:
    op = Operation(
        kind="",
        start=first.start,
        end=first.end,
        prologue=reader.prologue.text,
        base=reader.prologue.base,
    )
    word = reader.take()
    if word in GRAPH_MANAGEMENT:
        op.kind = word
        op.silent = reader.optional("SILENT")
        if word == "LOAD":
            op.source = reader.iri()
            if reader.optional("INTO"):
                reader.take("GRAPH")
                op.target = reader.iri()
        elif word in ("CLEAR", "DROP"):
            op.target = reader.graph_ref_all()
        elif word == "CREATE":
            reader.take("GRAPH")
            op.target = reader.iri()
        else:
            op.source = reader.graph_or_default()
            reader.take("TO")
            op.target = reader.graph_or_default()
    elif word in ("INSERT", "DELETE") and reader.keyword() == "DATA":
        reader.i += 1
        op.kind = f"{word} DATA"
        op.data, _ = reader.group()
    elif word == "DELETE" and reader.keyword() == "WHERE":
        reader.i += 1
        op.kind = "DELETE WHERE"
        op.where, _ = reader.group()
        op.delete = op.where
    elif word in ("WITH", "DELETE", "INSERT"):
        op.kind = "MODIFY"
        if word == "WITH":
            op.with_graph = reader.iri()
            word = reader.take("DELETE", "INSERT")
        if word == "DELETE":
            op.delete, _ = reader.group()
            if reader.optional("INSERT"):
                op.insert, _ = reader.group()
        else:
            op.insert, _ = reader.group()
        while reader.optional("USING"):
            if reader.optional(NAMED):
                op.using_named.append(reader.iri())
            else:
                op.using.append(reader.iri())
        reader.take("WHERE")
        op.where, _ = reader.group()
    else:
        raise QueryError(f"malformed update: unknown operation {first.text!r} at {first.start}")
    last = reader.toks[reader.i - 1]
    op.end = last.end
    return op
