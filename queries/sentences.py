"""Reasons written for people in English, French and Spanish: the catalogue and the rendering.

A ranking question explains each candidate with sentences, and the reader of a French page
should read them in French. So a reason does not hold text but a `Message`: a key of the
sentence catalogue (queries/locales/reasons.{en,fr,es}.json, one sentence per key with
`{named}` placeholders, the same keys and placeholders in every language, which a test checks)
and its arguments, themselves language-neutral: a `Label` names a topic, a region or a value
of a controlled list by its key; `Items` is a list to write "a, b and c"; `Money` an amount;
a nested `Message` a phrase of its own. A `Speaker` writes a message in one language, taking
labels from the graph in that language where it has them, else in English, else the English
the matcher supplied, never a raw code. The sentence it writes is a `Said`: a string (what the
JSON answers and the CLI show), which also knows the parts of it that name something in another
language than the sentence's (a topic the data names only in English), so that a page can mark
them with its fallback badge.

Translators edit the JSON files, not the matchers; the matchers say what they mean once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from queries.labels import Labels
from queries.params import Bound
from sic.rq import Param

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES: tuple[str, ...] = ("en", "fr", "es")
DEFAULT = "en"
LANG = Param(
    "lang",
    "string",
    default=DEFAULT,
    allowed=LANGUAGES,
    description="the language the reasons are written in: en, fr or es",
)
"""The parameter every question that writes sentences declares."""

_SEPARATORS: Mapping[str, tuple[str, str]] = {
    # (thousands, decimal): French groups with a narrow no-break space, Spanish with a point
    "en": (",", "."),
    "fr": ("\u202f", ","),
    "es": (".", ","),
}


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    """The reason sentences of one language, read once per process.

    :raises ValueError: the language is not supported.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; supported: {', '.join(LANGUAGES)}")
    data = json.loads((LOCALES_DIR / f"reasons.{lang}.json").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def format_number(value: int | float | Decimal | None, lang: str, digits: int = 0) -> str:
    """A number with the language's separators: 1,250,000 / 1 250 000 / 1.250.000.

    >>> format_number(1250000.5, "es", 1)
    '1.250.000,5'
    """
    if value is None:
        return ""
    thousands, point = _SEPARATORS.get(lang, _SEPARATORS[DEFAULT])
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", point).replace("\0", thousands)


@dataclass(frozen=True)
class Label:
    """A topic, region, alliance or controlled-list value, named in the reader's language.

    `kind` is an entity kind ("topic", "alliance") or a list's short name ("region", "type",
    "status", "role", "stage"); `english` is what to show when the graph has no label at all.
    `mid` marks a name inside a sentence: its first letter is lower-cased (not an acronym's).
    """

    kind: str
    key: str
    english: str | None = None
    mid: bool = False


@dataclass(frozen=True)
class Items:
    """A list written the language's way: "a, b and c", "a, b et c", "a, b y c"."""

    items: tuple[Arg, ...]
    limit: int = 6


@dataclass(frozen=True)
class Money:
    """An amount in a currency, with the language's separators ("500 000 EUR")."""

    amount: Decimal
    currency: str | None


@dataclass(frozen=True)
class Message:
    """One sentence (or phrase) of the catalogue by its key, with its arguments."""

    key: str
    args: tuple[tuple[str, Arg], ...] = ()


Arg = str | int | Label | Items | Money | Message


class Said(str):
    """A sentence, and its parts: (text, language), the language None for the sentence's own
    and a language code for a name shown in that language instead (the data lacks the reader's).
    """

    parts: tuple[tuple[str, str | None], ...]

    def __new__(cls, parts: Iterable[tuple[str, str | None]]) -> Said:
        kept = tuple(parts)
        said = super().__new__(cls, "".join(text for text, _ in kept))
        said.parts = kept
        return said

    def __reduce__(self) -> tuple[type[Said], tuple[tuple[tuple[str, str | None], ...]]]:
        return (Said, (self.parts,))  # crosses from a worker with its parts

    @property
    def fallbacks(self) -> tuple[str, ...]:
        """The languages of the names shown in another language than the sentence's."""
        return tuple(dict.fromkeys(lang for _, lang in self.parts if lang))


_OPEN, _SEP, _CLOSE = "\x02", "\x03", "\x04"
_MARKED = re.compile("\x02([^\x03]*)\x03([^\x04]*)\x04")
"""A name in another language, as the speaker marks it while a sentence is being written."""


def _said(marked: str) -> Said:
    """The sentence written with marks, as a Said (its text without the marks)."""
    parts: list[tuple[str, str | None]] = []
    at = 0
    for found in _MARKED.finditer(marked):
        if found.start() > at:
            parts.append((marked[at : found.start()], None))
        parts.append((found.group(2), found.group(1)))
        at = found.end()
    if at < len(marked):
        parts.append((marked[at:], None))
    return Said(parts)


def say(key: str, **args: Arg) -> Message:
    """The message `key` with named arguments: what a matcher means, in no language yet."""
    return Message(key, tuple(sorted(args.items())))


def _mid(text: str) -> str:
    """The first letter lower-cased, unless the word is an acronym ("NGO", "UN M49")."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


class Speaker:
    """Writes messages in one language, with the graph's labels in that language."""

    def __init__(self, lang: str, labels: Labels | None = None) -> None:
        self.lang = lang
        self.words = catalogue(lang)
        self.labels = labels or Labels({})

    def text(self, message: Message) -> Said:
        """The sentence, every argument written in this language (names the data lacks in it
        are in English, and the Said knows which)."""
        return _said(self._written(message))

    def arg(self, value: Arg) -> str:
        """One argument written in this language, as plain text."""
        return str(_said(self._arg(value)))

    def label(self, label: Label) -> str:
        """A name in this language, else in English, as plain text."""
        return str(_said(self._label(label)))

    def _written(self, message: Message) -> str:
        template = self.words.get(message.key) or catalogue(DEFAULT)[message.key]
        return template.format(**{k: self._arg(v) for k, v in message.args})

    def _arg(self, value: Arg) -> str:
        if isinstance(value, Message):
            return self._written(value)
        if isinstance(value, Label):
            return self._label(value)
        if isinstance(value, Items):
            return self.listing([self._arg(v) for v in value.items], value.limit)
        if isinstance(value, Money):
            return f"{format_number(value.amount, self.lang)} {value.currency or ''}".strip()
        if isinstance(value, int):
            return format_number(value, self.lang)
        return value

    def _label(self, label: Label) -> str:
        """The name, marked (see `_said`) when it is in another language than this one."""
        found = self.labels.find(label.kind, label.key, self.lang)
        shown = self.labels.found_in(label.kind, label.key, self.lang)
        if found is None and label.english is not None:
            found, shown = label.english, DEFAULT
        if found is None:
            found = self.words.get(f"unnamed.{label.kind}") or self.words["unnamed"]
            shown = self.lang
        text = _mid(found) if label.mid else found
        if shown is None or shown == self.lang:
            return text
        return f"{_OPEN}{shown}{_SEP}{text}{_CLOSE}"

    def listing(self, labels: list[str], limit: int = 6) -> str:
        """'a, b and c' (and 'and 3 more' past `limit`), in this language."""
        shown = list(labels)
        if len(shown) > limit:
            more = len(labels) - limit
            shown = [
                *shown[:limit],
                self.text(say("list.more_one" if more == 1 else "list.more", count=more)),
            ]
        if len(shown) <= 1:
            return "".join(shown)
        key = "list.and"
        if self.lang == "es" and _sounds_like_i(shown[-1]):
            key = "list.and_i"  # "España e Italia": y becomes e before an i sound
        return self.words[key].format(first=", ".join(shown[:-1]), last=shown[-1])


def _sounds_like_i(word: str) -> bool:
    lowered = word.lower()
    return lowered.startswith(("i", "hi", "í", "hí")) and not lowered.startswith(("hia", "hie"))


def speaker_for(bound: Bound, labels: Labels) -> Speaker:
    """The speaker of the language a question was asked in (its `lang` parameter)."""
    return Speaker(bound.text("lang") or DEFAULT, labels)
