"""Runaway work is stopped: queries, named questions, pages, and the service itself on SIGTERM.

pyoxigraph cannot cancel a query, so the service runs every query, named question and page in
a forked worker it can kill (runner.pool, api.in_worker). What a client must see: a runaway
answers 503 (JSON) soon after SIC_QUERY_TIMEOUT, the processor it held is free a moment
later, everyone else's small queries keep answering meanwhile, and nothing answers 500 or
hangs. An operator's SIGTERM must stop the service within seconds even while runaways run, and
leave no worker behind still burning a processor. Only the real process can show this: CPU
time is read from /proc for the service's own child processes (its workers), nothing else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

BASE = "https://w3id.org/4p1000/"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""A cube of the store: about 10^11 solutions on the reference data, it never ends."""
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def fresh(query: str) -> str:
    """The query with a random comment in front: computed, never served from a cache."""
    return f"# {uuid.uuid4().hex}\n{query}"


# -- processes, from /proc --------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat from the state on (field 3), or None when gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (the service's query workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[1] == str(pid) and fields[0] not in ("Z", "X"):
                found.append(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (0 once it is gone)."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime: fields 14, 15


def cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    return ""


def workers_cpu(parent: int, seconds: float) -> dict[int, float]:
    """CPU seconds each worker of `parent` used over the next `seconds` seconds."""
    before = {pid: cpu_seconds(pid) for pid in children(parent)}
    time.sleep(seconds)
    after = {pid: cpu_seconds(pid) for pid in children(parent)}
    return {pid: used - before.get(pid, 0.0) for pid, used in after.items()}


# -- what a client sees -----------------------------------------------------------------------


@dataclass
class Outcome:
    """What one request got: its status (None: no answer), its body, how long it took."""

    status: int | None = None
    body: Any = None
    seconds: float = 0.0
    error: str = ""
    done: threading.Event = field(default_factory=threading.Event)


def run_in_thread(url: str, query: str, timeout: float) -> tuple[threading.Thread, Outcome]:
    """Start a query on its own connection in a thread; the outcome fills in when it ends."""
    outcome = Outcome()

    def run() -> None:
        started = time.monotonic()
        try:
            with httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0)) as http:
                response = http.get(f"{url}/sparql", params={"query": fresh(query)})
            outcome.status = response.status_code
            try:
                outcome.body = response.json()
            except ValueError:
                outcome.body = response.text[:300]
        except httpx.HTTPError as exc:
            outcome.error = f"{type(exc).__name__}: {exc}"
        finally:
            outcome.seconds = time.monotonic() - started
            outcome.done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_a_runaway_query_is_stopped_and_the_cpu_freed(
    sic_service: Callable[..., Any], reference_activity: str
) -> None:
    """A runaway gets 503 after ~2 s, its worker is gone within a second, and meanwhile point
    queries of other clients keep answering in well under half a second each."""
    service = sic_service(env={"SIC_QUERY_TIMEOUT": "2", "SIC_ANSWER_CACHE_MB": "0"})
    point = f"SELECT * WHERE {{ <{reference_activity}> ?p ?o }}"
    thread, runaway = run_in_thread(service.url, RUNAWAY, timeout=30)
    busy: dict[int, float] = {}
    point_times: list[float] = []
    with httpx.Client(base_url=service.url, timeout=httpx.Timeout(10.0)) as http:
        time.sleep(0.3)
        sampled_at = time.monotonic()
        before = {pid: cpu_seconds(pid) for pid in children(service.pid)}
        while not runaway.done.is_set():
            started = time.monotonic()
            response = http.get(
                "/sparql",
                params={"query": fresh(point)},
                headers={"Accept": "application/sparql-results+json"},
            )
            point_times.append(time.monotonic() - started)
            assert response.status_code == 200, response.text
            assert response.json()["results"]["bindings"], "the activity has triples"
            if not busy and time.monotonic() - sampled_at > 1.0:
                busy = {p: cpu_seconds(p) - before.get(p, 0.0) for p in children(service.pid)}
            time.sleep(0.05)
    answered_at = time.monotonic()
    thread.join(timeout=5)

    assert runaway.status == 503, (runaway.status, runaway.error, runaway.body)
    assert isinstance(runaway.body, dict) and runaway.body.get("detail"), runaway.body
    assert 1.5 <= runaway.seconds <= 5.0, f"503 after {runaway.seconds:.2f} s"

    assert len(point_times) >= 5, point_times
    assert max(point_times) < 0.5, f"slowest point query {max(point_times):.3f} s"

    assert busy, "the runaway's worker was sampled while it ran"
    runaway_worker = max(busy, key=lambda pid: busy[pid])
    assert busy[runaway_worker] > 0.3, f"no worker was busy with the runaway: {busy}"
    try:
        while alive(runaway_worker) and time.monotonic() - answered_at < 1.0:
            time.sleep(0.05)
        assert not alive(runaway_worker), "the runaway's worker still runs 1 s after the 503"
        time.sleep(max(0.0, answered_at + 1.0 - time.monotonic()))
        used = workers_cpu(service.pid, 0.5)
        assert sum(used.values()) < 0.15, f"workers still use CPU after the 503: {used}"
    finally:
        if alive(runaway_worker):  # the service's own worker, by pid: never let it spin on
            os.kill(runaway_worker, signal.SIGKILL)


