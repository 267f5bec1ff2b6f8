"""The web pages' own words in English, French and Spanish, and the reader's language.

UI strings live in api/locales/{en,fr,es}.json, one flat key per string, so translators edit
data rather than templates, and in api/locales/<area>.{en,fr,es}.json for a part of the site that
keeps its own words (forms, review, reports), so that parts grow without editing one long file;
the files of one language are read together, a key may be defined once only, and the three
languages hold the same keys (a test says so). Data labels
are not here: the pages take them from the graph in the chosen language where it has them, and
the reasons of the ranking questions are written in that language by queries.sentences (whose
number format the pages share).

The language is `?lang=` when it names a supported one, so that a link can fix it, else the
best supported language of the Accept-Language header, else English. A language chosen by
`?lang=` travels on every link the pages make (`Ui.url`); one taken from the header does not
need to, since the browser sends the header again. A language chosen by `?lang=` on a page is
also remembered in a cookie, which counts before Accept-Language (api.language_cookie).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment

from queries.sentences import DEFAULT, LANGUAGES, format_number

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
SUPPORTED: tuple[str, ...] = LANGUAGES  # the reasons and the pages speak the same languages
NAMES: Mapping[str, str] = {"en": "English", "fr": "Français", "es": "Español"}
"""Each language named in itself, as a language switcher shows it."""


@cache
def messages(lang: str) -> Mapping[str, str]:
    """The UI strings of one supported language, read once per process.

    :raises ValueError: the language is not supported.
    """
    if lang not in SUPPORTED:
        raise ValueError(f"unsupported language {lang!r}; supported: {', '.join(SUPPORTED)}")
    merged: dict[str, str] = {}
    for path in [LOCALES_DIR / f"{lang}.json", *sorted(LOCALES_DIR.glob(f"*.{lang}.json"))]:
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, value in data.items():
            if key in merged:
                raise ValueError(f"{path.name}: key {key!r} is already defined for {lang!r}")
            merged[str(key)] = str(value)
    return merged


def accepted_languages(header: str | None) -> list[str]:
    """The primary language tags of an Accept-Language header, best first (q=0 dropped).

    >>> accepted_languages("es-MX,es;q=0.9,fr;q=0.8,*;q=0.5")
    ['es', 'es', 'fr', '*']
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, *params = part.strip().split(";")
        primary = tag.strip().lower().split("-")[0]
        if not primary:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, position, primary))
    return [tag for _, _, tag in sorted(ranked)]


def choose_language(query: str | None, accept_language: str | None) -> tuple[str, bool]:
    """(language, chosen explicitly): `?lang=` first, then Accept-Language, then English.

    >>> choose_language("fr", "es")
    ('fr', True)
    >>> choose_language(None, "de-DE,es;q=0.8")
    ('es', False)
    >>> choose_language("xx", None)
    ('en', False)
    """
    if query and query.lower() in SUPPORTED:
        return query.lower(), True
    for tag in accepted_languages(accept_language):
        if tag in SUPPORTED:
            return tag, False
    return DEFAULT, False


@dataclass(frozen=True)
class Ui:
    """The words and number formats of one language, and how links keep that language."""

    lang: str
    explicit: bool = False
    as_of: str = ""
    """The moment the page shows (`?asOf=`, api.as_of), kept on every link like `lang`."""

    def __call__(self, key: str, **values: object) -> str:
        """The string `key` in this language (English if a locale lacks it), filled in."""
        text = messages(self.lang).get(key) or messages(DEFAULT).get(key, key)
        return text.format(**values) if values else text

    def number(self, value: int | float | Decimal | None, digits: int = 0) -> str:
        return format_number(value, self.lang, digits)

    def percent(self, share: float) -> str:
        """A share in [0, 1] as a whole percentage, written the language's way."""
        number = format_number(round(share * 100), self.lang)
        return f"{number}\u00a0%" if self.lang in ("fr", "es") else f"{number}%"

    def url(self, path: str, **params: object) -> str:
        """`path` with the non-empty `params`, plus `lang` when the reader chose it by link,
        and the moment the page shows, if any."""
        pairs = [(k, str(v)) for k, v in params.items() if v is not None and v != ""]
        if self.explicit:
            pairs.append(("lang", self.lang))
        if self.as_of:
            pairs.append(("asOf", self.as_of))
        return f"{path}?{urlencode(pairs)}" if pairs else path

    def switch(self, path: str, query: Mapping[str, str], lang: str) -> str:
        """The current page (`path` and its `query`) in another language."""
        pairs = [(k, v) for k, v in query.items() if k != "lang"]
        pairs.append(("lang", lang))
        return f"{path}?{urlencode(pairs)}"


def install(environment: Environment) -> None:
    """English defaults for templates rendered without a reader (ontology, shapes, 404s).

    Pages rendered for a reader pass their own `ui`, which overrides this one.
    """
    environment.globals["ui"] = Ui(DEFAULT)
    environment.globals["lang"] = DEFAULT
    environment.globals["languages"] = ()  # no switcher: such pages have one language
