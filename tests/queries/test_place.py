"""Where a project takes place: countries placed in UN M49 regions (queries/network.py `place`).

The table is the regions module's (sic:includesCountry in ontology/core/regions.ttl), read from
the store like every other projection; these tests hold it to a handful of countries whose M49
regions are well known, and to every code the loader accepts. Then funders-for-project on the
shape of a reported bug (tests/data/workbooks/place): demonstration farms in India and Viet Nam
whose one partner works in Latin America had a Latin American funder ranked first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from loaders.cells import COUNTRIES
from queries.catalogue import run
from queries.network import Projections, projections

WORLD = "001"


@pytest.fixture(scope="module")
def net(planted: EmbeddedStore) -> Projections:
    return projections(planted)


def chain(net: Projections, region: str) -> list[str]:
    """The region and the regions above it, nearest first."""
    ups = net.regions.ancestors(region)
    return [region, *sorted(ups, key=lambda r: ups[r])]


@pytest.mark.parametrize(
    ("country", "regions"),
    [
        ("FR", ["155", "150", WORLD]),  # Western Europe, Europe
        ("SN", ["011", "202", "002", WORLD]),  # Western Africa, Sub-Saharan Africa, Africa
        ("BR", ["005", "419", "019", WORLD]),  # South America, Latin America and the Caribbean
        ("IN", ["034", "142", WORLD]),  # Southern Asia, Asia
        ("VN", ["035", "142", WORLD]),  # South-eastern Asia, Asia
        ("MX", ["013", "419", "019", WORLD]),  # Central America: M49 has no North America
        ("JE", ["830", "154", "150", WORLD]),  # Channel Islands, Northern Europe
        ("NR", ["057", "009", WORLD]),  # Micronesia
        ("AQ", [WORLD]),  # Antarctica: in no region of M49
    ],
)
def test_a_country_lies_in_its_m49_regions(
    net: Projections, country: str, regions: list[str]
) -> None:
    place = net.place([country])
    assert place.regions == {regions[0]} and place.unplaced == ()
    assert chain(net, regions[0]) == regions


def test_the_regions_of_several_countries_are_each_ones_most_specific(net: Projections) -> None:
    place = net.place(["vn", "IN", " BD ", "IN"])
    assert place.countries == ("BD", "IN", "VN")
    assert place.regions == {"034", "035"}
    assert [net.regions.label(r) for r in sorted(place.regions)] == [
        "Southern Asia",
        "South-eastern Asia",
    ]


def test_every_code_the_loader_accepts_lies_in_one_region_under_the_world(
    net: Projections,
) -> None:
    place = net.place(COUNTRIES)
    assert place.unplaced == ()
    assert set(net.country_regions) == COUNTRIES
    for code, regions in net.country_regions.items():
        assert len(regions) == 1, code
        (region,) = regions
        assert net.regions.labels.get(region), (code, region)  # a region of the ontology
        assert region == WORLD or WORLD in net.regions.ancestors(region), code


def test_a_code_outside_the_table_is_reported_not_dropped(net: Projections) -> None:
    place = net.place(["SN", "XK", "ZZ"])
    assert place.regions == {"011"}
    assert place.unplaced == ("XK", "ZZ")
    assert net.place([]).regions == frozenset()


# --- funders-for-project: the region compared is where the project takes place -------------------

PLACE = Path(__file__).resolve().parents[1] / "data" / "workbooks" / "place"


@pytest.fixture(scope="module")
def place_store(
    load_workbook: Callable[[Path], EmbeddedStore],
) -> Iterator[EmbeddedStore]:
    """tests/data/workbooks/place: farms in IN and VN, a partner in Latin America, two funders."""
    store = load_workbook(PLACE)
    yield store
    store.close()


def region_reason(row: dict[str, Any]) -> dict[str, Any] | None:
    return next((r for r in row["reasons"] if r["signal"] == "region"), None)


def test_an_asian_project_with_a_latin_american_partner_is_matched_in_asia(
    place_store: EmbeddedStore,
) -> None:
    """The reported bug: a partner's region of work put a Latin American funder first."""
    params = {"project": "asia-demo-farms", "as_of": "2025-01-01"}
    rows = run(place_store, "funders-for-project", params).rows
    assert [r["organisation"] for r in rows] == ["asia-fund", "latam-secretariat"]
    asian, latin = rows
    reason = region_reason(asian)
    assert reason is not None and reason["value"] == 1.0
    assert reason["evidence"] == ["034", "035"]
    assert reason["text"] == (
        "The funder covers Southern Asia and South-eastern Asia, where the project takes place"
    )
    assert latin["signals"]["region"] == 0.0


def test_a_project_with_no_country_is_placed_where_its_team_works(
    place_store: EmbeddedStore,
) -> None:
    rows = run(place_store, "funders-for-project", {"project": "nowhere-farms"}).rows
    assert rows[0]["organisation"] == "latam-secretariat"
    reason = region_reason(rows[0])
    assert reason is not None and reason["evidence"] == ["419"]
    assert reason["text"].endswith(", where the team works")


def test_an_activity_is_placed_where_its_live_projects_take_place(
    place_store: EmbeddedStore,
) -> None:
    params = {"activity": "A2.06", "as_of": "2025-01-01"}
    rows = run(place_store, "funders-for-activity", params).rows
    assert rows[0]["organisation"] == "asia-fund"
    reason = region_reason(rows[0])
    assert reason is not None and reason["evidence"] == ["034", "035"]
    assert reason["text"].endswith(", where the activity's projects take place")
