"""The data behind an objective's indicator charts, as CSV (the charts are on /id/objective/...).

Every chart the site draws has its data as a download; this route gives, for one objective, the
baseline, observations, projection to the end of 2030 and targets that its trajectories draw.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from api.deps import StoreDep
from api.in_worker import in_worker
from api.routes.pages import csv_download
from queries import page_data as pages
from queries.trajectory import CSV_COLUMNS, csv_rows, known_objective_trajectories

router = APIRouter(tags=["pages"])

ObjectiveCode = Annotated[
    str, PathParam(max_length=200, description="the objective's code, e.g. C1")
]

_CSV: dict[int | str, dict[str, Any]] = {
    200: {"description": "The rows as CSV (RFC 4180).", "content": {"text/csv": {}}},
    404: {"description": "There is no such objective.", "content": {"text/csv": {}}},
}


@router.get(
    "/objectives/{code}/trajectory.csv",
    response_class=Response,
    responses=_CSV,
    summary="An objective's indicators, their values, projection to 2030 and targets as CSV",
)
@in_worker
def trajectory_csv(request: Request, store: StoreDep, code: ObjectiveCode) -> Response:
    """What the objective page's trajectory charts draw, one value per row."""

    def build(view: pages.View) -> str:
        shown = known_objective_trajectories(view.store, code, view.ui.lang)
        return pages.to_csv(csv_rows(shown), CSV_COLUMNS)

    return csv_download(request, f"trajectory-{code}.csv", build, store)
