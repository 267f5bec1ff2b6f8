"""Routes that read the store run in a query worker, under the time limit, and can be stopped.

A named question, a page or a description can take seconds on a large store; run on the
service's own threads it could not be stopped, would hold a CPU after its client has gone, and
would touch the store from a thread other than the one that forks the workers (runner.pool). So
every such route is declared with `@in_worker`: the service resolves its parameters as usual,
then sends the route function, a picklable copy of the request (its ASGI scope without the
body) and the parameters to a worker of runner.pool, which rebuilds the request around the same
application (forked from the service, so `url_for` and the templates work), runs the route on
its own copy of the store and sends back the response. A route's answer is kept per store
version for identical requests (the headers that shape it included), like a SPARQL answer.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from api import as_of
from api.settings import Settings
from graph.base import GraphStore
from runner import by_name

F = TypeVar("F", bound=Callable[..., Any])

_APPS: weakref.WeakValueDictionary[int, FastAPI] = weakref.WeakValueDictionary()

_SETTINGS = "<the application's settings>"

SHAPING_HEADERS = (b"host", b"accept", b"accept-language", b"if-none-match", b"if-modified-since")
"""Request headers that change what a route answers: part of the key of a kept answer."""


def register(app: FastAPI) -> None:
    """Make `app` known to the workers forked from now on (they rebuild requests around it)."""
    _APPS[id(app)] = app


@dataclass(frozen=True, eq=False)
class PortableRequest:
    """What a route may read of a request, in a form that crosses to a worker.

    Two requests are equal when they would get the same answer: same method, URL and the
    headers that shape an answer (SHAPING_HEADERS), so answers are kept across clients.
    """

    app: int
    method: str
    path: str
    root_path: str
    query_string: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    scheme: str
    server: tuple[str, int] | None
    path_params: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, request: Request) -> PortableRequest:
        scope = request.scope
        server = scope.get("server")
        return cls(
            app=id(request.app),
            method=scope["method"],
            path=scope["path"],
            root_path=scope.get("root_path", ""),
            query_string=scope.get("query_string", b""),
            headers=tuple((k, v) for k, v in scope["headers"]),
            scheme=scope.get("scheme", "http"),
            server=tuple(server) if server else None,
            path_params=tuple(sorted(request.path_params.items())),
        )

    def key(self) -> Hashable:
        shaping = tuple((k, v) for k, v in self.headers if k.lower() in SHAPING_HEADERS)
        return (
            self.app,
            self.method,
            self.root_path,
            self.path,
            self.query_string,
            shaping,
            self.scheme,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PortableRequest) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def rebuild(self) -> Request:
        app = _APPS[self.app]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": self.method,
            "path": self.path,
            "raw_path": self.path.encode(),
            "root_path": self.root_path,
            "query_string": self.query_string,
            "headers": list(self.headers),
            "scheme": self.scheme,
            "server": self.server,
            "client": None,
            "path_params": dict(self.path_params),
            "app": app,
            "router": app.router,
            "state": {},
        }
        return Request(scope)


@dataclass(frozen=True)
class Reply:
    """A response as it crosses back: status, headers and body."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    def response(self) -> Response:
        response = Response(self.body, status_code=self.status)
        response.raw_headers = list(self.headers)
        return response


def run_route(
    store: GraphStore, name: str, request: PortableRequest, params: tuple[tuple[str, Any], ...]
) -> Any:
    """In a worker: run the route `name` on the worker's store (see the module docstring)."""
    route = by_name.function(name)
    rebuilt = request.rebuild()
    settings = cast(Settings, rebuilt.app.state.settings)
    kwargs = {k: settings if v == _SETTINGS else by_name.take_store(v, store) for k, v in params}
    try:
        result = route(rebuilt, **kwargs)
    except HTTPException as exc:
        error = JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return Reply(exc.status_code, tuple(error.raw_headers), bytes(error.body))
    if isinstance(result, Response):
        return Reply(result.status_code, tuple(result.raw_headers), bytes(result.body))
    return result


def in_worker(route: F) -> F:
    """Declare a route (a plain function taking the request first) to run in a worker.

    The route keeps its signature for FastAPI; the service side only forwards it.
    """
    return cast(F, forwarding(route))


def forwarding(route: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """The coroutine that sends `route` to a worker (what in_worker declares)."""
    name = by_name.register(route)

    @functools.wraps(route)
    async def forward(request: Request, **params: Any) -> Any:
        portable = PortableRequest.of(request)
        sent = tuple(
            (k, _SETTINGS if isinstance(v, Settings) else by_name.leave_store(v))
            for k, v in sorted(params.items())
        )
        runner = as_of.runner_of(request)  # the present's, or a past moment's (?asOf=)
        client = request.client.host if request.client else None
        result = await runner.call(run_route, name, portable, sent, keep=True, client=client)
        return result.response() if isinstance(result, Reply) else result

    return forward
