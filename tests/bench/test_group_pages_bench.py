"""bench.group_pages on the reference workbook: every part timed, on as many groups as asked."""

from __future__ import annotations

import csv
from pathlib import Path

from bench.group_pages import measure, spread

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


def _count(name: str) -> int:
    with (REFERENCE / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def test_the_benchmark_times_each_part_of_both_pages() -> None:
    figures = measure(REFERENCE, runs=2)
    assert figures["projects"] == _count("projects")
    assert figures["alliances"] == _count("alliances")
    for part in ("project model", "project suggestions", "alliance model", "alliance suggestions"):
        assert figures[part]["runs"] == 2, part
        assert 0 < figures[part]["min ms"] <= figures[part]["median ms"] <= figures[part]["max ms"]


def test_runs_are_spread_over_the_data_and_never_repeat_a_group() -> None:
    keys = [f"p{i:02d}" for i in range(10)]
    assert spread(keys, 4) == ["p00", "p02", "p05", "p07"]
    assert spread(keys[:3], 5) == keys[:3]
