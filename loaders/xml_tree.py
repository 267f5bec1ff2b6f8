"""Reading an untrusted XML file into a small tree whose elements know their line.

Python's expat is driven directly, the way defusedxml drives it, rather than through a
library that could be configured to do more: a document type declaration is refused at the
line where it starts, before any entity it declares could be expanded ("billion laughs") or an
external one fetched; parameter entities are never parsed and no handler exists that could
fetch an external entity, so nothing a file says can make this process open a file or a
socket. An entity reference without a declaration is a well-formedness error of expat's own.

Elements keep their namespace (`{uri}local`, as ElementTree spells it, `xml:lang` included),
attributes, text and first line: IATI's elements are in no namespace, and a publisher's
extension elements (`usg:treasury-account`) keep theirs, so they never pass for IATI's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from loaders.messages import problem as said
from sic.errors import LoaderError, Location, Problem

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_DEPTH = 64
"""IATI nests a dozen levels deep at most; anything deeper is refused rather than recursed on."""


@dataclass(eq=False)
class Element:
    """One element: its name, attributes, text (children's text excluded) and its line."""

    tag: str
    attrib: dict[str, str]
    line: int
    children: list[Element] = field(default_factory=list)
    text: str = ""

    def get(self, name: str, default: str = "") -> str:
        """An attribute's value, stripped; `default` when absent."""
        return self.attrib.get(name, default).strip()

    def find(self, tag: str) -> Element | None:
        """The first child named `tag`."""
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[Element]:
        """The children named `tag`, in document order."""
        return [c for c in self.children if c.tag == tag]

    def iter(self) -> Iterator[Element]:
        """This element and every element below it, in document order (no recursion)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    @property
    def content(self) -> str:
        """The text, whitespace runs folded to one space and trimmed."""
        return " ".join(self.text.split())


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse_xml(path: Path) -> Element:
    """The root element of an XML file, read without DTDs, entities or network.

    :raises LoaderError: naming the file and line: not well-formed XML, a DOCTYPE or ENTITY
        declaration, nesting deeper than MAX_DEPTH, or a file that cannot be read.
    """
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise LoaderError([said(Location(where), "rdf.cannot_read", error=error)]) from error
    return parse_xml_bytes(data, where)


def parse_xml_bytes(data: bytes, where: str) -> Element:
    """As parse_xml, from bytes already read; `where` names them in messages."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Element] = []
    root: list[Element] = []

    def refuse_dtd(*_: object) -> None:
        raise _Refused(
            parser.CurrentLineNumber,
            "a DOCTYPE declaration is not accepted: DTDs and entities are never read, so that "
            "no file can expand entities without bound or reach another file or the network",
        )

    def refuse_entity(*_: object) -> None:
        raise _Refused(parser.CurrentLineNumber, "an ENTITY declaration is not accepted")

    def refuse_external(*_: object) -> int:
        raise _Refused(parser.CurrentLineNumber, "an external entity is never read")

    def start(name: str, attributes: dict[str, str]) -> None:
        if len(stack) >= MAX_DEPTH:
            raise _Refused(
                parser.CurrentLineNumber, f"elements nest deeper than {MAX_DEPTH} levels"
            )
        element = Element(
            _clark(name), {_clark(k): v for k, v in attributes.items()}, parser.CurrentLineNumber
        )
        if stack:
            stack[-1].children.append(element)
        else:
            root.append(element)
        stack.append(element)

    def end(_: str) -> None:
        stack.pop()

    def text(content: str) -> None:
        if stack:
            stack[-1].text += content

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        raise LoaderError([_problem(where, refused.line, refused.message)]) from None
    except expat.ExpatError as error:
        message = expat.errors.messages[error.code] if error.code else str(error)
        raise LoaderError(
            [_problem(where, error.lineno, f"not well-formed XML: {message}", error.offset + 1)]
        ) from None
    if not root:
        raise LoaderError([said(Location(where), "rdf.no_xml_element")])
    return root[0]


def _clark(name: str) -> str:
    """expat's `uri}local` as ElementTree's `{uri}local`; a name in no namespace unchanged."""
    return "{" + name if "}" in name else name


def _problem(where: str, line: int, message: str, column: int | None = None) -> Problem:
    shown = str(column) if column is not None else None
    return Problem(Location(where, line, shown, text=True), message)
