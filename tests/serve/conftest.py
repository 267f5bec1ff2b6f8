"""Fixtures of the serve layer: a real `sic serve` over the reference data, one per module.

The tests of this folder meet the service the way outside clients do: a real `sic serve`
process (uvicorn, forked query workers, the memory copy) on 127.0.0.1, reached over
HTTP only, never through TestClient. Services that a test damages (a runaway, SIGTERM) are
started by the test itself with the function-scoped `sic_service` of tests/conftest.py; the
read-only ones are shared by a module, since starting one costs a few seconds on two cores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

ACTIVITY = "https://w3id.org/4p1000/id/activity/A1.01"
"""An activity of the reference data: the subject of the point queries."""


@pytest.fixture(scope="session")
def reference_activity() -> str:
    """The IRI of an activity every reference-data service holds (see ACTIVITY)."""
    return ACTIVITY


@pytest.fixture(scope="module")
def reference_service(sic_service_for_session: Callable[..., Any]) -> Iterator[Any]:
    """`sic serve` over the bundled reference data with the default settings, for one module.

    Started through the session factory (which would stop it at the very end anyway) and
    stopped here as soon as the module is done, so that a full run never keeps it idle.
    """
    service = sic_service_for_session()
    try:
        yield service
    finally:
        service.stop()
