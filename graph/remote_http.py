"""The wire side of the remote backend: SPARQL 1.1 Protocol, Update and Graph Store Protocol.

Queries go through SPARQLWrapper as form-encoded POSTs (Virtuoso hangs on a direct POST of the
query), with the dataset given by the protocol's default-graph-uri / named-graph-uri parameters
so that a query only ever sees the graphs the store names. Results are read as SPARQL JSON by
our own small reader rather than pyoxigraph's, because servers bend the format: Virtuoso names
blank nodes `nodeID://b10003` (not a valid label) and writes xsd:boolean as 1/0 in JSON.
Errors are mapped once here: a refused query is a QueryError carrying the server's message;
an unreachable or failing server is StoreUnavailable.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import ASK, CONSTRUCT, INSERT, JSON, POST, SELECT, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from graph.results import Term
from sic.errors import QueryError, StoreUnavailable

_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BNODE_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
# Virtuoso reports SPARQL compile errors (SP0xx) and some refusals with status 500.
_VIRTUOSO_QUERY_ERROR = re.compile(r"Virtuoso (37000|22023|42000|22007|22005) Error")


@dataclass
class Credentials:
    """HTTP basic (user + password) or bearer (token) credentials for every request."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def header(self) -> str | None:
        if self.token:
            return f"Bearer {self.token}"
        if self.user is not None:
            pair = f"{self.user}:{self.password or ''}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return None


@dataclass
class Page:
    """One SELECT response: variables, rows, and whether the server said it cut them."""

    variables: list[str]
    rows: list[list[Term | None]]
    capped_at: int | None = None


@dataclass
class Endpoints:
    """Where to send queries, updates and Graph Store Protocol requests."""

    query: str
    update: str | None = None
    gsp: str | None = None
    credentials: Credentials = field(default_factory=Credentials)
    timeout: float = 60.0


def _bnode(value: str) -> ox.BlankNode:
    """A blank node from a server's label, made valid (Virtuoso: `nodeID://b10003`)."""
    label = value.removeprefix("nodeID://").removeprefix("_:")
    if not _BNODE_LABEL.fullmatch(label):
        label = "x" + hashlib.sha256(value.encode()).hexdigest()[:32]
    return ox.BlankNode(label)


def term_from_json(data: dict[str, Any], *, virtuoso: bool) -> Term:
    """One term of the SPARQL 1.1 JSON results format (and the older `typed-literal`)."""
    kind = data.get("type")
    value = data.get("value")
    if kind == "uri" and isinstance(value, str):
        return ox.NamedNode(value)
    if kind == "bnode" and isinstance(value, str):
        return _bnode(value)
    if kind in ("literal", "typed-literal") and isinstance(value, str):
        lang = data.get("xml:lang")
        if lang:
            return ox.Literal(value, language=str(lang))
        datatype = data.get("datatype")
        if datatype:
            if virtuoso and datatype == _XSD_BOOLEAN and value in ("1", "0"):
                value = "true" if value == "1" else "false"
            return ox.Literal(value, datatype=ox.NamedNode(str(datatype)))
        return ox.Literal(value)
    if kind == "triple" and isinstance(value, dict):
        s = term_from_json(value["subject"], virtuoso=virtuoso)
        p = term_from_json(value["predicate"], virtuoso=virtuoso)
        o = term_from_json(value["object"], virtuoso=virtuoso)
        if not isinstance(p, ox.NamedNode) or isinstance(s, ox.Literal):
            raise StoreUnavailable(f"the server sent an impossible triple term: {data!r}")
        return ox.Triple(s, p, o)
    raise StoreUnavailable(f"the server sent a term this client cannot read: {data!r}")


def _wrapper_body(exc: SPARQLWrapperException) -> str:
    """The server's message inside a SPARQLWrapper exception (kept there as a bytes repr)."""
    text = str(exc)
    if "Response:\n" not in text:
        return text
    raw = text.split("Response:\n", 1)[1]
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw
    return _message(value)


def _message(body: object) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    return text.strip()[:2000]


