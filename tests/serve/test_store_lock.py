"""Another `sic` command while `sic serve` holds the store: one line saying who holds it and
how to reach it, instead of RocksDB's "While lock file: .../LOCK: Resource temporarily
unavailable"; and the way it names works.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.service_note import note_path

ROOT = Path(__file__).resolve().parents[2]
PLANTED = ROOT / "tests" / "data" / "workbooks" / "planted"
SIC = str(Path(sys.executable).parent / "sic")


def sic(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SIC, *args], capture_output=True, text=True, env=dict(os.environ), timeout=120
    )


@pytest.fixture
def planted_store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    done = sic("load", str(PLANTED), "--store", str(store))
    assert done.returncode == 0, done.stderr
    return store


@pytest.mark.server
def test_a_command_refused_by_a_running_service_says_where_it_answers(
    planted_store: Path, sic_service: Callable[..., Any]
) -> None:
    service = sic_service(store=planted_store)
    assert note_path(planted_store).exists()
    refused = sic("gaps", "--store", str(planted_store))
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, refused.stderr
    assert f"held by `sic serve` (process {service.pid}) at {service.url}/" in lines[0]
    assert "LOCK" not in lines[0]
    # what it says to do works: the same question, asked of the service
    hint = f"--endpoint {service.url}/sparql"
    assert hint in lines[0]
    asked = sic("gaps", *hint.split(), "--format", "json")
    assert asked.returncode == 0, asked.stderr
    assert '"activity": "B1.01"' in asked.stdout
    service.stop()
    assert not note_path(planted_store).exists()  # removed when the service stops
    again = sic("gaps", "--store", str(planted_store), "--format", "json")
    assert again.returncode == 0, again.stderr


def test_a_store_held_by_another_process_is_said_so(planted_store: Path) -> None:
    code = (
        "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('open', flush=True);"
        " sys.stdin.read()"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code, str(planted_store)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "open"
        refused = sic("sources", "--store", str(planted_store))
        holder.stdin.close()
        holder.wait(timeout=30)
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, refused.stderr
    assert f"the store {planted_store} is in use by another process" in lines[0]
    assert "LOCK" not in lines[0]
    deadline = time.monotonic() + 10
    while sic("sources", "--store", str(planted_store)).returncode != 0:
        assert time.monotonic() < deadline
        time.sleep(0.2)
