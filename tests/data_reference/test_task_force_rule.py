"""The reference workbook keeps the published Task Force rule, and the rule is enforced on it.

"Only individuals from an organization that is a partner of "4 per 1000" can be designated as a
"Task Force Leader" or "Regional Representative"" (https://wiki.isacore.net/x/0Q6oC): the
reference workbook passes the rule as loaded, and a copy in which one leader's organisation is a
member (not a partner) is refused at the cell that gives the role.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from graph.validation import WriteChecker, validate_source
from loaders.source import read_source
from sic.errors import Location
from sic.vocab import DEFAULT_BASE

WORKBOOK = Path(__file__).resolve().parents[2] / "data" / "reference"


def _set_status(folder: Path, organisation: str, status: str) -> None:
    path = folder / "organisations.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert any(row["id"] == organisation for row in rows)
    for row in rows:
        if row["id"] == organisation:
            row["status"] = status
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _role_row(folder: Path, person: str, objective: str) -> int:
    with (folder / "task_force_roles.csv").open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            if (row["person"], row["objective"]) == (person, objective):
                return number
    raise AssertionError(f"{person} has no role in {objective}")


def test_the_reference_workbook_keeps_the_rule_and_a_member_led_copy_is_refused(
    tmp_path: Path,
) -> None:
    checker = WriteChecker()
    violations = validate_source(read_source(WORKBOOK, base=DEFAULT_BASE), checker)
    assert [v for v in violations if v.severity == "Violation"] == []

    copy = tmp_path / "reference"
    shutil.copytree(WORKBOOK, copy)
    _set_status(copy, "soilnet-intl", "member")  # Lukas Meier's organisation; he leads A6
    found = validate_source(read_source(copy, base=DEFAULT_BASE), checker)
    refused = [v for v in found if v.severity == "Violation"]
    assert [v.location for v in refused] == [
        Location("task_force_roles.csv", _role_row(copy, "lukas-meier", "A6"), "role")
    ]
    assert "partner organisation" in refused[0].message
