"""`sic link`: proposals run, listed, accepted and refused from the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from sic.paths import reference_workbook

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "iati" / "linking.xml"
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_propose_review_accept_reject(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert run("load", "--store", store, str(reference_workbook()))[0] == 0
    assert run("load", "--store", store, str(FIXTURE))[0] == 0
    code, out = run("link", "--propose", "--store", store)
    assert code == 0 and "3 link(s) proposed" in out, out
    code, out = run("link", "--review", "--store", store)
    assert code == 0 and "3 link(s) waiting" in out, out
    code, out = run("link", "--store", store, "--accept", "iati:XX-LINK-KEYWORDS", "A2.07")
    assert code == 0 and "serves A2.07" in out, out
    code, out = run("link", "--store", store, "--reject", "iati:XX-LINK-SECTOR", "A2")
    assert code == 0 and "does not serve A2" in out, out
    code, out = run("link", "--review", "--store", store)
    assert "1 link(s) waiting" in out, out
    code, out = run("link", "--store", store, "--accept", "iati:XX-LINK-SECTOR", "A2")
    assert code == 2 and "no proposal waits" in out, out  # not found: a usage error
    code, out = run("link", "--store", store)
    assert code == 2 and "give one of" in out
