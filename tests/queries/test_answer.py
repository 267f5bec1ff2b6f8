"""Result terms as plain values: keys for data IRIs, Python numbers for typed literals."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox

from graph.results import SelectResult
from queries.answer import rows_of, value_of

BASE = "https://w3id.org/4p1000/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _lit(text: str, datatype: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


def test_values_of_each_kind_of_term() -> None:
    assert value_of(ox.NamedNode(BASE + "id/activity/A1.05"), BASE) == "A1.05"
    assert value_of(ox.NamedNode("http://aims.fao.org/aos/agrovoc/c_7156"), BASE) == (
        "http://aims.fao.org/aos/agrovoc/c_7156"
    )
    assert value_of(_lit("12", "integer"), BASE) == 12
    assert value_of(_lit("2.50", "decimal"), BASE) == Decimal("2.50")
    assert value_of(_lit("true", "boolean"), BASE) is True
    assert value_of(_lit("abc", "integer"), BASE) == "abc"  # ill-typed: kept as text
    assert value_of(ox.Literal("sol", language="fr"), BASE) == "sol"
    assert value_of(None, BASE) is None


def test_rows_follow_the_declared_columns_and_repeat_terms_correctly() -> None:
    org = ox.NamedNode(BASE + "id/organisation/gshf")
    result = SelectResult(
        ["group", "organisation", "budget"],
        [
            [ox.NamedNode(BASE + "id/project/p1"), org, _lit("10", "integer")],
            [ox.NamedNode(BASE + "id/project/p2"), org, None],
            [ox.NamedNode(BASE + "id/project/p3"), org, _lit("10", "integer")],
            [ox.NamedNode(BASE + "id/project/p4"), None, _lit("10.0", "decimal")],
        ],
    )
    rows = rows_of(result, BASE, ["organisation", "group", "budget", "missing"])
    assert rows == [
        {"organisation": "gshf", "group": "p1", "budget": 10, "missing": None},
        {"organisation": "gshf", "group": "p2", "budget": None, "missing": None},
        {"organisation": "gshf", "group": "p3", "budget": 10, "missing": None},
        {"organisation": None, "group": "p4", "budget": Decimal("10.0"), "missing": None},
    ]
    assert list(rows_of(result, BASE)[0]) == ["group", "organisation", "budget"]
