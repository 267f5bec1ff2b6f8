"""The service's own error sentences said again in the reader's language.

A syntax error of a query (graph.syntax_hint) and a write refused by the permission rules
(accounts.permissions) are written in English where they happen, since the protocol's clients,
the logs and the CLI read English. The errors carry what is needed to say them again
(sic.errors.QuerySyntaxError, Refused), and this module does so in the reader's language: a page
(an error page, the /sparql results page) in the page's language; a JSON error keeps `detail` in
English, as every client of the API reads it, and adds `translated` ({"lang", "detail"}) when the
request names a language (`?lang=`, or a supported one in Accept-Language). The words are the
`syntax.*` and `refusal.*` keys of api/locales/service.*.json.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from api.error_pages import error_page, wants_html
from api.i18n import SUPPORTED, Ui, accepted_languages, messages
from graph.syntax_hint import explain
from sic.errors import QuerySyntaxError, Refused

SCOPE_PARTS = ("objective", "region", "organisation")


def syntax_in(error: QuerySyntaxError, ui: Ui) -> str:
    """The syntax error in the reader's language; the engine's own message stays as it is."""
    said = explain(error.text, error.engine, messages(ui.lang))
    return ui("syntax.update", said=said) if error.update else said


def refusal_in(error: Refused, ui: Ui) -> str:
    """The refusal in the reader's language: the role by its name in that language, the kind
    of thing and the scope in its words."""
    values = dict(error.values)
    role = ui(f"role.{values['role']}") if values.get("role") else values.get("name", "")
    kind = values.get("kind", "")
    if error.key == "refusal.raw":
        return ui("refusal.raw", role=role, action=ui(f"refusal.action.{values.get('action')}"))
    if error.key == "refusal.kind":
        return ui("refusal.kind", role=role, kinds=ui(f"refusal.kinds.{kind}"))
    parts = [ui(f"refusal.scope_{p}", value=values[p]) for p in SCOPE_PARTS if values.get(p)]
    scope = ", ".join(parts) or "-"
    return ui(error.key, this=ui(f"refusal.this.{kind}"), name=values.get("name", ""), scope=scope)


def said_in(error: QuerySyntaxError | Refused, ui: Ui) -> str:
    """Either error's sentence in the language of `ui`."""
    if isinstance(error, QuerySyntaxError):
        return syntax_in(error, ui)
    return refusal_in(error, ui)


def named_language(request: Request) -> str | None:
    """The language the request names: `?lang=` when supported, else the best supported one
    of Accept-Language; None when it names none (the English `detail` is then all)."""
    given = (request.query_params.get("lang") or "").lower()
    if given in SUPPORTED:
        return given
    for tag in accepted_languages(request.headers.get("accept-language")):
        if tag in SUPPORTED:
            return tag
    return None


def error_body(request: Request, error: QuerySyntaxError | Refused) -> dict[str, Any]:
    """The JSON error: `detail` in English, and `translated` when the request names a language."""
    body: dict[str, Any] = {"detail": str(error)}
    told = named_language(request)
    if told is not None:
        body["translated"] = {"lang": told, "detail": said_in(error, Ui(told))}
    return body


def install(app: FastAPI) -> None:
    """Answer these two errors in the reader's language (the handler of the most specific
    class wins, so the application's handlers of QueryError and Forbidden stay for the rest)."""

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, QuerySyntaxError | Refused)
        status = 400 if isinstance(exc, QuerySyntaxError) else 403
        if wants_html(request.headers.get("accept")):
            from api.routes.pages import reader  # the pages import the app's modules

            return error_page(request, status, said_in(exc, reader(request)))
        headers = {"Vary": "Accept-Language"}
        return JSONResponse(error_body(request, exc), status_code=status, headers=headers)

    app.add_exception_handler(QuerySyntaxError, handler)
    app.add_exception_handler(Refused, handler)
