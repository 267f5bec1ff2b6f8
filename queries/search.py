"""Finding an organisation, person, project, activity or objective by what a person types.

The search box sends a few letters at a time, in whichever of the three languages, with or
without accents, and expects the code or acronym it typed first. The names of
search-names.rq are held in an SQLite database in memory, built once per store version (the
pages keep it per version, like their labels): an FTS5 index for word matches (ranked with
BM25) and a plain indexed table of whole names for exact and prefix matches.

Both hold the names *normalised*: decomposed, accents dropped, case folded, every run of
characters that is neither letter nor digit made one space ("Côte d'Ivoire" -> "cote d
ivoire", "A1.001" -> "a1 001"); what is typed is normalised the same way. So accents, case and
punctuation never decide a match, and the text of an FTS5 query is made only of quoted runs of
letters and digits: quotes, AND, NOT, `*`, `:` or parentheses typed by someone are plain
characters of the search, never FTS5 syntax.

Ranking, best first: a code or acronym equal to the text; a name equal to it; a code, acronym
or name that starts with it; then entities whose names contain every word typed (the last one
as a prefix, since the person is still typing), by BM25.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graph.base import GraphStore
from queries.answer import Row
from queries.sparql import named_rows

MAX_QUERY = 200
"""Characters of a search that are looked at (a longer one is cut)."""
MAX_WORDS = 12
"""Words of a search that are matched (a person does not type more)."""
MAX_LIMIT = 50
"""The most results one search returns."""
_CANDIDATES = 400
"""Rows each of the three lookups reads before entities are ranked."""

_NOT_WORD = re.compile(r"[\W_]+")

KIND_ORDER: Mapping[str, int] = {
    k: i
    for i, k in enumerate(
        (
            "organisation",
            "person",
            "project",
            "activity",
            "objective",
            "goal",
            "alliance",
            "taskforce",
            "call",
            "category",
            "topic",
        )
    )
}
"""Among equally good matches, the kinds people look for most come first."""


def normalise(text: str) -> str:
    """Text as it is indexed and matched: no accents, no case, words separated by one space.

    >>> normalise("  Côte d'Ivoire ")
    'cote d ivoire'
    >>> normalise("A1.001")
    'a1 001'
    >>> normalise('"AND" (OR*)')
    'and or'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NOT_WORD.sub(" ", plain).strip()


def fts_query(normalised: str) -> str | None:
    """The FTS5 query of a normalised search: every word quoted, the last a prefix; None when
    there is no word. Words hold only letters and digits, so nothing typed is syntax.

    >>> fts_query("cote d iv")
    '"cote" "d" "iv"*'
    """
    words = normalised.split()[:MAX_WORDS]
    if not words:
        return None
    return " ".join(f'"{w}"' for w in words) + "*"


@dataclass(frozen=True)
class Hit:
    """One entity found: its kind and key, its name in each language, and how it matched."""

    kind: str
    key: str
    names: Mapping[str, str]
    code: str | None
    acronym: str | None
    matched: str
    """The text that matched (a name in some language, a code or an acronym)."""
    tier: int
    """0: code or acronym equal to the search, 1: a name equal to it, 2: something starting
    with it, 3: every word found somewhere."""

    def name(self, lang: str) -> str:
        """The name in `lang`, else English, else any, else the key."""
        return (
            self.names.get(lang)
            or self.names.get("en")
            or next(iter(self.names.values()), None)
            or self.key
        )

    def language_of_name(self, lang: str) -> str:
        """The language `name(lang)` is in ('' when it is the key)."""
        for candidate in (lang, "en", *self.names):
            if self.names.get(candidate):
                return candidate
        return ""

    def as_json(self, lang: str) -> dict[str, object]:
        return {
            "kind": self.kind,
            "key": self.key,
            "name": self.name(lang),
            "name_language": self.language_of_name(lang),
            "code": self.code,
            "acronym": self.acronym,
            "matched": self.matched,
            "path": f"/id/{self.kind}/{self.key}",
        }


@dataclass
class _Entity:
    kind: str
    key: str
    names: dict[str, str] = field(default_factory=dict)
    code: str | None = None
    acronym: str | None = None