class SparqlClient:
    """Sends queries, updates and GSP requests to one server; maps its errors to ours."""

    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        self.server = ""  # the Server header last seen (tells Virtuoso apart)
        # Set when the server refused an ORDER BY with LIMIT + OFFSET past its cap (Virtuoso).
        self.sort_cap_seen = False

    @property
    def virtuoso(self) -> bool:
        return self.server.lower().startswith("virtuoso")

    def _wrapper(self, text: str, accept: str, form: str) -> SPARQLWrapper:
        ep = self.endpoints
        sw = SPARQLWrapper(ep.query, updateEndpoint=ep.update or ep.query)
        sw.setMethod(POST)
        sw.setRequestMethod(URLENCODED)
        sw.setOnlyConneg(True)
        sw.setReturnFormat(JSON)
        sw.setTimeout(int(max(ep.timeout, 1)))
        sw.addCustomHttpHeader("Accept", accept)
        auth = ep.credentials.header()
        if auth:
            sw.addCustomHttpHeader("Authorization", auth)
        sw.setQuery(text)
        # The caller knows the form; SPARQLWrapper guesses it from the text and its comment
        # stripping keeps every other line of a comment block, so a query commented "... the
        # activities it addresses" was taken for an ADD and sent as an update.
        sw.queryType = form
        return sw

    def _send(
        self,
        text: str,
        *,
        accept: str,
        form: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> tuple[bytes, http.client.HTTPMessage]:
        sw = self._wrapper(text, accept, form)
        for g in default_graphs:
            sw.addParameter("default-graph-uri", g)
        for g in named_graphs:
            sw.addParameter("named-graph-uri", g)
        where = sw.updateEndpoint if sw.isSparqlUpdateRequest() else sw.endpoint
        try:
            result = sw.query()
            body = result.response.read()
            headers = result.response.info()
        except SPARQLWrapperException as exc:
            raise self._error(exc, where) from exc
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc, where) from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise StoreUnavailable(f"cannot reach the SPARQL endpoint {where}: {exc}") from exc
        self.server = headers.get("Server", "") or self.server
        return body, headers

    def _error(self, exc: SPARQLWrapperException, where: str) -> Exception:
        """SPARQLWrapper's exceptions carry the status in their class and the body in a repr."""
        body = _wrapper_body(exc)
        if isinstance(exc, QueryBadFormed):
            return QueryError(f"the server refused the query: {body}")
        if isinstance(exc, Unauthorized):
            return StoreUnavailable(f"the SPARQL endpoint {where} refused the credentials")
        if isinstance(exc, EndPointNotFound):
            return StoreUnavailable(f"no SPARQL endpoint at {where} (404)")
        if isinstance(exc, URITooLong):
            return QueryError(f"the request is too long for the server: {body[:200]}")
        if _VIRTUOSO_QUERY_ERROR.search(body):
            return QueryError(f"the server refused the query: {body}")
        return StoreUnavailable(f"the SPARQL endpoint {where} failed: {body}")

    def _http_error(self, exc: urllib.error.HTTPError, where: str) -> Exception:
        body = _message(exc.read())
        if exc.code in (401, 403):
            return StoreUnavailable(f"the endpoint {where} refused the credentials ({exc.code})")
        if 400 <= exc.code < 500:
            return QueryError(f"the server refused the request ({exc.code}): {body}")
        if _VIRTUOSO_QUERY_ERROR.search(body):
            return QueryError(f"the server refused the request: {body}")
        return StoreUnavailable(f"the endpoint {where} failed ({exc.code}): {body}")

    # -- queries -----------------------------------------------------------------------------

    def select(
        self, text: str, *, default_graphs: Sequence[str], named_graphs: Sequence[str]
    ) -> Page:
        body, headers = self._send(
            text,
            accept="application/sparql-results+json",
            form=SELECT,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
        )
        data = self._json(body)
        variables = [str(v) for v in data.get("head", {}).get("vars", [])]
        rows: list[list[Term | None]] = []
        virtuoso = self.virtuoso
        for binding in data.get("results", {}).get("bindings", []):
            rows.append(
                [
                    term_from_json(binding[v], virtuoso=virtuoso) if v in binding else None
                    for v in variables
                ]
            )
        cap = headers.get("X-SPARQL-MaxRows")
        return Page(variables, rows, int(cap) if cap and cap.isdigit() else None)

    def ask(self, text: str, *, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> bool:
        body, _ = self._send(
            text,
            accept="application/sparql-results+json",
            form=ASK,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
        )
        value = self._json(body).get("boolean")
        if not isinstance(value, bool):
            raise StoreUnavailable("the server answered an ASK query without a boolean")
        return value

    def graph(
        self, text: str, *, default_graphs: Sequence[str], named_graphs: Sequence[str]
    ) -> list[ox.Triple]:
        """A CONSTRUCT or DESCRIBE answer, read as N-Triples."""
        body, _ = self._send(
            text,
            accept="application/n-triples",
            form=CONSTRUCT,  # or DESCRIBE: the same to the protocol
            default_graphs=default_graphs,
            named_graphs=named_graphs,
        )
        try:
            return [
                t for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES) if isinstance(t, ox.Triple)
            ]
        except SyntaxError as exc:
            raise StoreUnavailable(f"the server sent unreadable N-Triples: {exc}") from exc

    @staticmethod
    def _json(body: bytes) -> dict[str, Any]:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise StoreUnavailable(
                f"the server did not answer in SPARQL JSON: {_message(body)[:300]}"
            ) from exc
        if not isinstance(data, dict):
            raise StoreUnavailable("the server's SPARQL JSON answer is not an object")
        return data

    # -- writes ------------------------------------------------------------------------------

    def update(self, text: str) -> None:
        """One SPARQL Update request (the server applies it as one transaction)."""
        if self.endpoints.update is None:
            raise StoreUnavailable(
                "no SPARQL Update endpoint: give --update-endpoint (env SIC_UPDATE_ENDPOINT)"
            )
        self._send(text, accept="*/*", form=INSERT)  # any update form: sent as `update=`

    def gsp_post(self, graph: str, ntriples: bytes) -> None:
        """Add N-Triples to one graph with the Graph Store Protocol (no size limit on text)."""
        if self.endpoints.gsp is None:
            raise StoreUnavailable("no Graph Store Protocol endpoint configured")
        ep = self.endpoints
        sep = "&" if "?" in ep.gsp else "?"  # type: ignore[operator]
        url = f"{ep.gsp}{sep}{urllib.parse.urlencode({'graph': graph})}"
        request = urllib.request.Request(url, data=ntriples, method="POST")  # noqa: S310
        request.add_header("Content-Type", "application/n-triples")
        auth = ep.credentials.header()
        if auth:
            request.add_header("Authorization", auth)
        try:
            with urllib.request.urlopen(request, timeout=ep.timeout) as response:  # noqa: S310
                response.read()
                self.server = response.headers.get("Server", "") or self.server
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc, url) from exc
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            raise StoreUnavailable(f"cannot reach the Graph Store endpoint {url}: {exc}") from exc
