"""Messages between the service and a query worker: length-prefixed pickles on a socket pair.

`multiprocessing.Connection` assumes its file descriptor stays blocking. An event loop that
watches the descriptor (uvloop's `add_reader`: libuv's poll handle sets O_NONBLOCK) breaks
that assumption, and `Connection.recv()` then raises BlockingIOError whenever a reply larger
than the socket buffer (about 16-200 KB) is not yet wholly there. So the parent's end is
non-blocking on purpose and reads whatever has arrived into a buffer (`feed`), under any event
loop; the worker's end stays blocking and simply writes whole frames.

A frame is an 8-byte big-endian length and a pickle. Nothing here trusts the other end more
than a parent trusts its own forked child: both run the same code from the same process image.
"""

from __future__ import annotations

import contextlib
import pickle
import socket
import struct
from typing import Any

_HEADER = struct.Struct("!Q")
_CHUNK = 1 << 20
_BUFFER = 4 << 20  # socket buffers: large replies in fewer wake-ups


class ChannelClosed(EOFError):
    """The other end closed (the worker exited or was killed)."""


def pair() -> tuple[Channel, Channel]:
    """Two connected ends: (the parent's, the worker's)."""
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    for sock in (parent, child):
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            with contextlib.suppress(OSError):  # a kernel limit: keep its default
                sock.setsockopt(socket.SOL_SOCKET, option, _BUFFER)
    return Channel(parent), Channel(child)


def decode(body: bytes) -> Any:
    """A message that `feed` returned."""
    return pickle.loads(body)  # noqa: S301 - our own forked process


def frame(message: Any) -> bytes:
    """One message as bytes on the wire."""
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(body)) + body


class Channel:
    """One end of the pair. Blocking calls for the worker; `feed` for an event loop."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = bytearray()
        self._need: int | None = None  # body length of the frame being read, once known
        self.last_size = 0
        """Bytes of the last message received (to weigh kept answers)."""
        self.received = 0
        """Bytes received by `feed` so far (the pool watches a reply arrive by it)."""

    def fileno(self) -> int:
        return self.sock.fileno()

    @property
    def closed(self) -> bool:
        return self.sock.fileno() < 0

    def close(self) -> None:
        self.sock.close()

    # -- blocking (the worker; the parent before the loop watches the socket) -----------------

    def send(self, message: Any) -> None:
        self.sock.sendall(frame(message))

    def recv(self, timeout: float | None = None) -> Any:
        """The next message, waiting at most `timeout` seconds (None: for ever).

        :raises ChannelClosed: the other end closed.
        :raises TimeoutError: nothing complete arrived in time.
        """
        self.sock.settimeout(timeout)
        try:
            header = self._read_exactly(_HEADER.size)
            (length,) = _HEADER.unpack(header)
            body = self._read_exactly(length)
        finally:
            self.sock.settimeout(None)
        self.last_size = length
        return pickle.loads(body)  # noqa: S301 - our own forked process

    def _read_exactly(self, count: int) -> bytes:
        out = bytearray()
        while len(out) < count:
            try:
                chunk = self.sock.recv(min(count - len(out), _CHUNK))
            except TimeoutError:
                raise
            if not chunk:
                raise ChannelClosed("the other end closed the channel")
            out += chunk
        return bytes(out)

    # -- non-blocking (the parent, from its event loop) ---------------------------------------

    def set_nonblocking(self) -> None:
        self.sock.setblocking(False)

    def feed(self) -> list[bytes]:
        """Read what has arrived; return the messages it completes (maybe none), still pickled
        (see `decode`: a large one is better unpickled away from an event loop).

        :raises ChannelClosed: the other end closed.
        """
        closed = False
        while True:
            try:
                chunk = self.sock.recv(_CHUNK)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                raise ChannelClosed(str(exc)) from exc
            if not chunk:
                closed = True
                break
            self._buffer += chunk
            self.received += len(chunk)
            if len(chunk) < _CHUNK:
                break
        messages = self._complete()
        if closed and not messages:
            raise ChannelClosed("the other end closed the channel")
        return messages

    def _complete(self) -> list[bytes]:
        out: list[bytes] = []
        while True:
            if self._need is None:
                if len(self._buffer) < _HEADER.size:
                    return out
                (self._need,) = _HEADER.unpack_from(self._buffer)
                del self._buffer[: _HEADER.size]
            if len(self._buffer) < self._need:
                return out
            body = bytes(self._buffer[: self._need])
            del self._buffer[: self._need]
            self.last_size = self._need
            self._need = None
            out.append(body)
