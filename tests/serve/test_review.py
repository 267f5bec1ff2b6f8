"""The review page on a real `sic serve`: the Secretariat signs in with the form, accepts one
proposed link with the page's button, and the gaps and the dashboard count it at once.

The service starts from the reference workbook and a small IATI file (tests/data/iati/
linking.xml) whose projects the linking rules match; `sic serve` proposes the links itself.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from sic.paths import reference_workbook

pytestmark = [pytest.mark.server, pytest.mark.slow]

PASSWORD = "a passphrase long enough for the tests"
SIC = str(Path(sys.executable).parent / "sic")
FIXTURE = Path(__file__).resolve().parents[1] / "data" / "iati" / "linking.xml"


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def waiting_on_dashboard(browser: httpx.Client, objective: str) -> int:
    page = browser.get("/").text
    row = page.split(f'<tr data-objective="{objective}">', 1)[1].split("</tr>", 1)[0]
    found = re.search(r'data-waiting="(\d+)"', row)
    assert found, row
    return int(found.group(1))


def gap(browser: httpx.Client, activity: str) -> bool:
    rows = browser.get("/api/queries/uncovered-activities").json()["rows"]
    return any(r["activity"] == activity for r in rows)


def test_the_secretariat_accepts_a_link_and_the_gaps_count_it(
    sic_service: Callable[..., Any], tmp_path: Path
) -> None:
    accounts = tmp_path / "accounts.sqlite3"
    subprocess.run(
        [SIC, "users", "add", "sec", "--role", "secretariat", "--password-stdin",
         "--accounts", str(accounts)],
        input=PASSWORD + "\n", text=True, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    live = sic_service(
        data=[reference_workbook(), FIXTURE],
        env={"SIC_ACCOUNTS_DB": str(accounts), "SIC_QUERY_WORKERS": "2"},
    )
    with httpx.Client(base_url=live.url, timeout=60, follow_redirects=True) as browser:
        away = browser.get("/review", follow_redirects=False)
        assert away.status_code == 303 and away.headers["location"].startswith("/signin")
        assert gap(browser, "A2.07")
        assert waiting_on_dashboard(browser, "A2") == 2

        form = browser.get("/signin?next=/review")
        data = {
            "username": "sec",
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
            "next": "/review",
        }
        page = browser.post("/signin", data=data)
        assert page.status_code == 200 and str(page.url).endswith("/review"), page.text[:300]
        assert 'data-link="iati:XX-LINK-KEYWORDS A2.07"' in page.text
        row = page.text.split('data-link="iati:XX-LINK-KEYWORDS A2.07"', 1)[1].split("</tr>")[0]
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', row))
        done = browser.post("/review/links", data={**fields, "decision": "accept"})
        assert done.status_code == 200 and "done=link-accept" in str(done.url), done.text[:300]
        assert 'data-link="iati:XX-LINK-KEYWORDS A2.07"' not in done.text

        assert not gap(browser, "A2.07"), "an accepted link covers the activity at once"
        assert waiting_on_dashboard(browser, "A2") == 1
