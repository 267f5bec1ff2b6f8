"""Re-running one benchmark section keeps the others, each with the date it was measured."""

from __future__ import annotations

import json
from pathlib import Path

from bench.report import write_report
from bench.run import keep_other_sections

MACHINE = {"cpu": "test", "cores": 2, "memory": "1 GiB"}


def test_a_section_run_alone_keeps_the_others_and_says_when() -> None:
    old = {
        "size": "S",
        "started": "day 1",
        "load": {"a": 1},
        "queries": {"b": 2},
        "http": {"c": 3},
        "load_rerun": "day 2",
    }
    new = {"size": "S", "started": "day 3", "http": {"c": 4}}
    merged = keep_other_sections(old, new)
    assert merged["http"] == {"c": 4} and merged["queries"] == {"b": 2}
    assert merged["measured"] == {"load": "day 2", "queries": "day 1", "http": "day 3"}
    again = keep_other_sections(merged, {"size": "S", "started": "day 4", "load": {"a": 5}})
    assert again["measured"] == {"load": "day 4", "queries": "day 1", "http": "day 3"}
    assert "load_rerun" not in again


def test_the_report_names_the_date_of_a_section_measured_apart(tmp_path: Path) -> None:
    result = {
        "size": "S",
        "started": "day 3",
        "machine": MACHINE,
        "http": {"skipped": "wrk is not installed"},
        "measured": {"http": "day 2"},
    }
    (tmp_path / "results-S.json").write_text(json.dumps(result))
    text = write_report(tmp_path).read_text()
    assert "### HTTP service\n\nMeasured day 2.\n\nSkipped: wrk is not installed" in text
