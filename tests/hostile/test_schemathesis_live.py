"""Schemathesis over the whole OpenAPI document of a real `sic serve`, bounded.

The in-process run (tests/api/test_openapi.py) checks conformance on TestClient; this one sends
generated requests over HTTP to the real process (uvicorn, forked workers), with the
write token, and counts what an outside fuzzer would: server errors (5xx but a 503 for a query
stopped at its limit) and requests that got no answer at all (a dropped connection). Both must
be zero. Each operation gets a bounded, derandomized number of examples.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.filterwarnings("ignore:Duplicate Operation ID:UserWarning")

EXAMPLES = 25

schemathesis.serializer.alias(
    ["application/sparql-query", "application/sparql-update"], "text/plain"
)


def test_no_operation_answers_a_server_error_or_drops_the_connection(
    sic_service: Callable[..., Any],
) -> None:
    live = sic_service(env={"SIC_QUERY_TIMEOUT": "3", "SIC_UPDATE_TIMEOUT": "3"})
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    headers = {"Authorization": f"Bearer {live.token}"}
    errors: list[str] = []
    dropped: list[str] = []
    sent = 0
    statuses: dict[int, int] = {}

    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def probe(case: Any) -> None:
            nonlocal sent
            sent += 1
            try:
                response = case.call(base_url=live.url, headers=headers, timeout=30)
            except Exception as exc:  # no answer at all: what a fuzzer counts as dropped
                dropped.append(f"{case.operation.label}: {type(exc).__name__}: {exc}"[:300])
                return
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500 and response.status_code != 503:
                label = case.operation.label
                errors.append(f"{label} {response.status_code}: {response.text[:200]}")

        probe()

    assert sum(n for s, n in statuses.items() if s < 300) > 50, statuses  # not all refused
    assert sent > 100, sent  # the document was read and every operation generated cases
    assert not errors, errors[:10]
    assert not dropped, dropped[:10]
    assert httpx.get(f"{live.url}/sparql", params={"query": "ASK {}"}).status_code == 200
