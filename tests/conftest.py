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
import re
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
from typing import Any, ClassVar

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
    # the bundled IATI sample costs every fresh service about 20 s; tests that need it ask for
    # it with env={"SIC_IATI_SAMPLE": "true"}
    environment = {
        **os.environ,
        "SIC_WRITE_TOKEN": SERVICE_TOKEN,
        "SIC_IATI_SAMPLE": "false",
        **(env or {}),
    }
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


# -- who may write what: the permission matrix of tests/data/accounts/write-matrix.yaml -------

MATRIX_FILE = Path(__file__).resolve().parent / "data" / "accounts" / "write-matrix.yaml"
ACCOUNT_PASSWORD = "a passphrase long enough for the tests"
"""The password of every account the tests make (no account exists unless a test makes it)."""


@dataclass
class WriteMatrix:
    """The documented answer of every write route to every caller, and how to ask it.

    `attempt` sends one write as one caller (a bearer token, or none) through any client with
    httpx's interface (a TestClient or an httpx.Client of a live service); what a write needs
    first (a graph to delete, a load to watch) is made with the service token.
    """

    accounts: dict[str, dict[str, object]]
    projects: dict[str, dict[str, object]]
    expected: dict[str, dict[str, int]]

    @property
    def callers(self) -> list[str]:
        return ["nobody", "service", *self.accounts]

    def cases(self) -> list[tuple[str, str, int]]:
        return [
            (route, caller, answers[caller])
            for route, answers in self.expected.items()
            for caller in self.callers
        ]

    def attempt(
        self, client: Any, route: str, caller: str, token: str | None, service_token: str
    ) -> Any:
        key = f"{caller}-{route.replace('_', '-')}"
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        service = {"Authorization": f"Bearer {service_token}"}
        graph = {"graph": f"http://example.org/permissions/{key}"}
        turtle = f'<http://example.org/s> <http://example.org/p> "{key}" .'.encode()
        rdf = {"Content-Type": "text/turtle"}
        if route == "update":
            text = f"INSERT DATA {{ GRAPH <{graph['graph']}> {{ {turtle.decode()} }} }}"
            headers = {"Content-Type": "application/sparql-update", **auth}
            return client.post("/update", content=text, headers=headers)
        if route in ("gsp_put", "gsp_post"):
            method = route.removeprefix("gsp_").upper()
            return client.request(
                method, "/data", params=graph, content=turtle, headers={**rdf, **auth}
            )
        if route == "gsp_delete":
            made = client.put("/data", params=graph, content=turtle, headers={**rdf, **service})
            assert made.status_code == 201, made.text
            return client.delete("/data", params=graph, headers=auth)
        if route == "load":
            params = {"source": f"perm-{key}"}
            answer = client.post(
                "/api/loads", params=params, content=turtle, headers={**rdf, **auth}
            )
            if answer.status_code == 202:  # a few loads may wait at once: let this one end
                self._settle(client, answer.headers["location"], service)
            return answer
        if route == "load_status":
            params = {"source": f"perm-{key}"}
            made = client.post(
                "/api/loads", params=params, content=turtle, headers={**rdf, **service}
            )
            assert made.status_code == 202, made.text
            self._settle(client, made.headers["location"], service)
            return client.get(self._path(made.headers["location"]), headers=auth)
        if route.startswith("project_"):
            body = {"id": f"perm-{key}", "title": f"Permissions: {key}", "stage": "idea"}
            body.update(self.projects[route.removeprefix("project_")])
            return client.post("/api/projects", json=body, headers=auth)
        if route == "review_list":
            return client.get("/api/review", headers=auth)
        if route == "review_match":
            body = {"first": f"perm-{key}", "second": "nobody-proposed", "decision": "accept"}
            return client.post("/api/review/matches", json=body, headers=auth)
        if route == "review_link":
            body = {"project": f"perm-{key}", "target": "A1.01", "decision": "accept"}
            return client.post("/api/review/links", json=body, headers=auth)
        if route.startswith("form_"):
            return self._form(client, route, key, auth)
        if route.startswith("remove_"):
            return self._removal(client, route, key, auth, service)
        raise ValueError(f"no write route {route!r} in the matrix")

    FORMS: ClassVar[dict[str, tuple[str, dict[str, object]]]] = {
        "form_organisation_ours": (
            "/edit/organisation/sahel-ssri",
            {"name": "Sahel Soil Research Institute", "type": "research", "status": "partner",
             "country": "SN", "topics": ["soil-organic-carbon"], "regions": ["011", "202"]},
        ),
        "form_organisation_theirs": (
            "/edit/organisation/gshf",
            {"name": "Global Soil Health Facility", "type": "international", "status": "partner",
             "country": "CH"},
        ),
        "form_stage_objective_only": (
            "/edit/project/ndc-soil-helpdesk/stage", {"stage": "proposal"}
        ),
        "form_new_project_ours": ("/new/project", {"title": "A form's idea", "stage": "idea"}),
        "form_new_person": ("/new/person", {"name": "A person", "organisation": "gshf"}),
        "form_funding_edit": (
            "/edit/funding/ndc-soil-helpdesk.gshf.committed",
            {"project": "ndc-soil-helpdesk", "funder": "gshf", "status": "committed",
             "amount": "250000", "currency": "USD", "date": "2023-10-01"},
        ),
        "form_role_edit": (
            "/edit/role/A1%23member-sophie-laurent",
            {"person": "sophie-laurent", "objective": "A1", "role": "member"},
        ),
    }  # fmt: skip
    """The forms of the matrix (api/routes/forms.py): where, and the values sent."""

    def _form(self, client: Any, route: str, key: str, auth: dict[str, str]) -> Any:
        """A form saved as a caller: opened first for its version (a caller the form refuses
        sends none), then posted with its values; a new resource is named after the caller."""
        path, values = self.FORMS[route]
        data: dict[str, object] = dict(values)
        if route == "form_new_project_ours":
            ours = self.projects["ours"]
            data.update({k: ours[k] for k in ("lead", "partners", "activities", "countries")})
        if path.startswith("/new/"):
            data["id"] = f"perm-{key}"
        page = client.get(path, headers=auth, follow_redirects=False)
        found = re.search(r'name="etag" value="([^"]*)"', page.text)
        data["etag"] = found.group(1) if found and page.status_code == 200 else ""
        return client.post(path, data=data, headers=auth, follow_redirects=False)

    def _removal(
        self, client: Any, route: str, key: str, auth: dict[str, str], service: dict[str, str]
    ) -> Any:
        """A removal confirmed as a caller, of a funding line (of ndc-soil-helpdesk: objective
        A1, Africa) or a Task Force role made for that caller first with the service token."""
        if route == "remove_funding":
            amount = str(1000 + sum(map(ord, key)) * 7 + len(key))
            line = {"project": "ndc-soil-helpdesk", "funder": "gshf", "status": "pledged",
                    "amount": amount, "currency": "USD", "etag": "new"}  # fmt: skip
            saved = client.post("/new/funding", data=line, headers=service, follow_redirects=False)
            assert saved.status_code == 303, saved.text
            query = (
                f'SELECT ?f {{ ?f <https://schema.org/amount> ?a FILTER (str(?a) = "{amount}") }}'
            )
            rows = client.get(
                "/sparql", params={"query": query},
                headers={"Accept": "application/sparql-results+json"},
            ).json()["results"]["bindings"]  # fmt: skip
            path = "/remove/funding/" + rows[0]["f"]["value"].rsplit("/", 1)[-1]
        else:
            person = {"id": f"perm-{key}", "name": f"Permissions {key}", "organisation": "gshf"}
            role = {"person": f"perm-{key}", "objective": "A3", "role": "member"}
            for where, values in (("/new/person", person), ("/new/role", role)):
                saved = client.post(
                    where, data={**values, "etag": "new"}, headers=service,
                    follow_redirects=False,
                )  # fmt: skip
                assert saved.status_code == 303, saved.text
            path = f"/remove/role/A3%23member-perm-{key}"
        page = client.get(path, headers=auth, follow_redirects=False)
        found = re.search(r'name="etag" value="([^"]*)"', page.text)
        etag = found.group(1) if found and page.status_code == 200 else ""
        return client.post(path, data={"etag": etag}, headers=auth, follow_redirects=False)

    @staticmethod
    def _path(location: str) -> str:
        return "/api/loads/" + location.rsplit("/", 1)[-1]

    def _settle(self, client: Any, location: str, service: dict[str, str]) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = client.get(self._path(location), headers=service).json()["state"]
            if state in ("done", "failed"):
                return
            time.sleep(0.05)
        raise AssertionError(f"the load {location} did not end within 60 s")


@pytest.fixture(scope="session")
def write_matrix() -> WriteMatrix:
    """The permission matrix (tests/data/accounts/write-matrix.yaml)."""
    import yaml

    data = yaml.safe_load(MATRIX_FILE.read_text(encoding="utf-8"))
    return WriteMatrix(data["accounts"], data["projects"], data["expected"])
