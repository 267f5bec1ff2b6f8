"""Errors told to a browser as a page in its reader's language, to every other client as JSON.

A person who mistypes an address, follows a stale link or sends a form with a bad value should
see a page of this site (its header, its search box, its way back), not `{"detail":"Not
Found"}`. The choice is made on the Accept header alone, the way the representations of a
resource are chosen: a client that prefers text/html over JSON gets the page; `*/*`, no Accept
header, or JSON first keep the service's one JSON error body, so API clients and the protocol
tests see no change. Status, headers (Allow, Retry-After) and the error's own sentence are the
same in both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import Response
from starlette.types import Scope

from api.negotiation import Format, NotAcceptable, choose

JSON_BODY = Format("application/json")
HTML_PAGE = Format("text/html", ("application/xhtml+xml",))
HTML_TYPE = "text/html; charset=utf-8"

TITLES: Mapping[int, str] = {
    400: "error.bad_request",
    401: "error.unauthorised",
    403: "error.forbidden",
    404: "error.not_found",
    405: "error.method_not_allowed",
    406: "error.not_acceptable",
    413: "error.too_large",
    415: "error.unsupported",
    422: "error.invalid",
    503: "error.unavailable",
}
"""The heading of the page per status (api/locales); any other status is 'Error'."""

KEPT_HEADERS = frozenset({"allow", "retry-after", "www-authenticate", "vary"})
"""Headers of the JSON error that the page keeps."""


def wants_html(accept: str | None) -> bool:
    """True when the client prefers an HTML page to a JSON body (a browser navigating)."""
    if not accept:
        return False
    try:
        return choose([JSON_BODY, HTML_PAGE], accept) is HTML_PAGE
    except NotAcceptable:
        return False


def as_page(request: Request, error: Response) -> Response:
    """The JSON error `error` as an HTML page when the request prefers one, else unchanged."""
    if not wants_html(request.headers.get("accept")):
        return error
    return error_page(request, error.status_code, _detail(bytes(error.body)), error.headers)


def error_page(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    """An error page: the status's heading and the error's sentence, in the reader's language."""
    from api.routes.pages import reader, render_page  # the pages import the app's modules

    ui = reader(request)
    message = ui("error.no_page") if status == 404 and detail == "Not Found" else detail
    title = ui(TITLES.get(status, "error.status"))
    body = render_page(request, ui, "error.html", status_code=status, message=message, title=title)
    kept = {k: v for k, v in (headers or {}).items() if k.lower() in KEPT_HEADERS}
    vary = ", ".join(v for v in (kept.pop("vary", None), "Accept", "Accept-Language") if v)
    kept.update({"Vary": vary, "Content-Language": ui.lang})
    return Response(body, status_code=status, media_type=HTML_TYPE, headers=kept)


def page_for_scope(scope: Scope, status: int, detail: str) -> Response | None:
    """The error page for a request seen only as its ASGI scope (a middleware's refusal), or
    None when the client does not prefer HTML."""
    request = Request(scope)
    if not wants_html(request.headers.get("accept")):
        return None
    return error_page(request, status, detail)


def _detail(body: bytes) -> str:
    """The sentence of a JSON error body: `detail` as text, or each problem of a 422 list."""
    try:
        detail = json.loads(body or b"{}").get("detail", "")
    except (ValueError, AttributeError):
        return ""
    if isinstance(detail, list):
        return "; ".join(_problem(p) for p in detail if isinstance(p, dict))
    return str(detail)


def _problem(problem: Mapping[str, object]) -> str:
    """One problem of FastAPI's 422 body in words: where (`query parameter limit`) and what."""
    where = problem.get("loc")
    place = ""
    if isinstance(where, list | tuple) and where:
        kind, *rest = (str(part) for part in where)
        place = f"{kind} parameter {'.'.join(rest)}: " if rest else f"{kind}: "
    return f"{place}{problem.get('msg', '')}"
