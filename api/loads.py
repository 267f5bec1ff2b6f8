"""Loads sent over HTTP: run in the background one at a time, watched by polling.

POST /api/loads hands a workbook or an RDF file to `LoadJobs.submit` and answers 202 at once.
The load then runs as `sic load` runs it: the upload is read (a workbook unpacked, read and
mapped) on a thread of its own, then stored as `graph.bootstrap.load_with_ontology` stores it
(the bundled ontology first if the store lacks it, then `GraphStore.load_source`) through the
runner's write path (runner.pool: on the store thread, in turn with every other write, and
the query workers refreshed after the commit, so that a client reads what it loaded). Both
are told of a `Progress` callback (sic.progress) that records each phase in the job; GET
/api/loads/{id} shows it.

The ontology goes in a write of its own: a write that commits twice would change the store's
version half-way, and every query meanwhile would wait for the pool to refresh, which it can
only do on the store thread, once the whole load is over.

The table is in memory (uvicorn runs one service process) and bounded: at most
`max_pending` loads wait or run at once, and the last `keep` finished ones are kept. Progress
arrives on the loading threads and is read on the event loop, so every change and every
snapshot holds the table's lock.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import tempfile
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from threading import Lock
from typing import Literal

import pyoxigraph as ox

from api.i18n import SUPPORTED
from api.models import LoadedSource, LoadPhase, LoadProblem, LoadStatus
from graph.base import GraphStore
from graph.bootstrap import ensure_ontology, load_with_ontology
from graph.dataset import SourceInfo
from graph.history import Attribution
from graph.validation import validate_source
from loaders.archive import ArchiveLimits, unpack_workbook
from loaders.rdf import REQUEST_BODY, read_body
from loaders.source import read_source
from runner.pool import Runner
from sic.errors import KGError, LoaderError, Location, Problem, ValidationFailed, Violation
from sic.progress import Progress, Step
from sic.source import Source

log = logging.getLogger(__name__)

KEEP = 50
"""Finished loads kept for their status (older ones are forgotten: 404)."""

MAX_PENDING = 4
"""Loads that may wait or run at once; one more is refused (429) until one ends."""

MAX_PROBLEMS = 1000
"""Problems listed in a status at most (`problem_count` says how many there were)."""

Kind = Literal["zip", "xlsx", "rdf"]


@dataclass(frozen=True)
class Upload:
    """What a client sent: the bytes, and what they are (an RDF file says its syntax)."""

    data: bytes
    kind: Kind
    fmt: ox.RdfFormat | None = None


@dataclass(frozen=True)
class ReadLimits:
    """What bounds the reading of an upload: its unpacked size and how deep it may nest."""

    archive: ArchiveLimits
    max_nesting: int


def read_upload(
    upload: Upload, name: str, base: str, limits: ReadLimits, progress: Progress
) -> Source:
    """The upload as a Source named `name`, read as `sic load` reads a path (a workbook is
    read and mapped now, `progress` told of it; an RDF file is parsed as it is stored).

    A workbook is unpacked into a temporary folder named after the source, read, and the
    folder removed: the Source holds the mapped triples in memory.

    :raises LoaderError: the archive or the workbook cannot be read (every problem located).
    :raises QueryError: an RDF body nested too deeply or declaring a DTD.
    """
    where = REQUEST_BODY
    if upload.kind == "rdf":
        assert upload.fmt is not None  # the route types every RDF upload
        source = read_body(
            upload.data,
            upload.fmt,
            base_iri=base,
            max_nesting=limits.max_nesting,
            graph_only=True,
            where=where,
        )
    else:
        with tempfile.TemporaryDirectory(prefix="sic-load-") as tmp:
            if upload.kind == "zip":
                path = Path(tmp) / name
                path.mkdir()
                unpack_workbook(upload.data, path, limits.archive, where)
            else:
                path = Path(tmp) / f"{name}.xlsx"
                path.write_bytes(upload.data)
            source = read_source(path, base=base, progress=progress, check=validate_source)
    return dataclasses.replace(source, name=name, origin=f"{where} ({upload.kind})")


# -- the jobs --------------------------------------------------------------------------------


@dataclass
class _Phase:
    step: Step
    began: float  # time.monotonic() when the phase began


@dataclass(eq=False)
class _Job:
    id: str
    source: str
    replace: bool
    upload: Upload | None
    by: Attribution | None = None
    accepted: float = field(default_factory=time.time)
    began: float = field(default_factory=time.monotonic)
    state: Literal["queued", "running", "done", "failed"] = "queued"
    ended: float | None = None
    phases: dict[str, _Phase] = field(default_factory=dict)
    current: str | None = None
    writing: bool = False
    detail: str | None = None
    problems: list[LoadProblem] = field(default_factory=list)
    problem_count: int = 0
    warnings: list[LoadProblem] = field(default_factory=list)
    loaded: list[LoadedSource] = field(default_factory=list)


class Busy(KGError):
    """Too many loads wait already (answered 429 with Retry-After)."""


class LoadJobs:
    """The table of loads: submit one, read its status; see the module docstring."""

    def __init__(self, *, keep: int = KEEP, max_pending: int = MAX_PENDING) -> None:
        self.keep = keep
        self.max_pending = max_pending
        self._lock = Lock()
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._turn = asyncio.Lock()
        self._tasks: dict[asyncio.Task[None], _Job] = {}

    def submit(
        self,
        upload: Upload,
        *,
        source: str,
        replace: bool,
        store: GraphStore,
        runner: Runner,
        limits: ReadLimits,
        by: Attribution | None = None,
    ) -> LoadStatus:
        """Queue a load and start it in the background; its status as it is now.

        :raises Busy: `max_pending` loads wait or run already.
        """
        job = _Job(uuid.uuid4().hex, source, replace, upload, by)
        with self._lock:
            pending = sum(1 for j in self._jobs.values() if j.state in ("queued", "running"))
            if pending >= self.max_pending:
                raise Busy(f"{pending} loads are waiting or running; try again when one ends")
            self._jobs[job.id] = job
        task = asyncio.get_running_loop().create_task(self._run(job, store, runner, limits))
        self._tasks[task] = job
        task.add_done_callback(lambda done: self._tasks.pop(done, None))
        return self._snapshot(job)

    def status(self, job_id: str) -> LoadStatus | None:
        """The status of a load, or None when there is no such load (or it was forgotten)."""
        with self._lock:
            job = self._jobs.get(job_id)
        return None if job is None else self._snapshot(job)

    async def close(self) -> None:
        """Stop the loads that have not begun to write (the service is stopping), and let the
        one writing end: the store thread finishes its work before the runner closes anyway,
        and a write stopped half-way through refreshing the pool would leave workers behind."""
        tasks = list(self._tasks.items())
        for task, job in tasks:
            if not job.writing:
                task.cancel()
        await asyncio.gather(*(task for task, _ in tasks), return_exceptions=True)

    # -- running ------------------------------------------------------------------------------

    async def _run(self, job: _Job, store: GraphStore, runner: Runner, limits: ReadLimits) -> None:
        upload = job.upload
        assert upload is not None
        progress = self._progress(job)
        command = f"POST /api/loads ({job.id})"
        try:
            async with self._turn:
                self._set(job, state="running")
                source = await asyncio.to_thread(
                    read_upload, upload, job.source, store.base, limits, progress
                )
                with self._lock:
                    job.warnings = [_problem(p) for p in source.warnings]

                def ontology(_: object) -> bool:
                    return not source.dataset and ensure_ontology(store, command=command, by=job.by)

                def store_it(_: object) -> list[SourceInfo]:
                    return load_with_ontology(
                        store,
                        source,
                        replace=job.replace,
                        command=command,
                        progress=progress,
                        by=job.by,
                    )

                job.writing = True  # from here on, the load ends even when the service stops
                await runner.write(None, ontology)
                infos = await runner.write(None, store_it)  # the ontology is there now
        except LoaderError as error:
            problems = [_problem(p) for p in error.problems]
            self._fail(
                job, f"{_count(problems, 'problem')} in the input; nothing was stored", problems
            )
        except ValidationFailed as error:
            problems = [_violation(v) for v in error.violations]
            self._fail(job, f"{_count(problems, 'SHACL violation')}; nothing was stored", problems)
        except KGError as error:
            self._fail(job, f"{error}; nothing was stored", [])
        except asyncio.CancelledError:
            self._fail(job, "the service stopped before the load ended", [])
            raise
        except Exception:
            log.exception("load %s failed", job.id)
            self._fail(job, "internal error (the details are in the service log)", [])
        else:
            loaded = [LoadedSource(name=i.name, graph=i.graph, triples=i.triples) for i in infos]
            self._set(job, state="done", loaded=loaded)
            log.info(
                "load %s stored %s", job.id, ", ".join(f"{i.name} ({i.triples})" for i in infos)
            )

    def _progress(self, job: _Job) -> Progress:
        """The Progress of one job: each step recorded under the table's lock."""

        def record(step: Step) -> None:
            with self._lock:
                known = job.phases.get(step.phase)
                began = known.began if known else time.monotonic() - step.elapsed
                job.phases[step.phase] = _Phase(step, began)
                job.current = step.phase

        return record

    def _set(self, job: _Job, **values: object) -> None:
        with self._lock:
            for name, value in values.items():
                setattr(job, name, value)
            if job.state in ("done", "failed"):
                self._ended(job)

    def _fail(self, job: _Job, detail: str, problems: Sequence[LoadProblem]) -> None:
        with self._lock:
            job.state = "failed"
            job.detail = detail
            job.problems = list(problems[:MAX_PROBLEMS])
            job.problem_count = len(problems)
            self._ended(job)

    def _ended(self, job: _Job) -> None:
        """(Under the lock.) Drop the upload's bytes, and forget the oldest finished loads."""
        job.ended = time.monotonic()
        job.upload = None
        finished = [j.id for j in self._jobs.values() if j.state in ("done", "failed")]
        for old in finished[: max(0, len(finished) - self.keep)]:
            del self._jobs[old]

    def _snapshot(self, job: _Job) -> LoadStatus:
        with self._lock:
            now = time.monotonic()
            phases = [_phase(p, now) for p in job.phases.values()]
            return LoadStatus(
                id=job.id,
                source=job.source,
                replace=job.replace,
                state=job.state,
                phase=job.current,
                phases=phases,
                accepted=datetime.fromtimestamp(job.accepted, UTC).isoformat(timespec="seconds"),
                elapsed=round((job.ended or now) - job.began, 3),
                detail=job.detail,
                problems=list(job.problems),
                problem_count=job.problem_count,
                warnings=list(job.warnings),
                loaded=list(job.loaded),
            )


