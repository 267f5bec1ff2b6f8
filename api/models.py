"""The JSON API's request and response bodies, as pydantic models.

Each /api route names its model, so /openapi.json documents every body exactly and the
schemathesis run checks the service against it. Field names are the question catalogue's column
names and the workbook's column names (`lead`, `activities`, `start`), so that a person who knows
the spreadsheet knows the API.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from queries.submission import Submission


class ErrorBody(BaseModel):
    """The service's one error body (400, 401, 403, 404, 409, 503)."""

    detail: str


class ValidationProblem(BaseModel):
    """One reason a submission was refused: the node, the property and what is wrong.

    `focusNode` is the IRI the submission would have created, `resultPath` the property at
    fault (`sic:lead`), `location` the field of the request body that gave it.
    """

    model_config = ConfigDict(populate_by_name=True)

    focusNode: str  # noqa: N815 - SHACL's result vocabulary, as the SPARQL endpoints report it
    resultPath: str | None = None  # noqa: N815
    message: str
    severity: str = "Violation"
    value: str | None = None
    sourceShape: str | None = None  # noqa: N815
    location: str | None = None
    translated: TranslatedMessage | None = Field(
        default=None,
        description="when the request names a language (?lang= or Accept-Language): the rule's"
        " sentence in it, or in English (lang en) when the shape has none in that language",
    )


class TranslatedMessage(BaseModel):
    """A result's sentence in the language the request named (api.violation_json)."""

    lang: str
    message: str


class ValidationRejected(BaseModel):
    """422: nothing was stored; every problem found is listed."""

    detail: str
    violations: list[ValidationProblem]


# -- the question catalogue ----------------------------------------------------------------


class ParamInfo(BaseModel):
    """One parameter a question takes (passed as a query-string parameter of the same name)."""

    name: str
    type: Literal["iri", "code", "string", "integer", "decimal", "date", "boolean"]
    required: bool
    kind: str | None = Field(None, description="for a code: the kind of entity it names")
    default: str | int | float | bool | None = None
    allowed: list[str] = Field(default_factory=list)
    min: float | None = None
    max: float | None = None
    description: str = ""
    label: str = Field("", description="what a form calls it, in the catalogue's language")


class QueryInfo(BaseModel):
    """One named question of the catalogue."""

    name: str
    kind: Literal["sparql", "analysis"]
    title: str = Field("", description="a short name for people, in the catalogue's language")
    summary: str
    description: str = ""
    params: list[ParamInfo]
    columns: list[str]
    url: str = Field(description="where to ask it: /api/queries/{name}")


class QueryCatalogue(BaseModel):
    """Every question the service answers."""

    queries: list[QueryInfo]
    language: str = Field("en", description="the language of titles, summaries and help")


class QueryAnswer(BaseModel):
    """The answer to one question: its columns, in order, and one object per row."""

    name: str
    params: dict[str, JsonValue] = Field(description="the parameters as understood, defaults too")
    columns: list[str]
    rows: list[dict[str, JsonValue]]
    count: int


# -- matchmaking ---------------------------------------------------------------------------


class Reason(BaseModel):
    """Why a candidate fits: one signal, its weight in the score, its value and its evidence."""

    signal: str
    weight: float
    value: float
    text: str
    evidence: list[str] = Field(default_factory=list)


class Candidate(BaseModel):
    """An organisation ranked for an activity (rank and score are null for those involved)."""

    rank: int | None
    organisation: str
    name: str | None
    type: str | None
    status: str | None
    score: float | None
    involved: bool
    reasons: list[Reason]
    signals: dict[str, float]


class Candidates(BaseModel):
    """Organisations for an activity: exactly `top` new candidates (fewer only when fewer show
    a link), ranked; those already on a live project for the activity apart, in `involved`."""

    activity: str
    top: int
    candidates: list[Candidate]
    involved: list[Candidate] = Field(
        default_factory=list, description="organisations already at work on the activity"
    )


class TeamCandidate(BaseModel):
    """An organisation ranked to join a project's team."""

    rank: int
    organisation: str
    name: str | None
    type: str | None
    status: str | None
    score: float
    reasons: list[Reason]
    signals: dict[str, float]


class TeamCandidates(BaseModel):
    """Organisations to complete a project's team, best first (its members never listed)."""

    project: str
    top: int
    candidates: list[TeamCandidate]


class RankingWeights(BaseModel):
    """The weights one partner ranking uses now, and how they were obtained."""

    weights: dict[str, float]
    fitted: bool = Field(
        description="learned from the store's own past partnerships; false: set by hand (too "
        "little history, no fit yet, or a fit no better than the hand-set weights)"
    )
    cases: int = Field(description="held-out partnerships the fit learned from")
    seconds: float = Field(description="how long the fit took")
    version: str | None = Field(description="the store version fitted on; null: never fitted")


