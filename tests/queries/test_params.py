"""Parameters arrive as strings and leave as checked values and RDF terms, or as a clear error."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import pyoxigraph as ox
import pytest

from queries.params import ParamRefused, bind
from sic.errors import QueryError
from sic.rq import Param

BASE = "https://example.org/kg/"
DECLARED = (
    Param("activity", "code", required=True, kind="activity"),
    Param("top", "integer", default=10, minimum=1, maximum=50),
    Param("facility", "string", default="global", allowed=("global", "core")),
    Param("share", "decimal"),
    Param("as_of", "date", default="today"),
    Param("live", "boolean"),
    Param("graph", "iri"),
)


def test_values_become_python_values_and_terms() -> None:
    bound = bind(
        "q",
        DECLARED,
        {"activity": "A2.07", "top": "3", "share": "0.25", "live": "TRUE", "graph": BASE + "g"},
        BASE,
        today=dt.date(2025, 5, 1),
    )
    assert bound.values == {
        "activity": "A2.07",
        "top": 3,
        "facility": "global",
        "share": Decimal("0.25"),
        "as_of": dt.date(2025, 5, 1),
        "live": True,
        "graph": BASE + "g",
    }
    assert bound.terms["activity"] == ox.NamedNode(BASE + "id/activity/A2.07")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert bound.terms["top"] == ox.Literal("3", datatype=ox.NamedNode(xsd + "integer"))
    assert bound.terms["as_of"] == ox.Literal("2025-05-01", datatype=ox.NamedNode(xsd + "date"))
    assert bound.terms["facility"] == ox.Literal("global")
    assert bound.terms["share"].datatype == ox.NamedNode(xsd + "decimal")


def test_a_code_may_be_given_as_its_iri_but_not_as_another_kinds() -> None:
    bound = bind("q", DECLARED, {"activity": BASE + "id/activity/A1.05"}, BASE)
    assert bound.values["activity"] == "A1.05"
    with pytest.raises(QueryError, match="expects the key of one activity, or its IRI"):
        bind("q", DECLARED, {"activity": BASE + "id/objective/A1"}, BASE)


def test_a_value_with_quotes_stays_a_value() -> None:
    tricky = 'A1" } ; DROP ALL ; SELECT * { "'
    bound = bind("q", DECLARED, {"activity": tricky}, BASE)
    assert bound.terms["activity"].value.startswith(BASE + "id/activity/A1%22")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, "parameter 'activity' is required"),
        ({"activity": "A1", "colour": "red"}, "unknown parameter 'colour'"),
        ({"activity": "A1", "facility": "both"}, "must be one of global, core, not 'both'"),
        ({"activity": "A1", "top": "ten"}, "expects an integer, got 'ten'"),
        ({"activity": "A1", "top": "0"}, "at least 1"),
        ({"activity": "A1", "top": "51"}, "at most 50"),
        ({"activity": "A1", "share": "1,5"}, "expects a decimal number"),
        ({"activity": "A1", "share": "NaN"}, "finite"),
        ({"activity": "A1", "as_of": "31/12/2025"}, "expects a date as YYYY-MM-DD"),
        ({"activity": "A1", "live": "yes"}, "expects true or false"),
        ({"activity": "A1", "graph": "not an iri"}, "expects an absolute IRI"),
    ],
)
def test_bad_parameters_are_refused_with_a_clear_message(
    given: dict[str, str], message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        bind("candidates", DECLARED, given, BASE)


def test_an_empty_value_means_the_default() -> None:
    bound = bind("q", DECLARED, {"activity": "A1", "top": " ", "facility": ""}, BASE)
    assert bound.values["top"] == 10
    assert bound.values["facility"] == "global"
    assert "share" not in bound.values and "share" not in bound.terms


def test_a_refusal_says_what_was_expected_and_survives_pickling() -> None:
    """A page names the refused parameter in the reader's language from the refusal's key;
    the refusal crosses from a query worker to the service process pickled."""
    top = Param("top", "integer", minimum=1, maximum=50)
    with pytest.raises(ParamRefused) as refused:
        bind("q", [top], {"top": "0"}, BASE)
    again = pickle.loads(pickle.dumps(refused.value))
    assert isinstance(again, ParamRefused) and str(again) == str(refused.value)
    assert (again.param, again.key, again.raw, again.args_told) == (
        "top",
        "at_least",
        "0",
        {"limit": "1"},
    )
    with pytest.raises(ParamRefused, match="is required") as missing:
        bind("q", [Param("activity", "code", kind="activity", required=True)], {}, BASE)
    assert missing.value.key == "required"
