"""Answers kept for the store version they were computed on.

Dashboards, notebooks and other services send the same queries again and again, and the data
only changes when someone writes. An answer is therefore kept, keyed by everything that shapes
it (for a SPARQL query: its text, dataset, Accept header, row limit and base IRI) and by the
store version it was computed on; the first lookup under a new version empties the cache, so an
answer is never served for data it was not computed from. Errors and timeouts are not kept.

Measured with wrk on two cores, on the benchmark's engine-bound query (projects per objective,
95k triples, 1 / 4 / 16 connections): 5,281 / 7,678 / 7,807 req/s served again against
200 / 449 / 414 computed each time, since a kept answer needs no worker round trip. The
cache is bounded in bytes (SIC_ANSWER_CACHE_MB, 0 turns it off), least recently used answers
go first, and one answer may take at most an eighth of it, so a few huge CONSTRUCTs cannot
push out everything else.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class AnswerCache:
    """Least-recently-used answers of one store version, at most `max_bytes` of them."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_answer = max_bytes // 8
        self._version: str | None = None
        self._answers: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._answers)

    @property
    def size(self) -> int:
        """Bytes of answers held (as they crossed from the worker)."""
        return self._bytes

    def _at(self, version: str) -> None:
        if version != self._version:
            self._answers.clear()
            self._bytes = 0
            self._version = version

    def forget(self) -> None:
        """Drop every answer (what they were computed with has changed)."""
        self._answers.clear()
        self._bytes = 0

    def get(self, version: str, key: Hashable) -> Any | None:
        """The answer kept for `key` on this store version, if any."""
        if not self.max_bytes:
            return None
        self._at(version)
        kept = self._answers.get(key)
        if kept is None:
            self.misses += 1
            return None
        self._answers.move_to_end(key)
        self.hits += 1
        return kept[0]

    def put(self, version: str, key: Hashable, answer: Any, size: int) -> None:
        """Keep an answer computed on `version` (ignored if the store has moved on since)."""
        if not self.max_bytes or size > self.max_answer or version != self._version:
            return  # off, too big, or computed on data that is no longer (or not yet) current
        old = self._answers.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._answers[key] = (answer, size)
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, (_, evicted) = self._answers.popitem(last=False)
            self._bytes -= evicted
