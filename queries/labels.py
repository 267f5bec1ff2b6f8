"""Names in English, French and Spanish of what pages and reasons name in words.

The strategy's entities (topics, activities, alliances...) by their kind and key, and the values
of the controlled lists (regions, organisation types, statuses, Task Force roles, stages) by the
local name of their SKOS scheme and their notation, as question rows give them. One read of
page-labels.rq per store version serves the web pages and the reasons of the ranking questions,
so both show a thing under the same name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graph.base import GraphStore
from queries.answer import Row
from queries.sparql import named_rows
from sic.vocab import SIC_NS

SCHEMES: Mapping[str, str] = {
    "stage": "Stages",
    "type": "OrganisationTypes",
    "status": "MembershipStatuses",
    "role": "TaskForceRoles",
    "facility": "FacilityTypes",
    "funding": "FundingStatuses",
    "phase": "DelphiPhases",
    "question": "DelphiQuestions",
    "region": "Regions",
}
"""Controlled lists by the short name pages use, to the local name of their SKOS scheme."""


@dataclass(frozen=True)
class Labels:
    """Names in English, French and Spanish: entities by (kind, key), list values by notation."""

    names: Mapping[tuple[str, str], Mapping[str, str]]

    def get(self, kind: str, key: object, lang: str, default: str | None = None) -> str:
        """The name in `lang`, else in English, else `default`, else the key itself."""
        if key is None:
            return default or ""
        found = self.names.get((kind, str(key)), {})
        return found.get(lang) or found.get("en") or default or str(key)

    def find(self, kind: str, key: str, lang: str) -> str | None:
        """The name in `lang`, else in English, else None: the caller decides what stands in."""
        found = self.names.get((SCHEMES.get(kind, kind), key), {})
        return found.get(lang) or found.get("en")

    def found_in(self, kind: str, key: str, lang: str) -> str | None:
        """The language of the name `find` gives: `lang`, else "en", else None (no name)."""
        found = self.names.get((SCHEMES.get(kind, kind), key), {})
        return lang if found.get(lang) else "en" if found.get("en") else None

    def fallback_of(self, kind: str, key: object, lang: str) -> str | None:
        """ "en" when the data names this thing in English but not in `lang` (so a page can
        mark the English name), else None (named in `lang`, or not named in any language)."""
        found = self.names.get((kind, str(key)), {})
        return "en" if lang not in found and "en" in found else None

    def language_of(self, kind: str, key: object, lang: str) -> str:
        """The language the name shown by `get` is in (for the `lang` attribute of HTML)."""
        found = self.names.get((kind, str(key)), {})
        return lang if lang in found else "en"


def read_labels(store: GraphStore) -> Labels:
    """Every label page-labels.rq finds; schemes by their local name (Stages, Regions...)."""
    return labels_from(named_rows(store, "page-labels"))


def labels_from(rows: Iterable[Row]) -> Labels:
    """The labels of page-labels.rq's rows (see `read_labels`)."""
    names: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for row in rows:
        kind = str(row["kind"]).removeprefix(SIC_NS)
        names[(kind, str(row["entity"]))].setdefault(str(row["language"]), str(row["label"]))
    return Labels({k: dict(v) for k, v in names.items()})
