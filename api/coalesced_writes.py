"""One send per answer: the writes a protocol makes within one turn of the event loop, joined.

uvicorn writes an answer's head and its body with two calls to the transport, and the transport
sends each at once: two TCP segments, and a client woken twice, per answer. On loopback each
send also runs the receiving side's network stack, on the sender's core. When an HTTP process
answers a point query on its event loop (runner.in_process `here`), head and body are written in
the same turn of the loop, and joining them saved a tenth of the CPU per answer (A/B at M on 2
cores, 4 connections: see bench/RESULTS.md).

Writes are held until the end of the loop's turn (`call_soon`), or sent at once when they hold
more than FLUSH_AT bytes, so that the transport's flow control (pause_writing) still sees a large
body as it is written. Closing, aborting and `write_eof` send or drop what is held first, as the
protocol expects of the transport.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

FLUSH_AT = 64 * 1024
"""Bytes held at most before they are sent without waiting for the end of the loop's turn."""


class _JoinedTransport:
    """A transport that holds writes until the loop's turn ends (see the module docstring);
    everything else is the real transport's."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []
        self._size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(bytes(data))
        self._size += len(data)
        if self._size > FLUSH_AT:
            self.flush()

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        """Send what is held, in one write (a call_soon'd flush after this one finds nothing)."""
        if not self._held:
            return
        data = self._held[0] if len(self._held) == 1 else b"".join(self._held)
        self._held.clear()
        self._size = 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + self._size

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held.clear()
        self._size = 0
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class JoinedWrites(asyncio.Protocol):
    """`protocol`, given a transport that joins its writes (see the module docstring)."""

    def __init__(self, protocol: asyncio.Protocol) -> None:
        self.protocol = protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (uvloop's transports are not asyncio.Transport subclasses, but have its methods)
        joined = _JoinedTransport(cast(asyncio.Transport, transport), asyncio.get_running_loop())
        self.protocol.connection_made(joined)  # type: ignore[arg-type]

    def connection_lost(self, exc: Exception | None) -> None:
        self.protocol.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self.protocol.data_received(data)

    def eof_received(self) -> bool | None:
        return self.protocol.eof_received()

    def pause_writing(self) -> None:
        self.protocol.pause_writing()

    def resume_writing(self) -> None:
        self.protocol.resume_writing()
