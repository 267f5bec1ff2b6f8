"""How long a project page and an alliance page take to build, without any answer kept.

Usage: `python -m bench.group_pages <workbook-dir> --runs 5 [--json out.json]` (a workbook from
`python -m bench.generate S --out ...`, or data/reference). The workbook is loaded with the
ontology into an in-memory store, as `sic serve` holds one. Then, for `runs` different projects
and `runs` different alliances (spread over the data, each asked once, so no answer kept per
parameters serves a run):

- the page model (queries.group_pages: the `project-*` / `alliance-*` blocks), and
- the suggestions beside it (api.group_suggestions: candidates-for-project and
  funders-for-project for a project, candidates-for-activity per activity for an alliance),

each timed on its own. The rankings' weights are those the service uses while it fits them in
the background (queries.learned.defer_fits: the hand-set ones until a fit is adopted), so no
page waits for a fit, here as there. The network projections the rankings read are built on first use and
then kept per store version, as the service keeps them from its start; what that first use
costs (the first suggestions after a load, and the names and choices of the pages) is
reported apart (`cold`): the first page after a load or a restart pays it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Reader:
    """The page's reader for the benchmark: English, links as given."""

    lang: str = "en"

    def url(self, path: str, **params: object) -> str:
        return path


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """`fn()` and how long it took, in milliseconds."""
    started = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - started) * 1000


def spread(keys: Sequence[str], count: int) -> list[str]:
    """`count` keys spread evenly over `keys` (sorted), so runs see different parts of the data.

    >>> spread(["a", "b", "c", "d", "e", "f"], 3)
    ['a', 'c', 'e']
    """
    ordered = sorted(keys)
    if count >= len(ordered):
        return ordered
    step = len(ordered) / count
    return [ordered[int(i * step)] for i in range(count)]


def summary(times: Sequence[float]) -> dict[str, float]:
    return {
        "runs": len(times),
        "median ms": round(statistics.median(times), 1),
        "min ms": round(min(times), 1),
        "max ms": round(max(times), 1),
    }


def measure(workbook: Path, runs: int) -> dict[str, Any]:
    """The figures described in the module docstring."""
    from queries.learned import defer_fits

    defer_fits()
    try:
        return _measure(workbook, runs)
    finally:
        defer_fits(False)


def _measure(workbook: Path, runs: int) -> dict[str, Any]:
    from api.group_suggestions import alliance_suggestions, project_suggestions
    from graph.bootstrap import load_with_ontology
    from graph.factory import open_store
    from loaders.source import read_source
    from queries.group_pages import alliance_page, project_page
    from queries.labels import read_labels
    from queries.network import projections
    from queries.page_data import Lookups, View, read_choices

    store = open_store(None)
    _, load_ms = timed(
        lambda: load_with_ontology(
            store, read_source(workbook, base=store.base), command="bench.group_pages"
        )
    )
    sources = store.sources()
    view, view_ms = timed(
        lambda: View(store, Reader(), read_labels(store), read_choices(store), Lookups(store))
    )
    groups, groups_ms = timed(lambda: list(projections(store).members_of))
    projects = spread([k for kind, k in groups if kind == "project"], runs + 1)
    alliances = spread([k for kind, k in groups if kind == "alliance"], runs + 1)
    _, cold_ms = timed(lambda: project_suggestions(view, projects[0]))

    parts: dict[str, list[float]] = {
        "project model": [],
        "project suggestions": [],
        "alliance model": [],
        "alliance suggestions": [],
    }
    for key in projects[1:]:
        parts["project model"].append(timed(partial(project_page, view, key, sources))[1])
        parts["project suggestions"].append(timed(partial(project_suggestions, view, key))[1])
    for key in alliances[1:]:
        page, model_ms = timed(partial(alliance_page, view, key, sources))
        parts["alliance model"].append(model_ms)
        activities = [a.activity for a in page.activities]
        members = {m.organisation for m in page.members}
        parts["alliance suggestions"].append(
            timed(partial(alliance_suggestions, view, key, activities, members))[1]
        )
    return {
        "workbook": str(workbook),
        "triples": sum(s.triples for s in sources),
        "projects": sum(1 for kind, _ in groups if kind == "project"),
        "alliances": sum(1 for kind, _ in groups if kind == "alliance"),
        "load ms": round(load_ms),
        "cold": {
            "page view (labels, choices) ms": round(view_ms, 1),
            "projections: who is in which group ms": round(groups_ms, 1),
            "first project suggestions ms": round(cold_ms, 1),
        },
        **{name: summary(times) for name, times in parts.items() if times},
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", type=Path, help="a workbook folder or .xlsx")
    parser.add_argument("--runs", type=int, default=5, help="projects and alliances timed")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    figures = measure(args.workbook, max(1, args.runs))
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
