"""Sign-in attempts limited per username and per client address.

After `limit` failures within `window` seconds for the same username, or from the same
address, further attempts are refused for the rest of the window (HTTP 429 with Retry-After)
without checking the password: guessing is slowed to a few tries a minute, and the refusal costs
the service no argon2 verification. A success clears its username's failures (not its
address's, so one good account cannot be used to reset guessing at others).

Kept in the service's memory: `sic serve` is one process (its workers run queries, not HTTP), so
one counter sees every attempt. The table is bounded (`max_keys`): the oldest keys go first.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from threading import Lock


class SignInThrottle:
    def __init__(
        self,
        limit: int = 5,
        window: float = 60.0,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = Lock()

    @staticmethod
    def keys(username: str, address: str | None) -> list[str]:
        """The counters an attempt counts against: its username, and its address if known."""
        keys = [f"user:{username.strip().lower()}"]
        if address:
            keys.append(f"addr:{address}")
        return keys

    def retry_after(self, keys: Iterable[str]) -> int | None:
        """Seconds to wait before another attempt, or None when one may be made now."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if len(times) >= self.limit:
                    wait = max(wait, times[0] + self.window - now)
        return max(1, math.ceil(wait)) if wait > 0 else None

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                times.append(now)
                self._failures[key] = times
                self._failures.move_to_end(key)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(self.keys(username, None)[0], None)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times
