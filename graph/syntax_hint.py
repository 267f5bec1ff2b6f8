"""A SPARQL syntax error said plainly: where, with the line and a caret, and the likely fix.

The engine reports what its parser expected at the point it stopped ("error at 1:10: expected
CONSTRUCT" for `SELEC ?x WHERE {`), which is exact but reads as a riddle: the parser stopped
long after the real mistake. A misspelled keyword is the commonest cause, so when a word before
that point is close to a SPARQL keyword without being one, the hint points there instead and
names the keyword. The engine's own message is kept at the end, for whoever needs it.

The sentences are English by default (the SPARQL protocol's errors, the logs), and a page or a
JSON error that knows its reader's language passes that language's words (the `syntax.*` keys
of api/locales/service.*.json, whose English a test keeps equal to ENGLISH): the engine's own
message stays as the engine wrote it, in every language.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

KEYWORDS = [
    "BASE",
    "PREFIX",
    "SELECT",
    "CONSTRUCT",
    "DESCRIBE",
    "ASK",
    "WHERE",
    "FROM",
    "NAMED",
    "DISTINCT",
    "REDUCED",
    "AS",
    "GROUP",
    "BY",
    "HAVING",
    "ORDER",
    "ASC",
    "DESC",
    "LIMIT",
    "OFFSET",
    "VALUES",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "GRAPH",
    "SERVICE",
    "FILTER",
    "BIND",
    "EXISTS",
    "NOT",
    "IN",
    "UNDEF",
    "SILENT",
    "INSERT",
    "DELETE",
    "DATA",
    "WITH",
    "USING",
    "DEFAULT",
    "ALL",
    "CLEAR",
    "DROP",
    "CREATE",
    "LOAD",
    "INTO",
    "ADD",
    "MOVE",
    "COPY",
    "COUNT",
    "SUM",
    "MIN",
    "MAX",
    "AVG",
    "SAMPLE",
    "GROUP_CONCAT",
    "SEPARATOR",
]
FUNCTIONS = [
    "STR",
    "LANG",
    "LANGMATCHES",
    "DATATYPE",
    "BOUND",
    "IRI",
    "URI",
    "BNODE",
    "RAND",
    "ABS",
    "CEIL",
    "FLOOR",
    "ROUND",
    "CONCAT",
    "STRLEN",
    "UCASE",
    "LCASE",
    "ENCODE_FOR_URI",
    "CONTAINS",
    "STRSTARTS",
    "STRENDS",
    "STRBEFORE",
    "STRAFTER",
    "YEAR",
    "MONTH",
    "DAY",
    "HOURS",
    "MINUTES",
    "SECONDS",
    "TIMEZONE",
    "TZ",
    "NOW",
    "UUID",
    "STRUUID",
    "MD5",
    "SHA1",
    "SHA256",
    "SHA384",
    "SHA512",
    "COALESCE",
    "IF",
    "STRLANG",
    "STRDT",
    "SAMETERM",
    "ISIRI",
    "ISURI",
    "ISBLANK",
    "ISLITERAL",
    "ISNUMERIC",
    "REGEX",
    "SUBSTR",
    "REPLACE",
    "TRIPLE",
    "SUBJECT",
    "PREDICATE",
    "OBJECT",
    "ISTRIPLE",
    "LATERAL",
    "TRUE",
    "FALSE",
]
_KNOWN = frozenset(KEYWORDS) | frozenset(FUNCTIONS)
_POSITION = re.compile(r"error at (\d+):(\d+)")
_QUOTED = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'|<[^>\s]*>")
"""Strings and IRIs, blanked out before words are looked at (a word in them is no keyword)."""
_WORD = re.compile(r"(?<![?$:<\"'\w])[A-Za-z][A-Za-z_]{2,}(?![\w:])")
SHOWN_LINE = 160
"""Characters of the offending line shown at most (centred on the caret)."""
ENGLISH: Mapping[str, str] = {
    "syntax.where": "the query cannot be read at line {line}, column {column}.",
    "syntax.misspelt": "'{word}' is not a SPARQL keyword: did you mean {keyword}?",
    "syntax.expected": "The parser expected {what} here.",
    "syntax.stopped": "The parser stopped here: {said}.",
    "syntax.expected_one_of": "The parser expected one of {what} here.",
}
"""The sentences in English; other languages' words are given by the caller."""


def explain(text: str, message: str, words: Mapping[str, str] = ENGLISH) -> str:
    """`message` from the engine, said plainly with the query line and a caret; unchanged when
    it names no position. `words`: the `syntax.*` sentences of the reader's language (English
    for any it lacks)."""
    found = _POSITION.search(message)
    if found is None:
        return message

    def say(key: str, **values: object) -> str:
        return (words.get(key) or ENGLISH[key]).format(**values)

    lines = text.splitlines() or [""]
    line = min(max(int(found.group(1)), 1), len(lines))
    column = max(int(found.group(2)), 1)
    hint = ""
    misspelt = _misspelt_keyword(lines, line, column)
    if misspelt is not None:
        line, column, word, keyword = misspelt
        hint = " " + say("syntax.misspelt", word=word, keyword=keyword)
    else:
        expected = message[found.end() :].lstrip(": ").strip()
        if expected.lower().startswith("expected one of "):
            # the engine's English "one of" said in the reader's words; the tokens stay its own
            hint = " " + say("syntax.expected_one_of", what=expected[len("expected one of ") :])
        elif expected.lower().startswith("expected "):
            hint = " " + say("syntax.expected", what=expected[len("expected ") :])
        elif expected:
            hint = " " + say("syntax.stopped", said=expected)
    shown, caret = _excerpt(lines[line - 1], column)
    where = say("syntax.where", line=line, column=column)
    return f"{where}{hint}\n  {shown}\n  {' ' * caret}^\n({message})"


def _misspelt_keyword(lines: list[str], line: int, column: int) -> tuple[int, int, str, str] | None:
    """(line, column, word, keyword) of the first bare word before the error position that is
    close to a keyword without being one; None when there is none."""
    for number, content in enumerate(lines[:line], start=1):
        limit = column - 1 if number == line else len(content)
        code = _QUOTED.sub(lambda m: " " * len(m.group(0)), content).split("#", 1)[0]
        for match in _WORD.finditer(code):
            if match.start() > limit:
                break
            word = match.group(0)
            upper = word.upper()
            if upper in _KNOWN:
                continue
            close = difflib.get_close_matches(upper, KEYWORDS, n=1, cutoff=0.75)
            if close:
                return number, match.start() + 1, word, close[0]
    return None


def _excerpt(content: str, column: int) -> tuple[str, int]:
    """The line (at most SHOWN_LINE characters around the column) and the caret's offset."""
    content = content.replace("\t", " ")
    if len(content) <= SHOWN_LINE:
        return content, min(column - 1, len(content))
    start = max(0, min(column - 1 - SHOWN_LINE // 2, len(content) - SHOWN_LINE))
    head = "…" if start > 0 else ""
    tail = "…" if start + SHOWN_LINE < len(content) else ""
    return head + content[start : start + SHOWN_LINE] + tail, column - 1 - start + len(head)
