"""POST /api/names: the names of this service's IRIs, for the query editor's result table.

The results page a browser gets from /sparql?query= shows an activity under its title; the
editor on /sparql (YASGUI, api/static/editor.js) draws its table in the browser from the SPARQL
JSON answer, so it asks here, once per table page drawn, for the names of the IRIs it shows.
The names are the results page's own (queries.result_labels: page-labels.rq or
result-names.rq with `?entity` bound per IRI, at most MAX_NAMED of them, within
LOOKUP_SECONDS), read in a query worker under the query time limit. IRIs that are not this
service's, or of a kind without a name, are left out of the answer. The editor asks the same
page of the same answer again as its reader pages back and forth, so an answer is kept for the
store version it was read on (runner.pool's `keep`), like a SPARQL answer; a write drops it.
Reading only: no credential is asked for.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, RootModel

from api import as_of
from api.i18n import Ui
from api.routes.pages import reader
from graph.base import GraphStore
from queries.result_labels import MAX_NAMED, labels_of, own_iris
from sic import iris as own

router = APIRouter(tags=["names"])


class Name(BaseModel):
    """The name an IRI is shown under, in the reader's language or, failing that, English."""

    name: str = Field(description="the name (a title, a label)")
    lang: str = Field(description="the language the name is in (for the HTML `lang` attribute)")
    fallback: bool = Field(description="true when the name is English standing in for `?lang`")
    note: str | None = Field(
        default=None, description="when `fallback`, the sentence saying so in the reader's language"
    )


class Names(RootModel[dict[str, Name]]):
    """Each named IRI asked about, with its name; IRIs without one are left out."""


_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_NAMED},
                "example": ["https://w3id.org/4p1000/id/activity/A1.01"],
            }
        },
    }
}


def _refused(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def asked_iris(body: bytes) -> list[str] | JSONResponse:
    """The IRIs of a request body (a JSON list of strings), or the 4xx answer refusing it."""
    try:
        asked = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _refused(400, "The body must be a JSON list of IRIs (strings).")
    if not isinstance(asked, list) or not all(isinstance(i, str) for i in asked):
        return _refused(400, "The body must be a JSON list of IRIs (strings).")
    if len(asked) > MAX_NAMED:
        return _refused(413, f"At most {MAX_NAMED} IRIs may be asked about at once.")
    return asked


def read_names(store: GraphStore, asked: tuple[str, ...], ui: Ui) -> dict[str, dict[str, Any]]:
    """In a worker: the names of the IRIs of this service among `asked` (see the module)."""
    # own_iris reads a SPARQL JSON answer: the IRIs asked are handed to it as one
    answer = {"results": {"bindings": [{"iri": {"type": "uri", "value": i}} for i in asked]}}
    named = own_iris(answer, store.base)
    labels = labels_of(store, named)
    note = ui("i18n.fallback", language=ui("i18n.language_en"))
    found: dict[str, dict[str, Any]] = {}
    for iri in named:
        parsed = own.parse(iri)
        if parsed is None:
            continue
        _, kind, key = parsed
        name = labels.find(kind, key, ui.lang)
        shown = labels.found_in(kind, key, ui.lang)
        if name is None or shown is None:
            continue
        fallback = shown != ui.lang
        found[iri] = {
            "name": name,
            "lang": shown,
            "fallback": fallback,
            "note": note if fallback else None,
        }
    return found


@router.post(
    "/api/names",
    response_model=Names,
    openapi_extra=_BODY,
    responses={
        400: {"description": "The body is not a JSON list of strings."},
        413: {"description": f"More than {MAX_NAMED} IRIs."},
    },
    summary="Names of this service's IRIs (activities, organisations, projects...) in a language",
)
async def names(request: Request) -> Response:
    """The names of the IRIs in the body (a JSON list, at most 500), in `?lang=` or the
    Accept-Language's language, else in English with `fallback` true. The IRIs that are not
    this service's, or have no name, are left out."""
    asked = asked_iris(await request.body())
    if isinstance(asked, JSONResponse):
        return asked
    ui = reader(request)
    runner = as_of.runner_of(request)  # the present's, or a past moment's (?asOf=)
    client = request.client.host if request.client else None
    asked_once = tuple(dict.fromkeys(asked))
    found = await runner.call(read_names, asked_once, ui, keep=True, client=client)
    return JSONResponse(found, headers={"Content-Language": ui.lang, "Vary": "Accept-Language"})
