"""A project idea submitted as data, made ready to store: mapped, checked and validated.

A submitted project must become exactly the RDF that the same row of projects.csv would, so it
is mapped by the workbook's own mapping (loaders.record); then its id must be new, and the
store validates the change with the SHACL shapes against the whole graph. Every problem is
located at a field of the submission (its column), never at a row: a submission has one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pyoxigraph as ox

from graph.base import GraphStore, PreparedWrite
from graph.update import Delta
from loaders.builder import Builder
from loaders.record import project_record
from loaders.workbook import Workbook, trace
from queries.describe import compact_iri, solutions
from sic.errors import Conflict, Location, ValidationFailed, Violation
from sic.iris import graph_iri, mint
from sic.terms import to_pyoxigraph

BODY_SOURCE = "request body"
"""How problems in a submitted project name where they are (as a workbook names its file)."""
SUBMISSIONS = "updates"
"""The source a submitted project is stored in: the one SPARQL Update writes to."""


@dataclass(frozen=True)
class Submission:
    """A project idea as one projects.csv row: its id, its cells (column -> text), and the
    keys it refers to by sheet ("organisations", "alliances", "activities")."""

    id: str
    cells: Mapping[str, str]
    referenced: Mapping[str, Sequence[str]]


def map_submission(submission: Submission, base: str) -> tuple[Builder, Workbook]:
    """The RDF of a submission, by the workbook mapping of one projects.csv row; the shapes
    then check what its keys refer to."""
    return project_record(submission.cells, submission.referenced, base, BODY_SOURCE)


def _without_row(violations: list[Violation]) -> list[Violation]:
    """A submission has one row; locations name its field only."""
    out = []
    for v in violations:
        where = v.location
        if where is not None and where.file == BODY_SOURCE:
            where = Location(BODY_SOURCE, None, where.column)
        out.append(replace(v, location=where))  # every other field kept, translations too
    return out


def _loader_problems(builder: Builder, focus: str) -> list[Violation]:
    columns = {column: predicate for (_, predicate), column in builder.columns.items()}
    out = []
    for p in builder.problems:
        predicate = columns.get(p.location.column or "")
        out.append(
            Violation(
                focus_node=focus,
                path=compact_iri(str(predicate)) if predicate is not None else None,
                message=p.message,
                location=Location(BODY_SOURCE, None, p.location.column),
            )
        )
    return out


def prepare_submission(store: GraphStore, submission: Submission, base: str) -> PreparedWrite:
    """Map, check and validate a submission (in a worker): what the service then commits.

    :raises Conflict: a project with this id exists.
    :raises ValidationFailed: every problem, located at the submission's fields.
    """
    builder, workbook = map_submission(submission, base)
    focus = str(mint("project", submission.id, base))
    if builder.problems:
        raise ValidationFailed(_loader_problems(builder, focus))
    if solutions(store, "describe-resource", limit=1, this=ox.NamedNode(focus)).rows:
        raise Conflict(f"a project with id {submission.id!r} exists")
    delta = Delta(added={str(graph_iri(SUBMISSIONS, base)): set(to_pyoxigraph(builder.graph))})
    try:
        return store.prepare_delta(delta, command="POST /api/projects")
    except ValidationFailed as exc:
        raise ValidationFailed(_without_row(trace(exc.violations, workbook))) from None
