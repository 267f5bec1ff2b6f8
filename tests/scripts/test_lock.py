"""The lock files pin what pyproject.toml asks for, each with its hashes.

`bash scripts/run` and `bash scripts/test` install from requirements.lock and
requirements-test.lock; a dependency added to pyproject.toml without `bash scripts/lock`
would be missing from a fresh install (pip's --no-deps install of the project does not
resolve), so this fails first and names it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
ENVIRONMENT: dict[str, str] = {
    **{key: str(value) for key, value in default_environment().items()},
    "sys_platform": "linux",
    "platform_system": "Linux",
}


def _pins(lock: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) for the pins whose marker holds on this machine."""
    pins: dict[str, tuple[str, int]] = {}
    current: str | None = None
    for line in (ROOT / lock).read_text().splitlines():
        match = PIN.match(line)
        if match:
            name, version, marker = match.groups()
            current = None
            condition = Requirement(f"x; {marker}").marker if marker else None
            if condition is not None and not condition.evaluate(ENVIRONMENT):
                continue
            current = canonicalize_name(name)
            pins[current] = (version, 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _wanted(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = list(project["dependencies"])
    if extra:
        names += project["optional-dependencies"][extra]
    wanted = [Requirement(name) for name in names]
    return [r for r in wanted if r.marker is None or r.marker.evaluate(ENVIRONMENT)]


@pytest.mark.parametrize(
    ("lock", "extra"), [("requirements.lock", None), ("requirements-test.lock", "test")]
)
def test_every_dependency_is_pinned_within_its_range_with_hashes(
    lock: str, extra: str | None
) -> None:
    pins = _pins(lock)
    assert pins, f"{lock}: no pins read"
    problems = []
    for requirement in _wanted(extra):
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement.name}: not in {lock} (run bash scripts/lock)")
            continue
        version, _ = pins[name]
        if not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}=={version} is outside {requirement.specifier}")
    assert problems == []
    assert all(hashes > 0 for _, hashes in pins.values()), "a pin without a hash"


def test_the_test_lock_pins_the_service_the_same_way() -> None:
    service, test = _pins("requirements.lock"), _pins("requirements-test.lock")
    assert {name: service[name][0] for name in service} == {name: test[name][0] for name in service}
