"""Connections shared out among the HTTP processes that accept on one public socket.

Every HTTP process (api.http_processes) waits on the same listening socket, and the kernel
wakes them all when a client connects; whoever calls accept first gets the connection. Left to
asyncio, the first process awake accepted every connection waiting at once: wrk's 4 keep-alive
connections went to one process and the other core stayed idle (3,856 req/s for a point query
at M; shared out, about 8,400). Taking one per wake-up still left 4-0 and 3-1 splits to chance
(3,300 to 8,400 req/s from one run to the next).

A process's count includes the connections it accepted whose protocol is not made yet (`held`):
counting only the made ones, a process took three or four of the connections wrk opens at once
before the first was counted (even splits in 4 of 20 trials; counted, 19 of 20,
tests/api/test_balanced_accept.py).

So each process says how many connections it holds, in a slot of shared memory, and a process
holding more than another one that still accepts lets a new connection wait a moment
(DEFER) for the other to take it; if nobody has taken it by then, it takes it itself, so a
connection is never left waiting for a process that is gone or stuck. A process that stops
accepting (it retires) marks its slot empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Callable, Sized
from typing import Any

DEFER = 0.001
"""Seconds a process holding more connections than another lets a new one wait (one turn of
the other's event loop: asyncio's timers are counted in milliseconds anyway)."""

REFRESH = 0.05
"""Seconds between two updates of a process's count as its connections close."""

EMPTY = -1
"""A slot no accepting process holds."""


class BalancedAcceptor:
    """Accepts on `listening` for one HTTP process, and hands each connection to `protocol`
    (uvicorn's HTTP protocol, as uvicorn's own server would).

    :param slots: shared counts (a multiprocessing RawArray of ints), one per HTTP process.
    :param slot: this process's.
    :param connections: what this process holds now (uvicorn's server_state.connections).
    """

    def __init__(
        self,
        listening: socket.socket,
        protocol: Callable[[], asyncio.Protocol],
        slots: Any,
        slot: int,
        connections: Sized,
    ) -> None:
        # a descriptor of its own: closing it stops this process accepting, and no other
        self.listening = socket.socket(
            listening.family, listening.type, listening.proto, os.dup(listening.fileno())
        )
        self.listening.setblocking(False)
        self.protocol = protocol
        self.slots = slots
        self.slot = slot
        self.connections = connections
        self._loop = asyncio.get_running_loop()
        self._waited = False
        self._starting = 0  # accepted, not yet in `connections` (their protocol not yet made)
        self._watching = False
        self._refresh: asyncio.TimerHandle | None = None
        self._stopped = False

    def held(self) -> int:
        """Connections this process holds, counting those accepted whose protocol is not made
        yet: wrk opens its connections at once, and counting only the made ones let one
        process accept three or four of them before the first was counted (3-1 and 4-0 splits
        in one run out of two with uvloop)."""
        return len(self.connections) + self._starting

    def start(self) -> None:
        self.slots[self.slot] = self.held()
        self._watch()
        self._refresh = self._loop.call_later(REFRESH, self._count)

    def stop(self) -> None:
        """Accept no more (the connections held are left alone); the slot is emptied."""
        if self._stopped:
            return
        self._stopped = True
        self.slots[self.slot] = EMPTY
        if self._refresh is not None:
            self._refresh.cancel()
        self._unwatch()
        self.listening.close()

    def _watch(self) -> None:
        if not self._watching and not self._stopped:
            self._loop.add_reader(self.listening.fileno(), self._readable)
            self._watching = True

    def _unwatch(self) -> None:
        if self._watching:
            with contextlib.suppress(ValueError, OSError):
                self._loop.remove_reader(self.listening.fileno())
            self._watching = False

    def _count(self) -> None:
        self.slots[self.slot] = self.held()
        self._refresh = self._loop.call_later(REFRESH, self._count)

    def _fewer_elsewhere(self) -> bool:
        """Whether another accepting process holds fewer connections than this one."""
        mine = self.held()
        if mine == 0:
            return False
        for index in range(len(self.slots)):
            held = self.slots[index]
            if index != self.slot and held != EMPTY and held < mine:
                return True
        return False

    def _readable(self) -> None:
        """A client is waiting (or was, and another process took it)."""
        if not self._waited and self._fewer_elsewhere():
            self._waited = True  # after one wait, this process takes it if it is still there
            self._unwatch()
            self._loop.call_later(DEFER, self._watch)
            return
        self._waited = False
        try:
            conn, _ = self.listening.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return  # another process took it
        except OSError:  # out of descriptors: try again a moment later
            self._unwatch()
            self._loop.call_later(DEFER, self._watch)
            return
        conn.setblocking(False)
        self._starting += 1
        self.slots[self.slot] = self.held()
        self._loop.create_task(self._serve(conn))

    async def _serve(self, conn: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self.protocol, conn)
        except OSError:
            conn.close()
        finally:
            self._starting -= 1  # now in `connections` (or closed)
            if not self._stopped:
                self.slots[self.slot] = self.held()