class Rankings(BaseModel):
    """The partner rankings' weights, refitted in the background after each write."""

    version: str = Field(description="the store version answers are computed on now")
    fitting: bool = Field(description="a fit of the current version is under way")
    activity: RankingWeights = Field(description="candidates-for-activity")
    project: RankingWeights = Field(description="candidates-for-project")


class Gap(BaseModel):
    """An activity that no live project addresses."""

    activity: str
    title: str | None
    objective: str | None
    objective_title: str | None
    category: str | None
    category_label: str | None
    facility: str | None
    finished_projects: int = Field(description="completed or discontinued projects it had")
    waiting_links: int = Field(
        default=0, description="links proposed from reported projects that wait for a person"
    )


class Gaps(BaseModel):
    """The uncovered activities of one facility type, optionally of one objective or category."""

    facility: Literal["global", "core"]
    objective: str | None
    category: str | None
    gaps: list[Gap]


class Opportunity(BaseModel):
    """Two organisations that share interests but have never worked together."""

    organisation_a: str
    organisation_a_name: str | None
    organisation_b: str
    organisation_b_name: str | None
    score: float
    shared: list[str]
    distance: int | None = Field(description="steps between them on the collaboration network")
    shared_keys: list[dict[str, str]] = Field(
        default_factory=list, description="each shared interest as {kind, key}: topic, objective"
    )


class Opportunities(BaseModel):
    """Partnership opportunities of one organisation, best first."""

    organisation: str
    top: int
    opportunities: list[Opportunity]


class AllianceMember(BaseModel):
    """One organisation of a proposed alliance and what it brings (step 0: already involved)."""

    step: int
    organisation: str
    name: str | None
    type: str | None
    involved: bool
    fit: float | None
    brings: list[str]
    still_uncovered: list[str]


class AllianceProposal(BaseModel):
    """A small set of organisations that together cover what an activity needs."""

    activity: str
    size: int
    members: list[AllianceMember]


# -- project submissions -------------------------------------------------------------------


def _no_separator(value: str) -> str:
    if ";" in value:
        raise ValueError("';' separates values in the workbook; give each value as its own item")
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


