"""How far a load has got: its phases, each with a count, a total when known, and a rate.

loaders/ and graph/ report what they do through a `Progress` callback that the caller passes
down (the command line draws a progress display, the service logs); neither knows who
listens. A load goes through these phases, in this order:

- read: the workbook's files into rows (counted in rows);
- map: rows into triples (counted in rows, the total known);
- stage: the triples bulk-loaded into an unpublished graph (counted in triples);
- validate: the staged graph checked against the shapes (counted in triples);
- commit: the graph published in one transaction (counted in triples).

An RDF file has no read or map phase: its parsing is the stage phase.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

PHASES = ("read", "map", "stage", "validate", "commit")
"""The phases of a load, in the order they happen."""


@dataclass(frozen=True)
class Step:
    """One report: a phase began (done 0), advanced, or ended (`finished`).

    Attributes:
        phase: one of PHASES.
        done: how many `unit`s are done so far in this phase.
        total: how many there are in all, when known beforehand.
        unit: what is counted (`rows`, `triples`).
        elapsed: seconds since the phase began.
        finished: the phase is over; `done` is then its final count.
    """

    phase: str
    done: int
    total: int | None
    unit: str
    elapsed: float
    finished: bool = False

    @property
    def rate(self) -> float | None:
        """Units per second so far (None before any time has passed)."""
        return self.done / self.elapsed if self.elapsed > 0 else None


Progress = Callable[[Step], None]
"""Told of every step; must be quick (it runs on the loading thread)."""


def no_progress(step: Step) -> None:
    """The Progress of a caller that does not listen."""


class Phase:
    """One phase being reported: `advance` as work gets done, `set_total` when it is known."""

    def __init__(self, progress: Progress, name: str, total: int | None, unit: str) -> None:
        self._progress = progress
        self.name = name
        self.total = total
        self.unit = unit
        self.done = 0
        self.finished = False
        self._started = time.perf_counter()
        self._report(finished=False)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self._started

    def advance(self, count: int) -> None:
        self.done += count
        self._report(finished=False)

    def set_total(self, total: int) -> None:
        self.total = total

    def finish(self, done: int | None = None) -> None:
        """End the phase (once: a second call does nothing), with its final count if given."""
        if self.finished:
            return
        if done is not None:
            self.done = done
        self.finished = True
        self._report(finished=True)

    def _report(self, *, finished: bool) -> None:
        self._progress(Step(self.name, self.done, self.total, self.unit, self.elapsed, finished))


@contextmanager
def phase(
    progress: Progress, name: str, *, total: int | None = None, unit: str = "triples"
) -> Iterator[Phase]:
    """Report one phase: its start now, its end when the block ends without an error.

    A phase that fails is not reported as finished: the caller reports the error itself.
    """
    current = Phase(progress, name, total, unit)
    yield current
    current.finish()
