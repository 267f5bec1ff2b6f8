"""The web pages for people: dashboard, gaps, network, the catalogue as forms, the query editor.

Server-rendered HTML (Jinja2, api/templates/) from the same question catalogue the API uses
(queries.page_data arranges the answers), with a little JavaScript where it helps: the network
drawing and the query editor. Every asset is served from api/static/ by this service; nothing comes
from a CDN. Pages speak English, French or Spanish (api.i18n) and say so in Content-Language;
they vary on Accept-Language, and carry an ETag made of the store version, the language and
the URL, so a reader who already has the current page gets 304.

The pages of single resources (/id/activity/..., /id/objective/..., /id/organisation/...,
/id/project/..., /id/alliance/...) are the HTML representation of the linked data:
api.routes.linked_data negotiates and calls `resource_page` here for text/html. GET /sparql
asks `editor_if_wanted` before answering with its service description, so a browser opening
/sparql gets the editor.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from api.deps import ActivityCode, SettingsDep, StoreDep
from api.group_suggestions import (
    Suggestions,
    alliance_suggestions,
    project_suggestions,
    within_limit,
)
from api.i18n import NAMES, Ui, choose_language
from api.in_worker import in_worker
from api.negotiation import RDF_FORMATS, Format, NotAcceptable, choose
from api.progress_chart import progress_page
from api.responses import cached, is_fresh, not_modified, root_of, templates
from api.security import book_of, is_read_only
from graph.base import GraphStore
from queries import page_data as pages
from queries.catalogue import run
from queries.group_pages import AlliancePage, ProjectPage, alliance_page, project_page
from queries.history import history, stage_timeline
from queries.labels import Labels, read_labels
from queries.linking import link_proposals
from queries.page_views import DescriptionView
from sic.errors import KGError, NotFound

HISTORY_ON_PAGE = 10
"""Changes a resource page lists (the latest; the JSON API pages through the rest)."""

router = APIRouter(tags=["web pages"])

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
HTML_TYPE = "text/html; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"
EDITOR_FORMAT = Format("text/html", ("application/xhtml+xml",))
RICH_KINDS = frozenset({"activity", "objective", "organisation", "project", "alliance"})
"""Kinds whose HTML page is built from the catalogue; other kinds show their description."""

_HTML: dict[int | str, dict[str, Any]] = {
    200: {"description": "The page.", "content": {"text/html": {}}},
    304: {"description": "The reader's copy (If-None-Match) is current."},
    400: {"description": "A filter or parameter is malformed.", "content": {"text/html": {}}},
    404: {"description": "Something the URL names does not exist.", "content": {"text/html": {}}},
}
_CSV: dict[int | str, dict[str, Any]] = {
    200: {"description": "The rows as CSV (RFC 4180).", "content": {"text/csv": {}}},
    400: {"description": "A filter or parameter is malformed.", "content": {"text/csv": {}}},
    404: {"description": "Something the URL names does not exist.", "content": {"text/csv": {}}},
}


# -- what every page needs ----------------------------------------------------------------------


def reader(request: Request) -> Ui:
    """The reader's language: `?lang=`, else Accept-Language, else English (api.i18n)."""
    lang, explicit = choose_language(
        request.query_params.get("lang"), request.headers.get("accept-language")
    )
    return Ui(lang, explicit, request.query_params.get("asOf", ""))


def view_of(request: Request, store: GraphStore) -> pages.View:
    """The store, the reader's language, and names and choices cached per store version."""
    version = store.version()
    labels = cached(request, "page-labels", read_labels).get(store, version)
    choices = cached(request, "page-choices", pages.read_choices).get(store, version)
    lookups = cached(request, "page-lookups", pages.Lookups).get(store, version)
    return pages.View(store, reader(request), labels, choices, lookups)


def page_tag(request: Request, store: GraphStore, ui: Ui) -> str:
    """A validator for one page: it changes with the data, the language and the URL."""
    url = f"{request.url.path}?{request.url.query}"
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return f'"{store.version()}-page-{ui.lang}-{digest}"'


def _headers(ui: Ui, tag: str | None = None) -> dict[str, str]:
    headers = {"Vary": "Accept, Accept-Language", "Content-Language": ui.lang}
    if tag is not None:
        headers["ETag"] = tag
    return headers


