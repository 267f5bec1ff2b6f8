"""Which queries the engine answers row by row from one index scan: one triple pattern.

Why it matters: a process that must not be held up for long (an HTTP process's event loop,
runner.in_process) can run such a query itself, looking at the clock between rows
(graph.results.rows_until), instead of handing it to a thread and back, which cost about a tenth
of a point query's whole answer. Any other query may spend a long time inside one step of the
engine before its first row (a sort, a group, a join's table, a FILTER or DISTINCT that passes
over many rows, an OFFSET), where no clock can be looked at, so it goes to a thread.

One triple pattern, as `SELECT` (no DISTINCT or REDUCED: they may pass over many rows per row
given) or `ASK`, optionally after PREFIX and BASE declarations, with no FROM, no FILTER, no
OFFSET and no variable named twice (`?x ?p ?x` is a scan that yields few of the triples it
reads). Every triple the index holds under the pattern's bound terms is then one row. The test
is a regular expression over the text, written to fail fast: a query it does not recognise
(comments, blank node brackets, escapes in literals...) is simply run on a thread, as before.
"""

from __future__ import annotations

import re

_IRI = r"<[^<>\"{}|^`\\\s]*>"
_PNAME = r"(?:[A-Za-z][\w-]*)?:[\w-]*"  # a prefixed name, conservatively (no dots, no escapes)
_VAR = r"[?$]\w+"
_STRING = r"(?:\"[^\"\\\n]*\"|'[^'\\\n]*')"  # no escapes
_LITERAL = rf"{_STRING}(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:{_IRI}|{_PNAME}))?"
_NUMBER = r"[+-]?\d+(?:\.\d+)?"
_TERM = rf"(?:{_IRI}|{_PNAME}|{_VAR}|{_LITERAL}|{_NUMBER})"
_ONE_PATTERN = re.compile(
    # possessive (*+, ++): each piece starts with a character the one before cannot end with,
    # so nothing is ever given back, and a text that does not match fails in one pass
    rf"""
    \s*+(?:(?:PREFIX\s++(?:[A-Za-z][\w-]*+)?:\s*+{_IRI}|BASE\s*+{_IRI})\s*+)*+
    (?:SELECT\s++(?:\*|(?:{_VAR}\s*+)++)|ASK)\s*+
    (?:WHERE\s*+)?
    \{{\s*+(?P<s>{_TERM})\s++(?P<p>{_TERM}|a)\s++(?P<o>{_TERM})\s*+\.?\s*+\}}
    \s*+(?:LIMIT\s++\d++\s*+)?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_MAX_LENGTH = 4096
"""Longer texts are not looked at (a point query is a line or two)."""


def one_pattern(text: str) -> bool:
    """Whether `text` is a SELECT or ASK of one triple pattern, as the module docstring says."""
    if len(text) > _MAX_LENGTH:
        return False
    found = _ONE_PATTERN.fullmatch(text)
    if found is None:
        return False
    names = [t[1:] for t in found.group("s", "p", "o") if t[0] in "?$"]  # ?x is $x
    return len(names) == len(set(names))
