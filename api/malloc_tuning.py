"""glibc's per-thread cache of freed blocks, made larger for `sic serve`.

Why: an HTTP process answers point queries on its event loop (runner.in_process `here`), and
the allocations of many answers in flight at once (pyoxigraph's evaluator, the answer's text
and bytes) overflowed glibc's thread cache, 7 blocks per size by default: the rest went through
malloc's shared bins, `_int_malloc` rose to 14% of the CPU in a profile at 16 connections, and
throughput fell below what handing every query to a thread gave. With 2,000 blocks per size, at
M on 2 cores: 16 connections 8,700-9,300 -> 10,400-11,100 req/s, 4 connections unchanged
(bench/RESULTS.md). The cache is a start-up tunable (GLIBC_TUNABLES, read by the dynamic
loader), so `sic serve` starts itself again with it, once, before doing anything; the service
forks its HTTP processes, which inherit it. A GLIBC_TUNABLES that already sets the cache is
left as it is, and anything but glibc is left alone.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping, Sequence

TCACHE_COUNT = 2000
"""Freed blocks kept per size and thread (glibc's default: 7)."""

_TUNABLE = "glibc.malloc.tcache_count"


def tuned_environment(environ: Mapping[str, str]) -> dict[str, str] | None:
    """`environ` with the thread cache set, or None when it already says how large it is."""
    tunables = environ.get("GLIBC_TUNABLES", "")
    if _TUNABLE in tunables:
        return None
    setting = f"{_TUNABLE}={TCACHE_COUNT}"
    return {**environ, "GLIBC_TUNABLES": f"{tunables}:{setting}" if tunables else setting}


def restart_tuned(argv: Sequence[str]) -> None:
    """Replace this process by the same command with the thread cache set (see the module
    docstring); return only if that is not needed, not possible, or fails."""
    if sys.platform != "linux" or platform.libc_ver()[0] != "glibc":
        return
    env = tuned_environment(os.environ)
    if env is None:
        return
    try:
        os.execve(sys.executable, list(argv), env)  # noqa: S606 - this very command again
    except OSError:
        return  # served as it is, only without the larger cache
