"""How `sic load` shows a load's phases (sic.progress): quiet for a short load, a live display
once it has run for two seconds, plain lines when nobody watches a terminal.

A load that ends within `DELAY` shows nothing but its result, as before. A longer one on a
terminal gets one progress bar per phase (read, map, stage, validate, commit), each with its
count, total when known, rate and time; on anything else (a pipe, a log file, CI) one plain
line per finished phase, so that logs stay readable and grep-able.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from sic.progress import Step

DELAY = 2.0
"""Seconds a load runs before its progress is shown."""


def describe(step: Step) -> str:
    """One line for a finished phase: `map: 30,213 rows in 1.2 s (25,177 rows/s)`."""
    rate = f" ({step.rate:,.0f} {step.unit}/s)" if step.rate and step.elapsed >= 0.1 else ""
    return f"{step.phase}: {step.done:,} {step.unit} in {step.elapsed:.1f} s{rate}"


class LoadDisplay:
    """A Progress callback (sic.progress) drawing on `console`; use it as a context manager
    around one load (reading the source and storing it)."""

    def __init__(self, console: Console, label: str, delay: float = DELAY) -> None:
        self.console = console
        self.label = label
        self.delay = delay
        self.live = console.is_terminal
        self._lock = threading.Lock()
        self._shown = False
        self._pending: list[str] = []  # plain lines held back until the delay has passed
        self._bars = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<9}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[str, TaskID] = {}
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True

    def __enter__(self) -> LoadDisplay:
        self._started = time.perf_counter()
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        with self._lock:
            if self._shown and self.live:
                self._bars.stop()

    def _show(self) -> None:
        """The delay has passed: start drawing (or write the lines held back)."""
        with self._lock:
            self._shown = True
            if self.live:
                self.console.print(f"loading {self.label}")
                self._bars.start()
            else:
                for line in self._pending:
                    self.console.print(line, markup=False, highlight=False)
                self._pending.clear()

    def __call__(self, step: Step) -> None:
        with self._lock:
            if self.live:
                self._update(step)
            elif step.finished:
                line = describe(step)
                if self._shown:
                    self.console.print(line, markup=False, highlight=False)
                else:
                    self._pending.append(line)

    def _update(self, step: Step) -> None:
        task = self._tasks.get(step.phase)
        if task is None:
            task = self._bars.add_task(step.phase, total=step.total, count="", rate="")
            self._tasks[step.phase] = task
        of = f"/{step.total:,}" if step.total is not None else ""
        rate = f"{step.rate:,.0f} {step.unit}/s" if step.rate and step.elapsed >= 0.1 else ""
        total = step.done if step.finished else step.total
        self._bars.update(
            task,
            completed=step.done,
            total=total,
            count=f"{step.done:,}{of} {step.unit}",
            rate=rate,
        )
        if step.finished:
            self._bars.stop_task(task)
