"""Sanity checks on the bundled reference workbook (data/reference/*.csv).

These read the CSV files with the standard csv module only, so that they hold independently of
the loaders: the workbook format is the one described in the design's workbook.md, and the
published facts (goal A, the 14 published objectives, the AGROVOC topics, the UN M49 codes) must
be carried over exactly.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import pytest

WORKBOOK = Path(__file__).resolve().parents[2] / "data" / "reference"

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "goals": ("code", "title"),
    "objectives": ("code", "goal", "title", "facility"),
    "categories": ("code", "label"),
    "activities": ("code", "objective", "category", "title"),
    "topics": ("code", "label"),
    "organisations": ("id", "name", "type", "country"),
    "people": ("id", "name", "organisation"),
    "task_force_roles": ("person", "objective", "role"),
    "alliances": ("id", "name", "lead", "members"),
    "projects": ("id", "title", "stage", "lead", "activities"),
    "funding": ("project", "funder", "amount", "currency", "status"),
    "calls": ("id", "funder", "title"),
    "delphi_responses": ("id", "phase", "question", "objective"),
    "indicators": ("id", "objective", "name", "unit"),
    "observations": ("indicator", "date", "value"),
}

OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "goals": ("description",),
    "objectives": (
        "description",
        "baseline_2020",
        "target_2030",
        "target_2050",
        "topics",
        "sdg",
        "source",
    ),
    "categories": ("definition",),
    "activities": ("description", "facility", "topics"),
    "topics": ("broader", "agrovoc"),
    "organisations": (
        "acronym",
        "status",
        "topics",
        "objectives",
        "regions",
        "website",
        "wikidata",
        "ror",
    ),
    "people": ("country",),
    "task_force_roles": ("region",),
    "alliances": ("activities", "formed"),
    "projects": (
        "description",
        "partners",
        "alliance",
        "countries",
        "start",
        "end",
        "budget",
        "currency",
    ),
    "funding": ("date",),
    "calls": (
        "topics",
        "regions",
        "objectives",
        "min_amount",
        "max_amount",
        "currency",
        "deadline",
    ),
    "delphi_responses": ("text", "respondent", "language"),
    "indicators": ("baseline", "baseline_date", "target_2030", "target_2050", "source", "note"),
    "observations": ("source", "note"),
}

# The key column of each file whose rows are entities with their own IRI.
KEY_COLUMN: dict[str, str] = {
    "goals": "code",
    "objectives": "code",
    "categories": "code",
    "activities": "code",
    "topics": "code",
    "organisations": "id",
    "people": "id",
    "alliances": "id",
    "projects": "id",
    "calls": "id",
    "delphi_responses": "id",
    "indicators": "id",
}

LANGUAGE_VARIANT_BASES = ("title", "name", "description", "label", "definition")

PUBLISHED_OBJECTIVE_TITLES: dict[str, str] = {
    "A1": "Ensure Soil Health (SH) and Soil Organic Carbon (SOC) are vital components of "
    "Nationally Determined Contributions (NDCs)",
    "A2": "Support the development and implementation of numerous innovative projects on "
    "Soil Health (SH) and Soil Organic Carbon (SOC)",
    "A3": "Facilitate an active multi-stakeholder exchange on innovations and success stories",
    "A4": "Facilitate a regional stakeholder exchange to initiate evidence-based transformative "
    "programs for on-the-ground action",
    "A5": "Improve the transparency, accessibility, and configuration of carbon market mechanisms",
    "A6": "Develop a conceptual framework illustrating the interrelations between the driving "
    "factors of Soil Health (SH), Soil Organic Carbon (SOC), and carbon balance in Agriculture, "
    "Forestry, and Other Land Use (AFOLU) systems",
    "B1": "Encourage the development and implementation of investment plans reflecting the "
    "targets set out in the NDCs",
    "C1": "Increase the awareness of all stakeholders regarding the decisive role of Soil Health "
    "(SH) in tackling climate change and improving food security",
    "C3": "Boost investments in Soil Health (SH) and Soil Organic Carbon (SOC)",
    "B2": "Provide an easily accessible database of good practices for Soil Health (SH) to "
    "practitioners",
    "D1": "Provide a digital collaborative platform, including regional portals",
    "D2": 'Establish, develop and expand "4 per 1000" regional networks',
    "D4": "Establish partnerships and alliances to enhance transformative action on the ground",
    "F2": "Mobilize sufficient resources to ensure the implementation of the strategy and "
    "functioning of the Executive Secretariat",
}
PUBLISHED_FACILITY = {
    "A1": "core",
    "A2": "global",
    "A3": "core",
    "A4": "core",
    "A5": "global",
    "A6": "core",
    "C1": "core",
    "D1": "global",
    "F2": "core",
}
OBJECTIVES_WITH_PUBLISHED_TARGETS = {
    "A1",
    "A2",
    "A6",
    "B1",
    "B2",
    "C1",
    "C3",
    "D1",
    "D2",
    "D4",
    "F2",
}

# The UN M49 codes of the project's region list (world, continents and sub-regions).
M49_CODES = frozenset(
    {
        "001",
        "002",
        "015",
        "202",
        "011",
        "014",
        "017",
        "018",
        "019",
        "419",
        "021",
        "142",
        "143",
        "030",
        "035",
        "034",
        "145",
        "150",
        "009",
    }
)

ORGANISATION_TYPES = frozenset(
    {"state", "international", "donor", "producers", "research", "ngo", "company"}
)
STATUSES = frozenset({"member", "partner", "friend", ""})
LEADING_STATUSES = frozenset({"member", "partner"})
# "Only individuals from an organization that is a partner" may lead or represent a region.
ROLE_LEADING_STATUSES = frozenset({"partner"})
FACILITIES = frozenset({"core", "global"})
ROLES = frozenset({"leader", "regional_representative", "member"})
STAGES = frozenset(
    {
        "idea",
        "team",
        "concept_note",
        "proposal",
        "funded",
        "implementation",
        "completed",
        "discontinued",
    }
)
LIVE_STAGES = frozenset({"idea", "team", "concept_note", "proposal", "funded", "implementation"})
SECURED_STAGES = frozenset({"funded", "implementation", "completed"})
FUNDING_STATUSES = frozenset({"pledged", "committed", "disbursed"})
PHASES = frozenset({"1", "2", "3"})
QUESTIONS = frozenset({"problem", "root_causes", "actions", "success_factors", "obstacles"})
LANGUAGES = frozenset({"en", "fr", "es"})
FUNDER_TYPES = frozenset({"donor", "state", "international"})

MINIMUM_ROWS = {
    "goals": 6,
    "objectives": 14,
    "categories": 8,
    "activities": 40,
    "topics": 50,
    "organisations": 60,
    "people": 30,
    "task_force_roles": 30,
    "alliances": 6,
    "projects": 25,
    "funding": 20,
    "calls": 6,
    "delphi_responses": 12,
}

COUNTRY = re.compile(r"[A-Z]{2}")
CURRENCY = re.compile(r"[A-Z]{3}")
AGROVOC_ID = re.compile(r"c_[0-9a-z]+")
SDG = re.compile(r"[1-9][0-7]?(\.([1-9][0-9]?|[a-z]))?")
ID = re.compile(r"[a-z0-9][a-z0-9-]*")
ACTIVITY_CODE = re.compile(r"[A-F][0-9]+\.[0-9]{2}")


@cache
def read(name: str) -> tuple[tuple[str, ...], tuple[dict[str, str], ...]]:
    """The header and the rows of one workbook file, each row a column -> value mapping."""
    with (WORKBOOK / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = tuple(next(reader))
        raw = list(reader)
    for number, values in enumerate(raw, start=2):
        assert len(values) == len(header), f"{name}.csv row {number}: {len(values)} fields"
    return header, tuple(dict(zip(header, values, strict=True)) for values in raw)


def rows(name: str) -> tuple[dict[str, str], ...]:
    return read(name)[1]


def split(cell: str) -> list[str]:
    return [value.strip() for value in cell.split(";") if value.strip()]


def keys(name: str) -> set[str]:
    return {row[KEY_COLUMN[name]] for row in rows(name)}


def by_key(name: str) -> dict[str, dict[str, str]]:
    return {row[KEY_COLUMN[name]]: row for row in rows(name)}


def topic_references() -> set[str]:
    """What a topics cell may hold: a local topic code or the AGROVOC id of a local topic."""
    return keys("topics") | {row["agrovoc"] for row in rows("topics")}


def is_iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


def is_decimal(value: str) -> bool:
    try:
        Decimal(value)
    except InvalidOperation:
        return False
    return re.fullmatch(r"\d+(\.\d+)?", value) is not None


def live_coverage() -> dict[str, set[str]]:
    """Activity code -> the stages of the projects that address it."""
    stages: dict[str, set[str]] = {}
    for project in rows("projects"):
        for activity in split(project["activities"]):
            stages.setdefault(activity, set()).add(project["stage"])
    return stages


def global_activities() -> set[str]:
    objectives = by_key("objectives")
    return {
        row["code"]
        for row in rows("activities")
        if (row["facility"] or objectives[row["objective"]]["facility"]) == "global"
    }


# --- format ---------------------------------------------------------------------------------


def test_workbook_folder_has_every_file() -> None:
    present = {path.stem for path in WORKBOOK.glob("*.csv")}
    assert set(REQUIRED_COLUMNS) <= present
    assert "about" in present


@pytest.mark.parametrize("name", sorted(REQUIRED_COLUMNS))
def test_file_is_utf8_without_bom(name: str) -> None:
    data = (WORKBOOK / f"{name}.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    data.decode("utf-8")


@pytest.mark.parametrize("name", sorted(REQUIRED_COLUMNS))
def test_required_columns_present(name: str) -> None:
    header, _ = read(name)
    missing = [column for column in REQUIRED_COLUMNS[name] if column not in header]
    assert not missing, f"{name}.csv lacks {missing}"


@pytest.mark.parametrize("name", sorted(REQUIRED_COLUMNS))
def test_no_unknown_columns(name: str) -> None:
    known = set(REQUIRED_COLUMNS[name]) | set(OPTIONAL_COLUMNS[name])
    variants = {
        f"{column}_{language}"
        for column in known & set(LANGUAGE_VARIANT_BASES)
        for language in ("fr", "es")
    }
    header, _ = read(name)
    assert len(set(header)) == len(header), f"{name}.csv repeats a column"
    assert set(header) <= known | variants, f"{name}.csv: {set(header) - known - variants}"


@pytest.mark.parametrize("name", sorted(REQUIRED_COLUMNS))
def test_required_cells_filled(name: str) -> None:
    for number, row in enumerate(rows(name), start=2):
        for column in REQUIRED_COLUMNS[name]:
            assert row[column].strip(), f"{name}.csv row {number} column {column} is empty"
            assert row[column] == row[column].strip(), f"{name}.csv row {number} {column}"


@pytest.mark.parametrize("name", sorted(MINIMUM_ROWS))
def test_volumes(name: str) -> None:
    assert len(rows(name)) >= MINIMUM_ROWS[name]


@pytest.mark.parametrize("name", sorted(KEY_COLUMN))
def test_codes_unique(name: str) -> None:
    counts = Counter(row[KEY_COLUMN[name]] for row in rows(name))
    assert [key for key, count in counts.items() if count > 1] == []


def test_task_force_roles_unique() -> None:
    counts = Counter((r["person"], r["objective"], r["role"]) for r in rows("task_force_roles"))
    assert [key for key, count in counts.items() if count > 1] == []


@pytest.mark.parametrize("name", ["organisations", "people", "alliances", "projects", "calls"])
def test_ids_are_iri_safe_slugs(name: str) -> None:
    for key in keys(name):
        assert ID.fullmatch(key), f"{name}: {key!r}"


def test_about_sheet() -> None:
    with (WORKBOOK / "about.csv").open(encoding="utf-8", newline="") as handle:
        about = {row["key"]: row["value"] for row in csv.DictReader(handle)}
    assert {"title", "description", "note", "source", "license"} <= set(about)
    assert about["license"] == "CC-BY-4.0"
    assert "Illustrative" in about["note"]


def test_readmes_exist() -> None:
    assert (WORKBOOK / "README.md").is_file()
    assert (WORKBOOK.parent / "README.md").is_file()


# --- published facts ------------------------------------------------------------------------


def test_goals_are_a_to_f_and_only_a_is_named() -> None:
    goals = by_key("goals")
    assert sorted(goals) == list("ABCDEF")
    assert goals["A"]["title"] == "Inception & Conceptualization"
    for code in "BCDEF":
        assert "not published" in goals[code]["title"]


def test_objectives_are_exactly_the_published_ones() -> None:
    objectives = by_key("objectives")
    assert {code: row["title"] for code, row in objectives.items()} == PUBLISHED_OBJECTIVE_TITLES
    for code, row in objectives.items():
        assert row["goal"] == code[0]
        assert row["facility"] in FACILITIES
        assert row["source"].startswith(("https://", "http://"))  # D1's page is quoted as http
    for code, facility in PUBLISHED_FACILITY.items():
        assert objectives[code]["facility"] == facility
    assert objectives["A5"]["description"] == ""


def test_targets_only_where_published() -> None:
    for code, row in by_key("objectives").items():
        cells = (row["baseline_2020"], row["target_2030"], row["target_2050"])
        if code in OBJECTIVES_WITH_PUBLISHED_TARGETS:
            assert all(cells), code
        else:
            assert not any(cells), code


def test_objective_sdgs() -> None:
    for row in rows("objectives"):
        assert split(row["sdg"]), row["code"]
        for value in split(row["sdg"]):
            assert SDG.fullmatch(value), f"{row['code']}: sdg {value!r}"


def test_topics_carry_agrovoc_ids_and_form_a_forest() -> None:
    topics = by_key("topics")
    agrovoc = [row["agrovoc"] for row in topics.values()]
    assert all(AGROVOC_ID.fullmatch(value) for value in agrovoc)
    assert len(set(agrovoc)) == len(agrovoc)
    for code, row in topics.items():
        seen = {code}
        parent = row["broader"]
        while parent:
            assert parent in topics, f"topic {code}: broader {parent!r} unknown"
            assert parent not in seen, f"topic {code}: broader cycle"
            seen.add(parent)
            parent = topics[parent]["broader"]


# --- references -----------------------------------------------------------------------------


def test_objective_references() -> None:
    goals, topics = keys("goals"), topic_references()
    for row in rows("objectives"):
        assert row["goal"] in goals
        assert set(split(row["topics"])) <= topics, row["code"]


def test_activity_references() -> None:
    objectives, categories, topics = keys("objectives"), keys("categories"), topic_references()
    for row in rows("activities"):
        assert ACTIVITY_CODE.fullmatch(row["code"]), row["code"]
        assert row["objective"] in objectives, row["code"]
        assert row["code"].startswith(row["objective"] + "."), row["code"]
        assert row["category"] in categories, row["code"]
        assert row["facility"] in FACILITIES | {""}, row["code"]
        assert set(split(row["topics"])) <= topics, row["code"]


def test_every_objective_and_category_has_activities() -> None:
    activities = rows("activities")
    assert {row["objective"] for row in activities} == keys("objectives")
    assert {row["category"] for row in activities} == keys("categories")


def test_some_activities_override_their_facility() -> None:
    objectives = by_key("objectives")
    overrides = [
        row
        for row in rows("activities")
        if row["facility"] and row["facility"] != objectives[row["objective"]]["facility"]
    ]
    assert len(overrides) >= 3


def test_organisation_values() -> None:
    objectives, topics = keys("objectives"), topic_references()
    for row in rows("organisations"):
        assert row["type"] in ORGANISATION_TYPES, row["id"]
        assert row["status"] in STATUSES, row["id"]
        assert COUNTRY.fullmatch(row["country"]), row["id"]
        assert set(split(row["topics"])) <= topics, row["id"]
        assert set(split(row["objectives"])) <= objectives, row["id"]
        assert set(split(row["regions"])) <= M49_CODES, row["id"]
        assert row["website"] == "" or row["website"].startswith("https://"), row["id"]


def test_organisations_cover_all_types_and_statuses() -> None:
    organisations = rows("organisations")
    assert {row["type"] for row in organisations} == ORGANISATION_TYPES
    assert {row["status"] for row in organisations} == STATUSES


def test_only_non_profits_are_members() -> None:
    for row in rows("organisations"):
        if row["status"] == "member":
            assert row["type"] != "company", row["id"]


def test_people_references() -> None:
    organisations = keys("organisations")
    for row in rows("people"):
        assert row["organisation"] in organisations, row["id"]
        assert row["country"] == "" or COUNTRY.fullmatch(row["country"]), row["id"]
    header, _ = read("people")
    assert not {"email", "e-mail", "phone", "telephone"} & {c.lower() for c in header}


def test_task_force_role_references() -> None:
    people, objectives = by_key("people"), keys("objectives")
    organisations = by_key("organisations")
    for number, row in enumerate(rows("task_force_roles"), start=2):
        where = f"task_force_roles.csv row {number}"
        assert row["person"] in people, where
        assert row["objective"] in objectives, where
        assert row["role"] in ROLES, where
        if row["role"] == "regional_representative":
            assert row["region"] in M49_CODES, where
        else:
            assert row["region"] == "" or row["region"] in M49_CODES, where
        if row["role"] != "member":
            status = organisations[people[row["person"]]["organisation"]]["status"]
            assert status in ROLE_LEADING_STATUSES, f"{where}: {row['person']} is from a {status!r}"


def test_leaders() -> None:
    leaders = Counter(r["objective"] for r in rows("task_force_roles") if r["role"] == "leader")
    assert max(leaders.values()) == 1
    assert len(leaders) > len(keys("objectives")) / 2


def test_alliance_references() -> None:
    organisations, activities = keys("organisations"), keys("activities")
    for row in rows("alliances"):
        members = split(row["members"])
        assert set(members) <= organisations, row["id"]
        assert row["lead"] in members, row["id"]
        assert set(split(row["activities"])) <= activities, row["id"]
        assert row["formed"] == "" or is_iso_date(row["formed"]), row["id"]


def test_project_references() -> None:
    organisations, alliances = keys("organisations"), keys("alliances")
    activities = keys("activities")
    for row in rows("projects"):
        where = row["id"]
        assert row["stage"] in STAGES, where
        assert row["lead"] in organisations, where
        partners = split(row["partners"])
        assert set(partners) <= organisations, where
        assert row["lead"] not in partners, where
        assert row["alliance"] == "" or row["alliance"] in alliances, where
        addressed = split(row["activities"])
        assert 1 <= len(addressed) <= 3, where
        assert set(addressed) <= activities, where
        assert all(COUNTRY.fullmatch(c) for c in split(row["countries"])), where


def test_project_dates_and_budgets() -> None:
    for row in rows("projects"):
        where = row["id"]
        for column in ("start", "end"):
            assert row[column] == "" or is_iso_date(row[column]), f"{where} {column}"
        if row["start"] and row["end"]:
            assert row["end"] > row["start"], where
        assert row["budget"] == "" or is_decimal(row["budget"]), where
        assert bool(row["budget"]) == bool(row["currency"]), where
        assert row["currency"] == "" or CURRENCY.fullmatch(row["currency"]), where


def test_every_stage_occurs() -> None:
    assert {row["stage"] for row in rows("projects")} == STAGES


def test_project_leads_are_partners_or_members() -> None:
    organisations = by_key("organisations")
    for row in rows("projects"):
        assert organisations[row["lead"]]["status"] in LEADING_STATUSES, row["id"]


def test_funding_references() -> None:
    projects, organisations = keys("projects"), by_key("organisations")
    for number, row in enumerate(rows("funding"), start=2):
        where = f"funding.csv row {number}"
        assert row["project"] in projects, where
        assert row["funder"] in organisations, where
        assert is_decimal(row["amount"]) and Decimal(row["amount"]) > 0, where
        assert CURRENCY.fullmatch(row["currency"]), where
        assert row["status"] in FUNDING_STATUSES, where
        assert row["date"] == "" or is_iso_date(row["date"]), where


def test_funders_are_mostly_donors_states_or_internationals() -> None:
    organisations = by_key("organisations")
    types = [organisations[row["funder"]]["type"] for row in rows("funding")]
    assert sum(t in FUNDER_TYPES for t in types) / len(types) >= 0.8


def test_secured_projects_have_secured_funding() -> None:
    secured = {r["project"] for r in rows("funding") if r["status"] in {"committed", "disbursed"}}
    for row in rows("projects"):
        if row["stage"] in SECURED_STAGES:
            assert row["id"] in secured, row["id"]


def test_funding_statuses_and_currencies() -> None:
    funding = rows("funding")
    assert {row["status"] for row in funding} == FUNDING_STATUSES
    assert len({row["currency"] for row in funding}) >= 2
    assert len({row["currency"] for row in rows("projects") if row["currency"]}) >= 2


def test_call_references() -> None:
    organisations, objectives = keys("organisations"), keys("objectives")
    topics = topic_references()
    for row in rows("calls"):
        where = row["id"]
        assert row["funder"] in organisations, where
        assert set(split(row["topics"])) <= topics, where
        assert set(split(row["regions"])) <= M49_CODES, where
        assert set(split(row["objectives"])) <= objectives, where
        for column in ("min_amount", "max_amount"):
            assert row[column] == "" or is_decimal(row[column]), f"{where} {column}"
        if row["min_amount"] and row["max_amount"]:
            assert Decimal(row["min_amount"]) <= Decimal(row["max_amount"]), where
        assert row["currency"] == "" or CURRENCY.fullmatch(row["currency"]), where
        assert row["deadline"] == "" or is_iso_date(row["deadline"]), where


def test_delphi_references() -> None:
    objectives, people = keys("objectives"), keys("people")
    responses = rows("delphi_responses")
    for row in responses:
        where = row["id"]
        assert row["phase"] in PHASES, where
        assert row["question"] in QUESTIONS, where
        assert row["objective"] in objectives, where
        assert row["respondent"] == "" or row["respondent"] in people, where
        assert row["language"] == "" or row["language"] in LANGUAGES, where
    assert {row["phase"] for row in responses} == PHASES
    assert {row["question"] for row in responses} == QUESTIONS
    assert any(row["language"] == "fr" for row in responses)
    assert any(row["respondent"] == "" for row in responses)


# --- planted features for the gap and matchmaking queries -----------------------------------


def test_some_global_activities_are_gaps() -> None:
    coverage = live_coverage()
    uncovered = {a for a in global_activities() if not coverage.get(a, set()) & LIVE_STAGES}
    assert len(uncovered) >= 3


def test_some_activities_are_covered_only_by_finished_projects() -> None:
    coverage = live_coverage()
    finished_only = [
        activity
        for activity, stages in coverage.items()
        if stages and stages <= {"completed", "discontinued"}
    ]
    assert len(finished_only) >= 2
