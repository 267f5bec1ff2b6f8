"""`sic serve` starts with a larger malloc thread cache (api.malloc_tuning)."""

from __future__ import annotations

from api.malloc_tuning import TCACHE_COUNT, tuned_environment


def test_the_cache_is_added_to_the_environment() -> None:
    assert tuned_environment({"PATH": "/bin"}) == {
        "PATH": "/bin",
        "GLIBC_TUNABLES": f"glibc.malloc.tcache_count={TCACHE_COUNT}",
    }


def test_other_tunables_are_kept() -> None:
    env = tuned_environment({"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"})
    assert env == {
        "GLIBC_TUNABLES": f"glibc.malloc.arena_max=2:glibc.malloc.tcache_count={TCACHE_COUNT}"
    }


def test_a_cache_set_by_the_user_is_left_alone() -> None:
    assert tuned_environment({"GLIBC_TUNABLES": "glibc.malloc.tcache_count=50"}) is None
