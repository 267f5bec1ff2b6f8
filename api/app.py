"""The FastAPI application factory for `sic serve`.

Thin by design: it builds the settings, opens the store once, and mounts one router per face
(SPARQL protocol, Graph Store Protocol, linked data, metadata, JSON API). Nothing happens at
import time; tests build their own app with their own settings and store.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.routes import catalogue, gsp, linked_data, meta, sparql
from api.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new application over the store the settings name."""
    settings = settings or Settings()
    app = FastAPI(
        title="SIC Knowledge Graph",
        description=(
            "The « 4 per 1000 » Strategy Implementation Cycle as linked data: a SPARQL 1.1 "
            "endpoint, the Graph Store Protocol, dereferenceable IRIs and a JSON API for "
            "matchmaking partners to activities."
        ),
        version="0.1.0",
    )
    app.state.settings = settings
    for module in (sparql, gsp, linked_data, meta, catalogue):
        app.include_router(module.router)
    return app
