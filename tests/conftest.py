"""Fixtures every test folder may use: real `sic serve` processes.

In-process tests (TestClient) run asyncio's own loop in the test's process; the product runs
`sic serve`: uvicorn, forked query workers and the in-memory copy of the store.
Only the real process shows what a client meets, so every feature reached over HTTP is tested
at least once on one: `sic_service(...)` starts `sic serve` as `scripts/run` does, on a free
127.0.0.1 port, waits until it answers, and stops it (SIGTERM, then SIGKILL) after the test.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SERVICE_TOKEN = "live-service-token-0123456789abcdef"
"""The write token every live service of the tests is started with."""


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveService:
    """A running `sic serve` process: where it answers, its write token, its log."""

    url: str
    token: str
    process: subprocess.Popen[bytes]
    log: Path
    store: Path
    stopped: bool = field(default=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 30.0) -> float:
        """SIGTERM, wait; SIGKILL if it did not stop in `timeout` s. Returns seconds taken."""
        if self.stopped:
            return 0.0
        self.stopped = True
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return time.monotonic() - started


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/sparql?query=ASK%7B%7D", timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_service(
    folder: Path,
    *,
    store: Path | None = None,
    empty: bool = False,
    data: Sequence[Path] = (),
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    ready_within: float = 120.0,
) -> LiveService:
    """Start `sic serve` on a free port and wait until it answers a query.

    `store` defaults to a new folder under `folder` (then filled with the reference data unless
    `empty` or `data` says otherwise); `env` adds settings (SIC_...) to the environment.
    """
    sic = Path(sys.executable).parent / "sic"
    store = store or folder / "store"
    port = free_port()
    log = folder / f"sic-serve-{port}.log"
    command = [str(sic), "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port)]
    if empty:
        command.append("--empty")
    for path in data:
        command += ["--data", str(path)]
    command += list(args)
    environment = {**os.environ, "SIC_WRITE_TOKEN": SERVICE_TOKEN, **(env or {})}
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environment
        )
    service = LiveService(f"http://127.0.0.1:{port}", SERVICE_TOKEN, process, log, store)
    deadline = time.monotonic() + ready_within
    while not _answers(service.url):
        if process.poll() is not None or time.monotonic() > deadline:
            service.stop()
            raise RuntimeError(f"sic serve did not start:\n{service.log_text()[-4000:]}")
        time.sleep(0.1)
    return service


@pytest.fixture
def sic_service(tmp_path: Path) -> Iterator[Callable[..., LiveService]]:
    """A factory of real `sic serve` processes (see start_service), stopped after the test."""
    started: list[LiveService] = []

    def start(**options: object) -> LiveService:
        folder = tmp_path / f"service-{len(started)}"
        folder.mkdir()
        service = start_service(folder, **options)  # type: ignore[arg-type]
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()


@pytest.fixture(scope="session")
def sic_service_for_session(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., LiveService]]:
    """The same factory for services shared by a whole session (the W3C suites)."""
    started: list[LiveService] = []

    def start(**options: object) -> LiveService:
        folder = tmp_path_factory.mktemp("service")
        service = start_service(folder, **options)  # type: ignore[arg-type]
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()
