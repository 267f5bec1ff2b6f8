"""The first requests to a freshly started service, where a W3C run once saw a crash.

While the W3C suites ran, `bind03`'s query answered 500 on the very first JSON request to a
fresh server holding only its data, and the kernel logged segfaults inside pyoxigraph in `sic`
worker processes. Each case here starts a new `sic serve --empty`, puts that data with the
Graph Store Protocol and sends the query as its first JSON request, several times over: every
answer must be the right one, and no worker may have died (the pool logs each death).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

BIND = Path(__file__).parents[1] / "data" / "w3c-eval" / "bind"
LOOPS = ("asyncio", "uvloop")
"""The loops `sic serve --loop` offers: uvloop's watcher once broke every reply over 16 KB."""


@pytest.mark.parametrize(("loop", "attempt"), [(loop, n) for loop in LOOPS for n in range(2)])
def test_the_first_json_answer_of_a_fresh_service_is_right(
    sic_service: Callable[..., Any], loop: str, attempt: int
) -> None:
    live = sic_service(empty=True, args=["--loop", loop])
    with httpx.Client(base_url=live.url, timeout=30) as client:
        put = client.put(
            "/data?default",
            content=(BIND / "data.ttl").read_bytes(),
            headers={"Authorization": f"Bearer {live.token}", "Content-Type": "text/turtle"},
        )
        assert put.status_code in (201, 204), put.text
        answers = [
            client.get(
                "/sparql",
                params={"query": (BIND / "bind03.rq").read_text()},
                headers={"Accept": "application/sparql-results+json"},
            )
            for _ in range(3)
        ]
    for answer in answers:
        assert answer.status_code == 200, answer.text[:300]
        rows = {(b["z"]["value"], b["s1"]["value"]) for b in answer.json()["results"]["bindings"]}
        assert rows == {(str(n), f"http://example.org/s{n}") for n in (2, 3, 4)}
    assert "stopped while" not in live.log_text(), live.log_text()[-2000:]


@pytest.mark.parametrize("loop", LOOPS)
def test_answers_of_megabytes_arrive_whole_on_either_loop(
    sic_service: Callable[..., Any], loop: str
) -> None:
    """Large replies cross from a worker under both loops (uncached, several at once)."""
    live = sic_service(args=["--loop", loop], env={"SIC_ANSWER_CACHE_MB": "0"})
    query = "SELECT * WHERE { ?s ?p ?o } # "

    def fetch(n: int) -> httpx.Response:
        return httpx.get(
            f"{live.url}/sparql",
            params={"query": f"{query}{n}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(fetch, range(8)))
    sizes = {len(a.content) for a in answers}
    assert all(a.status_code == 200 for a in answers), [a.text[:200] for a in answers]
    assert min(sizes) > 500_000 and len(sizes) == 1, sizes
    counts = {len(a.json()["results"]["bindings"]) for a in answers}
    assert len(counts) == 1