def render_page(
    request: Request, ui: Ui, template: str, status_code: int = 200, **context: Any
) -> bytes:
    """One of api/templates for a reader: their language, links that keep it, the switcher."""
    query = dict(request.query_params)
    switch = [
        (code, name, ui.switch(request.url.path, query, code)) for code, name in NAMES.items()
    ]
    return (
        templates()
        .get_template(template)
        .render(
            ui=ui,
            lang=ui.lang,
            languages=switch,
            root=root_of(request),
            path=request.url.path,
            status_code=status_code,
            json_data=_json_data,
            **context,
        )
        .encode()
    )


def _json_data(value: Any) -> str:
    """JSON for a `<script type="application/json">` block: `<` escaped so it cannot close it."""
    text = json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def html_page(
    request: Request,
    store: GraphStore,
    template: str,
    build: Callable[[pages.View], Mapping[str, Any]],
) -> Response:
    """A page: 304 when the reader's copy is current, an HTML error page for a bad request."""
    view = view_of(request, store)
    ui = reader(request)
    tag = page_tag(request, store, ui)
    if is_fresh(request, tag):
        return not_modified(tag, {"Vary": "Accept, Accept-Language"})
    try:
        context = dict(build(view))
    except KGError as error:
        return error_page(request, ui, error)
    code = int(context.pop("status_code", 200))
    body = render_page(request, ui, template, status_code=code, view=view, **context)
    headers = _headers(ui, tag if code == 200 else None)
    return Response(body, status_code=code, media_type=HTML_TYPE, headers=headers)


def error_page(request: Request, ui: Ui, error: KGError) -> Response:
    """A bad filter or an unknown entity, told in the reader's language (400 or 404)."""
    code = 404 if isinstance(error, NotFound) else 400
    body = render_page(request, ui, "error.html", status_code=code, message=str(error))
    return Response(body, status_code=code, media_type=HTML_TYPE, headers=_headers(ui))


def attachment(name: str) -> str:
    """A Content-Disposition for a file named from the URL (RFC 6266): an ASCII fallback with
    only safe characters, and the exact name percent-encoded in UTF-8 as `filename*`; nothing
    of the URL reaches the header raw (no quote, no line end)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def csv_download(
    request: Request, name: str, build: Callable[[pages.View], str], store: GraphStore
) -> Response:
    """A CSV attachment; a bad request is a CSV body with one `error` column."""
    view = view_of(request, store)
    try:
        body, code = build(view), 200
    except KGError as error:
        body = pages.to_csv([{"error": str(error)}], ["error"])
        code = 404 if isinstance(error, NotFound) else 400
    headers = {**_headers(reader(request)), "Content-Disposition": attachment(name)}
    return Response(body, status_code=code, media_type=CSV_TYPE, headers=headers)


# -- the dashboard and the gaps ----------------------------------------------------------------


@router.get("/", response_class=Response, responses=_HTML, summary="The dashboard")
@in_worker
def dashboard(request: Request, store: StoreDep) -> Response:
    """Figures, coverage per objective, funding secured against requested, urgent gaps."""
    return html_page(
        request,
        store,
        "dashboard.html",
        lambda v: {**pages.dashboard(v), **progress_page(request, v)},
    )


Code = Annotated[str, Query(max_length=200)]


async def _filters(
    goal: Code = "",
    objective: Code = "",
    category: Code = "",
    facility: Literal["global", "core"] = "global",
    region: Code = "",
) -> pages.GapFilters:
    """The filters of /gaps and /gaps.csv, declared once for both."""
    return pages.GapFilters(goal, objective, category, facility, region)


GapQuery = Annotated[pages.GapFilters, Depends(_filters)]


def _empty_index(_: GraphStore) -> pages.RegionIndex:
    return {}


def _regions(request: Request, store: GraphStore) -> Callable[[str], frozenset[str]]:
    """Candidate regions per activity, computed on first use and kept per store version."""
    index = cached(request, "gap-regions", _empty_index).get(store, store.version())

    def regions(activity: str) -> frozenset[str]:
        if activity not in index:
            index[activity] = pages.candidate_regions(store, activity)
        return index[activity]

    return regions


@router.get("/gaps", response_class=Response, responses=_HTML, summary="The gaps, filtered")
@in_worker
def gaps(request: Request, store: StoreDep, filters: GapQuery) -> Response:
    """Activities no live project addresses, by goal, objective, category, facility, region."""
    regions = _regions(request, store)
    return html_page(
        request, store, "gaps.html", lambda view: pages.gaps_page(view, filters, regions)
    )


@router.get("/gaps.csv", response_class=Response, responses=_CSV, summary="The gaps as CSV")
@in_worker
def gaps_csv(request: Request, store: StoreDep, filters: GapQuery) -> Response:
    """The same rows as /gaps with the same filters, names in the reader's language."""
    regions = _regions(request, store)
    return csv_download(
        request,
        "gaps.csv",
        lambda view: pages.to_csv(pages.gap_rows(view, filters, regions), pages.GAP_CSV_COLUMNS),
        store,
    )


