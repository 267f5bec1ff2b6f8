"""The workbook's files and columns, as data (see /work/shared/design/workbook.md).

Keeping the format in one table means that checking the header, reporting a missing value and
telling a user what a column expects all read the same description, so they cannot disagree.
A column that takes a controlled list names the list; its values are the ontology's.
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders import enums
from loaders.enums import Enumeration

LANGUAGES: tuple[tuple[str, str], ...] = (("", "en"), ("_fr", "fr"), ("_es", "es"))
"""Column suffix and language tag of each language variant of a translated text column."""


@dataclass(frozen=True)
class Column:
    """One column: whether it must be filled, and what a value looks like (for messages).

    For a column that takes a controlled list (`values`), `what` says where the list's values
    go, as `{}`: they are read from the ontology when a message first needs them.
    """

    name: str
    what: str
    required: bool = False
    translated: bool = False
    values: Enumeration | None = None

    @property
    def expects(self) -> str:
        """What a value looks like, as messages say it: `an ISO date`, `core or global`."""
        return self.what if self.values is None else self.what.format(self.values.either())

    def variants(self) -> tuple[tuple[str, str], ...]:
        """(column name, language tag) of this column and its `_fr`/`_es` variants."""
        if not self.translated:
            return ((self.name, "en"),)
        return tuple((self.name + suffix, lang) for suffix, lang in LANGUAGES)


@dataclass(frozen=True)
class Sheet:
    """One file of the workbook (`{name}.csv`, or the sheet `{name}` of an .xlsx file).

    `kind` is the kind of its data IRIs (`{BASE}id/{kind}/{key}`), `noun` how one row is named
    in messages, `key` the column whose values are unique (None: rows have no key of their own).
    """

    name: str
    columns: tuple[Column, ...]
    kind: str
    noun: str
    required: bool = False
    key: str | None = None

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")

    def known_columns(self) -> tuple[str, ...]:
        """Every header this sheet accepts, language variants included, in a stable order."""
        return tuple(name for column in self.columns for name, _ in column.variants())


def _req(name: str, expects: str, translated: bool = False) -> Column:
    return Column(name, expects, required=True, translated=translated)


def _opt(name: str, expects: str, translated: bool = False) -> Column:
    return Column(name, expects, required=False, translated=translated)


def _one_of(name: str, values: Enumeration, required: bool = True, what: str = "{}") -> Column:
    return Column(name, what, required=required, values=values)


_TEXT = "a text"
_TOPICS = "topic codes or AGROVOC ids (c_...) separated by ';'"
_REGIONS = "UN M49 region codes separated by ';'"
_OBJECTIVES = "objective codes separated by ';'"
_DATE = "an ISO date (YYYY-MM-DD)"
_DECIMAL = "a decimal number such as 1500000 or 2500.50"
_CURRENCY = "an ISO 4217 currency code such as EUR"

GOALS = Sheet(
    "goals",
    (
        _req("code", "a goal code such as A"),
        _req("title", "a title (in English)", True),
        _opt("description", _TEXT, True),
    ),
    required=True,
    key="code",
    kind="goal",
    noun="goal",
)
OBJECTIVES = Sheet(
    "objectives",
    (
        _req("code", "an objective code such as A1"),
        _req("goal", "a goal code"),
        _req("title", "a title (in English)", True),
        _opt("description", _TEXT, True),
        _one_of("facility", enums.FACILITIES),
        _opt("baseline_2020", _TEXT),
        _opt("target_2030", _TEXT),
        _opt("target_2050", _TEXT),
        _opt("topics", _TOPICS),
        _opt("sdg", "SDG goal or target numbers such as 13 or 15.3, separated by ';'"),
        _opt("source", "web addresses (http or https) separated by ';'"),
    ),
    required=True,
    key="code",
    kind="objective",
    noun="objective",
)
CATEGORIES = Sheet(
    "categories",
    (
        _req("code", "a category code"),
        _req("label", "a label (in English)", True),
        _opt("definition", _TEXT, True),
    ),
    required=True,
    key="code",
    kind="category",
    noun="category",
)
ACTIVITIES = Sheet(
    "activities",
    (
        _req("code", "an activity code such as A2.01"),
        _req("objective", "an objective code"),
        _req("category", "a category code"),
        _req("title", "a title (in English)", True),
        _opt("description", _TEXT, True),
        _one_of("facility", enums.FACILITIES, False, "{} (empty: the objective's)"),
        _opt("topics", _TOPICS),
    ),
    required=True,
    key="code",
    kind="activity",
    noun="activity",
)
TOPICS = Sheet(
    "topics",
    (
        _req("code", "a topic code"),
        _req("label", "a label (in English)", True),
        _opt("broader", "a topic code"),
        _opt("agrovoc", "an AGROVOC id such as c_389fe908"),
    ),
    key="code",
    kind="topic",
    noun="topic",
)
ORGANISATIONS = Sheet(
    "organisations",
    (
        _req("id", "an organisation id"),
        _req("name", "a name", True),
        _opt("acronym", _TEXT),
        _one_of("type", enums.ORGANISATION_TYPES),
        _req("country", "an ISO 3166-1 alpha-2 country code such as FR"),
        _one_of("status", enums.MEMBERSHIP_STATUSES, False, "{} (or empty)"),
        _opt("topics", _TOPICS),
        _opt("objectives", _OBJECTIVES),
        _opt("regions", _REGIONS),
        _opt("website", "a web address (http or https)"),
        _opt("wikidata", "a Wikidata id such as Q82151"),
        _opt("ror", "a ROR id such as 00pe0tf51"),
    ),
    required=True,
    key="id",
    kind="organisation",
    noun="organisation",
)
PEOPLE = Sheet(
    "people",
    (
        _req("id", "a person id"),
        _req("name", "a name", True),
        _req("organisation", "an organisation id"),
        _opt("country", "an ISO 3166-1 alpha-2 country code such as FR"),
    ),
    key="id",
    kind="person",
    noun="person",
)
TASK_FORCE_ROLES = Sheet(
    "task_force_roles",
    (
        _req("person", "a person id"),
        _req("objective", "an objective code"),
        _one_of("role", enums.TASK_FORCE_ROLES),
        _opt("region", "a UN M49 region code (required for a regional representative)"),
    ),
    kind="taskforce",
    noun="task force role",
)
ALLIANCES = Sheet(
    "alliances",
    (
        _req("id", "an alliance id"),
        _req("name", "a name", True),
        _req("lead", "an organisation id that is also listed in members"),
        _req("members", "organisation ids separated by ';'"),
        _opt("activities", "activity codes separated by ';'"),
        _opt("formed", _DATE),
    ),
    key="id",
    kind="alliance",
    noun="alliance",
)
PROJECTS = Sheet(
    "projects",
    (
        _req("id", "a project id"),
        _req("title", "a title (in English)", True),
        _opt("description", _TEXT, True),
        _one_of("stage", enums.STAGES),
        _req("lead", "an organisation id"),
        _opt("partners", "organisation ids separated by ';'"),
        _opt("alliance", "an alliance id"),
        _req("activities", "activity codes separated by ';'"),
        _opt("countries", "ISO 3166-1 alpha-2 country codes separated by ';'"),
        _opt("start", _DATE),
        _opt("end", _DATE),
        _opt("budget", _DECIMAL),
        _opt("currency", _CURRENCY),
    ),
    key="id",
    kind="project",
    noun="project",
)
FUNDING = Sheet(
    "funding",
    (
        _req("project", "a project id"),
        _req("funder", "an organisation id"),
        _req("amount", _DECIMAL),
        _req("currency", _CURRENCY),
        _one_of("status", enums.FUNDING_STATUSES),
        _opt("date", _DATE),
    ),
    kind="funding",
    noun="funding",
)
CALLS = Sheet(
    "calls",
    (
        _req("id", "a call id"),
        _req("funder", "an organisation id"),
        _req("title", "a title (in English)", True),
        _opt("topics", _TOPICS),
        _opt("regions", _REGIONS),
        _opt("objectives", _OBJECTIVES),
        _opt("min_amount", _DECIMAL),
        _opt("max_amount", _DECIMAL),
        _opt("currency", _CURRENCY),
        _opt("deadline", _DATE),
    ),
    key="id",
    kind="call",
    noun="call",
)
DELPHI_RESPONSES = Sheet(
    "delphi_responses",
    (
        _req("id", "a response id"),
        _one_of("phase", enums.DELPHI_PHASES),
        _one_of("question", enums.DELPHI_QUESTIONS),
        _req("objective", "an objective code"),
        _opt("text", _TEXT),
        _opt("respondent", "a person id, or empty (anonymous)"),
        _opt("language", "a language tag such as en, fr or es (default en)"),
    ),
    key="id",
    kind="response",
    noun="Delphi response",
)

INDICATORS = Sheet(
    "indicators",
    (
        _req("id", "an indicator id"),
        _req("objective", "an objective code"),
        _req("name", "a name (in English)", True),
        _req("unit", "a unit in words, such as events per year or %"),
        _opt("baseline", "a number (the baseline value), such as 20 or 450.5"),
        _opt("baseline_date", _DATE),
        _opt("target_2030", "a number (the value to reach by 2030)"),
        _opt("target_2050", "a number (the value to reach by 2050)"),
        _opt("source", "web addresses (http or https) separated by ';'"),
        _opt("note", _TEXT),
    ),
    key="id",
    kind="indicator",
    noun="indicator",
)
OBSERVATIONS = Sheet(
    "observations",
    (
        _req("indicator", "an indicator id"),
        _req("date", _DATE),
        _req("value", "a number, such as 12 or 450.5"),
        _opt("source", "web addresses (http or https) separated by ';'"),
        _opt("note", _TEXT),
    ),
    kind="observation",
    noun="observation",
)

SHEETS: tuple[Sheet, ...] = (
    GOALS,
    OBJECTIVES,
    CATEGORIES,
    ACTIVITIES,
    TOPICS,
    ORGANISATIONS,
    PEOPLE,
    TASK_FORCE_ROLES,
    ALLIANCES,
    PROJECTS,
    FUNDING,
    CALLS,
    DELPHI_RESPONSES,
    INDICATORS,
    OBSERVATIONS,
)
"""Every data sheet, in the order problems are reported (the order the format lists them)."""

ABOUT = "about"
"""The optional sheet that describes the workbook itself (columns key, value)."""

ABOUT_KEYS: tuple[str, ...] = ("title", "description", "note", "source", "license")

BY_NAME: dict[str, Sheet] = {sheet.name: sheet for sheet in SHEETS}
