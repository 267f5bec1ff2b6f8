"""Reports for a meeting and the dashboard's progress as CSV.

`/reports/objective/{code}` and `/reports/funder/{key}`: a printable page (site.css prints it
without navigation, tables whole) and, at the same path plus `.xlsx`, a workbook of the same
figures (one queries.reports.Report feeds both). Both speak the page's language (`?lang=`) and
honour `?asOf=` like every read (api.as_of puts the snapshot behind StoreDep), and say which
day they describe. `/dashboard/progress.csv?series=` serves the figures of one progress chart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from api.deps import StoreDep
from api.in_worker import in_worker
from api.progress_chart import series_of, until_of
from api.report_workbook import XLSX_TYPE, workbook
from api.responses import root_of
from api.routes.pages import (
    _CSV,
    _HTML,
    attachment,
    csv_download,
    error_page,
    html_page,
    reader,
    view_of,
)
from queries import page_data as pages
from queries.progress import CSV_COLUMNS
from queries.reports import Report, funder_report, objective_report
from queries.trajectory import chart, objective_trajectories
from sic.errors import KGError

router = APIRouter(tags=["web pages"])

Key = Annotated[str, PathParam(max_length=200, pattern=r"^[^/]+$")]
_XLSX: dict[int | str, dict[str, Any]] = {
    200: {"description": "The report as a workbook.", "content": {XLSX_TYPE: {}}},
    404: {"description": "No such objective or organisation.", "content": {"text/html": {}}},
}
_BUILDERS: dict[str, Callable[[pages.View, str], Report]] = {
    "objective": objective_report,
    "funder": funder_report,
}


@router.get(
    "/dashboard/progress.csv",
    response_class=Response,
    responses=_CSV,
    summary="One progress series of the dashboard as CSV",
)
@in_worker
def progress_csv(
    request: Request,
    store: StoreDep,
    series: Annotated[Literal["activities", "projects", "funding"], Query()] = "activities",
) -> Response:
    """Per quarter up to today (or `?asOf=`): series, quarter, quarter_end, group, key, value."""
    until = until_of(request)
    return csv_download(
        request,
        f"progress-{series}.csv",
        lambda view: pages.to_csv(
            series_of(request, view.store, until).csv_rows(series), CSV_COLUMNS
        ),
        store,
    )


def _as_of(request: Request) -> str:
    return until_of(request).isoformat()


def _page(request: Request, store: StoreDep, kind: str, key: str) -> Response:
    def build(view: pages.View) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "report": _BUILDERS[kind](view, key),
            "report_as_of": _as_of(request),
            "xlsx_path": f"{root_of(request)}/reports/{kind}/{key}.xlsx",
        }
        if kind == "objective":  # the objective page's trajectory charts (_trajectory.html)
            shown["page"] = {
                "trajectories": [
                    (t, chart(t)) for t in objective_trajectories(view.store, key, view.ui.lang)
                ],
                "profile": {"objective": key},
            }
        return shown

    return html_page(request, store, f"report_{kind}.html", build)


def _xlsx(request: Request, store: StoreDep, kind: str, key: str) -> Response:
    view = view_of(request, store)
    ui = reader(request)
    try:
        report = _BUILDERS[kind](view, key)
    except KGError as error:
        return error_page(request, ui, error)
    shown = objective_trajectories(view.store, key, ui.lang) if kind == "objective" else []
    body = workbook(report, ui, _as_of(request), shown)
    headers = {
        "Content-Disposition": attachment(f"report-{kind}-{key}-{ui.lang}.xlsx"),
        "Content-Language": ui.lang,
        "Vary": "Accept-Language",
    }
    return Response(body, media_type=XLSX_TYPE, headers=headers)


# the .xlsx routes first: `{code}` alone would also match `A2.xlsx`


@router.get(
    "/reports/objective/{code}.xlsx",
    response_class=Response,
    responses=_XLSX,
    summary="An objective's report as an XLSX workbook",
)
@in_worker
def objective_xlsx(request: Request, store: StoreDep, code: Key) -> Response:
    """The figures of /reports/objective/{code}, one titled sheet per table."""
    return _xlsx(request, store, "objective", code)


@router.get(
    "/reports/funder/{key}.xlsx",
    response_class=Response,
    responses=_XLSX,
    summary="A funder's report as an XLSX workbook",
)
@in_worker
def funder_xlsx(request: Request, store: StoreDep, key: Key) -> Response:
    """The figures of /reports/funder/{key}, one titled sheet per table."""
    return _xlsx(request, store, "funder", key)


@router.get(
    "/reports/objective/{code}",
    response_class=Response,
    responses=_HTML,
    summary="An objective's report for a meeting (printable)",
)
@in_worker
def objective_report_page(request: Request, store: StoreDep, code: Key) -> Response:
    """Activities and coverage, projects per stage, money per currency and status, partners."""
    return _page(request, store, "objective", code)


@router.get(
    "/reports/funder/{key}",
    response_class=Response,
    responses=_HTML,
    summary="A funder's report for a meeting (printable)",
)
@in_worker
def funder_report_page(request: Request, store: StoreDep, key: Key) -> Response:
    """What the funder's money reaches: activities, projects, money, the partners around it."""
    return _page(request, store, "funder", key)
