"""What routes receive: the settings, the store, the query runner, and who writes.

Typed `Annotated` aliases keep route signatures short and let tests override one piece
(`app.dependency_overrides[get_store] = ...`). Everything lives on `app.state`, set once by the
app factory's lifespan; nothing here is global.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from accounts.permissions import Action
from accounts.roles import Principal
from api import as_of
from api.security import writer
from api.settings import Settings
from graph.base import GraphStore
from queries import learned, network
from runner.per_version import PerVersion
from runner.pool import Limits, Runner, runner_for


def make_runner(store: GraphStore, settings: Settings) -> Runner:
    """The runner of the service's calls, with the settings' limits (runner.pool.runner_for)."""
    return runner_for(
        store,
        limits=Limits(query=settings.query_timeout, write=settings.update_timeout),
        workers=settings.query_workers,
        answer_cache_bytes=int(settings.answer_cache_mb * 2**20),
        before_fork=(lambda: network.keep_up(store)) if settings.keep_projections else None,
    )


def start_refits(runner: Runner, settings: Settings) -> PerVersion[Any] | None:
    """Fit the partner rankings' weights in the background after each write (queries.learned),
    so that no request waits for a fit; None when the settings turn learning off."""
    if settings.fit_timeout <= 0:
        return None
    learned.defer_fits()
    refits = PerVersion(runner, learned.refit, learned.adopt, timeout=settings.fit_timeout)
    refits.start()
    return refits


# async, although they do no I/O: FastAPI runs a plain `def` dependency on a worker thread,
# a hop that costs more than the query of a point lookup.
async def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_store(request: Request) -> GraphStore:
    return as_of.store_of(request)  # the present, or the moment `?asOf=` names


async def get_runner(request: Request) -> Runner:
    return as_of.runner_of(request)


@dataclass(frozen=True)
class Service:
    """The settings, the store and the query runner together, for the protocol routes.

    One dependency instead of three: on a point query, resolving dependencies is a visible
    share of the service's own time.
    """

    settings: Settings
    store: GraphStore
    runner: Runner


async def get_service(request: Request) -> Service:
    moment = as_of.chosen(request)
    if moment is not None:
        return Service(cast(Settings, request.app.state.settings), moment.store, moment.runner)
    return cast(Service, request.app.state.service)


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]
RunnerDep = Annotated[Runner, Depends(get_runner)]
ServiceDep = Annotated[Service, Depends(get_service)]


_bearer = HTTPBearer(
    auto_error=False,
    description="The service token (SIC_WRITE_TOKEN) or an account's API token (sic users "
    "token); a signed-in browser sends its session cookie and X-CSRF-Token instead",
)


def _writer(action: Action) -> Any:
    """A dependency: who makes a write of kind `action` (api.security.writer), refused with
    401 / 403 before anything is read from its body."""

    async def dependency(
        request: Request,
        settings: SettingsDep,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        return await writer(request, settings, action)

    return Depends(dependency)


UpdateWriter = Annotated[Principal, _writer(Action.sparql_update)]
"""Who writes by SPARQL Update (/update)."""
GraphStoreWriter = Annotated[Principal, _writer(Action.graph_store)]
"""Who writes by the Graph Store Protocol (/data)."""
LoadWriter = Annotated[Principal, _writer(Action.load)]
"""Who loads a workbook or a file (/api/loads), or watches a load."""
ProjectWriter = Annotated[Principal, _writer(Action.write_project)]
"""Who writes a project (POST /api/projects); their scope is checked as the write is prepared."""

ReviewWriter = Annotated[Principal, _writer(Action.review)]
"""Who decides what rules proposed (POST /api/links/decisions): the Secretariat."""

ActivityCode = Annotated[str, Path(description="the activity's code, e.g. A2.07")]
"""An activity named in a URL path (the JSON API's and the pages' matchmaking routes)."""
