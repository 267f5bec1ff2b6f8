"""What one request may be: how many bytes, and in which characters.

Every body is bounded before it is buffered: a declared Content-Length over the route's limit
is answered 413 at once, and a body sent in chunks is counted as it arrives and cut off at the
limit (api.limits.BodyLimits). Query strings must be percent-encoded UTF-8 (400 otherwise), on
every route. How deeply a body may nest, and that RDF/XML declares no DTD, is checked where
bodies are read (loaders.screening; graph.sparql_lexer for SPARQL).

Each refusal is a sentence naming the limit and the setting that changes it (`SIC_MAX_...`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.error_pages import page_for_scope
from api.settings import Settings
from loaders.screening import read_json  # kept here for api/routes/catalogue.py
from sic.errors import TooLarge

UPLOAD_PATHS = frozenset({"/data", "/api/loads"})
"""Routes that take whole files: a Graph Store Protocol body, a workbook or RDF file to load."""

__all__ = ["BodyLimits", "Limit", "body_limit", "check_query_text", "read_json"]


@dataclass(frozen=True)
class Limit:
    """A body limit: bytes, and the setting (with its unit) that changes it."""

    bytes: int
    setting: str

    def refuse(self) -> TooLarge:
        return TooLarge(f"the request body is larger than {_size(self.bytes)} ({self.setting})")


def _size(count: int) -> str:
    if count >= 1 << 20:
        return f"{count / (1 << 20):g} MB"
    return f"{count / 1024:g} KB"


def body_limit(path: str, settings: Settings) -> Limit:
    """The limit of a body sent to `path`."""
    if path == "/sparql":
        return Limit(settings.max_query_kb * 1024 * 3 + 4096, "SIC_MAX_QUERY_KB")  # %-encoded
    if path == "/update":
        return Limit(int(settings.max_update_mb * (1 << 20)), "SIC_MAX_UPDATE_MB")
    if path in UPLOAD_PATHS:
        return Limit(int(settings.max_upload_mb * (1 << 20)), "SIC_MAX_UPLOAD_MB")
    return Limit(settings.max_body_kb * 1024, "SIC_MAX_BODY_KB")


def check_query_text(text: str, settings: Settings) -> None:
    """A query's text is at most SIC_MAX_QUERY_KB long.

    :raises TooLarge: when it is longer.
    """
    if len(text.encode("utf-8")) > settings.max_query_kb * 1024:
        raise TooLarge(f"the query is longer than {settings.max_query_kb} KB (SIC_MAX_QUERY_KB)")


class BodyLimits:
    """ASGI middleware: bounded bodies (413) and UTF-8 query strings (400) on every route."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            unquote_to_bytes(scope.get("query_string", b"").replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            await _refuse(send, 400, "the query string is not percent-encoded UTF-8")
            return
        limit = body_limit(scope["path"], self.settings)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _refuse(send, 400, "Content-Length is not a number", scope)
                    return
                if declared > limit.bytes:
                    await _refuse(send, 413, str(limit.refuse()), scope)
                    return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.bytes:
                    raise limit.refuse()  # answered 413 by the application's error handlers
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except TooLarge as exc:
            if not started:
                await _refuse(send, 413, str(exc), scope)


async def _refuse(send: Send, status: int, detail: str, scope: Scope | None = None) -> None:
    page = page_for_scope(scope, status, detail) if scope is not None else None
    if page is not None:  # a browser: the error as a page (api.error_pages)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*page.raw_headers, (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": bytes(page.body)})
        return
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
