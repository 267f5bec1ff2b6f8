"""Who is making a request, and whether they may write: tokens, sessions, CSRF.

Three ways to say who you are, tried in this order:

1. `Authorization: Bearer <SIC_WRITE_TOKEN>`: the service token, for automation; it may write
   everything (compared in constant time);
2. `Authorization: Bearer sic_...`: an account's API token (`sic users token`), for scripts;
3. the `sic_session` cookie of a browser signed in at /signin. A write made with it must also
   carry the session's CSRF token (header `X-CSRF-Token`, or the form field `csrf_token`), which
   another site cannot read, so it cannot make a signed-in browser write for it.

What each may then write is ruled by accounts.permissions. A service with neither a service
token nor an account database is read-only. (What a query may reach is decided before it runs,
by graph.sparql_lexer.screen: no SERVICE, no deep nesting; graphs named in FROM are only ever
graphs of the store, graph.dataset.)

Cookies are HttpOnly and SameSite=Lax; they are Secure when the request came over https (as
uvicorn sees it, X-Forwarded-Proto included from a trusted proxy), so that a service tried
over http://127.0.0.1 still signs in. Behind TLS they are always Secure.
"""

from __future__ import annotations

import asyncio
import hmac
from typing import Any

from fastapi import HTTPException, Request, Response, status
from pydantic import SecretStr

from accounts.book import AccountBook, Session
from accounts.permissions import Action, may_attempt, refused
from accounts.roles import Principal
from accounts.throttle import SignInThrottle
from api.settings import Settings

SESSION_COOKIE = "sic_session"
SIGNIN_COOKIE = "sic_signin"
"""Holds the sign-in form's CSRF token before there is a session (double-submit)."""
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def same_secret(given: str | None, expected: str | None) -> bool:
    """Equal, compared in constant time (a secret cannot be guessed from response times)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def book_of(request: Request) -> AccountBook:
    book: AccountBook = request.app.state.accounts
    return book


def throttle_of(request: Request) -> SignInThrottle:
    throttle: SignInThrottle = request.app.state.signin_throttle
    return throttle


def is_read_only(settings: Settings, book: AccountBook) -> bool:
    """No service token and no accounts: nobody can write."""
    return settings.write_token is None and not book.exists


def _service_token(settings: Settings) -> str | None:
    token: SecretStr | None = settings.write_token
    return token.get_secret_value() if token is not None else None


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


async def current_session(request: Request) -> tuple[str, Session] | None:
    """The session the request's cookie opens (its id and the session), or None."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    found = await asyncio.to_thread(book_of(request).session, session_id)
    return (session_id, found) if found is not None else None


async def identify(
    request: Request, settings: Settings, *, csrf: str | None = None
) -> Principal | None:
    """Who the request says it is, or None when it says nothing.

    `csrf`: the CSRF token a form carried (else the X-CSRF-Token header is read).

    :raises HTTPException: 403 for a bearer token that opens nothing (or any, on a read-only
        service), and for a session write without its CSRF token.
    """
    book = book_of(request)
    token = _bearer(request)
    if token is not None:
        if same_secret(token, _service_token(settings)):
            return Principal.service()
        if is_read_only(settings, book):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=read_only_detail())
        account = await asyncio.to_thread(book.by_token, token)
        if account is None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="wrong or revoked token")
        return Principal.of(account, "token")
    opened = await current_session(request)
    if opened is None:
        return None
    _, session = opened
    if request.method in UNSAFE:
        given = csrf if csrf is not None else request.headers.get(CSRF_HEADER)
        if not same_secret(given, session.csrf):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail="a write from a signed-in browser must carry its CSRF token "
                "(the X-CSRF-Token header or the csrf_token field)",
            )
    return Principal.of(session.account, "session")


def read_only_detail() -> str:
    return "this service is read-only (no SIC_WRITE_TOKEN is configured and no accounts exist)"


async def writer(request: Request, settings: Settings, action: Action) -> Principal:
    """Who makes a write of kind `action`, refused before its body is read when they may not
    make that kind at all (their scope, when it matters, is checked when the write is prepared).

    :raises HTTPException: 401 without credentials, 403 when they may not.
    """
    who = await identify(request, settings)
    if who is None:
        if is_read_only(settings, book_of(request)):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=read_only_detail())
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="writes need an 'Authorization: Bearer <token>' header or a signed-in "
            "session (/signin)",
            headers={"WWW-Authenticate": 'Bearer realm="sic"'},
        )
    if not may_attempt(who, action):
        raise refused(who, action)
    return who


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int, **extra: Any
) -> None:
    """A cookie only this service reads: HttpOnly, SameSite=Lax, Secure over https."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        **extra,
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )
