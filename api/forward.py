"""A request passed on, as it came, to the service process over its Unix socket.

An HTTP process (api.http_processes) answers reads from its snapshot itself and passes on
everything else: writes, pages, questions, loads, and any request once its snapshot is older
than the store. This is an ASGI app that speaks HTTP/1.1 to the service with h11 (uvicorn's own
parser, already installed): the body streams both ways, so an upload or a large answer is never
held whole here.

Who asked is told in two headers only the service's socket can carry (`x-sic-client`,
`x-sic-scheme`): the address and scheme this process saw, after uvicorn applied the trusted
proxies' X-Forwarded-* headers. A client's own headers of those names are dropped, and the
service reads them only on its private socket (api.http_processes.FromHttpProcess).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import h11

log = logging.getLogger(__name__)

CLIENT_HEADER = b"x-sic-client"
SCHEME_HEADER = b"x-sic-scheme"

_HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        CLIENT_HEADER,
        SCHEME_HEADER,
    }
)
_ANSWER_DROPS = _HOP_BY_HOP | {b"server", b"date"}  # the front's own uvicorn sets these
_READ = 256 * 1024

Scope = dict[str, Any]


class Forward:
    """Pass requests on to the HTTP server listening on the Unix socket `path`."""

    def __init__(self, path: str) -> None:
        self.path = path

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        try:
            reader, writer = await asyncio.open_unix_connection(self.path, limit=_READ)
        except OSError as exc:
            log.error("the service process cannot be reached: %s", exc)
            await _unavailable(send)
            return
        try:
            await self._exchange(scope, receive, send, reader, writer)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _exchange(
        self,
        scope: Scope,
        receive: Any,
        send: Any,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        conn = h11.Connection(h11.CLIENT)
        headers = [(k, v) for k, v in scope["headers"] if k not in _HOP_BY_HOP]
        if not any(k == b"host" for k, _ in headers):
            headers.append((b"host", b"localhost"))
        has_body = any(k in (b"content-length",) for k, _ in headers)
        if not has_body and any(
            k == b"transfer-encoding" for k, _ in scope["headers"]
        ):  # a chunked body from the client: chunked again to the service
            headers.append((b"transfer-encoding", b"chunked"))
            has_body = True
        client = scope.get("client")
        if client:
            headers.append((CLIENT_HEADER, f"{client[0]}:{client[1]}".encode("latin-1")))
        headers.append((SCHEME_HEADER, scope.get("scheme", "http").encode("latin-1")))
        target = scope.get("raw_path") or scope["path"].encode("utf-8")
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        request = h11.Request(method=scope["method"], target=target, headers=headers)
        try:
            writer.write(conn.send(request))
            if not has_body:
                writer.write(conn.send(h11.EndOfMessage()))
            await writer.drain()
        except (ConnectionError, h11.LocalProtocolError):
            await _unavailable(send)
            return
        # the body is sent while the answer is read: the service may answer before it has
        # the whole body (a declared length over its limit is refused at once, 413), and a
        # client that never sends what it declared must still get that answer
        pump = asyncio.create_task(_pump(conn, receive, writer)) if has_body else None
        try:
            await self._answer(conn, send, reader)
        finally:
            if pump is not None:
                pump.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await pump

    async def _answer(self, conn: h11.Connection, send: Any, reader: asyncio.StreamReader) -> None:
        started = False
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError:
                if started:
                    raise  # cut off mid-answer: the client's connection is closed too
                await _unavailable(send)
                return
            if event is h11.NEED_DATA:
                data = await reader.read(_READ)
                conn.receive_data(data)
                if not data and not started and conn.their_state is h11.SEND_RESPONSE:
                    await _unavailable(send)
                    return
                continue
            if isinstance(event, h11.InformationalResponse):
                continue
            if isinstance(event, h11.Response):
                headers = [
                    (k.lower(), v) for k, v in event.headers if k.lower() not in _ANSWER_DROPS
                ]
                await send(
                    {"type": "http.response.start", "status": event.status_code, "headers": headers}
                )
                started = True
            elif isinstance(event, h11.Data):
                await send(
                    {"type": "http.response.body", "body": bytes(event.data), "more_body": True}
                )
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                if started:
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                else:
                    await _unavailable(send)
                return


async def _pump(conn: h11.Connection, receive: Any, writer: asyncio.StreamWriter) -> None:
    """The client's body, piece by piece, on to the service (until it ends or either side
    stops: the client went away, or the service answered and closed)."""
    try:
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            more = message.get("more_body", False)
            if chunk:
                writer.write(conn.send(h11.Data(data=chunk)))
                await writer.drain()
        writer.write(conn.send(h11.EndOfMessage()))
        await writer.drain()
    except (ConnectionError, h11.LocalProtocolError):
        return


async def _unavailable(send: Any) -> None:
    body = b'{"detail":"the service is not reachable now; try again in a moment"}'
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", b"1"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