@router.get(
    "/activities/{code}/candidates.csv",
    response_class=Response,
    responses=_CSV,
    summary="An activity's candidates and their reasons as CSV",
)
@in_worker
def candidates_csv(request: Request, store: StoreDep, code: ActivityCode) -> Response:
    """candidates-for-activity as on the activity page (involved first, then ranked)."""
    columns = ("rank", "organisation", "name", "type", "status", "score", "involved", "reasons")

    def build(view: pages.View) -> str:
        asked = {"activity": code, "top": str(pages.CANDIDATES_SHOWN)}
        name = "candidates-for-activity"
        rows = run(view.store, name, pages.in_language(view, name, asked)).rows
        return pages.to_csv(
            [{**r, "reasons": [x["text"] for x in r["reasons"]]} for r in rows], columns
        )

    return csv_download(request, f"candidates-{code}.csv", build, store)


@router.get(
    "/activities/{code}/alliance.csv",
    response_class=Response,
    responses=_CSV,
    summary="The suggested alliance for an activity as CSV",
)
@in_worker
def alliance_csv(request: Request, store: StoreDep, code: ActivityCode) -> Response:
    """alliance-composition as on the activity page."""
    return csv_download(
        request,
        f"alliance-{code}.csv",
        lambda view: _answer_csv(view, "alliance-composition", {"activity": code}),
        store,
    )


# -- the partner network -------------------------------------------------------------------------


@router.get("/network", response_class=Response, responses=_HTML, summary="The partner network")
@in_worker
def network(request: Request, store: StoreDep, objective: Code = "") -> Response:
    """Who has worked with whom, brokers highlighted, optionally around one objective."""

    def build(view: pages.View) -> dict[str, Any]:
        data = pages.network_data(view, objective or None)
        return {"network": data, "objectives": view.choices.of("objective")}

    return html_page(request, store, "network.html", build)


@router.get(
    "/network.json",
    summary="The partner network as data (nodes, collaboration edges, brokers)",
    responses={404: {"description": "No such objective."}},
)
@in_worker
def network_json(request: Request, store: StoreDep, objective: Code = "") -> dict[str, Any]:
    """What /network draws: organisations, the projects and alliances they share, brokers."""
    return pages.network_data(view_of(request, store), objective or None)


# -- the catalogue as forms ----------------------------------------------------------------------


@router.get("/queries", response_class=Response, responses=_HTML, summary="The questions as forms")
@in_worker
def catalogue(request: Request, store: StoreDep) -> Response:
    """Every named question with a form for its parameters."""
    return html_page(request, store, "queries.html", pages.catalogue_page)


QuestionName = Annotated[str, PathParam(description="a name from /queries")]


def _given(request: Request) -> dict[str, str]:
    """The question's parameters from the query string: empty fields and `lang` left out."""
    return {k: v for k, v in request.query_params.items() if v != "" and k != "lang"}


@router.get(
    "/queries/{name}.csv",
    response_class=Response,
    responses=_CSV,
    summary="One question's answer as CSV",
)
@in_worker
def answer_csv(request: Request, store: StoreDep, name: QuestionName) -> Response:
    """The answer with the parameters of the query string; nested values as JSON cells."""
    given = _given(request)
    return csv_download(
        request,
        f"{name}.csv",
        lambda view: _answer_csv(view, name, given),
        store,
    )


