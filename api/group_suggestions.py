"""Who could join a project or an alliance, and who could fund a project: beside their pages.

The suggestions are the catalogue's own rankings with their reasons (queries.candidates,
queries.funders): candidates-for-project for a project's team, funders-for-project for its
money, and for an alliance the candidates of each activity it carries, merged (each
organisation once, with its best fit and the activity it fits) and without its members. On a
large store they can take longer than the page itself, so they run on a thread of their own and
the page waits at most half of the query time limit (Settings.query_timeout) for them: past
that it says so in a plain note, with links to the questions that answer them on their own,
instead of failing. A computation still running is shared by the next request for the same
suggestions in the same process and store version rather than started again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from threading import Lock, Thread
from typing import Any

from fastapi import Request

from api.responses import cached
from graph.base import GraphStore
from queries.answer import Row
from queries.catalogue import run
from queries.page_data import View, in_language
from sic.errors import KGError

PARTNERS_SHOWN = 10
FUNDERS_SHOWN = 5


@dataclass(frozen=True)
class Suggestions:
    """Ranked partners (and, for a project, funders) with their reasons, or why there are none.

    `timed_out`: they were not ready within `limit` seconds; `error`: the ranking refused.
    """

    partners: list[Row] = field(default_factory=list)
    funders: list[Row] = field(default_factory=list)
    timed_out: bool = False
    error: str | None = None
    limit: float = 0.0


def project_suggestions(view: View, key: str) -> Suggestions:
    """candidates-for-project and funders-for-project for one project, in the page's language."""
    partners = run(
        view.store,
        "candidates-for-project",
        in_language(view, "candidates-for-project", {"project": key, "top": str(PARTNERS_SHOWN)}),
    ).rows
    funders = run(
        view.store,
        "funders-for-project",
        in_language(view, "funders-for-project", {"project": key, "top": str(FUNDERS_SHOWN)}),
    ).rows
    return Suggestions(partners=partners, funders=funders)


def alliance_suggestions(
    view: View, key: str, activities: list[str], members: set[str]
) -> Suggestions:
    """The candidates of the alliance's activities, each organisation once (its best fit), its
    members and those already on a live project for the activity left out, ranked again."""
    best: dict[str, Row] = {}
    for activity in activities:
        asked = {"activity": activity, "top": str(PARTNERS_SHOWN)}
        rows = run(
            view.store,
            "candidates-for-activity",
            in_language(view, "candidates-for-activity", asked),
        ).rows
        for r in rows:
            organisation = str(r["organisation"])
            if r["involved"] or organisation in members:
                continue
            kept = best.get(organisation)
            if kept is None or float(r["score"]) > float(kept["score"]):
                best[organisation] = {**r, "activity": activity}
    ranked = sorted(best.values(), key=lambda r: (-float(r["score"]), str(r["organisation"])))
    partners = [{**r, "rank": i} for i, r in enumerate(ranked[:PARTNERS_SHOWN], start=1)]
    return Suggestions(partners=partners)


class Pending:
    """The suggestions being computed for one store version, by (kind, key, language).

    Each is computed on a daemon thread of its own (a page never waits for it to end, nor does
    the process); the process id is part of the key, since a thread started before the service
    forked its workers does not run in them.
    """

    def __init__(self, _: GraphStore) -> None:
        self.futures: dict[tuple[int, str, str, str], Future[Suggestions]] = {}
        self.lock = Lock()

    def start(
        self, ask: tuple[str, str, str], compute: Callable[[], Suggestions]
    ) -> Future[Suggestions]:
        key = (os.getpid(), *ask)
        with self.lock:
            if key not in self.futures:
                future: Future[Suggestions] = Future()
                self.futures[key] = future
                Thread(target=_settle, args=(future, compute), daemon=True).start()
            return self.futures[key]


def _settle(future: Future[Suggestions], compute: Callable[[], Suggestions]) -> None:
    try:
        future.set_result(compute())
    except BaseException as error:  # the page reads it from the future: nothing is lost
        future.set_exception(error)


def within(
    pending: Pending, limit: float, ask: tuple[str, str, str], compute: Callable[[], Suggestions]
) -> Suggestions:
    """`compute()`'s suggestions if ready within `limit` seconds, else a note that says so.

    A ranking that refuses (a KGError) is told as a note as well: the page is shown anyway.
    """
    future = pending.start(ask, compute)
    try:
        found = future.result(timeout=limit)
    except FutureTimeout:
        return Suggestions(timed_out=True, limit=limit)
    except KGError as error:
        return Suggestions(error=str(error), limit=limit)
    return Suggestions(found.partners, found.funders, limit=limit)


def within_limit(
    request: Request,
    store: GraphStore,
    ask: tuple[str, str, str],
    compute: Callable[[], Suggestions],
) -> Suggestions:
    """`within` half the query time limit, computations shared per store version."""
    settings: Any = request.app.state.settings
    pending = cached(request, "group-suggestions", Pending).get(store, store.version())
    return within(pending, float(settings.query_timeout) / 2, ask, compute)
