"""The forms people create and edit the graph with: /new/{form} and /edit/{kind}/{key}.

GET shows a form to a signed-in person whose role and scope allow the write
(accounts.permissions; a sign-in page first for someone not signed in, a 403 page for someone
who may not); POST saves it. A save carries the form's CSRF token (a signed-in browser) and the
version the resource had when the form opened (its ETag); it is prepared in a query worker
like every other write (api.forms.change), refused with nothing stored when the scope does not
take it, when the resource changed since (409: the other person's version shown beside what
was typed), when a value fits no field or when the SHACL shapes refuse it (422: each problem
next to its field). What was typed is always kept on a refused form. A save is attributed to
who made it (graph.history), then the browser goes on to the resource's page (303).

These pages depend on who asks: never cached (Cache-Control: no-store).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse, RedirectResponse, Response

from accounts.permissions import may_attempt, refused
from accounts.roles import Principal
from api.attribution import of_request
from api.deps import RunnerDep, SettingsDep, StoreDep
from api.forms.change import (
    FormRefused,
    Opened,
    StaleForm,
    focus_of,
    lines_of,
    may_edit,
    may_propose,
    open_form,
    prepare_form,
    prepare_removal,
)
from api.forms.feedback import GENERAL, Said, problems_by_field, violations_by_field
from api.forms.fields import Kind
from api.forms.specs import CREATABLE, EDITABLE, FORMS, PARTS, REMOVABLE, FormSpec
from api.i18n import Ui
from api.responses import root_of
from api.routes.pages import HTML_TYPE, reader, render_page
from api.security import CSRF_FIELD, current_session, identify
from runner.pool import Call
from sic.errors import NotFound, ValidationFailed

router = APIRouter(tags=["web pages"])

NO_STORE = {"Cache-Control": "no-store", "Vary": "Cookie, Accept-Language"}
ETAG_FIELD = "etag"
KEY_FIELD = "id"
PREFILL = {"activity": "activities"}
"""Query parameters that prefill a new form under another name (`/new/project?activity=A1.05`)."""
_SPLIT = re.compile(r"[;,\s]+")

_PAGE: dict[str, Any] = {"text/html": {}}
_HTML: dict[int | str, dict[str, Any]] = {
    200: {"description": "The form.", "content": _PAGE},
    303: {"description": "Saved (or not signed in): on to the next page."},
    403: {"description": "The role or scope may not make this write.", "content": _PAGE},
    404: {"description": "No such resource or form.", "content": _PAGE},
    409: {"description": "Changed by someone else since the form opened.", "content": _PAGE},
    422: {"description": "Values the shapes or the fields refuse.", "content": _PAGE},
}


def _spec(name: str) -> FormSpec:
    if name not in FORMS:
        raise NotFound(f"no form {name!r}")
    return FORMS[name]


async def _signed_in(request: Request, settings: Any, csrf: str | None = None) -> Principal | None:
    return await identify(request, settings, csrf=csrf)


def _may(who: Principal, spec: FormSpec) -> None:
    if not may_attempt(who, spec.action):
        raise refused(who, spec.action)


def _signin(request: Request) -> Response:
    """To the sign-in form, and back here after: the whole address quoted into `next`, so its
    own parameters (the gap that prefills the form, the language) are not read as the sign-in
    page's; the language also stays the sign-in page's own."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    lang = request.query_params.get("lang")
    also = f"&lang={quote(lang, safe='')}" if lang else ""
    return RedirectResponse(
        f"{request.scope.get('root_path', '')}/signin?next={quote(target, safe='/')}{also}",
        303,
        headers=NO_STORE,
    )


async def _csrf(request: Request) -> str:
    opened = await current_session(request)
    return opened[1].csrf if opened is not None else ""