def _answer_csv(view: pages.View, name: str, given: Mapping[str, str]) -> str:
    answer = run(view.store, name, pages.in_language(view, name, given))
    return pages.to_csv(answer.rows, answer.columns)


@router.get(
    "/queries/{name}", response_class=Response, responses=_HTML, summary="One question as a form"
)
@in_worker
def question(request: Request, store: StoreDep, name: QuestionName) -> Response:
    """The question's form and, once submitted, its answer as a table."""
    given = _given(request)

    return html_page(
        request, store, "question.html", lambda view: pages.answer_page(view, name, given)
    )


# -- the query editor (GET /sparql for people) -----------------------------------------------------


def editor_if_wanted(request: Request) -> Response | None:
    """The query editor when the client prefers HTML to RDF, else None (api.routes.sparql
    then answers with its service description: `*/*` and no Accept header still get Turtle)."""
    try:
        chosen = choose([*RDF_FORMATS, EDITOR_FORMAT], request.headers.get("accept"))
    except NotAcceptable:
        return None
    if chosen is not EDITOR_FORMAT:
        return None
    ui = reader(request)
    body = render_page(
        request,
        ui,
        "sparql.html",
        examples=pages.editor_examples(ui.lang),
        prefixes=pages.editor_prefixes(),
        base=request.app.state.settings.base_iri,
    )
    return Response(body, media_type=HTML_TYPE, headers=_headers(ui))


def wants_results_page(request: Request, formats: list[Format]) -> bool:
    """Whether a client asking a query prefers HTML to every answer format (a browser that
    followed a /sparql?query= link); `*/*` and no Accept header still get the formats."""
    return prefers_page(request.headers.get("accept"), formats)


def prefers_page(accept: str | None, formats: list[Format]) -> bool:
    """wants_results_page, from the Accept header's value (None: no header)."""
    try:
        return choose([*formats, EDITOR_FORMAT], accept) is EDITOR_FORMAT
    except NotAcceptable:
        return False


def results_page(
    request: Request,
    query: str,
    answer: tuple[str, bytes, bool] | None,
    error: str | None = None,
    labels: Labels | None = None,
) -> Response:
    """The editor with `query` in it and its answer below as a table (or the RDF it made, or
    the plain syntax error), for a browser. `answer`: (content type, body, truncated) of the
    answer computed as SPARQL JSON results or Turtle; `labels`: names of this service's IRIs
    in it, read in the worker that ran it (shown in the reader's language)."""
    ui = reader(request)
    table: dict[str, Any] | None = None
    graph_text: str | None = None
    if answer is not None:
        content_type, body, truncated = answer
        if content_type.startswith("application/sparql-results+json"):
            base = request.app.state.settings.base_iri
            table = pages.results_table(json.loads(body), base, root_of(request), labels, ui.lang)
            table["truncated"] = truncated
        else:
            graph_text = body.decode("utf-8", "replace")
    page = render_page(
        request,
        ui,
        "sparql_results.html",
        query=query,
        table=table,
        graph_text=graph_text,
        error=error,
        base=request.app.state.settings.base_iri,
    )
    return Response(
        page,
        status_code=400 if error else 200,
        media_type=HTML_TYPE,
        headers={**_headers(ui), "Vary": "Accept, Accept-Language"},
    )


# -- the pages of single resources (called by api.routes.linked_data) ------------------------------


def html_variant(request: Request) -> str:
    """The ETag variant of an /id/... page: the page differs by language."""
    return f"html-{reader(request).lang}"


