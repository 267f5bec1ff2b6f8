"""What `sic load` shows of a load's phases: nothing for a short load, plain lines off a
terminal, a live display on one."""

from __future__ import annotations

import io
import time

from rich.console import Console

from api.load_progress import LoadDisplay, describe
from sic.progress import PHASES, Progress, phase


def _load(progress: Progress, pause: float = 0.0) -> None:
    """A pretend load: every phase, counting 3 of 3, the first waiting `pause` seconds."""
    for name in PHASES:
        with phase(
            progress, name, total=3, unit="rows" if name in ("read", "map") else "triples"
        ) as p:
            time.sleep(pause)
            pause = 0.0
            p.advance(3)


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=100), out


def test_a_short_load_shows_nothing() -> None:
    console, out = _console(terminal=False)
    with LoadDisplay(console, "wb", delay=5.0) as shown:
        _load(shown)
    assert out.getvalue() == ""


def test_off_a_terminal_a_long_load_writes_one_line_per_phase() -> None:
    console, out = _console(terminal=False)
    with LoadDisplay(console, "wb", delay=0.05) as shown:
        _load(shown, pause=0.2)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == list(PHASES)
    assert lines[0].startswith("read: 3 rows in 0.2 s (")
    assert lines[-1].startswith("commit: 3 triples in 0.0 s")
    assert "\x1b" not in out.getvalue()


def test_on_a_terminal_a_long_load_draws_the_phases() -> None:
    console, out = _console(terminal=True)
    with LoadDisplay(console, "wb", delay=0.05) as shown:
        _load(shown, pause=0.2)
    text = out.getvalue()
    assert "loading wb" in text
    for name in PHASES:
        assert name in text
    assert "3/3 triples" in text


def test_describe_leaves_out_a_rate_measured_over_no_time() -> None:
    from sic.progress import Step

    assert describe(Step("commit", 10, 10, "triples", 0.001, True)) == (
        "commit: 10 triples in 0.0 s"
    )
    assert describe(Step("map", 2_000, 2_000, "rows", 0.5, True)) == (
        "map: 2,000 rows in 0.5 s (4,000 rows/s)"
    )
