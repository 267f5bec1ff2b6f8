"""`bash scripts/run` installs the project only when its requirements changed.

Run on a copy of the scripts and pyproject.toml with a stand-in .venv whose python records
each `pip install` and whose `sic` says what it was asked: a restart must not pay for pip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FAKE_PYTHON = f"""#!/usr/bin/env bash
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "$*" >> "$(dirname "$0")/../pip.log"; exit 0; fi
exec {sys.executable} "$@"
"""
FAKE_SIC = """#!/usr/bin/env bash
echo "sic $*"
"""


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "scripts", project / "scripts")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    shutil.copy(ROOT / "requirements.lock", project / "requirements.lock")
    bin_dir = project / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, text in (("python", FAKE_PYTHON), ("sic", FAKE_SIC)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return project


def _run(project: Path) -> tuple[str, list[str]]:
    env = {**os.environ, "PYTHON": sys.executable}
    env.pop("SIC_REINSTALL", None)
    done = subprocess.run(
        ["bash", "scripts/run", "--port", "8123"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    log = project / ".venv" / "pip.log"
    text = log.read_text() if log.exists() else ""
    installs = [line for line in text.splitlines() if "install" in line]
    log.unlink(missing_ok=True)
    return done.stdout, installs


def test_run_installs_once_then_only_when_pyproject_changes(tmp_path: Path) -> None:
    project = _project(tmp_path)
    out, installs = _run(project)
    assert out.strip() == "sic serve --port 8123"
    assert any("--require-hashes -r requirements.lock" in line for line in installs)
    assert any("--no-deps -e ." in line for line in installs)
    out, installs = _run(project)
    assert out.strip() == "sic serve --port 8123" and installs == []  # a restart: no pip
    with (project / "pyproject.toml").open("a") as fh:
        fh.write("\n# a changed requirement\n")
    _, installs = _run(project)
    assert any("-e ." in line for line in installs)


def test_run_installs_again_when_the_lock_changes(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _run(project)
    assert _run(project)[1] == []
    with (project / "requirements.lock").open("a") as fh:
        fh.write("\n# refreshed by scripts/lock\n")
    _, installs = _run(project)
    assert any("--require-hashes -r requirements.lock" in line for line in installs)
