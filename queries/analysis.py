"""How a question answered in Python declares itself: its header beside its function.

A `.rq` file opens with a `#+` header (summary, description, parameters, columns); an analysis
carries the same header in an `@analysis(...)` decorator, so what a caller may ask and what comes
back are read where the answer is computed. The decorator only records: the catalogue
(queries/catalogue.py) collects the analyses of the modules it lists, and its name for one is the
function's name with dashes (`candidates_for_activity` answers `candidates-for-activity`), as a
`.rq` file's name is its file name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graph.base import GraphStore
from queries.answer import Row
from queries.params import Bound
from sic.rq import Param

Compute = Callable[[GraphStore, Bound], list[Row]]


@dataclass(frozen=True)
class Analysis:
    """A question answered by a Python function, with the header callers read."""

    name: str
    summary: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    description: str
    compute: Compute

    def __call__(self, store: GraphStore, bound: Bound) -> list[Row]:
        return self.compute(store, bound)


def analysis(
    summary: str,
    *,
    params: tuple[Param, ...],
    columns: str,
    description: str = "",
) -> Callable[[Compute], Analysis]:
    """Declare the function below as the analysis of that name, with this header.

    `columns` names the columns of every row, in order, separated by spaces.
    """

    def declare(compute: Compute) -> Analysis:
        name = compute.__name__.replace("_", "-")
        return Analysis(name, summary, params, tuple(columns.split()), description, compute)

    return declare


def code_param(kind: str, description: str, *, required: bool = False) -> Param:
    """A parameter naming one entity by its key (or IRI), named after the entity's kind."""
    return Param(kind, "code", required=required, kind=kind, description=description)


def top_param(default: int, limit: int, what: str) -> Param:
    """How many rows a ranking gives: `top`, from 1 to `limit`."""
    return Param(
        "top", "integer", default=default, minimum=1, maximum=limit, description=f"how many {what}"
    )