# -- named questions and pages ----------------------------------------------------------------

PAGES = (
    "/",
    "/gaps",
    "/gaps.csv",
    "/network",
    "/network.json",
    "/queries",
    "/api/gaps",
    "/api/activities/{activity}/candidates",
    "/api/projects/{project}/candidates",
    "/api/activities/{activity}/alliance",
    "/api/organisations/{organisation}/opportunities",
    "/activities/{activity}/candidates.csv",
    "/activities/{activity}/alliance.csv",
    "/.well-known/void",
    "/dump.nq.gz",
)
"""The pages and JSON routes that read much of the store, beside the named questions."""
KINDS = ("activity", "objective", "organisation", "project", "category")


def some_keys(http: httpx.Client) -> dict[str, str]:
    """A key of each kind of entity the service holds (what a question's parameter takes)."""
    keys = {}
    for kind in KINDS:
        prefix = f"{BASE}id/{kind}/"
        query = (
            f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), {prefix!r}) "
            f"&& !CONTAINS(STR(?s), '#')) }} ORDER BY ?s LIMIT 1"
        )
        response = http.get("/sparql", params={"query": query})
        assert response.status_code == 200, response.text
        rows = response.json()["results"]["bindings"]
        assert rows, f"no {kind} in the store"
        keys[kind] = rows[0]["s"]["value"].removeprefix(prefix)
    return keys


def everything_that_reads(http: httpx.Client) -> list[tuple[str, dict[str, str]]]:
    """Every named question of GET /api/queries (required parameters filled), and PAGES."""
    keys = some_keys(http)
    catalogue = http.get("/api/queries")
    assert catalogue.status_code == 200, catalogue.text
    asked = []
    for question in catalogue.json()["queries"]:
        params = {p["name"]: keys[p["kind"]] for p in question["params"] if p["required"]}
        asked.append((f"/api/queries/{question['name']}", params))
    assert len(asked) >= 10, asked
    return asked + [(page.format(**keys), {}) for page in PAGES]


LIMIT = 1.0
"""SIC_QUERY_TIMEOUT of the services below: every answer is 200 or 503 within LIMIT + 3 s."""


def _started(factory: Callable[..., Any], **options: Any) -> Iterator[Any]:
    env = {"SIC_QUERY_TIMEOUT": f"{LIMIT:g}", "SIC_ANSWER_CACHE_MB": "0"}
    service = factory(env=env, **options)
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="module")
def reference_with_short_limit(sic_service_for_session: Callable[..., Any]) -> Iterator[Any]:
    """The reference data, SIC_QUERY_TIMEOUT=1, every answer computed."""
    yield from _started(sic_service_for_session)


