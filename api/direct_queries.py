"""A plain `GET /sparql?query=` answered in an HTTP process without FastAPI's routing.

Why: a point query at M costs an HTTP process about 150 µs to compute and serialise, but the
app's route, its dependencies and its five middleware layers cost several times that again
(dependency resolution alone was about 0.4 ms in a profile), and the SPARQL protocol's most
common request is exactly this one. DirectQueries answers it with the same pieces the route
uses (api.routes.sparql `query_job`, api.sparql_answers `execute`, the runner), and the same
headers, and hands everything else to the app untouched.

Answered here: a GET of /sparql whose parameters are exactly one `query` and optionally the
dataset's `default-graph-uri` / `named-graph-uri`, from a client that does not prefer a results
page (a browser: api.routes.pages), brings no cookie (api.language_cookie), no Origin (CORS) and
no body. An answer computed here is the app's answer byte for byte
(tests/api/test_direct_queries.py).

An error is never answered here: the request goes to the app, which answers it in its own words
(a page for a browser, the reader's language, the right status). So that nothing is computed
twice, the error found here is handed to the runner (InProcessRunner.replay), which raises it
again when the app asks for the same call in the same request instead of running it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from api.app import SECURITY_HEADERS
from api.negotiation import RDF_FORMATS, RESULT_FORMATS
from api.routes.pages import prefers_page
from api.routes.sparql import TRUNCATED_HEADER, query_job
from api.settings import Settings
from api.sparql_answers import QueryAnswer, execute
from graph.one_pattern import one_pattern
from runner.in_process import InProcessRunner

Scope = dict[str, Any]

_REFUSED_HEADERS = frozenset({b"cookie", b"origin", b"content-length", b"transfer-encoding"})
"""Headers that make a request the app's: a cookie may name the reader's language (an error
would be said in it), an Origin asks for CORS headers, a body is the app's to refuse."""

_DATASET = frozenset({"default-graph-uri", "named-graph-uri"})
_ANSWER_FORMATS = [*RESULT_FORMATS, *RDF_FORMATS]
_KEPT_ACCEPTS = 256
"""Accept headers whose choice (a results page or not) is kept: clients send few distinct ones."""
_TRUNCATED = TRUNCATED_HEADER.lower().encode("latin-1")


class DirectQueries:
    """ASGI app: answers the plain SPARQL GETs described above, and passes the rest to `app`."""

    def __init__(self, app: Any, settings: Settings, runner: InProcessRunner) -> None:
        self.app = app
        self.settings = settings
        self.runner = runner
        self._pages: dict[str | None, bool] = {}  # Accept header -> prefers a results page

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        text_and_params = _plain_query(scope) if scope["type"] == "http" else None
        if text_and_params is None:
            await self.app(scope, receive, send)
            return
        accept = _accept(scope)
        page = self._pages.get(accept)
        if page is None:
            if len(self._pages) >= _KEPT_ACCEPTS:
                self._pages.clear()
            page = self._pages[accept] = prefers_page(accept, _ANSWER_FORMATS)
        if page:
            await self.app(scope, receive, send)
            return
        text, params = text_and_params
        try:
            job = query_job(self.settings, text, params, accept)
        except Exception:
            await self.app(scope, receive, send)  # a refusal: the app says it
            return
        client = scope.get("client")
        try:
            answer: QueryAnswer = await self.runner.call(
                execute,
                job,
                keep=True,
                client=client[0] if client else None,
                # rows of one index scan: read on the loop, within HERE_FOR (runner.in_process)
                here=job.default_graph is None and job.named_graphs is None and one_pattern(text),
            )
        except Exception as exc:
            self.runner.replay(execute, job, error=exc)
            await self.app(scope, receive, send)
            return
        # the headers the app's Response and its middleware give the same answer
        headers = [(b"vary", b"Accept")]
        if answer.truncated:
            headers.append((_TRUNCATED, str(self.settings.result_limit).encode("latin-1")))
        headers.append((b"content-length", str(len(answer.body)).encode("latin-1")))
        headers.append((b"content-type", _content_type(answer.content_type)))
        headers.extend(SECURITY_HEADERS)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})


def _plain_query(scope: Scope) -> tuple[str, list[tuple[str, str]]] | None:
    """The query text and parameters of a plain SPARQL GET (see the module docstring), or None
    when the request is anything else."""
    if scope["method"] != "GET" or scope["path"] != "/sparql":
        return None
    for name, _ in scope["headers"]:
        if name in _REFUSED_HEADERS:
            return None
    try:
        params = parse_qsl(
            scope["query_string"].decode("ascii"), keep_blank_values=True, errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        return None
    texts = [value for key, value in params if key == "query"]
    if len(texts) != 1 or any(key != "query" and key not in _DATASET for key, _ in params):
        return None
    return texts[0], params


def _content_type(media_type: str) -> bytes:
    """Content-Type as Starlette's Response writes it (a text type names its charset).

    Starlette's rule, written again on purpose: making a Response to read its headers cost
    6-12% of point throughput at 16 connections in an A/B run (12.4-13.0k against
    10.9-12.3k req/s); tests/api/test_direct_queries.py holds the two equal, header by header."""
    if media_type.startswith("text/") and "charset=" not in media_type.lower():
        media_type += "; charset=utf-8"
    return media_type.encode("latin-1")


def _accept(scope: Scope) -> str | None:
    """The Accept header as the route reads it (Starlette: the first one given)."""
    for name, value in scope["headers"]:
        if name == b"accept":
            return str(value.decode("latin-1"))
    return None
