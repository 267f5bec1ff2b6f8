"""Answers kept per store version: served again until a write, never for other data."""

from __future__ import annotations

from runner.kept import AnswerCache


def _answer(size: int, fill: bytes = b"x") -> bytes:
    return fill * size


def _job(n: int) -> tuple[str, int]:
    return ("select", n)


def test_an_answer_is_kept_for_its_version_only() -> None:
    cache = AnswerCache(1000)
    assert cache.get("v1", _job(1)) is None
    cache.put("v1", _job(1), _answer(10), 10)
    assert cache.get("v1", _job(1)) == _answer(10)
    assert cache.get("v1", _job(2)) is None
    assert cache.get("v2", _job(1)) is None  # the store changed: everything kept is gone
    assert len(cache) == 0 and cache.size == 0
    assert (cache.hits, cache.misses) == (1, 3)


def test_an_answer_computed_on_older_data_is_not_kept() -> None:
    cache = AnswerCache(1000)
    cache.get("v2", _job(1))
    cache.put("v1", _job(1), _answer(10), 10)  # a slow query that started before the write
    assert cache.get("v2", _job(1)) is None


def test_the_least_recently_used_answers_go_first() -> None:
    cache = AnswerCache(800)  # one answer may take 100 bytes
    cache.get("v", _job(0))
    for n in range(8):
        cache.put("v", _job(n), _answer(100), 100)
    assert cache.size == 800
    assert cache.get("v", _job(0)) is not None  # now the most recently used
    cache.put("v", _job(8), _answer(100), 100)
    assert cache.get("v", _job(1)) is None
    assert cache.get("v", _job(0)) is not None and cache.get("v", _job(8)) is not None
    assert cache.size == 800


def test_a_huge_answer_is_not_kept_and_zero_turns_the_cache_off() -> None:
    cache = AnswerCache(800)
    cache.get("v", _job(0))
    cache.put("v", _job(0), _answer(101), 101)
    assert cache.get("v", _job(0)) is None
    off = AnswerCache(0)
    off.get("v", _job(0))
    off.put("v", _job(0), _answer(0), 0)
    assert off.get("v", _job(0)) is None and len(off) == 0
