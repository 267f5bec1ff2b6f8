"""Reading one cell value into an RDF term, or saying precisely what was expected instead.

Each reader raises `BadValue` with a message meant for the person who typed the cell; the
mapping adds the file, row and column. Readers are strict about meaning (a date must be a real
day, a country a real ISO code) and lenient only where the intent is unambiguous (letter case of
codes, the full URL form of a Wikidata or ROR id).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sic.iris import region
from sic.vocab import AGROVOC_NS, SDG_NS


class BadValue(ValueError):
    """A cell value that does not have the expected form; the message says what was expected."""


_COUNTRY_CODES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
ZW
"""
COUNTRIES: frozenset[str] = frozenset(_COUNTRY_CODES.split())
"""The 249 officially assigned ISO 3166-1 alpha-2 codes."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_M49 = re.compile(r"^\d{1,3}$")
_SDG = re.compile(r"^(?P<goal>\d{1,2})(\.(?P<target>\d{1,2}|[a-z]))?$")
_AGROVOC = re.compile(r"^c_[0-9a-z]+$")
_WIKIDATA = re.compile(r"^(https?://(www\.)?wikidata\.org/(wiki|entity)/)?(?P<id>Q[1-9]\d*)$")
_ROR = re.compile(r"^(https?://ror\.org/)?(?P<id>0[0-9a-hj-km-np-tv-z]{6}\d{2})$")
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")
_WEB = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def _bad(what: str, text: str, expected: str) -> BadValue:
    return BadValue(f"bad {what} {text!r}: expected {expected}")


def _match(pattern: re.Pattern[str], text: str, what: str, expected: str) -> re.Match[str]:
    """The pattern's match of the whole value, or the message every reader gives."""
    match = pattern.match(text)
    if match is None:
        raise _bad(what, text, expected)
    return match


def date(text: str) -> Literal:
    """An `xsd:date` from an ISO date (YYYY-MM-DD), refusing days that do not exist."""
    _match(_DATE, text, "date", "an ISO date (YYYY-MM-DD)")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as error:
        raise BadValue(f"bad date {text!r}: {error}") from error
    return Literal(day.isoformat(), datatype=XSD.date)


def decimal(text: str) -> Literal:
    """An `xsd:decimal` in canonical form, so `1500000.00` and `1500000` give the same literal.

    Thousands separators and decimal commas are refused rather than guessed: `1,500` could be
    one and a half or fifteen hundred.
    """
    expected = "a decimal number with a '.' and no thousands separators, such as 1500000 or 2500.50"
    _match(_DECIMAL, text, "number", expected)
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise BadValue(f"bad number {text!r}") from error
    return Literal(canonical_decimal(value), datatype=XSD.decimal)


def canonical_decimal(value: Decimal) -> str:
    """The XSD 1.1 canonical lexical form of a decimal (`1500000`, `2500.5`, `0`).

    >>> canonical_decimal(Decimal("0001500000.00")), canonical_decimal(Decimal("-0.50"))
    ('1500000', '-0.5')
    """
    if value.is_zero():
        return "0"
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def country(text: str) -> Literal:
    """A `sic:country` value: the ISO 3166-1 alpha-2 code in capitals, as a plain string."""
    code = text.upper()
    if code not in COUNTRIES:
        raise _bad("country code", text, "an ISO 3166-1 alpha-2 code such as FR or SN")
    return Literal(code)


def currency(text: str) -> Literal:
    """A currency code: three letters (ISO 4217), in capitals, as a plain string."""
    code = text.upper()
    if not _CURRENCY.match(code):
        raise _bad("currency", text, "a three-letter ISO 4217 code such as EUR")
    return Literal(code)


def region_iri(text: str) -> URIRef:
    """The fixed IRI of a UN M49 region from its code (`2`, `02` and `002` are the same)."""
    _match(_M49, text, "region code", "a UN M49 code such as 002 or 150")
    return region(text)


def sdg_iri(text: str) -> URIRef:
    """The UN SDG IRI of a goal (`13`) or target (`15.3`, `2.a`)."""
    expected = "a goal number 1 to 17 or a target such as 15.3"
    if not 1 <= int(_match(_SDG, text, "SDG", expected)["goal"]) <= 17:
        raise _bad("SDG", text, expected)
    return URIRef(SDG_NS + text)


def is_agrovoc_id(text: str) -> bool:
    """Whether a value is an AGROVOC concept id such as `c_389fe908`."""
    return bool(_AGROVOC.match(text))


def agrovoc_iri(text: str) -> URIRef:
    """The AGROVOC IRI of a concept id."""
    _match(_AGROVOC, text, "AGROVOC id", "an id such as c_389fe908")
    return URIRef(AGROVOC_NS + text)


def wikidata_iri(text: str) -> URIRef:
    """The Wikidata entity IRI of a Q-id (the full Wikidata URL is accepted too)."""
    match = _match(_WIKIDATA, text, "Wikidata id", "an id such as Q82151")
    return URIRef("http://www.wikidata.org/entity/" + match["id"])


def ror_iri(text: str) -> URIRef:
    """The ROR IRI of an organisation id (the full https://ror.org/ URL is accepted too)."""
    match = _match(_ROR, text, "ROR id", "an id such as 00pe0tf51")
    return URIRef("https://ror.org/" + match["id"])


def web_iri(text: str) -> URIRef:
    """An http(s) IRI for a web page; anything else is a typo or not a web address."""
    _match(_WEB, text, "web address", "an address starting with https://")
    return URIRef(text)


def language_tag(text: str) -> str:
    """A BCP 47 language tag in lower case (`en`, `fr`, `pt-br`)."""
    _match(_LANGUAGE, text, "language", "a language tag such as en, fr or es")
    return text.lower()
