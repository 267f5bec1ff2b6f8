"""Signing in and out of the web pages: /signin and /signout.

GET /signin shows the form (or, when signed in, who you are and a sign-out button). The form
carries a CSRF token that must equal the `sic_signin` cookie set with it (double submit), so
no other site can sign a browser into an account of its choosing. POST /signin checks the
password (argon2id, in a thread: it takes tens of milliseconds), within the limits of
accounts.throttle (429 with Retry-After), and on success opens a server-side session: a random
id in the `sic_session` cookie (HttpOnly, SameSite=Lax, Secure over https: api.security),
stored only as its digest, ended by POST /signout, by its lifetime (SIC_SESSION_HOURS), by a
new password or by disabling the account.

These pages depend on who asks, so they are never cached (Cache-Control: no-store).
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from accounts.book import Session
from api.i18n import Ui
from api.responses import root_of
from api.routes.pages import HTML_TYPE, reader, render_page
from api.security import (
    CSRF_FIELD,
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    book_of,
    clear_cookie,
    current_session,
    same_secret,
    set_cookie,
    throttle_of,
)
from api.settings import Settings

router = APIRouter(tags=["web pages"])

SIGNIN_FORM_SECONDS = 3600
"""How long a sign-in form may stay open before it must be reloaded."""
_HTML: dict[int | str, dict[str, Any]] = {
    200: {"description": "The page.", "content": {"text/html": {}}},
    303: {"description": "Signed in or out: on to the next page."},
    401: {"description": "Wrong credentials (the form again).", "content": {"text/html": {}}},
    403: {"description": "A missing or stale CSRF token.", "content": {"text/html": {}}},
    429: {"description": "Too many failed attempts (Retry-After).", "content": {"text/html": {}}},
}


def _next(target: str | None) -> str:
    """Where to go after signing in: a path of this service only (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/signin"
    return target


def _onward(ui: Ui, target: str) -> str:
    """`target` with its own query kept and the reader's chosen language added once: appending
    `?lang=` to a target that has a query would fold it into the target's last value."""
    path, _, query = target.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    if ui.explicit and all(name != "lang" for name, _ in pairs):
        pairs.append(("lang", ui.lang))
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _page(
    request: Request,
    ui: Ui,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    body = render_page(request, ui, "signin.html", status_code=status_code, **context)
    return Response(
        body,
        status_code=status_code,
        media_type=HTML_TYPE,
        headers={
            "Cache-Control": "no-store",
            "Content-Language": ui.lang,
            "Vary": "Cookie, Accept-Language",
            **(headers or {}),
        },
    )


def _signed_in(request: Request, ui: Ui, session: Session, status_code: int = 200) -> Response:
    expires = datetime.fromtimestamp(session.expires, UTC).strftime("%Y-%m-%d %H:%M")
    return _page(
        request, ui, status_code, account=session.account, csrf=session.csrf, expires=expires
    )


def _form(
    request: Request,
    ui: Ui,
    *,
    status_code: int = 200,
    error: str | None = None,
    username: str = "",
    next_page: str = "/signin",
    headers: dict[str, str] | None = None,
) -> Response:
    """The sign-in form with a fresh CSRF token, the same in its cookie."""
    token = secrets.token_urlsafe(32)
    response = _page(
        request,
        ui,
        status_code,
        headers,
        account=None,
        csrf=token,
        error=error,
        username=username,
        next=next_page,
    )
    set_cookie(request, response, SIGNIN_COOKIE, token, SIGNIN_FORM_SECONDS)
    return response


@router.get("/signin", response_class=Response, responses=_HTML, summary="Sign in")
async def signin_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form, or who is signed in with a sign-out button."""
    ui = reader(request)
    opened = await current_session(request)
    if opened is not None:
        return _signed_in(request, ui, opened[1])
    return _form(request, ui, next_page=_next(next))


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.post("/signin", response_class=Response, responses=_HTML, summary="Sign in")
async def signin(request: Request) -> Response:
    """Check the credentials and open a session; the form again, saying why, when they fail."""
    ui = reader(request)
    settings: Settings = request.app.state.settings
    form = await request.form()
    username = _field(form, "username").strip()[:64]
    next_page = _next(_field(form, "next"))
    if not same_secret(_field(form, CSRF_FIELD), request.cookies.get(SIGNIN_COOKIE)):
        return _form(
            request, ui, status_code=403, error=ui("signin.expired"), username=username,
            next_page=next_page,
        )  # fmt: skip
    throttle = throttle_of(request)
    keys = throttle.keys(username, request.client.host if request.client else None)
    wait = throttle.retry_after(keys)
    if wait is not None:
        return _form(
            request, ui, status_code=429, error=ui("signin.throttled", seconds=wait),
            username=username, next_page=next_page, headers={"Retry-After": str(wait)},
        )  # fmt: skip
    book = book_of(request)
    account = await asyncio.to_thread(book.authenticate, username, _field(form, "password"))
    if account is None:
        throttle.failed(keys)
        return _form(
            request, ui, status_code=401, error=ui("signin.failed"), username=username,
            next_page=next_page, headers={"WWW-Authenticate": 'Bearer realm="sic"'},
        )  # fmt: skip
    throttle.succeeded(username)
    lifetime = settings.session_hours * 3600
    session_id, _ = await asyncio.to_thread(book.open_session, account, lifetime)
    response = RedirectResponse(root_of(request) + _onward(ui, next_page), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    set_cookie(request, response, SESSION_COOKIE, session_id, int(lifetime))
    clear_cookie(request, response, SIGNIN_COOKIE)
    return response


@router.post("/signout", response_class=Response, responses=_HTML, summary="Sign out")
async def signout(request: Request) -> Response:
    """End the session (its form carries the session's CSRF token), then back to /signin."""
    ui = reader(request)
    opened = await current_session(request)
    if opened is not None:
        session_id, session = opened
        form = await request.form()
        if not same_secret(_field(form, CSRF_FIELD), session.csrf):
            return _signed_in(request, ui, session, 403)  # a stale or forged form: still in
        await asyncio.to_thread(book_of(request).close_session, session_id)
    response = RedirectResponse(ui.url(root_of(request) + "/signin"), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    clear_cookie(request, response, SESSION_COOKIE)
    return response
