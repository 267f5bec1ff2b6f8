"""A SPARQL answer for the results page: the protocol's answer plus the names of what it holds.

Run as one worker call (runner.pool), so the names are read from the worker's store under the
same time limit as the query, and the service process never reads the store itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from api.sparql_answers import QueryAnswer, QueryJob, execute
from graph.base import GraphStore
from queries.labels import Labels
from queries.result_labels import labels_of, own_iris

RESULTS_JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class PageAnswer:
    """The answer as any client gets it, and the names of this service's IRIs in it."""

    answer: QueryAnswer
    labels: Labels


def execute_for_page(store: GraphStore, job: QueryJob) -> PageAnswer:
    """Run the query (api.sparql_answers.execute) and, for a table, read the names of the
    first IRIs of this service it holds (queries.result_labels).

    :raises QueryError: malformed or refused (SERVICE).
    :raises StoreError: the store failed.
    """
    answer = execute(store, job)
    if not answer.content_type.startswith(RESULTS_JSON):
        return PageAnswer(answer, Labels({}))
    named = own_iris(json.loads(answer.body), store.base)
    return PageAnswer(answer, labels_of(store, named))