class SearchIndex:
    """The names of one store version in SQLite (in memory), searched with FTS5."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self._entities: list[_Entity] = []
        by_key: dict[tuple[str, str], int] = {}
        entries: list[tuple[int, str, str, str]] = []
        for row in rows:
            kind, key, what = str(row["kind"]), str(row["entity"]), str(row["field"])
            text = str(row["text"] or "").strip()
            if not text or "/" in key:  # an entity outside this store's base has no page here
                continue
            at = by_key.get((kind, key))
            if at is None:
                at = by_key[(kind, key)] = len(self._entities)
                self._entities.append(_Entity(kind, key))
            entity = self._entities[at]
            if what == "label":
                entity.names.setdefault(str(row["language"] or ""), text)
            elif what == "code":
                entity.code = entity.code or text
            elif what == "acronym":
                entity.acronym = entity.acronym or text
            norm = normalise(text)
            if norm:
                entries.append((at, what, text, norm))
        # check_same_thread=False: the pages' per-version cache may hand the index to another
        # thread of the same worker; reads of an in-memory database are serialised by SQLite
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.executescript(
            """
            CREATE TABLE names (entity INTEGER, field TEXT, text TEXT, norm TEXT);
            CREATE INDEX names_norm ON names (norm);
            CREATE VIRTUAL TABLE words USING fts5 (
                norm, entity UNINDEXED, field UNINDEXED, text UNINDEXED,
                tokenize = 'unicode61 remove_diacritics 2'
            );
            """
        )
        self._db.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", entries)
        self._db.executemany(
            "INSERT INTO words (entity, field, text, norm) VALUES (?, ?, ?, ?)", entries
        )
        self._db.commit()

    def __len__(self) -> int:
        return len(self._entities)

    def search(self, text: str, limit: int = 10) -> list[Hit]:
        """The entities that match `text`, best first, at most `limit` (1 to MAX_LIMIT)."""
        limit = max(1, min(limit, MAX_LIMIT))
        norm = normalise(text[:MAX_QUERY])
        query = fts_query(norm)
        if query is None:
            return []
        norm = " ".join(norm.split()[:MAX_WORDS])
        best: dict[int, tuple[int, float, str]] = {}

        def offer(entity: int, tier: int, score: float, matched: str) -> None:
            if entity not in best or (tier, score) < best[entity][:2]:
                best[entity] = (tier, score, matched)

        for entity, what, shown in self._db.execute(
            "SELECT entity, field, text FROM names WHERE norm = ? LIMIT ?", (norm, _CANDIDATES)
        ):
            offer(entity, 0 if what in {"code", "acronym"} else 1, 0.0, shown)
        # a prefix as a range of the index: norm >= 'abc' and < 'abc' + the highest character
        for entity, shown, length in self._db.execute(
            "SELECT entity, text, length(norm) FROM names WHERE norm >= ? AND norm < ? "
            "ORDER BY length(norm) LIMIT ?",
            (norm, norm + "\U0010ffff", _CANDIDATES),
        ):
            offer(entity, 2, float(length), shown)
        for entity, shown, score in self._db.execute(
            "SELECT entity, text, bm25(words) FROM words WHERE words MATCH ? "
            "ORDER BY bm25(words) LIMIT ?",
            (query, _CANDIDATES),
        ):
            offer(entity, 3, float(score), shown)
        ranked = sorted(
            best.items(),
            key=lambda item: (
                item[1][0],
                item[1][1],
                KIND_ORDER.get(self._entities[item[0]].kind, len(KIND_ORDER)),
                self._entities[item[0]].key,
            ),
        )
        return [self._hit(entity, tier, matched) for entity, (tier, _, matched) in ranked[:limit]]

    def _hit(self, at: int, tier: int, matched: str) -> Hit:
        entity = self._entities[at]
        return Hit(
            entity.kind,
            entity.key,
            dict(entity.names),
            entity.code,
            entity.acronym,
            matched,
            tier,
        )


def read_index(store: GraphStore) -> SearchIndex:
    """The search index of the store as it is now (search-names.rq)."""
    return SearchIndex(named_rows(store, "search-names"))
