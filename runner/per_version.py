"""Work done once per store version, in the background, whose result the service adopts.

Some results depend on the whole store and take seconds: the partner rankings' learned weights
(queries.learned) take about 20 s to fit at M. A request must not wait for them, and every
forked worker must not compute them again. So the service runs such work as an ordinary call
(killable, under its own time limit, at the low priority of slow calls) after each change of
version, hands the result to `adopt` in its own process, and renews the runner so that later
workers are forked with it. Requests in between use what was adopted before.

Writes in quick succession do not queue fits: the loop looks at the version every `interval`
seconds and works on whatever is current when it is free.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from graph.base import GraphStore
from runner.pool import Runner
from sic.errors import KGError

log = logging.getLogger(__name__)

T = TypeVar("T")


class PerVersion(Generic[T]):
    """Runs `work(store) -> (version, result)` in the runner once per store version and hands
    each result to `adopt(version, result)` in this process, which says whether it changed
    anything (then the runner is renewed: later calls see it, kept answers are dropped).

    :param timeout: seconds one run may take before it is stopped (the version is then given
        up until the next one; what was adopted before stays in use).
    :param interval: seconds between two looks at the store version.
    """

    def __init__(
        self,
        runner: Runner,
        work: Callable[[GraphStore], tuple[str, T]],
        adopt: Callable[[str, T], bool],
        *,
        timeout: float,
        interval: float = 1.0,
    ) -> None:
        self.runner = runner
        self.work = work
        self.adopt = adopt
        self.timeout = timeout
        self.interval = interval
        self.done: str | None = None
        """The last version worked on (adopted, or given up)."""
        self.running = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def once(self) -> None:
        """Work on the current version unless it is done already."""
        version = await self.runner.version()
        if version == self.done:
            return
        self.running = True
        try:
            worked, result = await self.runner.call(self.work, timeout=self.timeout)
        except KGError as exc:  # a timeout, a failing store: keep what was adopted before
            log.warning("background work on store version %s gave up: %s", version, exc)
            self.done = version
            return
        finally:
            self.running = False
        changed = self.adopt(worked, result)
        self.done = worked
        if changed:
            await self.runner.renew()

    async def _loop(self) -> None:
        while True:
            try:
                await self.once()
            except Exception:  # the loop must outlive one failure; the next version retries
                log.exception("background work failed")
            await asyncio.sleep(self.interval)