def _page(
    request: Request,
    ui: Ui,
    spec: FormSpec,
    key: str,
    creating: bool,
    opened: Opened,
    *,
    values: Mapping[str, Sequence[str]],
    etag: str,
    csrf: str,
    errors: Mapping[str, list[Said]] | None = None,
    stale: Mapping[str, list[str]] | None = None,
    stale_by: tuple[str, str] = ("", ""),
    status_code: int = 200,
) -> Response:
    body = render_page(
        request,
        ui,
        "form.html",
        status_code=status_code,
        spec=spec,
        key=key,
        creating=creating,
        values=values,
        etag=etag,
        csrf=csrf,
        csrf_field=CSRF_FIELD,
        choices=opened.choices,
        candidates=opened.candidates,
        rules=opened.rules,
        current_stage=opened.current_stage,
        errors=errors or {},
        general=(errors or {}).get(GENERAL, []),
        stale=stale,
        stale_by=stale_by,
        action=request.url.path,
    )
    return Response(
        body,
        status_code=status_code,
        media_type=HTML_TYPE,
        headers={**NO_STORE, "Content-Language": ui.lang, "ETag": f'"{etag}"'},
    )


async def _show(
    request: Request, settings: Any, runner: Any, name: str, key: str, creating: bool
) -> Response:
    spec = _spec(name)
    who = await _signed_in(request, settings)
    if who is None:
        return _signin(request)
    _may(who, spec)
    ui = reader(request)
    opened: Opened = await runner.call(open_form, name, key, who, ui.lang)
    values: dict[str, list[str]] = dict(opened.values)
    if creating:
        values.update({name: [value] for name, value in spec.defaults})
        for param, given in request.query_params.multi_items():
            target = PREFILL.get(param, param)
            if spec.field(target) is not None and given:
                values.setdefault(target, [])
                values[target] = [*values[target], given]
    return _page(
        request, ui, spec, key, creating, opened,
        values=values, etag=opened.etag, csrf=await _csrf(request),
    )  # fmt: skip


def _typed(spec: FormSpec, form: Any) -> dict[str, list[str]]:
    """What was sent for each field; several values of a list may share one box (`ML; SN`)."""
    typed: dict[str, list[str]] = {}
    for f in spec.fields:
        sent = [str(v) for v in form.getlist(f.name)]
        if f.kind is Kind.countries:
            sent = [part for v in sent for part in _SPLIT.split(v) if part]
        typed[f.name] = sent
    return typed


async def _posted(
    request: Request, settings: Any, spec: Any, doing: str
) -> tuple[Any, Any, Ui, str, str]:
    """What every saving POST starts with: the form, who sends it (a session with its CSRF
    token, or a bearer token; 401 without), their permission for the form (403), the reader,
    the version the form was opened at (its ETag field, else If-Match) and the CSRF token
    sent back on a refused form's page."""
    form = await request.form()
    csrf = str(form.get(CSRF_FIELD) or "")
    who = await _signed_in(request, settings, csrf=csrf or None)
    if who is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=f"sign in (/signin) or send a bearer token to {doing}",
            headers={"WWW-Authenticate": 'Bearer realm="sic"'},
        )
    _may(who, spec)
    etag = str(form.get(ETAG_FIELD) or request.headers.get("if-match", "")).strip('"')
    return form, who, reader(request), etag, csrf


async def _save(
    request: Request,
    settings: Any,
    store: Any,
    runner: Any,
    name: str,
    key: str,
    creating: bool,
) -> Response:
    spec = _spec(name)
    form, who, ui, etag, csrf = await _posted(request, settings, spec, "save a form")
    typed = _typed(spec, form)
    if creating and spec.keyed:
        key = str(form.get(KEY_FIELD) or "").strip()
    shown = {**typed, KEY_FIELD: [key]} if creating else typed
    prepare = Call(prepare_form, (name, key, typed, etag, who, creating))
    by = of_request(request, who, store.base)
    try:
        await runner.write(prepare, lambda prepared: store.commit(prepared, by))
    except StaleForm as exc:
        opened = await runner.call(open_form, name, "" if creating else key, who, ui.lang)
        return _page(
            request, ui, spec, key, creating, opened, values=shown, etag=exc.etag,
            csrf=csrf, stale=exc.current, stale_by=(exc.by, exc.when), status_code=409,
        )  # fmt: skip
    except FormRefused as exc:
        opened = await runner.call(open_form, name, "" if creating else key, who, ui.lang)
        return _page(
            request, ui, spec, key, creating, opened, values=shown, etag=etag, csrf=csrf,
            errors=problems_by_field(exc.problems, ui), status_code=422,
        )  # fmt: skip
    except ValidationFailed as exc:
        opened = await runner.call(open_form, name, "" if creating else key, who, ui.lang)
        focus = focus_of(spec, key, store.base) if key else ""
        return _page(
            request, ui, spec, key, creating, opened, values=shown, etag=etag, csrf=csrf,
            errors=violations_by_field(spec, focus, exc.violations, ui), status_code=422,
        )  # fmt: skip
    return RedirectResponse(_after(request, ui, spec, key, typed), 303, headers=NO_STORE)


