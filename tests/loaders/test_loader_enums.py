"""The loader's value -> concept tables agree with the ontology's SKOS concept schemes.

loaders/enums.py restates the contract so that loading needs no ontology files; this is the
check that the two did not drift apart (a notation renamed, a concept added on one side only).
"""

from __future__ import annotations

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
    M49 codes, read as numbers) and governance bodies (not a workbook value)."""
    schemes = set(ontology_graph().subjects(RDF.type, SKOS.ConceptScheme))
    covered = {e.scheme for e in enums.ALL}
    assert covered <= schemes
    assert schemes - covered == {SIC.Regions, SIC.GovernanceBodies}


def test_the_delphi_study_is_defined() -> None:
    assert (enums.DELPHI_STUDY, RDF.type, None) in ontology_graph()


@pytest.mark.parametrize("value", ["funded", "Funded", " FUNDED "])
def test_lookup_ignores_case_and_spaces(value: str) -> None:
    assert enums.STAGES.lookup(value) == enums.STAGES.concepts["funded"]
