"""The language a reader picked with the switcher, remembered in a cookie.

A language chosen by `?lang=` travels on the links the pages make (api.i18n `Ui.url`), but not
on a link typed, bookmarked or written in a document: without a memory the reader falls back
to the browser's language at the first such link. So a page asked for with a supported
`?lang=` sets `sic_lang` (a year, the whole site, SameSite=Lax so that it also comes with a
link followed from elsewhere; an error page does not), and a request without `?lang=` that
brings the cookie is read in that language, before the browser's Accept-Language.

The cookie is honoured by presenting its language as the request's Accept-Language, before
any route runs: every route, the error pages and the key of the answers kept per store version
(api.in_worker) already read the language from there, so none of them needs to learn about
cookies, and `?lang=` still wins since it is read first. An answer that varies on
Accept-Language may therefore vary on the cookie too, and says `Vary: Cookie` so that a cache
does not hand one reader's language to another.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.i18n import SUPPORTED

COOKIE = "sic_lang"
MAX_AGE = 365 * 24 * 3600
"""A year, in seconds: a reader's language changes seldom."""

PAGE_METHODS = frozenset({"GET", "HEAD"})


def asked_language(scope: Scope) -> str | None:
    """The supported language of `?lang=`, if the request names one (the last `lang` wins,
    as in Starlette's query parameters)."""
    query = scope.get("query_string", b"").decode("latin-1")
    named = [value for key, value in parse_qsl(query) if key == "lang"]
    lang = named[-1].lower() if named else ""
    return lang if lang in SUPPORTED else None


def remembered_language(scope: Scope) -> str | None:
    """The supported language of the `sic_lang` cookie, if the request brings one."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            lang = cookie_parser(value.decode("latin-1")).get(COOKIE, "").lower()
            if lang in SUPPORTED:
                return lang
    return None


def set_cookie(lang: str) -> bytes:
    """The Set-Cookie value that remembers `lang`."""
    return f"{COOKIE}={lang}; Max-Age={MAX_AGE}; Path=/; SameSite=Lax; HttpOnly".encode("latin-1")


class LanguageCookie:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked = asked_language(scope)
        remembered = remembered_language(scope)
        if asked is None and remembered is not None:
            headers = [(k, v) for k, v in scope["headers"] if k != b"accept-language"]
            headers.append((b"accept-language", remembered.encode("latin-1")))
            scope = {**scope, "headers": headers}
        remember = asked if asked != remembered and scope["method"] in PAGE_METHODS else None

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                vary = headers.get("vary", "").lower()
                if "accept-language" in vary and "cookie" not in vary:
                    headers.add_vary_header("Cookie")
                page = headers.get("content-type", "").startswith("text/html")
                if remember is not None and page and message["status"] < 400:
                    headers.append("set-cookie", set_cookie(remember).decode("latin-1"))
            await send(message)

        await self.app(scope, receive, with_cookie)
