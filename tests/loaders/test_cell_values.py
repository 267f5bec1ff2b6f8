"""Reading single cell values: what is accepted, what it becomes, and what is refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from loaders import cells
from loaders.table import split


@pytest.mark.parametrize(
    "text, lexical",
    [
        ("1500000", "1500000"),
        ("1500000.00", "1500000"),
        ("0001500000.0", "1500000"),
        ("2500.50", "2500.5"),
        ("0.05", "0.05"),
        (".5", "0.5"),
        ("7.", "7"),
        ("-12.30", "-12.3"),
        ("+3", "3"),
        ("0.000", "0"),
        ("-0", "0"),
        ("100000000000000000000.1", "100000000000000000000.1"),
    ],
)
def test_decimal_canonical_form(text: str, lexical: str) -> None:
    assert cells.decimal(text) == Literal(lexical, datatype=XSD.decimal)
    assert str(cells.decimal(text)) == lexical


@pytest.mark.parametrize("text", ["1,500,000", "1 500 000", "2,5", "1e6", "EUR 100", "NaN", "-"])
def test_decimal_refused(text: str) -> None:
    with pytest.raises(cells.BadValue, match="bad number"):
        cells.decimal(text)


def test_canonical_decimal_doctest_values() -> None:
    assert cells.canonical_decimal(Decimal("1E+3")) == "1000"
    assert cells.canonical_decimal(Decimal("10.10")) == "10.1"


def test_date() -> None:
    assert cells.date("2024-02-29") == Literal("2024-02-29", datatype=XSD.date)


@pytest.mark.parametrize(
    "text", ["2023-02-29", "2023-1-5", "20230105", "05/01/2023", "2023-01-05T10:00", "2023"]
)
def test_date_refused(text: str) -> None:
    with pytest.raises(cells.BadValue, match="bad date"):
        cells.date(text)


def test_countries_are_the_249_iso_codes() -> None:
    assert len(cells.COUNTRIES) == 249
    assert {"FR", "SN", "KE", "BR", "SS", "CW"} <= cells.COUNTRIES
    assert cells.country("fr") == Literal("FR")


@pytest.mark.parametrize("text", ["XX", "UK", "FRA", "France", "F"])
def test_country_refused(text: str) -> None:
    with pytest.raises(cells.BadValue, match="bad country code"):
        cells.country(text)


@pytest.mark.parametrize("text, code", [("EUR", "EUR"), ("usd", "USD"), ("XOF", "XOF")])
def test_currency(text: str, code: str) -> None:
    assert cells.currency(text) == Literal(code)


@pytest.mark.parametrize("text", ["EURO", "€", "E1R", "US"])
def test_currency_refused(text: str) -> None:
    with pytest.raises(cells.BadValue, match="bad currency"):
        cells.currency(text)


@pytest.mark.parametrize("text", ["2", "02", "002"])
def test_region_codes_are_zero_padded(text: str) -> None:
    assert cells.region_iri(text) == URIRef("https://w3id.org/4p1000/id/region/002")


@pytest.mark.parametrize(
    "text, iri",
    [
        ("13", "https://metadata.un.org/sdg/13"),
        ("15.3", "https://metadata.un.org/sdg/15.3"),
        ("2.a", "https://metadata.un.org/sdg/2.a"),
    ],
)
def test_sdg(text: str, iri: str) -> None:
    assert cells.sdg_iri(text) == URIRef(iri)


@pytest.mark.parametrize(
    "reader, text, iri",
    [
        (cells.wikidata_iri, "Q82151", "http://www.wikidata.org/entity/Q82151"),
        (
            cells.wikidata_iri,
            "https://www.wikidata.org/wiki/Q82151",
            "http://www.wikidata.org/entity/Q82151",
        ),
        (cells.ror_iri, "00pe0tf51", "https://ror.org/00pe0tf51"),
        (cells.ror_iri, "https://ror.org/003vg9w96", "https://ror.org/003vg9w96"),
        (cells.agrovoc_iri, "c_389fe908", "http://aims.fao.org/aos/agrovoc/c_389fe908"),
        (cells.web_iri, "https://www.fao.org/", "https://www.fao.org/"),
    ],
)
def test_identifiers(reader: Callable[[str], URIRef], text: str, iri: str) -> None:
    assert reader(text) == URIRef(iri)


@pytest.mark.parametrize(
    "reader, text",
    [
        (cells.region_iri, "1234"),
        (cells.region_iri, "Africa"),
        (cells.sdg_iri, "0"),
        (cells.sdg_iri, "18"),
        (cells.sdg_iri, "SDG 13"),
        (cells.wikidata_iri, "Q0"),
        (cells.wikidata_iri, "wd:Q5"),
        (cells.ror_iri, "INRAE"),
        (cells.agrovoc_iri, "c 389"),
        (cells.web_iri, "www.fao.org"),
        (cells.web_iri, "ftp://example.org/x"),
        (cells.web_iri, "https://example.org/a b"),
        (cells.language_tag, "French"),
        (cells.language_tag, "f"),
    ],
)
def test_identifiers_refused(reader: Callable[[str], object], text: str) -> None:
    with pytest.raises(cells.BadValue, match=re.escape(repr(text))):
        reader(text)


def test_language_tag_lower_cased() -> None:
    assert cells.language_tag("pt-BR") == "pt-br"


@pytest.mark.parametrize(
    "cell, values",
    [
        ("a;b", ["a", "b"]),
        (" a ; b ;", ["a", "b"]),
        ("a;;b", ["a", "b"]),
        ("", []),
        (" ; ", []),
        ("https://a.org/ ; https://b.org/", ["https://a.org/", "https://b.org/"]),
    ],
)
def test_split(cell: str, values: list[str]) -> None:
    assert split(cell) == values
