"""Unit parts of api.http_processes (the processes themselves: tests/serve)."""

from __future__ import annotations

import asyncio
import socket

from api.http_processes import _TakingTurns


def test_an_http_process_takes_one_waiting_connection_per_turn() -> None:
    """asyncio accepts every waiting connection at once; the first HTTP process awake then took
    all of a client's keep-alive connections, and the other core stayed idle."""
    listening = socket.create_server(("127.0.0.1", 0), backlog=16)
    clients = [socket.create_connection(listening.getsockname()) for _ in range(4)]
    turns = _TakingTurns.of(listening)
    accepted: list[socket.socket] = []

    async def run() -> list[int]:
        taken = []
        for _ in range(4):
            while True:
                try:
                    accepted.append(turns.accept()[0])
                except BlockingIOError:
                    break
            taken.append(len(accepted))
            await asyncio.sleep(0)  # the loop's next turn
        return taken

    try:
        assert asyncio.run(run()) == [1, 2, 3, 4]
        turns.listen(1)  # left as the service made it: a no-op
    finally:
        for s in [*accepted, *clients, turns, listening]:
            s.close()