def _after(
    request: Request, ui: Ui, spec: FormSpec, key: str, typed: Mapping[str, Sequence[str]]
) -> str:
    """Where a saved form leads: the resource's page (a funding: its project's)."""
    kind, shown = spec.kind, key
    if spec.name in ("funding", "role"):
        kind = "project" if spec.name == "funding" else "person"
        shown = next(iter(typed.get(kind, ())), "")
    return ui.url(str(request.url_for("resource", kind=kind, key=shown).path))


@router.get("/edit/links", include_in_schema=False)
async def edit_links(
    request: Request, settings: SettingsDep, runner: RunnerDep, kind: str = "", key: str = ""
) -> Response:
    """The forms the caller may open for one resource (shown on its page by _edit_links.html):
    none unless their role and scope take it."""
    who = await _signed_in(request, settings)
    root = root_of(request)
    links: list[dict[str, str]] = []
    form = EDITABLE.get(kind)
    proposing = who is not None and kind == "activity" and may_attempt(who, FORMS["project"].action)
    if proposing and await runner.call(may_propose, key, who):
        links.append({"form": "propose", "url": f"{root}/new/project?activity={quote(key)}"})
    if who is not None and form and may_attempt(who, FORMS[form].action):
        if not await runner.call(may_edit, form, key, who):
            return JSONResponse({"links": links}, headers=NO_STORE)
        links.append({"form": kind, "url": f"{root}/edit/{kind}/{quote(key)}"})
        if kind == "project":
            links += [{"form": p, "url": f"{root}/edit/project/{quote(key)}/{p}"} for p in PARTS]
            links.append({"form": "funding", "url": f"{root}/new/funding?project={quote(key)}"})
            links += _row_links(root, "funding", await runner.call(lines_of, kind, key, "funding"))
        if kind == "person":
            links.append({"form": "role", "url": f"{root}/new/role?person={quote(key)}"})
            links += _row_links(root, "role", await runner.call(lines_of, kind, key, "role"))
    return JSONResponse({"links": links}, headers=NO_STORE)


def _row_links(root: str, name: str, keys: Sequence[str]) -> list[dict[str, str]]:
    """Per line or role: its edit and removal forms; `row` says which one (data-{name})."""
    out = []
    for k in keys:
        at = quote(k, safe="")
        out += [
            {"form": f"{name}_edit", "row": k, "url": f"{root}/edit/{name}/{at}"},
            {"form": f"{name}_remove", "row": k, "url": f"{root}/remove/{name}/{at}"},
        ]
    return out


@router.get("/new/{name}", responses=_HTML, summary="A form for a new resource")
async def new_form(
    request: Request, name: str, settings: SettingsDep, runner: RunnerDep
) -> Response:
    if name not in CREATABLE:
        raise NotFound(f"no form for a new {name!r}")
    return await _show(request, settings, runner, name, "", True)


@router.post("/new/{name}", responses=_HTML, summary="Save a form for a new resource")
async def new_save(
    request: Request, name: str, settings: SettingsDep, store: StoreDep, runner: RunnerDep
) -> Response:
    if name not in CREATABLE:
        raise NotFound(f"no form for a new {name!r}")
    return await _save(request, settings, store, runner, name, "", True)


@router.get("/edit/project/{key}/{part}", responses=_HTML, summary="A form for part of a project")
async def part_form(
    request: Request, key: str, part: str, settings: SettingsDep, runner: RunnerDep
) -> Response:
    if part not in PARTS:
        raise NotFound(f"no form {part!r} for a project")
    return await _show(request, settings, runner, PARTS[part], key, False)


@router.post("/edit/project/{key}/{part}", responses=_HTML, summary="Save part of a project")
async def part_save(
    request: Request,
    key: str,
    part: str,
    settings: SettingsDep,
    store: StoreDep,
    runner: RunnerDep,
) -> Response:
    if part not in PARTS:
        raise NotFound(f"no form {part!r} for a project")
    return await _save(request, settings, store, runner, PARTS[part], key, False)


