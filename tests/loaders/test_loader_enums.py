"""The loader's controlled lists are the ontology's SKOS concept schemes, read once and lazily.

loaders/enums.py names the scheme each list is (value = `skos:notation`); the values and their
concepts come from the ontology only, so the two cannot drift apart. The contract's values are
checked against the ontology in tests/ontology/test_ontology.py.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from rdflib.namespace import RDF, SKOS

from loaders import enums
from sic.ontology import controlled_values, ontology_graph
from sic.vocab import SIC


@pytest.mark.parametrize("enumeration", enums.ALL, ids=[e.noun for e in enums.ALL])
def test_enumeration_matches_the_ontology(enumeration: enums.Enumeration) -> None:
    assert dict(enumeration.concepts) == controlled_values(enumeration.scheme)


def test_every_controlled_list_of_the_workbook_is_covered() -> None:
    """Every concept scheme of the ontology is a column's controlled list, except regions (UN
    M49 codes, read as numbers), governance bodies (not a workbook value) and DAC sectors
    (read from IATI files, never from the workbook), link decisions (a person's, never the
    workbook's)."""
    schemes = set(ontology_graph().subjects(RDF.type, SKOS.ConceptScheme))
    covered = {e.scheme for e in enums.ALL}
    assert covered <= schemes
    assert schemes - covered == {
        SIC.Regions,
        SIC.GovernanceBodies,
        SIC.DacSectors,
        SIC.LinkDecisions,
    }


def test_the_delphi_study_is_defined() -> None:
    assert (enums.DELPHI_STUDY, RDF.type, None) in ontology_graph()


@pytest.mark.parametrize("value", ["funded", "Funded", " FUNDED "])
def test_lookup_ignores_case_and_spaces(value: str) -> None:
    assert enums.STAGES.lookup(value) == enums.STAGES.concepts["funded"]


ALLOWED: list[tuple[enums.Enumeration, str]] = [
    (enums.FACILITIES, "core, global"),
    (
        enums.ORGANISATION_TYPES,
        "state, international, donor, producers, research, ngo, company",
    ),
    (enums.MEMBERSHIP_STATUSES, "member, partner, friend"),
    (enums.TASK_FORCE_ROLES, "leader, regional_representative, member"),
    (
        enums.STAGES,
        "idea, team, concept_note, proposal, funded, implementation, completed, discontinued",
    ),
    (enums.FUNDING_STATUSES, "pledged, committed, disbursed"),
    (enums.DELPHI_PHASES, "1, 2, 3"),
    (enums.DELPHI_QUESTIONS, "problem, root_causes, actions, success_factors, obstacles"),
]


@pytest.mark.parametrize(("enumeration", "allowed"), ALLOWED, ids=[e.noun for e, _ in ALLOWED])
def test_messages_list_the_values_in_the_order_the_ontology_declares_them(
    enumeration: enums.Enumeration, allowed: str
) -> None:
    """The order of ontology/core/*.ttl, which is the contract's (stages in the cycle's order)."""
    assert enumeration.allowed() == allowed


def test_a_list_reads_as_a_choice() -> None:
    assert enums.FACILITIES.either() == "core or global"
    assert enums.MEMBERSHIP_STATUSES.either() == "member, partner or friend"
    assert enums.DELPHI_PHASES.either() == "1, 2 or 3"


def test_importing_the_loaders_reads_no_ontology() -> None:
    """The lists are read when a cell first needs one, not when a module is imported."""
    code = (
        "import loaders.enums, loaders.sheets, loaders.mapping, sic.ontology as o;"
        "assert o._parsed.cache_info().currsize == 0, 'parsed at import'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
