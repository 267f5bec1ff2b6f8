"""The page models of a project and an alliance (queries.group_pages) on the reference data.

The expected values are read from the workbook's CSV files (data/reference), not from the
code under test: the team is the project's lead and partners columns, the funding lines are
funding.csv's rows for the project, the activities its activities column.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest

from graph.dataset import SourceInfo
from graph.embedded import EmbeddedStore
from queries.group_pages import (
    FundingLine,
    alliance_page,
    funding_totals,
    project_page,
)
from queries.labels import read_labels
from queries.network import projections
from queries.page_data import Lookups, View, read_choices
from sic.errors import NotFound
from sic.paths import iati_sample

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


@dataclass(frozen=True)
class Reader:
    lang: str

    def url(self, path: str, **params: object) -> str:
        return f"{path}?{urlencode(params)}" if params else path


def view(store: EmbeddedStore, lang: str = "en") -> View:
    return View(store, Reader(lang), read_labels(store), read_choices(store), Lookups(store))


def rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def split(cell: str) -> list[str]:
    return [v for v in (x.strip() for x in cell.split(";")) if v]


def test_a_project_page_has_its_team_in_their_roles(reference: EmbeddedStore) -> None:
    source = next(r for r in rows("projects") if r["id"] == "ndc-soil-helpdesk")
    page = project_page(view(reference), "ndc-soil-helpdesk")
    assert page.title == source["title"] and page.stage == "implementation" and page.live
    assert page.lead is not None and page.lead.organisation == source["lead"]
    assert [(m.organisation, m.role) for m in page.team] == [
        (source["lead"], "lead"),
        *((p, "partner") for p in sorted(split(source["partners"]))),
    ]
    countries = {r["id"]: r["country"] for r in rows("organisations")}
    assert all(m.country == countries[m.organisation] for m in page.team)
    assert page.countries == tuple(sorted(split(source["countries"])))
    assert (page.start, page.end) == (source["start"], source["end"])
    assert (page.budget, page.currency) == (Decimal(source["budget"]), source["currency"])
    assert page.alliance == source["alliance"] and page.alliance_title


def test_a_project_page_lists_its_activities_under_their_objectives(
    reference: EmbeddedStore,
) -> None:
    source = next(r for r in rows("projects") if r["id"] == "ndc-soil-helpdesk")
    objectives = {r["code"]: r["objective"] for r in rows("activities")}
    page = project_page(view(reference), "ndc-soil-helpdesk")
    assert [(a.activity, a.objective) for a in page.activities] == [
        (a, objectives[a]) for a in sorted(split(source["activities"]))
    ]
    assert all(a.title and a.objective_title for a in page.activities)
    assert page.objectives == tuple(sorted({objectives[a] for a in split(source["activities"])}))


def test_a_project_page_has_every_funding_line_and_totals_per_currency(
    reference: EmbeddedStore,
) -> None:
    expected = [r for r in rows("funding") if r["project"] == "ndc-soil-helpdesk"]
    page = project_page(view(reference), "ndc-soil-helpdesk")
    shown = sorted((f.funder, f.status, f.amount, f.currency, f.date) for f in page.funding)
    assert shown == sorted(
        (r["funder"], r["status"], Decimal(r["amount"]), r["currency"], r["date"]) for r in expected
    )
    assert [f.date for f in page.funding] == sorted(f.date or "" for f in page.funding)
    totals = {t.currency: t for t in page.totals}
    assert set(totals) == {r["currency"] for r in expected}, "never converted"
    for currency, total in totals.items():
        mine = [r for r in expected if r["currency"] == currency]
        assert total.secured == sum(
            (Decimal(r["amount"]) for r in mine if r["status"] in {"committed", "disbursed"}),
            Decimal(0),
        )
        assert total.pledged == sum(
            (Decimal(r["amount"]) for r in mine if r["status"] == "pledged"), Decimal(0)
        )


def test_funding_totals_leave_out_lines_they_cannot_add() -> None:
    lines = [
        FundingLine("a", "f", "F", "pledged", Decimal(100), "EUR", None),
        FundingLine("b", "f", "F", "disbursed", Decimal(5), "EUR", None),
        FundingLine("c", "f", "F", "committed", None, "EUR", None),
        FundingLine("d", "f", "F", "committed", Decimal(7), "USD", None),
        FundingLine("e", "f", "F", "refused", Decimal(9), "USD", None),
    ]
    totals = funding_totals(lines)
    assert [(t.currency, t.pledged, t.secured) for t in totals] == [
        ("EUR", Decimal(100), Decimal(5)),
        ("USD", Decimal(0), Decimal(7)),
    ]


def test_a_project_without_team_funding_or_dates_still_has_a_page(
    reference: EmbeddedStore,
) -> None:
    page = project_page(view(reference), "soil-project-incubator")
    assert page.stage == "idea" and page.funding == () and page.totals == ()
    assert page.budget is None and page.start is None and page.countries == ()
    assert [(m.organisation, m.role) for m in page.team] == [("agroeco-bridges", "lead")]


def test_the_project_page_names_its_sources_with_their_licence(reference: EmbeddedStore) -> None:
    page = project_page(view(reference), "ndc-soil-helpdesk", reference.sources())
    assert [a.name for a in page.attribution] == ["reference"]
    assert page.attribution[0].license == "CC-BY-4.0"
    unrelated = SourceInfo("other", "https://example.org/graph/other", 1, "2026-01-01")
    assert project_page(view(reference), "ndc-soil-helpdesk", [unrelated]).attribution == ()


def test_an_alliance_page_has_its_members_activities_and_projects(
    reference: EmbeddedStore,
) -> None:
    source = next(r for r in rows("alliances") if r["id"] == "sahel-agroforestry")
    page = alliance_page(view(reference), "sahel-agroforestry")
    assert page.title == source["name"] and page.formed == source["formed"]
    members = [(m.organisation, m.role) for m in page.members]
    assert members[0] == (source["lead"], "lead")
    assert sorted(members[1:]) == [
        (m, "member") for m in sorted(split(source["members"])) if m != source["lead"]
    ]
    assert [a.activity for a in page.activities] == sorted(split(source["activities"]))
    carried = [r["id"] for r in rows("projects") if r["alliance"] == "sahel-agroforestry"]
    assert sorted(p.project for p in page.projects) == sorted(carried)
    assert page.projects[0].stage == "implementation", "the most advanced stage first"


def test_an_alliance_title_is_in_the_readers_language(reference: EmbeddedStore) -> None:
    source = next(r for r in rows("alliances") if r["id"] == "sahel-agroforestry")
    assert alliance_page(view(reference, "fr"), "sahel-agroforestry").title == source["name_fr"]


@pytest.mark.parametrize("build", [project_page, alliance_page])
def test_an_unknown_group_is_not_found(reference: EmbeddedStore, build: object) -> None:
    with pytest.raises(NotFound):
        build(view(reference), "no-such-group")  # type: ignore[operator]


def test_a_project_from_iati_is_attributed_to_its_publisher_with_its_licence(
    load_workbook: Callable[[Path], EmbeddedStore],
) -> None:
    """An IATI activity may be shown only with its licence: the page names the file's source."""
    first = iati_sample()[0]
    store = load_workbook(first)
    try:
        keys = sorted(k for kind, k in projections(store).members_of if kind == "project")
        assert keys and all(k.startswith("iati:") for k in keys)
        source = next(s for s in store.sources() if s.name == first.stem)
        page = project_page(view(store), keys[0], store.sources())
        assert [a.name for a in page.attribution] == [first.stem]
        assert page.attribution[0].license == source.about["license"]
        assert page.attribution[0].publisher == source.about["publisher"]
        assert page.team and page.funding
    finally:
        store.close()
