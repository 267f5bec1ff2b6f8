"""Coverage counts confirmed links only, and says how many proposed links wait (`waiting`).

coverage-by-objective's `waiting` column counts the link proposals no person has decided,
to an objective or one of its activities; the dashboard shows it as one column and `sic gaps`
says the total. A proposal covers nothing until it is accepted; refusing one only takes it off
the count.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "iati" / "linking.xml"
runner = CliRunner()


def sic(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def coverage(store: str) -> dict[str, dict[str, str]]:
    out = sic("query", "coverage-by-objective", "--store", store, "--format", "csv")
    return {r["objective"]: r for r in csv.DictReader(io.StringIO(out))}


def test_waiting_counts_undecided_proposals_and_coverage_only_accepted_links(
    tmp_path: Path,
) -> None:
    store = str(tmp_path / "store")
    sic("load", "--store", store, str(ROOT / "data" / "reference"))
    before = coverage(store)
    assert {r["waiting"] for r in before.values()} == {"0"}

    sic("load", "--store", store, str(FIXTURE))
    sic("link", "--propose", "--store", store)
    # linking.xml: one proposal to objective A2, one to activity A2.07, one to activity A1.04
    proposed = coverage(store)
    assert (proposed["A1"]["waiting"], proposed["A2"]["waiting"]) == ("1", "2")
    for code, row in proposed.items():  # proposals cover nothing
        assert row["uncovered"] == before[code]["uncovered"], code
    out = sic("gaps", "--store", store)
    assert "3 proposed link(s) wait for a person" in out
    assert "waiting" in out  # the coverage table's column

    sic("link", "--store", store, "--accept", "iati:XX-LINK-KEYWORDS", "A2.07")
    sic("link", "--store", store, "--reject", "iati:XX-LINK-COUNTRY", "A1.04")
    decided = coverage(store)
    assert (decided["A1"]["waiting"], decided["A2"]["waiting"]) == ("0", "1")
    assert int(decided["A2"]["uncovered"]) == int(before["A2"]["uncovered"]) - 1
    assert decided["A1"]["uncovered"] == before["A1"]["uncovered"]
    assert "1 proposed link(s) wait for a person" in sic("gaps", "--store", store)
