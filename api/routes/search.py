"""The search box: GET /search (a page of results) and GET /api/search (the same as JSON).

Both run in a query worker, which keeps the search index of its store version
(queries.search, built on first use from search-names.rq): a worker forked after a write holds
the new version, so a name written a moment ago is found by the next search. The header of
every page holds the box, a plain GET form to /search; api/static/search.js turns it into a
combobox that asks /api/search as the person types.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import StoreDep
from api.i18n import SUPPORTED
from api.in_worker import in_worker
from api.models import SearchHit, SearchResults
from api.responses import cached
from api.routes.pages import html_page, reader
from graph.base import GraphStore
from queries import page_data as pages
from queries.search import MAX_LIMIT, SearchIndex, read_index

router = APIRouter(tags=["search"])

Text = Annotated[
    str,
    Query(
        max_length=1000,
        description="what was typed: words of names, titles, acronyms or codes, in any of the "
        "three languages; accents, case and punctuation do not matter (the first 200 "
        "characters are read)",
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="the most results to return")]
Lang = Annotated[
    Literal["en", "fr", "es"] | None,
    Query(description="the language of the names returned (default: Accept-Language)"),
]
PAGE_LIMIT = 30
"""Results the /search page shows."""


def index_of(request: Request, store: GraphStore) -> SearchIndex:
    """The search index of the store's current version, built on first use in this worker."""
    return cached(request, "search-index", read_index).get(store, store.version())


def _language(request: Request, lang: str | None) -> str:
    return lang if lang in SUPPORTED else reader(request).lang


@router.get(
    "/api/search",
    response_model=SearchResults,
    summary="Find organisations, people, projects, activities and objectives by name or code",
)
@in_worker
def search_api(
    request: Request, store: StoreDep, q: Text = "", lang: Lang = None, limit: Limit = 10
) -> SearchResults:
    """The best matches, best first: a code or acronym typed in full, then a whole name, then
    names that start with the text, then names holding every word typed (BM25). What is typed
    is matched as plain words: quotes, AND, `*` or parentheses are never query syntax."""
    language = _language(request, lang)
    hits = index_of(request, store).search(q, limit)
    return SearchResults(
        q=q,
        lang=language,
        limit=limit,
        results=[SearchHit.model_validate(h.as_json(language)) for h in hits],
    )


@router.get(
    "/search",
    response_class=Response,
    responses={200: {"description": "The page.", "content": {"text/html": {}}}},
    summary="The search page",
)
@in_worker
def search_page(request: Request, store: StoreDep, q: Text = "") -> Response:
    """The results of the header's search box, for a browser without JavaScript too."""
    lang = reader(request).lang

    def build(_: pages.View) -> dict[str, Any]:
        hits = index_of(request, store).search(q, PAGE_LIMIT) if q.strip() else []
        return {"q": q, "hits": [h.as_json(lang) for h in hits], "limit": PAGE_LIMIT}

    return html_page(request, store, "search.html", build)
