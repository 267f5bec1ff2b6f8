"""Fixtures of the conformance layer: the helpers, the W3C cases and their outcomes.

The conformance tests hold the service to two references: the W3C SPARQL 1.1 evaluation suites
(test_w3c_evaluation.py) and pyoxigraph itself, the engine the service is built on
(test_differential.py). Both talk to a real `sic serve` process on 127.0.0.1 only.

The helpers live in harness.py (answers, comparison, the engine and service targets) and
w3c.py (manifests, the case runner); `tests` is no package and pytest imports with importlib,
so they are loaded by path and handed to the tests through fixtures.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
W3C_DATA = ROOT / "tests" / "data" / "w3c-eval"
SUMMARY_KEY = pytest.StashKey[list[str]]()


def load_helper(name: str) -> ModuleType:
    """harness.py or w3c.py, loaded once under one module name (as w3c.py itself does)."""
    key = f"sic_conformance_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, HERE / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules[key]


W3C = load_helper("w3c")
HARNESS = load_helper("harness")
SUITES = W3C.read_suites(W3C_DATA)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per W3C case, named by folder and manifest entry (e.g. `aggregates/agg01`)."""
    if "w3c_case" in metafunc.fixturenames:
        metafunc.parametrize("w3c_case", SUITES.cases, ids=[c.id for c in SUITES.cases])


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The W3C counts at the end of the run, where they are seen without `-s`."""
    lines = config.stash.get(SUMMARY_KEY, [])
    if lines:
        terminalreporter.section("W3C SPARQL 1.1 evaluation")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def harness() -> ModuleType:
    return HARNESS


@pytest.fixture(scope="session")
def w3c() -> ModuleType:
    return W3C


@pytest.fixture(scope="session")
def w3c_suites() -> Any:
    return SUITES


@pytest.fixture(scope="session")
def summary_lines(pytestconfig: pytest.Config) -> list[str]:
    """Lines for the terminal summary (see pytest_terminal_summary)."""
    return pytestconfig.stash.setdefault(SUMMARY_KEY, [])


@dataclass(frozen=True)
class W3COutcomes:
    """Every case's outcome on both targets, and how long each target took in all."""

    engine: dict[str, Any]
    service: dict[str, Any]
    seconds: dict[str, float]
    slow: list[str]
    """The service's requests slower than harness.SLOW seconds, with their case."""


@pytest.fixture(scope="session")
def w3c_outcomes(sic_service_for_session: Callable[..., Any]) -> Iterator[W3COutcomes]:
    """All the W3C cases run once per session, on the engine and on one `sic serve --empty`.

    The service is one process for all the cases (memory copy on, the default), stopped once
    they have all run; each case resets it with DROP ALL and Graph Store Protocol PUTs, so
    cases run in manifest order and share nothing but the process.
    """
    engine = HARNESS.EngineTarget()
    service = sic_service_for_session(empty=True)
    client = HARNESS.ServiceTarget(service.url, service.token)
    outcomes = W3COutcomes({}, {}, {}, [])
    try:
        for name, target, into in (
            ("engine", engine, outcomes.engine),
            ("service", client, outcomes.service),
        ):
            started = time.monotonic()
            for case in SUITES.cases:
                into[case.id] = W3C.run_case(case, target)
                outcomes.slow.extend(f"{case.id}: {slow}" for slow in client.slow)
                client.slow.clear()
            outcomes.seconds[name] = time.monotonic() - started
    finally:
        client.close()
        service.stop()  # everything is in `outcomes` now
    yield outcomes
