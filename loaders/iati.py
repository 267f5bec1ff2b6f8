"""An IATI activity file (IATI 1.0x or 2.0x XML) as a Source: real projects and funders.

Each `<iati-activity>` becomes a `sic:Project` that is also a `sic:ExternalRecord` (ontology
module `reported`): its stage from `activity-status`, dates (actual, else planned), recipient
countries, DAC sectors as `sic:DacSector` concepts (`dct:subject`), titles and descriptions in
their languages, budgets as `sic:BudgetLine`s, and transactions as `sic:Funding`s (commitment
= committed, disbursement and expenditure = disbursed, outgoing pledge = pledged). Its
participating organisations take the ontology's roles: funding -> `schema:funder`,
accountable -> `sic:lead`, extending and implementing -> `sic:partner`. Which organisation a
name or identifier stands for is decided by loaders.reconcile, against the organisations the
caller knows (the store's) and those met earlier in the file.

The file is parsed by loaders.xml_tree (no DTD, no entities, no network). Every problem is
collected, each naming the file, the line and the activity, so one run reports everything
wrong; a file with any problem is refused whole and nothing of it is stored. What is kept out
without refusing the file (a zero-valued transaction, a sector in a publisher's own
vocabulary) is said in the Source's warnings, counted.

The provenance of the source names its publisher (the reporting organisation) and, when the
file sits beside a sample manifest (`activities.csv` with `sample_xml_file` and
`licence_note` columns, as in shared/data/iati), its licence and where it was copied from.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS, XSD

from loaders import iati_codes as codes
from loaders.builder import Triple
from loaders.messages import problem as said
from loaders.messages import say_within
from loaders.reconcile import KnownOrganisation, Match, Reconciler, normalise_name
from loaders.xml_tree import XML_LANG, Element, parse_xml
from sic.errors import LoaderError, Location, Problem, Violation
from sic.iris import mint
from sic.source import MappedTriples, Source
from sic.vocab import SCHEMA, SIC

DAC_NS = "https://w3id.org/4p1000/id/dac/"
"""Vocabulary IRIs of the DAC sectors: fixed, like the regions', whatever the BASE."""
MANIFEST = "activities.csv"
ROOT = "iati-activities"
_SNIFF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DAC_CODE = re.compile(r"^\d{3}(\d{2})?$")
_NO_REF = frozenset({"n/a", "na", "none", "null", "-", "0", "unknown"})
"""Refs publishers write for "no identifier": read as none, not as an identifier."""
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")


def is_iati(path: Path) -> bool:
    """An `.xml` file whose first element is `<iati-activities>`: read as IATI, not RDF/XML.

    Only the first 64 KB are looked at, skipping the XML declaration, comments and
    processing instructions; nothing is parsed.
    """
    if path.suffix.lower() != ".xml" or not path.is_file():
        return False
    with path.open("rb") as handle:
        head = handle.read(65536)
    head = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", head, flags=re.DOTALL)
    found = _SNIFF.search(head)
    return found is not None and found.group(1) == ROOT.encode()


def read_iati(
    path: Path,
    *,
    base: str,
    known: Sequence[KnownOrganisation] = (),
    name: str | None = None,
) -> Source:
    """An IATI activity file as a Source named after the file (or `name`).

    `known`: the organisations already in the store, which mentions are matched against.

    :raises LoaderError: with every problem (file, line, activity), when the file is not
        well-formed, declares a DTD, or an activity lacks its identifier, holds an unknown
        code, a date or amount that is not one, or repeats another's identifier.
    """
    root = parse_xml(path)
    where = str(path)
    if root.tag != ROOT:
        raise LoaderError(
            [
                said(
                    Location(where, root.line, text=True),
                    "iati.not_iati",
                    tag=root.tag,
                    root=ROOT,
                )
            ]
        )
    mapper = _Mapper(where, base, Reconciler(known), root)
    for activity in root.findall("iati-activity"):
        mapper.activity(activity)
    if mapper.problems:
        raise LoaderError(mapper.problems)
    about = mapper.about(_manifest_rows(path))
    return Source(
        name=name or path.stem,
        origin=where,
        checksum="sha256:" + hashlib.sha256(path.read_bytes()).hexdigest(),
        content=MappedTriples(mapper.triples),
        about=about,
        warnings=tuple(mapper.warnings()),
        cells=_ActivityLines(mapper.lines),
    )


