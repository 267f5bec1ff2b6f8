"""HTML pages sent gzip-compressed to a client that accepts it.

The dashboard is about 250 KB of HTML with the reference data and the IATI sample, most of it
the progress charts' data tables; compressed it is a tenth of that, which is what a phone on a
slow line should have to fetch. Only whole (non-streamed) HTML answers are compressed: SPARQL
results, RDF and JSON keep the encoding their protocols' clients expect, and forms (no-store
answers whose ETag is the edited resource's version, for If-Match) go as they are.

A compressed answer is another representation, so it gets its own ETag (the page's with
`-gzip`), and `Vary: Accept-Encoding`. A browser revalidates with the `-gz` tag: it is turned
back into the page's own tag before the application compares it, so a 304 still answers it.
"""

from __future__ import annotations

import gzip
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIN_SIZE = 1024
"""Pages smaller than this many bytes go as they are: compressing them gains nothing."""

SUFFIX = "-gzip"
"""Marks a compressed page's ETag (the static files' own compressed tags end in `-gz`)."""


def _accepts_gzip(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"accept-encoding":
            for part in value.decode("latin-1").split(","):
                coding, _, params = part.strip().partition(";")
                if coding.strip().lower() == "gzip" and params.replace(" ", "") != "q=0":
                    return True
    return False


def _plain_tags(value: bytes) -> bytes:
    """If-None-Match with each `-gzip` tag turned back into the page's own tag."""
    tags = []
    for tag in value.decode("latin-1").split(","):
        tag = tag.strip()
        if tag.endswith(f'{SUFFIX}"'):
            tag = tag[: -len(SUFFIX) - 1] + '"'
        tags.append(tag)
    return ", ".join(tags).encode("latin-1")


def _gz_tag(tag: str) -> str:
    return tag[:-1] + f'{SUFFIX}"' if tag.endswith('"') else tag


class HtmlGzip:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp, minimum_size: int = MIN_SIZE) -> None:
        self.app = app
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _accepts_gzip(scope):
            await self.app(scope, receive, send)
            return
        asked = b",".join(v for n, v in scope.get("headers", ()) if n == b"if-none-match")
        if f'{SUFFIX}"'.encode() in asked:
            headers = [
                (name, _plain_tags(value) if name == b"if-none-match" else value)
                for name, value in scope.get("headers", ())
            ]
            scope = {**scope, "headers": headers}
        start: dict[str, Any] | None = None

        async def sending(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                found = MutableHeaders(raw=list(message.get("headers", [])))
                if message.get("status") == 304:
                    # a page revalidated with its compressed tag: answered with that tag
                    tag = found.get("etag", "")
                    if tag and _gz_tag(tag).encode("latin-1") in asked.replace(b" ", b""):
                        found["etag"] = _gz_tag(tag)
                        found.add_vary_header("Accept-Encoding")
                        message = {**message, "headers": found.raw}
                    await send(message)
                    return
                html = found.get("content-type", "").startswith("text/html")
                # a form's ETag is its resource's version, sent back in If-Match: never renamed
                kept = "no-store" in found.get("cache-control", "")
                if not html or kept or "content-encoding" in found:
                    await send(message)
                    return
                start = dict(message)  # held until the body says whether it is whole
                return
            if message["type"] == "http.response.body" and start is not None:
                held, start = start, None
                body: bytes = message.get("body", b"")
                found = MutableHeaders(raw=list(held.get("headers", [])))
                if message.get("more_body", False) or len(body) < self.minimum_size:
                    found.add_vary_header("Accept-Encoding")
                    await send({**held, "headers": found.raw})
                    await send(message)
                    return
                packed = gzip.compress(body, compresslevel=6, mtime=0)
                found["content-encoding"] = "gzip"
                found["content-length"] = str(len(packed))
                found.add_vary_header("Accept-Encoding")
                if "etag" in found:
                    found["etag"] = _gz_tag(found["etag"])
                await send({**held, "headers": found.raw})
                await send({"type": "http.response.body", "body": packed, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, sending)
