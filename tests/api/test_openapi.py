"""Schemathesis over /openapi.json: no operation answers 5xx, every answer matches its schema.

Cases are generated from the OpenAPI document itself and sent to the app in-process (no
network). The run is kept short and reproducible: a bounded number of examples per operation,
derandomized. Requests carry the write token, so submissions and updates are exercised too (on
a store of this module's own).

The linked-data, metadata and JSON API operations must conform. The SPARQL protocol and Graph
Store operations are run the same way; what they still get wrong is recorded in KNOWN_DEFECTS,
each finding named, and the test fails as soon as an entry no longer fails.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.settings import Settings
from graph.bootstrap import ensure_ontology
from graph.embedded import EmbeddedStore
from loaders.source import read_source

with warnings.catch_warnings():
    # starlette asks for httpx2 and warns when it falls back to httpx; the client is the same
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

TOKEN = "a-schemathesis-write-token"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
LINKED_DATA_AND_JSON_API = (
    r"^/(id/|context\.jsonld|ontology|shapes|\.well-known/|dump\.nq\.gz|api/)"
)
PROTOCOLS = r"^/(sparql|update|data)"
DUPLICATE_OPERATION_ID = "ignore:Duplicate Operation ID:UserWarning"
"""FastAPI warns when one function serves both GET and HEAD (api/routes/gsp.py); the document is
still built, the HEAD operation under a repeated operationId."""

pytestmark = pytest.mark.filterwarnings(DUPLICATE_OPERATION_ID)

# SPARQL request bodies are text: send generated strings as they are
schemathesis.serializer.alias(
    ["application/sparql-query", "application/sparql-update"], "text/plain"
)
# POST /api/loads takes files: RDF syntaxes as text, workbooks (zip, xlsx) as bytes
schemathesis.serializer.alias(
    ["application/n-quads", "application/n-triples", "application/trig"], "text/plain"
)
schemathesis.serializer.alias(
    ["application/zip", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    "application/octet-stream",
)

STORE = EmbeddedStore(None)
"""Filled by the `app` fixture. The app and its OpenAPI document exist from collection on,
because schemathesis makes one test per operation of the document; reading the document needs
no store, and no route is called before the store is loaded and the app running."""
APP = create_app(
    Settings(
        store=Path("/nonexistent/unused"), query_workers=1, query_timeout=2, write_token=TOKEN
    ),
    store=STORE,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # DUPLICATE_OPERATION_ID
    schema = schemathesis.openapi.from_asgi("/openapi.json", APP)

BOUNDED = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module", autouse=True)
def app(reference: Path) -> Iterator[FastAPI]:
    """The service over the reference data, running (lifespan entered)."""
    ensure_ontology(STORE)
    STORE.load_source(read_source(reference, base=STORE.base))
    with TestClient(APP):
        yield APP


def call_and_validate(case: Any, checks: list[Any] = CHECKS) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=checks)


def no_internal_error(ctx: Any, response: Any, case: Any) -> bool:
    """No 5xx but 503, which the protocol operations document for a query stopped at its time
    limit (a generated query may be slow, or wait for a worker that is being replaced)."""
    if response.status_code >= 500 and response.status_code != 503:
        raise AssertionError(f"{response.status_code}: {response.text[:300]}")
    return True


PROTOCOL_CHECKS = [no_internal_error, *CHECKS[1:]]


@schema.include(path_regex=LINKED_DATA_AND_JSON_API).parametrize()
@BOUNDED
def test_linked_data_and_json_api_conform(case: Any) -> None:
    call_and_validate(case)


KNOWN_DEFECTS: dict[str, str] = {}
"""What this run finds wrong in the SPARQL protocol and Graph Store operations (not routes of
the linked-data or JSON API modules). The test below checks that exactly these still fail, so
an entry has to go as soon as its operation conforms."""


def test_sparql_protocol_and_graph_store(app: FastAPI) -> None:
    """Every protocol operation conforms, but for the recorded defects (which must still fail)."""
    failing: dict[str, str] = {}
    for result in schema.include(path_regex=PROTOCOLS).get_all_operations():
        operation = result.ok()

        @BOUNDED
        @given(case=operation.as_strategy())
        def conforms(case: Any) -> None:
            call_and_validate(case, PROTOCOL_CHECKS)

        try:
            conforms()
        except (Exception, BaseExceptionGroup) as exc:  # a finding, compared below
            failing[operation.label] = f"{type(exc).__name__}: {exc}"[:500]
    unexpected = {k: v for k, v in failing.items() if k not in KNOWN_DEFECTS}
    assert not unexpected, unexpected
    fixed = sorted(set(KNOWN_DEFECTS) - set(failing))
    assert not fixed, f"{fixed} conform now: remove them from KNOWN_DEFECTS"


def test_the_document_names_every_route() -> None:
    with TestClient(APP) as client:
        paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/id/{kind}/{key}",
        "/ontology",
        "/shapes",
        "/.well-known/void",
        "/dump.nq.gz",
        "/context.jsonld",
        "/api/queries",
        "/api/queries/{name}",
        "/api/activities/{code}/candidates",
        "/api/gaps",
        "/api/organisations/{id}/opportunities",
        "/api/activities/{code}/alliance",
        "/api/projects",
        "/api/loads",
        "/api/loads/{load_id}",
    ):
        assert path in paths, path