def _phase(recorded: _Phase, now: float) -> LoadPhase:
    """A phase as shown: a running one's time (and so its rate) goes on between reports."""
    step = recorded.step
    elapsed = step.elapsed if step.finished else max(step.elapsed, now - recorded.began)
    rate = step.done / elapsed if elapsed > 0 and step.done else None
    return LoadPhase(
        name=step.phase,  # type: ignore[arg-type]  # one of sic.progress.PHASES
        unit=step.unit,
        done=step.done,
        total=step.total,
        elapsed=round(elapsed, 3),
        rate=round(rate, 1) if rate is not None else None,
        finished=step.finished,
    )


def _count(problems: Sequence[LoadProblem], what: str) -> str:
    return f"{len(problems)} {what}{'s' if len(problems) != 1 else ''}"


def _problem(problem: Problem) -> LoadProblem:
    found = LoadProblem(
        message=problem.message,
        severity=problem.severity,
        translations=dict(problem.translations),
    )
    return _at(problem.location, found)


def _violation(violation: Violation) -> LoadProblem:
    found = LoadProblem(
        message=violation.message,
        severity=violation.severity,
        focusNode=violation.focus_node,
        resultPath=violation.path,
        value=violation.value,
        translations=dict(violation.translations),
    )
    return _at(violation.location, found)


def _at(location: Location | None, problem: LoadProblem) -> LoadProblem:
    """The problem located as the CLI locates it: in words, and as file, row and column."""
    if location is None:
        return problem
    return problem.model_copy(
        update={
            "where": str(location),
            "whereTranslations": {
                lang: location.said_in(lang) for lang in SUPPORTED if lang != "en"
            },
            "file": location.file,
            "row": location.row,
            "column": location.column,
        }
    )
