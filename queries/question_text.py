"""The catalogue's questions told in English, French and Spanish: title, summary, parameters.

A question's header (the `#+` lines of its `.rq` file, or its `@analysis` decorator) stays the
English source of its summary, description and parameter help, because that is where the
person who writes the query explains it. What the header cannot hold lives in
queries/locales/questions.{en,fr,es}.json, keyed by question name and parameter name: the
English titles and parameter labels, and in French and Spanish every text the header has
(a test says every question and parameter of the catalogue is there). Translators edit those
files, not the queries.

A text missing in the asked language falls back to English and says so (`lang` of each
text), so that a page can mark it rather than pass English off as the page's language. Each
French and Spanish entry records, as `source`, the fingerprint of the English it translates
(`english_fingerprint`): when a header's English changes, a test names the translations to
update instead of letting them drift.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from queries.catalogue import Question, describe
from queries.sentences import DEFAULT, LANGUAGES, LOCALES_DIR


@dataclass(frozen=True)
class Text:
    """One piece of text and the language it is actually in (the asked one, or English)."""

    text: str
    lang: str


@dataclass(frozen=True)
class ParamText:
    """A parameter's label (what a form's field is called) and help (what to put in it)."""

    label: Text
    help: Text


@dataclass(frozen=True)
class QuestionText:
    """What a reader is told about one question, in one language."""

    name: str
    lang: str
    title: Text
    summary: Text
    description: Text
    params: Mapping[str, ParamText]

    def param(self, name: str) -> ParamText:
        """A parameter's texts; its name as the label for one the catalogue does not know."""
        found = self.params.get(name)
        return found or ParamText(Text(name, DEFAULT), Text("", DEFAULT))


def english_fingerprint(q: Question) -> str:
    """A short digest of the English a translation of `q` renders: summary, description and
    each parameter's help."""
    parts = [q.summary, q.description, *(f"{p.name}: {p.description or ''}" for p in q.params)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


@cache
def translations(lang: str) -> Mapping[str, Mapping[str, Any]]:
    """The question texts of one language as the locale file holds them, read once.

    :raises ValueError: the language is not supported.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; supported: {', '.join(LANGUAGES)}")
    path = LOCALES_DIR / f"questions.{lang}.json"
    data: dict[str, Mapping[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _pick(lang: str, translated: object, english: str) -> Text:
    """The translation when there is one, else the English (marked as English)."""
    if isinstance(translated, str) and translated:
        return Text(translated, lang)
    return Text(english, DEFAULT)


def question_text(q: Question, lang: str) -> QuestionText:
    """The title, summary, description and parameter texts of `q` in `lang` (or English)."""
    english = translations(DEFAULT).get(q.name, {})
    own = translations(lang).get(q.name, {}) if lang != DEFAULT else {}
    english_params: Mapping[str, Mapping[str, str]] = english.get("params", {})
    own_params: Mapping[str, Mapping[str, str]] = own.get("params", {})
    params = {}
    for p in q.params:
        source = english_params.get(p.name, {})
        mine = own_params.get(p.name, {})
        label = source.get("label") or p.name.replace("_", " ").capitalize()
        params[p.name] = ParamText(
            label=_pick(lang, mine.get("label"), label),
            help=_pick(lang, mine.get("help"), p.description or ""),
        )
    title = english.get("title") or q.name
    return QuestionText(
        name=q.name,
        lang=lang,
        title=_pick(lang, own.get("title"), title),
        summary=_pick(lang, own.get("summary"), q.summary),
        description=_pick(lang, own.get("description"), q.description),
        params=params,
    )


def described_in(q: Question, lang: str) -> dict[str, object]:
    """`queries.catalogue.describe(q)` told in `lang`: a title and each parameter's label
    added, summary, description and parameter help translated (English where missing)."""
    told = question_text(q, lang)
    out = describe(q)
    out["title"] = told.title.text
    out["summary"] = told.summary.text
    out["description"] = told.description.text
    out["language"] = lang
    params = []
    for p in cast(list[dict[str, object]], out["params"]):
        texts = told.param(str(p["name"]))
        shown = {**p, "label": texts.label.text}
        if texts.help.text:
            shown["description"] = texts.help.text
        params.append(shown)
    out["params"] = params
    return out