@router.get("/edit/{kind}/{key}", responses=_HTML, summary="A form to edit a resource")
async def edit_form(
    request: Request, kind: str, key: str, settings: SettingsDep, runner: RunnerDep
) -> Response:
    if kind not in EDITABLE:
        raise NotFound(f"no form to edit a {kind!r}")
    return await _show(request, settings, runner, EDITABLE[kind], key, False)


@router.post("/edit/{kind}/{key}", responses=_HTML, summary="Save a form that edits a resource")
async def edit_save(
    request: Request, kind: str, key: str, settings: SettingsDep, store: StoreDep,
    runner: RunnerDep,
) -> Response:  # fmt: skip
    if kind not in EDITABLE:
        raise NotFound(f"no form to edit a {kind!r}")
    return await _save(request, settings, store, runner, EDITABLE[kind], key, False)


def _removal_page(
    request: Request,
    ui: Ui,
    spec: FormSpec,
    key: str,
    opened: Opened,
    *,
    etag: str,
    csrf: str,
    errors: Mapping[str, list[Said]] | None = None,
    stale: Mapping[str, list[str]] | None = None,
    stale_by: tuple[str, str] = ("", ""),
    status_code: int = 200,
) -> Response:
    body = render_page(
        request,
        ui,
        "remove.html",
        status_code=status_code,
        spec=spec,
        key=key,
        values=opened.values,
        etag=etag,
        csrf=csrf,
        csrf_field=CSRF_FIELD,
        choices=opened.choices,
        general=[said for found in (errors or {}).values() for said in found],
        stale=stale,
        stale_by=stale_by,
        action=request.url.path,
    )
    return Response(
        body,
        status_code=status_code,
        media_type=HTML_TYPE,
        headers={**NO_STORE, "Content-Language": ui.lang, "ETag": f'"{etag}"'},
    )


@router.get("/remove/{name}/{key}", responses=_HTML, summary="Confirm a removal")
async def remove_form(
    request: Request, name: str, key: str, settings: SettingsDep, runner: RunnerDep
) -> Response:
    """What would be removed, with its version and a CSRF token: removing is a form too."""
    if name not in REMOVABLE:
        raise NotFound(f"no removal of a {name!r}")
    spec = FORMS[name]
    who = await _signed_in(request, settings)
    if who is None:
        return _signin(request)
    _may(who, spec)
    ui = reader(request)
    opened: Opened = await runner.call(open_form, name, key, who, ui.lang)
    return _removal_page(
        request, ui, spec, key, opened, etag=opened.etag, csrf=await _csrf(request)
    )


@router.post("/remove/{name}/{key}", responses=_HTML, summary="Remove a funding line or a role")
async def remove_save(
    request: Request, name: str, key: str, settings: SettingsDep, store: StoreDep,
    runner: RunnerDep,
) -> Response:  # fmt: skip
    """Remove the resource, if its version is the one confirmed and the shapes take the graph
    without it; attributed to who removed it, then on to the page it belonged to (303)."""
    if name not in REMOVABLE:
        raise NotFound(f"no removal of a {name!r}")
    spec = FORMS[name]
    _, who, ui, etag, csrf = await _posted(request, settings, spec, "remove")
    opened: Opened = await runner.call(open_form, name, key, who, ui.lang)
    prepare = Call(prepare_removal, (name, key, etag, who))
    by = of_request(request, who, store.base)
    try:
        await runner.write(prepare, lambda prepared: store.commit(prepared, by))
    except StaleForm as exc:
        return _removal_page(
            request, ui, spec, key, opened, etag=exc.etag, csrf=csrf, stale=exc.current,
            stale_by=(exc.by, exc.when), status_code=409,
        )  # fmt: skip
    except ValidationFailed as exc:
        focus = focus_of(spec, key, store.base)
        return _removal_page(
            request, ui, spec, key, opened, etag=etag, csrf=csrf,
            errors=violations_by_field(spec, focus, exc.violations, ui), status_code=422,
        )  # fmt: skip
    return RedirectResponse(_after(request, ui, spec, key, opened.values), 303, headers=NO_STORE)
