"""Each `.rq` file of queries/: valid header, parameters used and projected, runs on the reference.

Parameters must be projected by the outer SELECT: pyoxigraph refuses to substitute a variable
the projection drops, and a remote store binds them with a trailing VALUES block, which only
joins on what the query keeps.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.results import SelectResult
from queries.params import bind
from queries.sparql import FOLDER, rq_registry
from sic.rq import RqQuery, parse_rq, projection, variables

RQ_FILES = sorted(FOLDER.glob("*.rq"))
# A value that exists in the reference workbook for each kind of code parameter.
SAMPLES = {
    "activity": "A1.05",
    "objective": "A1",
    "organisation": "boreal-peat",
    "project": "ndc-soil-helpdesk",
    "category": "POL",
}


def test_the_folder_holds_the_queries_and_nothing_that_looks_like_one() -> None:
    assert len(RQ_FILES) >= 20
    strays = [
        p.name
        for p in FOLDER.iterdir()
        if p.suffix in {".sparql", ".rqq", ".sqarql", ".ru", ".txt"} or p.name.endswith(".rq~")
    ]
    assert strays == []
    assert len(rq_registry()) == len(RQ_FILES)


@pytest.mark.parametrize("path", RQ_FILES, ids=lambda p: p.stem)
def test_header_parses_and_declares_what_the_body_uses(path: Path) -> None:
    query = parse_rq(path)
    assert query.summary and not query.summary.endswith(":")
    assert query.role in {"question", "part"}
    assert query.columns, "every query declares its columns"
    used = variables(query.text)
    projected = projection(query.text)
    assert projected is not None, "name the columns instead of SELECT *"
    assert set(query.columns) == projected, "columns must be exactly what SELECT projects"
    for param in query.params:
        assert param.name in used, f"parameter {param.name} is not used"
        assert param.name in projected, f"parameter {param.name} must be projected"
        if param.type == "code":
            assert param.kind in SAMPLES or param.kind in {"call", "alliance"}


def _sample_params(query: RqQuery) -> dict[str, str]:
    params: dict[str, str] = {}
    for param in query.params:
        if param.required:
            assert param.kind is not None
            params[param.name] = SAMPLES[param.kind]
    return params


@pytest.mark.parametrize("path", RQ_FILES, ids=lambda p: p.stem)
def test_every_query_runs_on_the_reference_data(path: Path, reference: EmbeddedStore) -> None:
    query = rq_registry()[path.stem]
    bound = bind(query.name, query.params, _sample_params(query), reference.base)
    result = reference.query(query.text, substitutions=dict(bound.terms))
    assert isinstance(result, SelectResult)
    assert result.variables == list(query.columns)
    assert len(result) > 0, f"{query.name} finds nothing in the reference data"
