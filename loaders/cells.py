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

from loaders.messages import say
from sic.iris import region
from sic.vocab import AGROVOC_NS, SDG_NS


class BadValue(ValueError):
    """A cell value that does not have the expected form; the message says what was expected.

    It is said by a key of `loaders.messages`, so that `translations` can say it in French and
    Spanish too; `str()` is the English sentence.
    """

    def __init__(self, key: str, /, **params: object) -> None:
        english, self.translations = say(key, **params)
        self.key = key
        super().__init__(english)


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


# Python's own reasons for refusing a well-formed date, said in our sentences' words
_DATE_REASONS = {
    "month must be in 1..12": "cell.date_month",
    "day is out of range for month": "cell.date_day",
    "year 0 is out of range": "cell.date_year",
}


def _match(pattern: re.Pattern[str], text: str, key: str) -> re.Match[str]:
    """The pattern's match of the whole value, or the reader's `key` sentence."""
    match = pattern.match(text)
    if match is None:
        raise BadValue(key, text=text)
    return match


def date(text: str) -> Literal:
    """An `xsd:date` from an ISO date (YYYY-MM-DD), refusing days that do not exist."""
    _match(_DATE, text, "cell.date")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as error:
        reason = str(error)
        key = _DATE_REASONS.get(reason, "cell.date_reason")
        raise BadValue(key, text=text, reason=reason) from error
    return Literal(day.isoformat(), datatype=XSD.date)


def decimal(text: str) -> Literal:
    """An `xsd:decimal` in canonical form, so `1500000.00` and `1500000` give the same literal.

    Thousands separators and decimal commas are refused rather than guessed: `1,500` could be
    one and a half or fifteen hundred.
    """
    _match(_DECIMAL, text, "cell.number")
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise BadValue("cell.number_plain", text=text) from error
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
        raise BadValue("cell.country", text=text)
    return Literal(code)


def currency(text: str) -> Literal:
    """A currency code: three letters (ISO 4217), in capitals, as a plain string."""
    code = text.upper()
    if not _CURRENCY.match(code):
        raise BadValue("cell.currency", text=text)
    return Literal(code)


def region_iri(text: str) -> URIRef:
    """The fixed IRI of a UN M49 region from its code (`2`, `02` and `002` are the same)."""
    _match(_M49, text, "cell.region")
    return region(text)


def sdg_iri(text: str) -> URIRef:
    """The UN SDG IRI of a goal (`13`) or target (`15.3`, `2.a`)."""
    if not 1 <= int(_match(_SDG, text, "cell.sdg")["goal"]) <= 17:
        raise BadValue("cell.sdg", text=text)
    return URIRef(SDG_NS + text)


def is_agrovoc_id(text: str) -> bool:
    """Whether a value is an AGROVOC concept id such as `c_389fe908`."""
    return bool(_AGROVOC.match(text))


def agrovoc_iri(text: str) -> URIRef:
    """The AGROVOC IRI of a concept id."""
    _match(_AGROVOC, text, "cell.agrovoc")
    return URIRef(AGROVOC_NS + text)


def wikidata_iri(text: str) -> URIRef:
    """The Wikidata entity IRI of a Q-id (the full Wikidata URL is accepted too)."""
    match = _match(_WIKIDATA, text, "cell.wikidata")
    return URIRef("http://www.wikidata.org/entity/" + match["id"])


def ror_iri(text: str) -> URIRef:
    """The ROR IRI of an organisation id (the full https://ror.org/ URL is accepted too)."""
    match = _match(_ROR, text, "cell.ror")
    return URIRef("https://ror.org/" + match["id"])


def web_iri(text: str) -> URIRef:
    """An http(s) IRI for a web page; anything else is a typo or not a web address."""
    _match(_WEB, text, "cell.web")
    return URIRef(text)


def language_tag(text: str) -> str:
    """A BCP 47 language tag in lower case (`en`, `fr`, `pt-br`)."""
    _match(_LANGUAGE, text, "cell.language")
    return text.lower()
