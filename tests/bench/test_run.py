"""Re-running one benchmark section keeps the others, each with the date it was measured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


def _cell(rps: float) -> dict[str, float]:
    return {"rps": rps, "p50": 1.0, "p95": 2.0, "p99": 3.0}


def test_the_http_table_puts_every_configuration_beside_the_peer_and_the_floor() -> None:
    from bench.report import _http_table

    conns = [1, 16]

    def measured(rps: float) -> dict[str, Any]:
        return {kind: {str(c): _cell(rps) for c in conns} for kind in ("point", "engine")}

    http: dict[str, Any] = {
        "duration_s": 10,
        "connections": conns,
        "peer": measured(100),
        "floor": measured(1000),
        "ratios": {
            f"{k}@{c}": {"ours_over_peer": 30.0, "uncached_over_peer": 5.0}
            for k in ("point", "engine")
            for c in conns
        },
    }
    for key, rps in (("ours", 3000), ("ours_uncached", 500), ("ours_disk", 200)):
        http[key] = {**measured(rps), "startup_s": 1.5, "memory_mb": 120.0}
    http["ours"]["id_lookup"] = {str(c): _cell(4000) for c in conns}
    rows = _http_table({"http": http})
    table = [row for row in rows if row.startswith("|")]
    assert len({row.count("|") for row in table}) == 1  # every row has every column
    assert "computed from disk" in table[0] and "200 req/s" in table[2]
    assert "| 30.00x | 5.00x | 0.50x |" in table[2]
    assert "computed from disk 1.5 s, 120 MB" in "\n".join(rows)


def test_the_http_table_shows_the_python_floor_beside_oxigraph() -> None:
    from bench.report import _http_table

    conns = [4]

    def measured(rps: float) -> dict[str, Any]:
        return {kind: {str(c): _cell(rps) for c in conns} for kind in ("point", "engine")}

    http: dict[str, Any] = {
        "duration_s": 10,
        "connections": conns,
        "peer": measured(100),
        "floor": measured(20000),
        "python_floor": measured(12000),
        "ours": measured(8000),
        "ours_uncached": measured(5000),
        "ratios": {
            f"{k}@4": {
                "ours_over_peer": 80.0,
                "uncached_over_peer": 50.0,
                "python_floor_over_floor": 0.6,
            }
            for k in ("point", "engine")
        },
    }
    http["ours"]["id_lookup"] = {"4": _cell(900)}
    rows = _http_table({"http": http})
    table = [row for row in rows if row.startswith("|")]
    assert len({row.count("|") for row in table}) == 1  # every row has every column
    assert "Python floor (bare uvicorn)" in table[0] and "Python floor/floor" in table[0]
    assert "12,000 req/s" in table[2] and table[2].endswith("| 0.25x | 0.60x |")
