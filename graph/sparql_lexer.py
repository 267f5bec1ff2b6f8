"""Just enough SPARQL lexing to see the shape of a request before any parser sees it.

A tokenizer that understands strings, IRIs, comments and nesting tells, without a full parser:
how deeply a request nests (pyoxigraph's and rdflib's parsers recurse, and a few thousand nested
groups crash or exhaust them, so depth is checked first), whether it uses SERVICE or LOAD (the
only ways a request could make the service reach the network), where the operations of an
update begin and end, and what its prologue declares. The remote backend also uses it to page
queries and bind parameters (graph.remote_text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urljoin

from sic.errors import QueryError

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\ufffd]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\ufffd][A-Za-z0-9_\-.\u00b7\u00c0-\ufffd]*)?
              :(?:[^\s{}()\[\],;"'<>\#\\]|\\.)*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Token(NamedTuple):
    """One significant token. A tuple rather than a frozen dataclass: a query is cut into
    tokens before every evaluation, and making a frozen dataclass costs three times as much
    (a point query's 30 tokens took 16 µs, a tenth of answering it)."""

    kind: str
    text: str
    start: int
    end: int
    depth: int  # nesting of (), {} and [] before this token

    @property
    def keyword(self) -> str:
        """The upper-cased word when the token is a bare keyword, else ''."""
        return self.text.upper() if self.kind == "word" else ""


def tokens(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (whitespace and comments dropped)."""
    out: list[Token] = []
    depth = 0
    # the last alternative matches any character, so the matches cover the whole text
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "ws" or kind == "comment":
            continue
        if kind == "close":
            depth = max(depth - 1, 0)
        start, end = match.span()
        out.append(Token(kind, text[start:end], start, end, depth))
        if kind == "open":
            depth += 1
    return out


def deepest(toks: list[Token]) -> int:
    """How deeply groups, lists and brackets nest (0 for none)."""
    return max((t.depth + 1 for t in toks if t.kind == "open"), default=0)


def check_depth(toks: list[Token], limit: int, setting: str = "SIC_MAX_NESTING") -> None:
    """Refuse a request that nests deeper than `limit` before a recursive parser sees it.

    :raises QueryError: naming the limit and the setting that changes it.
    """
    found = deepest(toks)
    if found > limit:
        raise QueryError(
            f"the request nests {found} levels of (), {{}} or [] deep; at most {limit} are "
            f"accepted ({setting})"
        )


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(text: str) -> str:
    """Undo SPARQL's `\\u` escapes (four or eight hex digits), which apply before the grammar:
    `\\u0053ERVICE` is SERVICE to a parser that follows the specification."""
    if "\\u" not in text and "\\U" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(one, text)


def uses_keyword(toks: list[Token], word: str) -> bool:
    """Whether a bare keyword occurs (never inside a string, IRI, comment or prefixed name)."""
    return any(t.keyword == word for t in toks)


def refuse_service(toks: list[Token]) -> None:
    """SERVICE would make the service query another endpoint: refused before evaluation.

    :raises QueryError: if the request contains SERVICE.
    """
    if uses_keyword(toks, "SERVICE"):
        raise QueryError("SERVICE is refused: this service never queries other endpoints")


def needs_screening(text: str, max_nesting: int) -> bool:
    """Whether screen could refuse `text`: False when it cannot (no escapes, no "service" in
    any case, fewer brackets than the nesting limit), which a few counts tell without cutting
    the text into tokens (a tenth of a point query's answer)."""
    if "\\u" in text or "\\U" in text or "service" in text.lower():
        return True
    return text.count("{") + text.count("(") + text.count("[") > max_nesting


def screen(text: str, max_nesting: int) -> list[Token]:
    """The tokens of a request, once it is known to nest no deeper than `max_nesting` and to
    use no SERVICE (codepoint escapes undone first, as a parser would).

    :raises QueryError: naming the clause or the limit.
    """
    toks = tokens(unescape_codepoints(text))
    check_depth(toks, max_nesting)
    refuse_service(toks)
    return toks


_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


@dataclass
class Prologue:
    """The BASE and PREFIX declarations seen so far, to resolve IRIs named outside patterns."""

    base: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    text: str = ""

    def declare(self, toks: list[Token], i: int, source: str) -> int:
        """Read one BASE or PREFIX declaration at toks[i]; return the index after it.

        :raises QueryError: if the declaration is malformed.
        """
        keyword = toks[i].keyword
        try:
            if keyword == "BASE":
                iri = toks[i + 1]
                if iri.kind != "iri":
                    raise IndexError
                self.base = self.resolve(iri)
                end = i + 2
            else:
                name, iri = toks[i + 1], toks[i + 2]
                if name.kind != "pname" or not name.text.endswith(":") or iri.kind != "iri":
                    raise IndexError
                self.prefixes[name.text[:-1]] = self.resolve(iri)
                end = i + 3
        except IndexError:
            raise QueryError(f"malformed {keyword} declaration at offset {toks[i].start}") from None
        self.text += source[toks[i].start : toks[end - 1].end] + "\n"
        return end

    def resolve(self, token: Token) -> str:
        """The absolute IRI an IRI or prefixed-name token names.

        :raises QueryError: for an undeclared prefix or a token that names no IRI.
        """
        if token.kind == "iri":
            value = token.text[1:-1]
            return urljoin(self.base, value) if self.base else value
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix not in self.prefixes:
                raise QueryError(f"the prefix {prefix!r} is not declared")
            return self.prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
        raise QueryError(f"expected an IRI, found {token.text!r} at offset {token.start}")


def matching(toks: list[Token], index: int) -> int:
    """Index of the token closing the group opened at `index`.

    :raises QueryError: if it is never closed.
    """
    depth = toks[index].depth
    for j in range(index + 1, len(toks)):
        if toks[j].kind == "close" and toks[j].depth == depth:
            return j
    raise QueryError("unbalanced braces in the request")


def query_dataset(text: str, base: str | None = None) -> tuple[list[str], list[str]] | None:
    """The graphs a query's own FROM / FROM NAMED clauses name, or None when it has none.

    Dataset clauses only stand at the top level of a query (a subquery cannot have them), so
    the top-level FROM keywords are all of them; their IRIs are resolved against the query's
    BASE and PREFIX declarations.

    :raises QueryError: for a FROM that names no IRI, or an undeclared prefix.
    """
    if "from" not in text.lower():
        return None
    toks = tokens(text)
    prologue = Prologue(base=base)
    default: list[str] = []
    named: list[str] = []
    found = False
    i = 0
    while i < len(toks):
        token = toks[i]
        if token.depth == 0 and token.keyword in ("BASE", "PREFIX"):
            i = prologue.declare(toks, i, text)
            continue
        if token.depth == 0 and token.keyword == "FROM":
            found = True
            is_named = i + 1 < len(toks) and toks[i + 1].keyword == "NAMED"
            j = i + 2 if is_named else i + 1
            if j >= len(toks):
                raise QueryError("FROM must name a graph")
            (named if is_named else default).append(prologue.resolve(toks[j]))
            i = j + 1
            continue
        i += 1
    return (default, named) if found else None
