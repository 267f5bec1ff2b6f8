"""The floor of any Python HTTP front here: uvicorn answering a fixed SPARQL result, no work.

bench.http serves it the way `sic serve` is served (uvicorn, httptools, asyncio's loop, one
process) and measures it beside ours and Oxigraph server, so that a throughput ratio against
Oxigraph can be read against what the Python HTTP stack alone allows on the same machine.

    python -m uvicorn bench.bare_asgi:app --port PORT --loop asyncio --no-access-log
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

BODY = b'{"head":{"vars":["p","o"]},"results":{"bindings":[]}}'
HEADERS = [(b"content-type", b"application/sparql-results+json")]


async def app(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    """Answer every HTTP request with BODY (lifespan and other scopes: nothing to do)."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