@dataclass(frozen=True)
class _Mention:
    """An organisation as one element names it."""

    ref: str
    name: str
    lang: str
    type: URIRef | None
    line: int


@dataclass
class _Mapper:
    """The triples of one file, with its problems and what it kept out."""

    where: str
    base: str
    reconciler: Reconciler
    root: Element
    triples: list[Triple] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    kept_out: Counter[str] = field(default_factory=Counter)
    lines: dict[str, Location] = field(default_factory=dict)
    publishers: Counter[str] = field(default_factory=Counter)
    activities: int = 0
    _seen: dict[str, int] = field(default_factory=dict)
    _labels: dict[str, dict[str, str]] = field(default_factory=dict)
    _sectors: set[str] = field(default_factory=set)
    _proposed: set[tuple[str, str]] = field(default_factory=set)

    # -- the activity -----------------------------------------------------------------------

    def activity(self, element: Element) -> None:
        identifier_element = element.find("iati-identifier")
        identifier = identifier_element.content if identifier_element is not None else ""
        at = Location(self.where, element.line, text=True)
        if not identifier:
            self.problems.append(said(at, "iati.no_identifier"))
            return
        if identifier in self._seen:
            self._problem(element, identifier, "iati.repeats", line=self._seen[identifier])
            return
        self._seen[identifier] = element.line
        self.activities += 1
        lang = _lang_of(element, _lang_of(self.root, "en"))
        project = mint("project", f"iati:{identifier}", self.base)
        self.lines[str(project)] = at
        add = self.triples.append
        add((project, RDF.type, SIC.Project))
        add((project, RDF.type, SIC.ExternalRecord))
        add((project, DCTERMS.identifier, Literal(identifier)))
        add((project, SIC.iatiIdentifier, Literal(identifier)))
        publisher = self._reporting_org(element, identifier, lang)
        self._texts(element, identifier, project, "title", RDFS.label, lang, required=True)
        self._texts(element, identifier, project, "description", DCTERMS.description, lang)
        self._stage(element, identifier, project)
        self._dates(element, identifier, project)
        self._countries(element, identifier, project)
        self._sector_links(element, identifier, project)
        self._participants(element, identifier, project, lang)
        self._budgets(element, identifier, project)
        self._transactions(element, identifier, project, publisher, lang)

    def _problem(self, element: Element, identifier: str, key: str, /, **params: object) -> None:
        """Record the sentence `key` about the activity `identifier`, in every language."""
        framing = {"identifier": identifier}
        english, others = say_within("iati.activity", key, framing, **params)
        where = Location(self.where, element.line, text=True)
        self.problems.append(Problem(where, english, translations=others))

    def _texts(
        self,
        element: Element,
        identifier: str,
        project: URIRef,
        tag: str,
        predicate: URIRef,
        lang: str,
        *,
        required: bool = False,
    ) -> None:
        """Titles or descriptions, one value per language (repeats joined by a blank line)."""
        by_lang: dict[str, list[str]] = {}
        for holder in element.findall(tag):
            for text, text_lang in _narratives(holder, lang):
                if text and text not in by_lang.setdefault(text_lang, []):
                    by_lang[text_lang].append(text)
        if required and not by_lang:
            self._problem(element, identifier, "iati.missing_element", tag=tag)
        for text_lang, texts in by_lang.items():
            self.triples.append((project, predicate, Literal("\n\n".join(texts), lang=text_lang)))

    def _stage(self, element: Element, identifier: str, project: URIRef) -> None:
        status = element.find("activity-status")
        value = (status.get("code") or status.content) if status is not None else ""
        if not value:  # IATI 1.0x allowed it: the project has no stage, none is guessed
            self.kept_out["an activity without activity-status (no stage)"] += 1
            return
        code = codes.activity_status(value)
        if code.code is None:
            assert status is not None
            self._problem(status, identifier, "iati.unknown_status", value=value, known=code.known)
            return
        self.triples.append((project, SIC.stage, codes.STAGES[code.code]))

    def _dates(self, element: Element, identifier: str, project: URIRef) -> None:
        found: dict[str, str] = {}
        for date in element.findall("activity-date"):
            kind = codes.date_type(date.get("type"))
            if kind.code is None:
                self._problem(
                    date,
                    identifier,
                    "iati.unknown_date_type",
                    value=date.get("type"),
                    known=kind.known,
                )
                continue
            value = self._date(date, identifier, date.get("iso-date"), "iso-date")
            if value is not None:
                found.setdefault(kind.code, value)
        start = next((found[k] for k in codes.START_DATES if k in found), None)
        end = next((found[k] for k in codes.END_DATES if k in found), None)
        if start is not None and end is not None and end < start:
            self.kept_out["an end date before the start date (the end date is left out)"] += 1
            end = None
        for predicate, value in ((SCHEMA.startDate, start), (SCHEMA.endDate, end)):
            if value is not None:
                self.triples.append((project, predicate, Literal(value, datatype=XSD.date)))

    def _date(self, element: Element, identifier: str, value: str, attribute: str) -> str | None:
        match = _DATE.match(value.strip())
        if match is None:
            self._problem(element, identifier, "iati.bad_date", attribute=attribute, value=value)
            return None
        return match.group(1)

    def _countries(self, element: Element, identifier: str, project: URIRef) -> None:
        found = element.findall("recipient-country")
        if not found:  # 2.0x allows countries on each transaction instead
            found = [
                c for t in element.findall("transaction") for c in t.findall("recipient-country")
            ]
        seen: set[str] = set()
        for country in found:
            code = country.get("code").upper()
            if not _COUNTRY.match(code):
                self._problem(
                    country,
                    identifier,
                    "iati.bad_country",
                    code=code,
                )
            elif code not in seen:
                seen.add(code)
                self.triples.append((project, SIC.country, Literal(code)))

    # -- sectors ---------------------------------------------------------------------------

    def _sector_links(self, element: Element, identifier: str, project: URIRef) -> None:
        sectors = element.findall("sector") or [
            s for t in element.findall("transaction") for s in t.findall("sector")
        ]
        linked: set[str] = set()
        for sector in sectors:
            vocabulary = sector.get("vocabulary").lower()
            code = sector.get("code")
            if vocabulary in codes.OTHER_SECTOR_VOCABULARIES:
                self.kept_out[f"a sector in vocabulary {vocabulary} (not DAC)"] += 1
                continue
            if vocabulary not in codes.DAC_VOCABULARIES:
                self._problem(
                    sector,
                    identifier,
                    "iati.unknown_vocabulary",
                    value=vocabulary,
                )
                continue
            if not _DAC_CODE.match(code):
                self._problem(
                    sector,
                    identifier,
                    "iati.unknown_dac",
                    code=code,
                )
                continue
            if code not in linked:
                linked.add(code)
                self.triples.append((project, DCTERMS.subject, self._sector(code, sector)))

    def _sector(self, code: str, element: Element | None) -> URIRef:
        """The concept of a DAC code, described once per file (label: the file's own)."""
        concept = URIRef(DAC_NS + code)
        if code in self._sectors:
            return concept
        self._sectors.add(code)
        add = self.triples.append
        add((concept, RDF.type, SIC.DacSector))
        add((concept, RDF.type, SKOS.Concept))
        add((concept, SKOS.inScheme, SIC.DacSectors))
        add((concept, SKOS.notation, Literal(code)))
        if element is not None:
            for text, lang in _narratives(element, "en")[:1]:
                add((concept, SKOS.prefLabel, Literal(text, lang=lang)))
        if len(code) == 5:
            add((concept, SKOS.broader, self._sector(code[:3], None)))
        return concept

    # -- organisations ---------------------------------------------------------------------

    def _mention(self, element: Element, identifier: str, lang: str) -> _Mention | None:
        ref = element.get("ref")
        if ref.lower() in _NO_REF:
            ref = ""
        texts = _narratives(element, lang)
        name, name_lang = texts[0] if texts else ("", lang)
        type_code = element.get("type")
        org_type = None
        if type_code:
            code = codes.organisation_type(type_code)
            if code.code is None:
                self._problem(
                    element,
                    identifier,
                    "iati.unknown_org_type",
                    value=type_code,
                    known=code.known,
                )
            else:
                org_type = codes.ORGANISATION_TYPES[code.code]
        if not ref and not name:
            self.kept_out[f"a {element.tag} with neither ref nor name"] += 1
            return None
        return _Mention(ref, name, name_lang, org_type, element.line)

    def _organisation(self, mention: _Mention) -> URIRef:
        """The organisation a mention stands for, described in this file's graph."""
        ids = {f"iati:{mention.ref}"} if mention.ref else set()
        match = self.reconciler.resolve(ids, mention.name or mention.ref)
        if match.iri is not None:
            iri = URIRef(match.iri)
        else:
            key = f"iati:{mention.ref}" if mention.ref else f"iati-name:{_slug(mention.name)}"
            iri = mint("organisation", key, self.base)
            if str(iri) not in self._labels:
                self._new_organisation(iri, key, mention)
            self._propose(iri, match)
        self.reconciler.add(
            KnownOrganisation(str(iri), [mention.name] if mention.name else [], ids)
        )
        self._describe(iri, mention)
        return iri

    def _new_organisation(self, iri: URIRef, key: str, mention: _Mention) -> None:
        self._labels[str(iri)] = {}
        add = self.triples.append
        add((iri, RDF.type, SIC.Organisation))
        add((iri, RDF.type, SIC.ExternalRecord))
        add((iri, DCTERMS.identifier, Literal(key)))
        if mention.type is not None:
            add((iri, ORG.classification, mention.type))

    def _describe(self, iri: URIRef, mention: _Mention) -> None:
        """Identifiers and names. An organisation has one label per language across every
        source (the shapes say so): one known before this file keeps its label, which this
        graph repeats so that it outlives the source that gave it; a new one takes the first
        name met in each language. Any other name is an alternative label."""
        add = self.triples.append
        labels = self._labels.get(str(iri))
        if labels is None:  # known before this file
            labels = self._labels[str(iri)] = {}
            add((iri, RDF.type, SIC.Organisation))
            known = self.reconciler.known(str(iri))
            if known is not None and known.label is not None:
                text, lang = known.label
                labels[lang] = text
                add((iri, RDFS.label, Literal(text, lang=lang)))
        if mention.ref:
            add((iri, SIC.iatiIdentifier, Literal(mention.ref)))
        name = mention.name or mention.ref
        if mention.lang not in labels and not (labels and mention.name == ""):
            labels[mention.lang] = name
            add((iri, RDFS.label, Literal(name, lang=mention.lang)))
        elif normalise_name(name) not in {normalise_name(n) for n in labels.values()}:
            add((iri, SKOS.altLabel, Literal(name, lang=mention.lang)))

    def _propose(self, iri: URIRef, match: Match) -> None:
        for candidate, _score in match.proposals:
            pair = (str(iri), candidate)
            if candidate != str(iri) and pair not in self._proposed:
                self._proposed.add(pair)
                self.triples.append((iri, SKOS.closeMatch, URIRef(candidate)))

    def _reporting_org(self, element: Element, identifier: str, lang: str) -> URIRef | None:
        reporting = element.find("reporting-org")
        if reporting is None:
            self._problem(element, identifier, "iati.missing_element", tag="reporting-org")
            return None
        mention = self._mention(reporting, identifier, lang)
        if mention is None:
            return None
        self.publishers[f"{mention.name} ({mention.ref})" if mention.ref else mention.name] += 1
        return self._organisation(mention)

    def _participants(self, element: Element, identifier: str, project: URIRef, lang: str) -> None:
        lead: URIRef | None = None
        for participant in element.findall("participating-org"):
            role = codes.organisation_role(participant.get("role"))
            if role.code is None:
                self._problem(
                    participant,
                    identifier,
                    "iati.unknown_role",
                    value=participant.get("role"),
                    known=role.known,
                )
                continue
            mention = self._mention(participant, identifier, lang)
            if mention is None:
                continue
            org = self._organisation(mention)
            kind = codes.ROLES[role.code]
            if kind == codes.LEAD and lead is None:
                lead = org
                self.triples.append((project, SIC.lead, org))
            elif kind == codes.FUNDER:
                self.triples.append((project, SCHEMA.funder, org))
            elif org != lead:
                if kind == codes.LEAD:
                    self.kept_out["a second accountable organisation (kept as a partner)"] += 1
                self.triples.append((project, SIC.partner, org))

    # -- money -----------------------------------------------------------------------------

    def _amount(self, element: Element, identifier: str) -> Decimal | None:
        text = element.content.replace(" ", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            self._problem(element, identifier, "iati.not_number", value=element.content)
            return None
        if not value.is_finite():
            self._problem(element, identifier, "iati.not_number", value=element.content)
            return None
        return value

    def _currency(self, value: Element, activity: Element, identifier: str) -> str | None:
        currency = (value.get("currency") or activity.get("default-currency")).upper()
        if not currency:
            self._problem(
                value,
                identifier,
                "iati.no_currency",
            )
            return None
        return currency

    def _budgets(self, element: Element, identifier: str, project: URIRef) -> None:
        totals: dict[str, Decimal] = {}
        for number, budget in enumerate(element.findall("budget"), start=1):
            kind = codes.budget_type(budget.get("type"))
            if kind.code is None:
                self._problem(
                    budget,
                    identifier,
                    "iati.unknown_budget_type",
                    value=budget.get("type"),
                    known=kind.known,
                )
                continue
            value = budget.find("value")
            if value is None:
                self._problem(budget, identifier, "iati.no_budget_value")
                continue
            amount = self._amount(value, identifier)
            currency = self._currency(value, element, identifier)
            if amount is None or currency is None:
                continue
            line = URIRef(f"{project}#budget-{number}")
            add = self.triples.append
            add((project, SIC.budgetLine, line))
            add((line, RDF.type, SIC.BudgetLine))
            add((line, SCHEMA.amount, Literal(amount, datatype=XSD.decimal)))
            add((line, SCHEMA.currency, Literal(currency)))
            add((line, SIC.budgetRevised, Literal(kind.code == "2")))
            for tag, predicate in (
                ("period-start", SCHEMA.startDate),
                ("period-end", SCHEMA.endDate),
            ):
                period = budget.find(tag)
                day = (
                    self._date(period, identifier, period.get("iso-date"), "iso-date")
                    if period is not None
                    else None
                )
                if day is not None:
                    add((line, predicate, Literal(day, datatype=XSD.date)))
            if kind.code == "1":
                totals[currency] = totals.get(currency, Decimal(0)) + amount
        if len(totals) == 1:
            ((currency, total),) = totals.items()
            if total > 0:
                self.triples.append((project, SIC.budget, Literal(total, datatype=XSD.decimal)))
                self.triples.append((project, SCHEMA.currency, Literal(currency)))
        elif len(totals) > 1:
            self.kept_out["a budget total over several currencies (lines kept, no total)"] += 1

    def _transactions(
        self,
        element: Element,
        identifier: str,
        project: URIRef,
        publisher: URIRef | None,
        lang: str,
    ) -> None:
        number = 0
        for transaction in element.findall("transaction"):
            kind_element = transaction.find("transaction-type")
            raw = kind_element.get("code") if kind_element is not None else ""
            kind = codes.transaction_type(raw)
            if kind.code is None:
                self._problem(
                    kind_element or transaction,
                    identifier,
                    "iati.unknown_transaction_type",
                    value=raw,
                    known=kind.known,
                )
                continue
            status = codes.TRANSACTIONS[kind.code]
            value = transaction.find("value")
            if value is None:
                self._problem(transaction, identifier, "iati.no_transaction_value")
                continue
            amount = self._amount(value, identifier)
            currency = self._currency(value, element, identifier)
            if status is None:
                self.kept_out[f"a transaction of type {kind.code} (not a funding line)"] += 1
                continue
            if amount is None or currency is None:
                continue
            if amount <= 0:
                self.kept_out["a transaction of zero or negative value"] += 1
                continue
            provider = transaction.find("provider-org")
            mention = self._mention(provider, identifier, lang) if provider is not None else None
            funder = self._organisation(mention) if mention is not None else publisher
            if funder is None:
                continue
            number += 1
            key = f"{identifier}.{number}"
            funding = mint("funding", f"iati:{key}", self.base)
            self.lines[str(funding)] = Location(self.where, transaction.line, text=True)
            add = self.triples.append
            add((funding, RDF.type, SIC.Funding))
            add((funding, RDF.type, SIC.ExternalRecord))
            add((funding, DCTERMS.identifier, Literal(key)))
            add((funding, SCHEMA.fundedItem, project))
            add((funding, SCHEMA.funder, funder))
            add((funding, SCHEMA.amount, Literal(amount, datatype=XSD.decimal)))
            add((funding, SCHEMA.currency, Literal(currency)))
            add((funding, SIC.fundingStatus, _STATUS[status]))
            when = value.get("value-date")
            day_element = transaction.find("transaction-date")
            if not when and day_element is not None:
                when = day_element.get("iso-date")
            if when:
                day = self._date(value, identifier, when, "value-date")
                if day is not None:
                    add((funding, DCTERMS.date, Literal(day, datatype=XSD.date)))

    # -- the source ------------------------------------------------------------------------

    def warnings(self) -> list[Problem]:
        return [
            Problem(Location(self.where), f"{count} × {what}: not kept", severity="warning")
            for what, count in sorted(self.kept_out.items())
        ]

    def about(self, manifest: list[dict[str, str]]) -> dict[str, str]:
        """What the provenance says of the file: publisher, source, licence."""
        version = self.root.get("version") or "unknown"
        publisher = ", ".join(p for p, _ in self.publishers.most_common())
        about = {
            "title": f"IATI activities published by {publisher or 'an unnamed publisher'}",
            "description": (
                f"{self.activities} activities in IATI {version} XML, as their publisher "
                "reported them (external records)"
            ),
            "publisher": publisher,
        }
        licences = sorted({row.get("licence_note", "").strip() for row in manifest} - {""})
        sources = sorted({row.get("source_file", "").strip() for row in manifest} - {""})
        if licences:
            about["license"] = "; ".join(licences)
        if sources:
            about["source"] = "; ".join(sources)
        return about


_STATUS = {
    codes.COMMITTED: SIC.FundingCommitted,
    codes.DISBURSED: SIC.FundingDisbursed,
    codes.PLEDGED: SIC.FundingPledged,
}


def _lang_of(element: Element, default: str) -> str:
    lang = element.get(XML_LANG).lower()
    return lang if _LANG.match(lang) else default


def _narratives(element: Element, lang: str) -> list[tuple[str, str]]:
    """An element's texts with their languages: its `narrative` children (2.0x), else its
    own text (1.0x)."""
    narratives = element.findall("narrative")
    if narratives:
        return [(n.content, _lang_of(n, lang)) for n in narratives if n.content]
    return [(element.content, _lang_of(element, lang))] if element.content else []


def _slug(name: str) -> str:
    return normalise_name(name).replace(" ", "-") or "unnamed"


def _manifest_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a sample manifest beside the file that describe it, if there is one."""
    manifest = path.parent / MANIFEST
    if not manifest.is_file():
        return []
    try:
        with manifest.open(encoding="utf-8", newline="") as handle:
            return [r for r in csv.DictReader(handle) if r.get("sample_xml_file") == path.name]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


@dataclass(frozen=True, eq=False)
class _ActivityLines:
    """Where each project and funding came from, to locate a violation at its line."""

    lines: dict[str, Location]

    def locate(self, violations: Sequence[Violation]) -> list[Violation]:
        from dataclasses import replace

        out = []
        for violation in violations:
            found = self.lines.get(violation.focus_node.strip("<>"))
            out.append(replace(violation, location=found) if found else violation)
        return out
