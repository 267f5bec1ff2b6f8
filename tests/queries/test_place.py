"""Where a project takes place: countries placed in UN M49 regions (queries/network.py `place`).

The table is the regions module's (sic:includesCountry in ontology/core/regions.ttl), read from
the store like every other projection; these tests hold it to a handful of countries whose M49
regions are well known, and to every code the loader accepts.
"""

from __future__ import annotations

import pytest

from graph.embedded import EmbeddedStore
from loaders.cells import COUNTRIES
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
