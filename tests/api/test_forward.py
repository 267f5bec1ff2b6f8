"""Requests passed on by an HTTP process to the service's Unix socket (api.forward).

Both ends are real uvicorn servers (the front on 127.0.0.1, the service on a Unix socket), on
their own threads, so what is checked is HTTP on the wire: bodies far over 16 KB streamed both
ways, chunked uploads, HEAD, statuses, and who asked.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api.forward import Forward
from api.http_processes import FromHttpProcess

BIG = 3 * 2**20


async def _service(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Echoes what it got: method, path, query, who asked, body size and digest; `/big`
    answers BIG bytes in pieces; `/missing` answers 404."""
    if scope["type"] != "http":
        return
    digest = hashlib.sha256()
    size = 0
    more = True
    while more:
        message = await receive()
        body = message.get("body", b"")
        digest.update(body)
        size += len(body)
        more = message.get("more_body", False)
    if scope["path"] == "/big":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        piece = b"x" * 65536
        for _ in range(BIG // len(piece)):
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    answer = json.dumps(
        {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode(),
            "client": list(scope["client"]) if scope.get("client") else None,
            "scheme": scope["scheme"],
            "size": size,
            "sha256": digest.hexdigest(),
            "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
        }
    ).encode()
    status = 404 if scope["path"] == "/missing" else 200
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(answer)).encode()),
                (b"x-from", b"service"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": answer})


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serving(config: uvicorn.Config) -> Iterator[uvicorn.Server]:
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def front(tmp_path: Path) -> Iterator[str]:
    path = str(tmp_path / "service.sock")
    service = uvicorn.Config(FromHttpProcess(_service), uds=path, log_level="warning")
    port = _free_port()
    passer = uvicorn.Config(
        Forward(path), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    with _serving(service), _serving(passer):
        yield f"http://127.0.0.1:{port}"


def test_a_request_arrives_as_it_was_sent_with_who_asked(front: str) -> None:
    with httpx.Client(base_url=front) as client:
        answer = client.get(
            "/sparql?query=ASK%7B%7D&x=%C3%A9",
            headers={"Accept": "text/csv", "X-SIC-Client": "6.6.6.6:1", "X-Custom": "kept"},
        )
    assert answer.status_code == 200
    assert answer.headers["x-from"] == "service"
    seen = answer.json()
    assert seen["method"] == "GET"
    assert seen["path"] == "/sparql"
    assert seen["query"] == "query=ASK%7B%7D&x=%C3%A9"
    assert seen["headers"]["accept"] == "text/csv"
    assert seen["headers"]["x-custom"] == "kept"
    # the client's own claim is dropped; the service is told the address the front saw
    assert seen["client"][0] == "127.0.0.1"
    assert seen["scheme"] == "http"
    assert answer.headers.get("server", "").count("uvicorn") <= 1


def test_large_bodies_stream_both_ways(front: str) -> None:
    upload = bytes(range(256)) * (BIG // 256)
    with httpx.Client(base_url=front, timeout=30) as client:
        sent = client.post("/update", content=upload, headers={"Content-Type": "text/plain"})
        chunked = client.post("/update", content=iter([upload[:100_000], upload[100_000:]]))
        big = client.get("/big")
    for answer in (sent, chunked):
        assert answer.status_code == 200
        assert answer.json()["size"] == len(upload)
        assert answer.json()["sha256"] == hashlib.sha256(upload).hexdigest()
    assert big.status_code == 200
    assert len(big.content) == BIG


def test_statuses_and_head_pass_through(front: str) -> None:
    with httpx.Client(base_url=front) as client:
        missing = client.get("/missing")
        head = client.head("/anything")
    assert missing.status_code == 404
    assert missing.json()["path"] == "/missing"
    assert head.status_code == 200
    assert head.content == b""


def test_a_service_that_is_gone_answers_503_json(tmp_path: Path) -> None:
    port = _free_port()
    config = uvicorn.Config(
        Forward(str(tmp_path / "nobody.sock")),
        host="127.0.0.1",
        port=port,
        log_level="critical",
        lifespan="off",
    )
    with _serving(config), httpx.Client() as client:
        answer = client.get(f"http://127.0.0.1:{port}/sparql")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    assert "not reachable" in answer.json()["detail"]
