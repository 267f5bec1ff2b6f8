"""What a request may make the service do: who may write, and what a query may reach.

Writes need `Authorization: Bearer <SIC_WRITE_TOKEN>`, compared in constant time; without a
configured token the service is read-only. A query may never make the service reach the
network: pyoxigraph evaluates `SERVICE` by calling the remote endpoint, so `SERVICE` is refused
before execution, and a graph named in `FROM` / `FROM NAMED` is only ever looked up in the store
(pyoxigraph never fetches those; this module reads them so the store can keep them to published
graphs, as it does for the protocol's `default-graph-uri` / `named-graph-uri`).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, status
from pydantic import SecretStr

from sic.errors import QueryError

# -- writes ----------------------------------------------------------------------------------


def check_write_token(expected: SecretStr | None, given: str | None) -> None:
    """Let a write through only with the right bearer token (`given`, None when not sent).

    The comparison takes the same time wherever the first wrong character is, so the token
    cannot be guessed one character at a time from response times.

    :raises HTTPException: 403 when the service is read-only or the token is wrong, 401 when
        no bearer token was sent.
    """
    if expected is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="this service is read-only (no SIC_WRITE_TOKEN is configured)",
        )
    if not given:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="writes need an 'Authorization: Bearer <token>' header",
            headers={"WWW-Authenticate": 'Bearer realm="sic"'},
        )
    if not hmac.compare_digest(given.encode("utf-8"), expected.get_secret_value().encode("utf-8")):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="wrong write token")


# -- queries ---------------------------------------------------------------------------------

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Words that oblige a full parse. Keywords cannot be split or escaped other than by the
# codepoint escapes undone first, so a query in which neither appears has neither clause.
_NEEDS_PARSE = re.compile(r"service|from", re.IGNORECASE)
_SERVICE = re.compile(r"service", re.IGNORECASE)


@dataclass(frozen=True)
class QueryDataset:
    """The graphs a query's own FROM / FROM NAMED clauses name (IRIs, not yet checked)."""

    default: tuple[str, ...]
    named: tuple[str, ...]


def unescape_codepoints(text: str) -> str:
    """Undo SPARQL's `\\u` escapes (four or eight hex digits), which apply before the grammar."""
    if "\\u" not in text and "\\U" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(one, text)


def screen_query(text: str) -> QueryDataset | None:
    """Refuse SERVICE and read FROM / FROM NAMED, before the query is executed.

    The common case costs one regular-expression search: a query that does not contain the
    letters of either keyword can have neither clause. Otherwise rdflib's parser (which is never
    asked to evaluate anything) gives the exact answer. When rdflib cannot parse a query that
    pyoxigraph might accept, a query mentioning `service` at all is refused (the safe side), and
    one mentioning only `from` keeps its own dataset clauses, which pyoxigraph reads as names of
    graphs in the store.

    Returns the dataset named by FROM / FROM NAMED, or None when the query names none.

    :raises QueryError: if the query contains a SERVICE clause.
    """
    plain = unescape_codepoints(text)
    if not _NEEDS_PARSE.search(plain):
        return None
    algebra = _parse(text)
    if algebra is None:
        if _SERVICE.search(plain):
            raise QueryError(
                "SERVICE is refused: this service never queries other endpoints "
                "(the query mentions 'service' and its use could not be ruled out)"
            )
        return None
    if any(getattr(node, "name", None) == "ServiceGraphPattern" for node in _walk(algebra)):
        raise QueryError("SERVICE is refused: this service never queries other endpoints")
    clauses = algebra.get("datasetClause") or []
    # (a CompValue's get() answers a missing key with the key itself: test membership)
    default = tuple(str(c["default"]) for c in clauses if "default" in c)
    named = tuple(str(c["named"]) for c in clauses if "named" in c)
    if not default and not named:
        return None
    return QueryDataset(default, named)


def _parse(text: str) -> Any:
    """rdflib's algebra for a query, or None when rdflib cannot read it."""
    from pyparsing import ParserElement
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return translateQuery(parseQuery(text)).algebra
    except Exception:  # rdflib raises bare Exception (unknown prefix, ...); any failure
        # only means "could not verify", which screen_query handles on the safe side
        return None
    finally:
        # pyparsing's packrat cache keeps exceptions whose tracebacks pin the caller's frames
        ParserElement.reset_cache()


def _walk(node: Any) -> Iterator[Any]:
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, CompValue):
            yield current
            stack.extend(current.values())
        elif isinstance(current, list | tuple):
            stack.extend(current)


def warm_up() -> None:
    """Import the parser now, so that forked query workers inherit it instead of loading it."""
    from rdflib.plugins.sparql import algebra, parser  # noqa: F401
