"""Named SPARQL queries kept as `.rq` files with a `#+` YAML header (the grlc convention).

Queries are files so that they can be reviewed, linted and run by analysts as they are; the
header declares what a caller needs to know (summary, parameters, columns). Parameters are bound
as RDF terms by the store, never pasted into the text, so the registry only reads and checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from sic.errors import NotFound, QueryError

PARAM_TYPES = frozenset({"iri", "code", "string", "integer", "decimal", "date", "boolean"})
ROLES = frozenset({"question", "part"})


@dataclass(frozen=True)
class Param:
    """One declared parameter: bound to the SPARQL variable of the same name."""

    name: str
    type: str = "string"
    required: bool = False
    default: Any = None
    allowed: tuple[str, ...] = ()
    description: str = ""
    kind: str | None = None  # for type "code": the data kind whose key it is (activity, ...)
    minimum: float | None = None  # for integer and decimal parameters
    maximum: float | None = None


@dataclass(frozen=True)
class RqQuery:
    """A named query: its header and its SPARQL text."""

    name: str
    path: Path
    text: str
    summary: str
    description: str = ""
    params: tuple[Param, ...] = ()
    columns: tuple[str, ...] = ()
    header: dict[str, Any] = field(default_factory=dict)
    role: str = "question"  # "question": in the public catalogue; "part": a building block

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise QueryError(f"query {self.name!r} has no parameter {name!r}")


def _header_and_body(text: str) -> tuple[str, str]:
    header: list[str] = []
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("#+"):
            header.append(line[3:] if line.startswith("#+ ") else line[2:])
        else:
            body.append(line)
    return "\n".join(header), "\n".join(body).strip() + "\n"


def _param(raw: Any, where: str) -> Param:
    if not isinstance(raw, dict) or "name" not in raw:
        raise QueryError(f"{where}: each entry of 'params' needs at least a 'name'")
    ptype = str(raw.get("type", "string"))
    if ptype not in PARAM_TYPES:
        raise QueryError(f"{where}: parameter {raw['name']!r} has unknown type {ptype!r}")
    if ptype == "code" and not raw.get("kind"):
        raise QueryError(f"{where}: code parameter {raw['name']!r} needs a 'kind' (activity, ...)")
    allowed = raw.get("allowed", raw.get("enum", ())) or ()
    return Param(
        name=str(raw["name"]),
        type=ptype,
        required=bool(raw.get("required", False)),
        default=raw.get("default"),
        allowed=tuple(str(a) for a in allowed),
        description=str(raw.get("description", "")),
        kind=raw.get("kind"),
        minimum=_number(raw.get("min"), where),
        maximum=_number(raw.get("max"), where),
    )


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QueryError(f"{where}: 'min' and 'max' must be numbers, not {value!r}")
    return float(value)


def parse_rq(path: Path) -> RqQuery:
    """Read one `.rq` file.

    :raises QueryError: if the header is not valid YAML or lacks a summary.
    """
    header_text, body = _header_and_body(path.read_text(encoding="utf-8"))
    try:
        header = yaml.safe_load(header_text) or {}
    except yaml.YAMLError as exc:
        raise QueryError(f"{path}: the '#+' header is not valid YAML: {exc}") from exc
    if not isinstance(header, dict) or not header.get("summary"):
        raise QueryError(f"{path}: the '#+' header must declare a 'summary'")
    params = tuple(_param(p, str(path)) for p in header.get("params") or ())
    role = str(header.get("role", "question"))
    if role not in ROLES:
        raise QueryError(f"{path}: 'role' must be one of {sorted(ROLES)}, not {role!r}")
    return RqQuery(
        name=path.stem,
        path=path,
        text=body,
        summary=str(header["summary"]).strip(),
        description=str(header.get("description", "")).strip(),
        params=params,
        columns=tuple(str(c) for c in header.get("columns") or ()),
        header=header,
        role=role,
    )


_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


def variables(text: str) -> set[str]:
    """The variable names a SPARQL text mentions (a cheap check that parameters are used)."""
    without_comments = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return set(_VARIABLE.findall(without_comments))


_SELECT = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?", re.IGNORECASE)


def projection(text: str) -> set[str] | None:
    """The variables the outermost SELECT projects, or None for `SELECT *` or a non-SELECT query.

    Bound parameters must be projected: pyoxigraph 0.5 refuses to substitute a variable the
    projection drops, and a remote store binds them with a VALUES block after the query, which
    only joins on projected variables.
    """
    without_comments = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    match = _SELECT.search(without_comments)
    if match is None:
        return None
    depth = 0
    names: set[str] = set()
    rest = without_comments[match.end() :]
    if rest.lstrip().startswith("*"):
        return None
    tokens = re.finditer(r"\(|\)|\{|\bWHERE\b|\bAS\s+[?$](\w+)|[?$](\w+)", rest, re.I)
    for token in tokens:
        word = token.group(0)
        if word == "(":
            depth += 1
        elif word == ")":
            depth -= 1
        elif word == "{" or word.upper() == "WHERE":
            break
        elif token.group(1):
            names.add(token.group(1))
        elif depth == 0 and token.group(2):
            names.add(token.group(2))
    return names


class Registry:
    """The `.rq` files of one folder by name, and with `nested` those of its sub-folders too.

    A nested registry is how one folder keeps kinds of query apart without a registry per
    kind: the file's folder says what it is for, and names stay unique across all of them so
    that a name never means two files.
    """

    def __init__(self, folder: Path, nested: bool = False) -> None:
        self.folder = folder
        self._queries: dict[str, RqQuery] = {}
        for path in sorted(folder.glob("**/*.rq" if nested else "*.rq")):
            query = parse_rq(path)
            other = self._queries.setdefault(query.name, query)
            if other is not query:
                raise QueryError(f"{path}: the name {query.name!r} is taken by {other.path}")

    def __getitem__(self, name: str) -> RqQuery:
        try:
            return self._queries[name]
        except KeyError:
            raise NotFound(
                f"no query named {name!r}; known: {', '.join(sorted(self._queries))}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._queries

    def __iter__(self) -> Iterator[RqQuery]:
        return iter(sorted(self._queries.values(), key=lambda q: q.name))

    def __len__(self) -> int:
        return len(self._queries)

    def in_folder(self, folder: Path) -> list[RqQuery]:
        """The queries whose file lies directly in `folder`, by name."""
        return [q for q in self if q.path.parent == folder]


@cache
def registry(folder: Path, nested: bool = False) -> Registry:
    """The registry of one folder (and its sub-folders when `nested`), parsed once per process."""
    return Registry(folder, nested)
