"""Loads over HTTP under /api/loads: send a workbook or an RDF file, then watch it load.

`POST /api/loads?source=NAME[&replace=true]` takes the body as it is: a zip of a workbook's
CSV folder (`application/zip`), an `.xlsx` workbook, or one RDF file in the syntax its
Content-Type names (Turtle, N-Triples, RDF/XML, JSON-LD, N-Quads or TriG, each holding one
graph). It answers 202 Accepted with the load's status and its address in Location; the load
runs in the background exactly as `sic load` runs (api.loads). `GET /api/loads/{id}` answers
its state (queued, running, done, failed), its phases with counts and rates, and at the end
either the source stored or every problem found, located at file, row and column.

Both need the write token: the body and the problems it causes are the sender's. The body is
bounded by SIC_MAX_UPLOAD_MB (api.limits), and so is what a zip unpacks to.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.responses import JSONResponse

from api.attribution import of_request
from api.deps import LoadWriter, ServiceDep
from api.loads import Busy, Kind, LoadJobs, ReadLimits, Upload
from api.models import ErrorBody, LoadStatus
from api.negotiation import charset_of, media_type_of, rdf_format_of
from api.responses import root_of
from loaders.archive import ArchiveLimits, check_archive, workbook_members
from loaders.rdf import REQUEST_BODY
from sic.errors import UnsupportedBody

router = APIRouter(prefix="/api", tags=["JSON API"])

ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed", "application/x-zip"})
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RDF_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/n-quads",
    "application/trig",
)
RESERVED = frozenset({"ontology", "updates", "sources"})
"""Source names the store keeps for itself: the ontology, where default-graph writes land,
and the provenance graph (`{BASE}graph/sources`)."""
SOURCE_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
RETRY_AFTER = 5

SourceName = Annotated[
    str,
    Query(
        description="the name of the source: its named graph is `{BASE}graph/{source}`",
        pattern=SOURCE_NAME,
        examples=["workbook-2025"],
    ),
]
Replace = Annotated[bool, Query(description="swap a source of that name already loaded")]
LoadId = Annotated[str, Path(description="the load's id, from Location", pattern=r"^[0-9a-f]{32}$")]

_BINARY = {"schema": {"type": "string", "format": "binary"}}
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A zip of a workbook's CSV folder, an .xlsx workbook, or one RDF graph.",
        "content": {"application/zip": _BINARY, XLSX_TYPE: _BINARY}
        | {media_type: {"schema": {"type": "string"}} for media_type in RDF_TYPES},
    }
}
_AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No credentials (no bearer token, no session)."},
    403: {"model": ErrorBody, "description": "Wrong token, a role that may not, or read-only."},
}


def _jobs(request: Request) -> LoadJobs:
    jobs: LoadJobs = request.app.state.loads
    return jobs


def _kind(content_type: str | None) -> tuple[Kind, Any]:
    """What a body is, from its Content-Type; an RDF body must say its syntax, in UTF-8.

    :raises UnsupportedBody: (415) anything else.
    """
    media_type = media_type_of(content_type)
    if media_type in ZIP_TYPES:
        return "zip", None
    if media_type == XLSX_TYPE:
        return "xlsx", None
    fmt = rdf_format_of(content_type) if media_type != "text/plain" else None
    if fmt is None:
        given = media_type or "an untyped body"
        raise UnsupportedBody(
            "send a zip of a workbook's CSV folder (application/zip), an .xlsx workbook or "
            f"one RDF file in a syntax its Content-Type names, not {given}"
        )
    if charset_of(content_type) not in (None, "utf-8", "utf8"):
        raise UnsupportedBody(f"an RDF file must be UTF-8, not {charset_of(content_type)}")
    return "rdf", fmt


@router.post(
    "/loads",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=LoadStatus,
    summary="Load a workbook or an RDF file, in the background (Secretariat or service token)",
    openapi_extra=_BODY,
    responses={
        202: {
            "description": "Accepted: poll the address in Location.",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
        400: {
            "model": ErrorBody,
            "description": "A reserved source name, an empty body, or an archive that is "
            "not a workbook (the problems are listed).",
        },
        **_AUTH,
        413: {"model": ErrorBody, "description": "The body is larger than SIC_MAX_UPLOAD_MB."},
        415: {"model": ErrorBody, "description": "Neither a workbook nor a typed RDF file."},
        429: {"model": ErrorBody, "description": "Too many loads wait already (Retry-After)."},
    },
)
async def start_load(
    request: Request,
    service: ServiceDep,
    who: LoadWriter,
    source: SourceName,
    replace: Replace = False,
) -> JSONResponse:
    """Accept a load and start it; its status and its address (Location) at once.

    The load reads the body as `sic load` reads a path (a workbook: read, mapped; an RDF file:
    parsed as it is staged), validates the result with the shapes against the whole store and
    publishes it as the source `source`, all or nothing, in turn with every other write.
    """
    if source.lower() in RESERVED or not re.match(SOURCE_NAME, source):
        raise HTTPException(400, detail=f"{source!r} is kept by the store; choose another name")
    kind, fmt = _kind(request.headers.get("content-type"))
    data = await request.body()
    if not data:
        raise HTTPException(400, detail="the body is empty: send the workbook or the file")
    settings = service.settings
    archive = ArchiveLimits(int(settings.max_upload_mb * (1 << 20)))
    # a bad archive is refused now, not queued: its directory alone says so
    if kind == "zip":
        workbook_members(data, archive, REQUEST_BODY)
    elif kind == "xlsx":
        check_archive(data, archive, REQUEST_BODY)
    try:
        accepted = _jobs(request).submit(
            Upload(data, kind, fmt),
            source=source,
            replace=replace,
            store=service.store,
            runner=service.runner,
            limits=ReadLimits(archive, settings.max_nesting),
            by=of_request(request, who, service.store.base),
        )
    except Busy as busy:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=str(busy),
            headers={"Retry-After": str(RETRY_AFTER)},
        ) from None
    location = f"{root_of(request)}/api/loads/{accepted.id}"
    return JSONResponse(
        accepted.model_dump(), status_code=status.HTTP_202_ACCEPTED, headers={"Location": location}
    )


@router.get(
    "/loads/{load_id}",
    response_model=LoadStatus,
    summary="How far a load has got (Secretariat or service token)",
    responses={
        **_AUTH,
        404: {"model": ErrorBody, "description": "No such load (or one long finished)."},
    },
)
async def load_status(request: Request, _who: LoadWriter, load_id: LoadId) -> LoadStatus:
    """The load's state, its phases so far (count, total, rate, time), and, once it is over,
    the source it stored or every problem that refused it (nothing is then stored)."""
    found = _jobs(request).status(load_id)
    if found is None:
        raise HTTPException(
            404, detail=f"no load {load_id} (the last {_jobs(request).keep} are kept)"
        )
    return found
