"""One error hierarchy for the whole platform.

The CLI maps these to exit codes and the HTTP service to status codes, once each, so every
module raises the most specific class and never formats its own user-facing error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Location:
    """Where a value came from: a file, and within it a row and column when known.

    Rows are numbered as a spreadsheet shows them (the header is row 1). In a text input (an
    RDF file or request body) `text` is True: the row is a line and the column a character
    position, and they are said so.
    """

    file: str
    row: int | None = None
    column: str | None = None
    text: bool = False

    def __str__(self) -> str:
        return self.said_in("en")

    def said_in(self, language: str | None) -> str:
        """The location in words of `language` ("fr", "es-MX" ...; English for any other), so
        that a French sentence is not preceded by "row 5, column 'x'": the file and the column
        are the input's own names and stay as they are."""
        words = LOCATION_WORDS.get(_primary(language), LOCATION_WORDS["en"])
        parts = [self.file]
        if self.row is not None:
            parts.append(f"{words['line' if self.text else 'row']} {self.row}")
        if self.column is not None:
            column = self.column if self.text else repr(self.column)
            parts.append(f"{words['column']} {column}")
        return ", ".join(parts)


LOCATION_WORDS: dict[str, dict[str, str]] = {
    "en": {"row": "row", "line": "line", "column": "column"},
    "fr": {"row": "ligne", "line": "ligne", "column": "colonne"},
    "es": {"row": "fila", "line": "línea", "column": "columna"},
}
"""How a location is said in each language the platform speaks (a spreadsheet's row is a
"ligne" in French, as its line in a text file)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    location: Location
    message: str
    severity: str = "error"  # "error" or "warning"
    # The sentence in the other languages it is written in (a rule's shape, or a loader's own
    # sentences in loaders.messages), as sorted (tag, text) pairs. Left out of equality: two
    # problems saying the same thing at the same place are the same problem in any language.
    translations: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    def message_in(self, language: str | None) -> str:
        """The message in `language`, else the English `message` (see Violation.message_in)."""
        wanted = _primary(language)
        for tag, text in self.translations:
            if _primary(tag) == wanted:
                return text
        return self.message


class KGError(Exception):
    """Base of every error the platform raises on purpose."""


class LoaderError(KGError):
    """An input could not be read; carries every problem found, not only the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = "\n".join(f"  {p}" for p in self.problems[:20])
        more = f"\n  ... and {count - 20} more" if count > 20 else ""
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found:\n{head}{more}")

    def __reduce__(self) -> tuple[type[LoaderError], tuple[list[Problem]]]:
        return (type(self), (self.problems,))  # crosses from a worker process whole


@dataclass(frozen=True)
class Violation:
    """One SHACL result in plain terms: which node, which property, what is wrong.

    `location` is filled in when the offending value can be traced back to a workbook cell.
    """

    focus_node: str
    path: str | None
    message: str
    severity: str = "Violation"
    value: str | None = None
    source_shape: str | None = None
    constraint: str | None = None
    location: Location | None = None
    # The rule's sentence in the other languages its shape speaks, as sorted (tag, text) pairs
    # (a tuple, not a dict, so that a Violation stays hashable and comparable).
    translations: tuple[tuple[str, str], ...] = ()

    def message_in(self, language: str | None) -> str:
        """The message in `language` ("fr", "es-MX" ...), else the English `message`.

        Shapes written only in English (a user's own) fall back; `speaks` says whether they did.
        """
        wanted = _primary(language)
        for tag, text in self.translations:
            if _primary(tag) == wanted:
                return text
        return self.message

    def speaks(self, language: str | None) -> bool:
        """True when the message exists in `language` (English always does)."""
        wanted = _primary(language)
        return wanted in ("", "en") or any(_primary(tag) == wanted for tag, _ in self.translations)

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        path = f" {self.path}" if self.path else ""
        return f"{where}<{self.focus_node}>{path}: {self.message}"


def _primary(language: str | None) -> str:
    """The primary subtag of a language tag, lower case: "fr" for "fr-CA", "" for None."""
    return (language or "").split("-", 1)[0].strip().lower()


class ValidationFailed(KGError):
    """A write or a graph does not conform to the shapes; nothing was stored."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = list(violations)
        count = len(self.violations)
        head = "\n".join(f"  {v}" for v in self.violations[:20])
        more = f"\n  ... and {count - 20} more" if count > 20 else ""
        super().__init__(f"{count} SHACL violation{'s' if count != 1 else ''}:\n{head}{more}")

    def __reduce__(self) -> tuple[type[ValidationFailed], tuple[list[Violation]]]:
        return (type(self), (self.violations,))  # crosses from a worker process whole


class ConfigError(KGError):
    """A setting is missing or wrong; the message is one line naming it."""


class ShapesError(KGError):
    """The shapes themselves could not be read or used."""


class QueryError(KGError):
    """A query is malformed, refused, or its parameters are wrong."""


class QueryTimeout(QueryError):
    """A query ran past its time limit and was stopped (or never found a free worker).

    `retry_after`: seconds after which trying again is reasonable, when the service knows.
    """

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type[QueryTimeout], tuple[str, int | None]]:
        return (type(self), (str(self), self.retry_after))


class UnsupportedBody(QueryError):
    """A request body in a media type or charset the service does not read (HTTP 415)."""


class TooLarge(QueryError):
    """A request, or a part of it, is larger than a limit of the service (HTTP 413)."""


class Conflict(KGError):
    """The request conflicts with what the store holds (HTTP 409): an id already taken."""


class StoreError(KGError):
    """The store could not complete an operation (I/O, lock, corrupt data)."""


class StoreUnavailable(StoreError):
    """A remote store did not answer or answered with a server error."""


class StoreLocked(StoreError):
    """The embedded store's folder is open in another process (pyoxigraph locks it): a
    running `sic serve`, or another command. `path` is the folder, so that the command line
    can say who holds it and how to reach it."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path

    def __reduce__(self) -> tuple[type[StoreLocked], tuple[str, str]]:
        return (type(self), (self.path, str(self)))


class NotFound(KGError):
    """A named thing (source, query, resource) does not exist."""


class Forbidden(KGError):
    """Who asks may not make this change (HTTP 403): it lies outside their role's scope."""


class QuerySyntaxError(QueryError):
    """A query the engine could not read, said plainly in English (graph.syntax_hint).

    It keeps the query's `text` and the engine's own `engine` message, so that a page or a JSON
    error that knows its reader's language can say it again in that language. `update`: the
    text is a SPARQL Update (the sentence then starts "malformed SPARQL update: ").
    """

    def __init__(self, text: str, engine: str, said: str, update: bool = False) -> None:
        self.text = text
        self.engine = engine
        self.update = update
        super().__init__(said)

    def __reduce__(self) -> tuple[type[QuerySyntaxError], tuple[str, str, str, bool]]:
        return (type(self), (self.text, self.engine, str(self), self.update))  # crosses whole


class Refused(Forbidden):
    """A write refused by the permission rules (accounts.permissions), said in English, with
    the sentence's key in api/locales and its values, to say it again in the reader's language.
    """

    def __init__(self, said: str, key: str, values: tuple[tuple[str, str], ...]) -> None:
        self.key = key
        self.values = values
        super().__init__(said)

    def __reduce__(self) -> tuple[type[Refused], tuple[str, str, tuple[tuple[str, str], ...]]]:
        return (type(self), (str(self), self.key, self.values))
