"""What a project reaches, read from the graph for the permissions (queries.reach)."""

from __future__ import annotations

from graph.embedded import EmbeddedStore
from queries.reach import country_regions, parts_reach, project_reach

ORG = "https://w3id.org/4p1000/id/organisation/"


def test_a_country_lies_in_its_region_and_every_wider_one(reference: EmbeddedStore) -> None:
    assert country_regions(reference, "fi") == {"154", "150", "001"}
    assert country_regions(reference, "SN") == {"011", "202", "002", "001"}
    assert country_regions(reference, "XX") == frozenset()


def test_a_submission_reaches_its_activities_objectives_and_its_organisations(
    reference: EmbeddedStore,
) -> None:
    reached = parts_reach(reference, ["A1.01", "B1.02", "Z9.99"], ["FI"], ["gshf", "sahel-ssri"])
    assert reached.objectives == {"A1", "B1"}  # an unknown activity reaches nothing
    assert reached.regions == {"154", "150", "001"}
    assert reached.organisations == {ORG + "gshf", ORG + "sahel-ssri"}


def test_a_stored_project_reaches_what_the_graph_says(reference: EmbeddedStore) -> None:
    reached = project_reach(reference, "https://w3id.org/4p1000/id/project/ndc-soil-helpdesk")
    assert reached is not None
    assert reached.objectives == {"A1", "B1"}
    assert {"002", "011", "014"} <= reached.regions and "150" not in reached.regions
    assert reached.organisations == {
        ORG + key for key in ("gshf", "pan-african-soil", "francophone-rda", "niger-valley")
    }
    assert project_reach(reference, "https://w3id.org/4p1000/id/project/none") is None