@pytest.fixture(scope="module")
def large_workbook_with_short_limit(
    sic_service_for_session: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """bench.generate's S workbook (~95k triples), SIC_QUERY_TIMEOUT=1: questions take ~1.5 s."""
    from bench.generate import SIZES, generate_workbook

    workbook = tmp_path_factory.mktemp("workbook-S") / "workbook"
    generate_workbook(SIZES["S"], workbook)
    yield from _started(sic_service_for_session, data=[workbook], ready_within=240.0)


@pytest.mark.parametrize(
    "data",
    [
        "reference",
        pytest.param("large-workbook", marks=pytest.mark.slow),
    ],
)
def test_every_question_and_page_answers_or_gives_up(
    request: pytest.FixtureRequest, data: str
) -> None:
    """Each named question and page answers 200, or 503 once past the limit: never a 500,
    never later than the limit + 3 s; and what was stopped no longer uses a processor."""
    fixture = {
        "reference": "reference_with_short_limit",
        "large-workbook": "large_workbook_with_short_limit",
    }[data]
    service = request.getfixturevalue(fixture)
    problems = []
    statuses: dict[str, int] = {}
    with httpx.Client(base_url=service.url, timeout=httpx.Timeout(LIMIT + 10.0)) as http:
        for path, params in everything_that_reads(http):
            started = time.monotonic()
            try:
                response = http.get(path, params=params)
            except httpx.TimeoutException:
                problems.append(f"{path}: no answer within {LIMIT + 10:g} s")
                continue
            took = time.monotonic() - started
            statuses[path] = response.status_code
            if response.status_code not in (200, 503):
                problems.append(f"{path}: {response.status_code} {response.text[:200]}")
            elif response.status_code == 503 and not response.json().get("detail"):
                problems.append(f"{path}: 503 without a JSON detail")
            if took > LIMIT + 3.0:
                problems.append(f"{path}: answered after {took:.1f} s")
    assert not problems, "\n".join(problems)
    if 503 in statuses.values():  # something was stopped: its worker must be gone
        _wait_for_the_background_fit(service.url)  # work of its own (runner.per_version)
        time.sleep(1.0)
        used = workers_cpu(service.pid, 0.5)
        assert sum(used.values()) < 0.15, f"workers still busy after the 503s: {used}"


def _wait_for_the_background_fit(url: str, within: float = 120.0) -> None:
    deadline = time.monotonic() + within
    while httpx.get(f"{url}/api/rankings", timeout=10).json()["fitting"]:
        assert time.monotonic() < deadline, "the background fit of the rankings never ended"
        time.sleep(0.2)


# -- SIGTERM ----------------------------------------------------------------------------------


def _looks_like(pid: int, port: int) -> bool:
    line = cmdline(pid)
    return "serve" in line and f"--port {port}" in line


def test_sigterm_stops_the_service_while_runaways_run(sic_service: Callable[..., Any]) -> None:
    """SIGTERM during four runaways: the service is gone within 10 s, and so are its workers
    (a worker left behind would burn a processor for ever: its runaway never ends)."""
    service = sic_service(env={"SIC_QUERY_TIMEOUT": "60", "SIC_ANSWER_CACHE_MB": "0"})
    port = int(service.url.rsplit(":", 1)[1])
    runaways = [run_in_thread(service.url, RUNAWAY, timeout=30) for _ in range(4)]
    time.sleep(1.5)
    assert not any(outcome.done.is_set() for _, outcome in runaways), [
        (o.status, o.body, o.error) for _, o in runaways
    ]
    workers = children(service.pid)
    busy = [pid for pid, used in workers_cpu(service.pid, 0.5).items() if used > 0.1]
    assert busy, "the runaways are running in workers"
    seen = set(workers) | set(busy)
    leftovers: list[int] = []
    try:
        seconds = service.stop()
        assert seconds < 10.0, f"the service took {seconds:.1f} s to stop on SIGTERM"
        for thread, _ in runaways:
            thread.join(timeout=10)
        hanging = [o for t, o in runaways if t.is_alive()]
        assert not hanging, "clients still wait for an answer from a stopped service"
        deadline = time.monotonic() + 2.0
        while True:
            everyone = [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()]
            leftovers = [
                pid
                for pid in everyone
                if alive(pid) and (pid in seen or _looks_like(pid, port)) and pid != os.getpid()
            ]
            if not leftovers or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert not leftovers, "workers left behind: " + "; ".join(
            f"{pid} ({cpu_seconds(pid):.1f} s CPU) {cmdline(pid)}" for pid in leftovers
        )
    finally:
        for pid in leftovers:  # the service's own workers, by pid: never let them spin on
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
