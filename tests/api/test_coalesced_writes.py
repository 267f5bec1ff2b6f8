"""An answer's head and body in one send (api.coalesced_writes)."""

from __future__ import annotations

import asyncio
from typing import Any

from api.coalesced_writes import FLUSH_AT, JoinedWrites


class _Transport:
    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.sent.append(data)

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str) -> Any:
        return ("127.0.0.1", 1) if name == "peername" else None


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: Any = None
        self.received: list[bytes] = []

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.received.append(data)


async def _made() -> tuple[_Protocol, _Transport, JoinedWrites]:
    inner, transport = _Protocol(), _Transport()
    joined = JoinedWrites(inner)
    joined.connection_made(transport)  # type: ignore[arg-type]
    return inner, transport, joined


def test_writes_in_one_turn_of_the_loop_are_sent_as_one() -> None:
    async def run() -> list[bytes]:
        inner, transport, joined = await _made()
        joined.data_received(b"GET / HTTP/1.1\r\n\r\n")
        assert inner.received == [b"GET / HTTP/1.1\r\n\r\n"]
        inner.transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        inner.transport.write(b"body")
        assert transport.sent == []  # held until the loop's turn ends
        assert inner.transport.get_write_buffer_size() == len(b"HTTP/1.1 200 OK\r\n\r\nbody")
        assert inner.transport.get_extra_info("peername") == ("127.0.0.1", 1)
        await asyncio.sleep(0)
        inner.transport.write(b"next")
        await asyncio.sleep(0)
        return transport.sent

    assert asyncio.run(run()) == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"next"]


def test_a_large_body_is_sent_at_once_for_flow_control() -> None:
    async def run() -> list[bytes]:
        inner, transport, _ = await _made()
        inner.transport.write(b"head")
        inner.transport.write(b"x" * FLUSH_AT)
        return list(transport.sent)

    assert asyncio.run(run()) == [b"head" + b"x" * FLUSH_AT]


def test_closing_sends_what_is_held_and_aborting_drops_it() -> None:
    async def run() -> tuple[list[bytes], list[bytes]]:
        inner, closed, _ = await _made()
        inner.transport.write(b"last answer")
        inner.transport.close()
        other, aborted, _ = await _made()
        other.transport.write(b"dropped")
        other.transport.abort()
        await asyncio.sleep(0)
        return closed.sent, aborted.sent

    assert asyncio.run(run()) == ([b"last answer"], [])