def resource_page(
    request: Request,
    store: GraphStore,
    kind: str,
    key: str,
    description: DescriptionView,
    alternates: list[tuple[str, str, str]],
) -> bytes:
    """The HTML of /id/{kind}/{key}: for activities, objectives, organisations, projects and
    alliances the page built from the catalogue (projects and alliances with their suggestions,
    api.group_suggestions), with the description (`resource.html`'s context) at the bottom; for
    every other kind the description alone, in the reader's language."""
    view = view_of(request, store)
    ui = reader(request)
    shown = {
        "view": view,
        "alternates": alternates,
        "history": history(store, description.main.iri, limit=HISTORY_ON_PAGE, lang=ui.lang),
        "timeline": (
            stage_timeline(store, description.main.iri, lang=ui.lang) if kind == "project" else None
        ),
        "link_proposals": (
            link_proposals(store, description.main.iri, waiting_only=True)
            if kind == "project"
            else []
        ),
        **vars(description),
    }
    if kind not in RICH_KINDS:
        return render_page(request, ui, "resource.html", **shown)
    if kind in GROUP_KINDS:
        try:
            page, suggested = _group_page(request, store, view, kind, key, description)
        except NotFound:  # described, but not (or no longer) typed as a project or alliance
            return render_page(request, ui, "resource.html", **shown)
        return render_page(request, ui, f"{kind}.html", page=page, suggestions=suggested, **shown)
    build = {
        "activity": pages.activity_page,
        "objective": pages.objective_page,
        "organisation": pages.organisation_page,
    }[kind]
    return render_page(request, ui, f"{kind}.html", page=build(view, key), **shown)


GROUP_KINDS = frozenset({"project", "alliance"})
"""Rich kinds whose page has suggestions beside it (api.group_suggestions)."""


def _group_page(
    request: Request,
    store: GraphStore,
    view: pages.View,
    kind: str,
    key: str,
    description: DescriptionView,
) -> tuple[ProjectPage | AlliancePage, Suggestions]:
    """A project's or an alliance's page model and its suggestions (waited for a while)."""
    ask = (kind, key, view.ui.lang)
    if kind == "project":
        project = project_page(view, key, description.sources)
        return project, within_limit(request, store, ask, lambda: project_suggestions(view, key))
    alliance = alliance_page(view, key, description.sources)
    activities = [a.activity for a in alliance.activities]
    members = {m.organisation for m in alliance.members}
    return alliance, within_limit(
        request, store, ask, lambda: alliance_suggestions(view, key, activities, members)
    )


# -- loading data --------------------------------------------------------------------------------


@router.get("/load", response_class=Response, responses=_HTML, summary="Load a workbook or a file")
async def load(request: Request, settings: SettingsDep) -> Response:
    """A form that sends a workbook or an RDF file to POST /api/loads and shows its progress
    (api/static/load.js); the page holds no data, so it is rendered here, not in a worker."""
    ui = reader(request)
    read_only = is_read_only(settings, book_of(request))
    body = render_page(request, ui, "load.html", read_only=read_only)
    return Response(body, media_type=HTML_TYPE, headers=_headers(ui))


# -- static assets --------------------------------------------------------------------------------


@router.get("/static/{path:path}", include_in_schema=False)
def static(request: Request, path: str) -> Response:
    """A file of api/static/ (CSS, JavaScript, licences), cached by the browser for an hour."""
    target = (STATIC_DIR / path).resolve()
    if STATIC_DIR not in target.parents or not target.is_file():
        return Response("not found", status_code=404, media_type="text/plain")
    body = target.read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    text = media_type.startswith("text/") or media_type == "application/javascript"
    # the vendored editor is 1 MB of JavaScript, a quarter of that compressed: a phone on a
    # slow line gets the quarter (each encoding its own ETag, as HTTP asks)
    compressed = text and "gzip" in request.headers.get("accept-encoding", "")
    tag = f'"{digest[:16]}{"-gz" if compressed else ""}"'
    headers = {"ETag": tag, "Cache-Control": "public, max-age=3600"}
    if text:
        media_type += "; charset=utf-8"
        headers["Vary"] = "Accept-Encoding"
    if is_fresh(request, tag):
        return Response(status_code=304, headers=headers)
    if compressed:
        headers["Content-Encoding"] = "gzip"
        body = _gzipped(str(target), digest, body)
    return Response(body, media_type=media_type, headers=headers)


_GZIPPED: dict[tuple[str, str], bytes] = {}


def _gzipped(path: str, digest: str, body: bytes) -> bytes:
    """`body` compressed, kept per file and content (the files are few and never change while
    the service runs; a changed file is a new key)."""
    key = (path, digest)
    if key not in _GZIPPED:
        _GZIPPED[key] = gzip.compress(body, compresslevel=9, mtime=0)
    return _GZIPPED[key]