class ProjectIdea(BaseModel):
    """A project idea as JSON, with the columns of projects.csv as its fields.

    It is mapped to RDF by the workbook loader's own mapping for a projects.csv row, then
    validated with the SHACL shapes against the whole graph: references must name existing
    organisations, alliances and activities, a funded stage needs funding, and so on.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=200, description="the project id (its key)")
    title: str = Field(min_length=1, description="the title in English")
    title_fr: str | None = None
    title_es: str | None = None
    description: str | None = None
    description_fr: str | None = None
    description_es: str | None = None
    stage: str = Field(
        "idea",
        description="idea, team, concept_note, proposal, funded, implementation, completed or "
        "discontinued",
    )
    lead: str = Field(min_length=1, description="the id of the lead organisation")
    partners: list[str] = Field(default_factory=list, description="organisation ids")
    alliance: str | None = Field(None, description="the id of the alliance carrying it")
    activities: list[str] = Field(min_length=1, description="codes of the activities it addresses")
    countries: list[str] = Field(default_factory=list, description="ISO 3166-1 alpha-2 codes")
    start: str | None = Field(None, description="ISO date (YYYY-MM-DD)", examples=["2025-01-31"])
    end: str | None = Field(None, description="ISO date (YYYY-MM-DD)", examples=["2027-12-31"])
    budget: Decimal | None = Field(None, allow_inf_nan=False, description="greater than zero")
    currency: str | None = Field(None, description="ISO 4217 code such as EUR")

    @field_validator("id", "lead")
    @classmethod
    def _one_key(cls, value: str) -> str:
        return _no_separator(value)

    @field_validator("partners", "activities", "countries")
    @classmethod
    def _keys(cls, values: list[str]) -> list[str]:
        return [_no_separator(v) for v in values]

    def submission(self) -> Submission:
        """The idea as one projects.csv row, with the keys it refers to (queries.submission)."""
        referenced = {
            "organisations": [self.lead, *self.partners],
            "alliances": [self.alliance] if self.alliance else [],
            "activities": self.activities,
        }
        return Submission(self.id, self.cells(), referenced)

    def cells(self) -> dict[str, str]:
        """The submission as the cells of a projects.csv row (lists joined with ';')."""
        out: dict[str, str] = {}
        for name, value in self.model_dump(exclude_none=True).items():
            if isinstance(value, list):
                text = ";".join(value)
            elif isinstance(value, Decimal):
                text = format(value, "f")
            else:
                text = str(value)
            if text:
                out[name] = text
        return out


class ProjectCreated(BaseModel):
    """201: the project is in the graph; `url` dereferences its IRI on this service."""

    id: str
    iri: str
    url: str
    source: str = Field(description="the source (named graph) it was stored in")
    triples: int


# -- loads sent over HTTP (api.loads) --------------------------------------------------------


class LoadPhase(BaseModel):
    """One phase of a load (sic.progress): how much of it is done, and how fast."""

    name: Literal["read", "map", "stage", "validate", "commit"]
    unit: str = Field(description="what is counted: rows (read, map) or triples")
    done: int
    total: int | None = Field(default=None, description="how many in all, when known beforehand")
    elapsed: float = Field(description="seconds since the phase began (to its end if finished)")
    rate: float | None = Field(default=None, description="units per second so far")
    finished: bool


class LoadProblem(BaseModel):
    """Why a load was refused, located as `sic load` locates it: the file (or the request
    body), the row as a spreadsheet shows it (or the line of an RDF file) and the column; a
    SHACL violation also names the node and the property."""

    where: str | None = Field(default=None, description="the location in words")
    file: str | None = None
    row: int | None = None
    column: str | None = None
    message: str
    severity: str = "error"
    focusNode: str | None = None  # noqa: N815 - SHACL's result vocabulary (ValidationProblem)
    resultPath: str | None = None  # noqa: N815
    value: str | None = None
    translations: dict[str, str] = Field(
        default_factory=dict,
        description="a SHACL rule's sentence in the other languages its shape speaks, by"
        " language (fr, es): the load page shows the reader's; `message` is English",
    )
    whereTranslations: dict[str, str] = Field(  # noqa: N815 - as `translations`, for load.js
        default_factory=dict,
        description="the location in words in the other languages (fr, es), by language;"
        " `where` is English",
    )


class LoadedSource(BaseModel):
    """A source the load stored: its name, its named graph, how many triples it holds."""

    name: str
    graph: str
    triples: int


class LoadStatus(BaseModel):
    """A load sent with POST /api/loads, as it stands."""

    id: str
    source: str = Field(description="the name of the source it loads")
    replace: bool
    state: Literal["queued", "running", "done", "failed"]
    phase: str | None = Field(default=None, description="the phase running now (or the last one)")
    phases: list[LoadPhase] = Field(description="the phases so far, in the order they ran")
    accepted: str = Field(description="when the load was accepted (ISO 8601, UTC)")
    elapsed: float = Field(description="seconds since it was accepted (to its end if over)")
    detail: str | None = Field(default=None, description="why it failed, in one sentence")
    problems: list[LoadProblem] = Field(
        default_factory=list, description="every problem found (the first 1,000)"
    )
    problem_count: int = 0
    warnings: list[LoadProblem] = Field(
        default_factory=list, description="what the reader kept out without refusing the input"
    )
    loaded: list[LoadedSource] = Field(default_factory=list)


class SearchHit(BaseModel):
    """One entity the search box found, named in the language asked for."""

    kind: str = Field(description="organisation, person, project, activity, objective...")
    key: str = Field(description="its key: the last part of its IRI")
    name: str = Field(description="its name in the language asked for, else in English")
    name_language: str = Field(description="the language `name` is in ('' for a bare key)")
    code: str | None = Field(description="its code (dcterms:identifier)")
    acronym: str | None = Field(description="its acronym (skos:altLabel), if any")
    matched: str = Field(description="the name, code or acronym that matched, as stored")
    path: str = Field(description="its page and description, below the service's root")


class SearchResults(BaseModel):
    """The best matches of a search, best first (codes and acronyms typed in full first)."""

    q: str
    lang: str
    limit: int
    results: list[SearchHit]


class LinkProposalOut(BaseModel):
    """A link a rule proposed from a reported project to an activity or objective."""

    project: str
    project_key: str
    project_title: str
    target: str
    target_code: str
    target_kind: str = Field(description="activity or objective")
    target_title: str
    confidence: float
    rules: str = Field(description="the rules that proposed it")
    evidence: str
    decision: str = Field(description="empty while it waits; accepted or rejected after")


class LinkProposals(BaseModel):
    """Proposed links, best first within each project."""

    proposals: list[LinkProposalOut]


class LinkDecision(BaseModel):
    """A person's decision on one proposed link."""

    model_config = ConfigDict(extra="forbid")

    project: str = Field(description="the project's key or IRI", min_length=1, max_length=2000)
    target: str = Field(
        description="the activity's or objective's code or IRI", min_length=1, max_length=2000
    )
    decision: Literal["accept", "reject"]
