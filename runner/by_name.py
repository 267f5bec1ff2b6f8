"""Functions that cross to a worker by a registered name, and the store that stays behind.

A worker runs `fn(store, *args)` with `fn` pickled by reference (runner.pool.Call). A face
that wraps its functions (a route declared to run in a worker keeps its signature for the web
framework, so its module attribute is the wrapper) registers them and sends their name
instead; an argument that is the caller's store travels as a placeholder, and the worker puts
its own copy of the store in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graph.base import GraphStore

_NAMED: dict[str, Callable[..., Any]] = {}

STORE = "<the worker's store>"
"""What travels instead of the caller's store."""


def register(fn: Callable[..., Any]) -> str:
    """Make `fn` callable by name in the workers forked from now on; answers its name."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    _NAMED[name] = fn
    return name


def function(name: str) -> Callable[..., Any]:
    """The function registered as `name`."""
    return _NAMED[name]


def leave_store(value: Any) -> Any:
    """`value` as it travels: the placeholder if it is a store."""
    return STORE if isinstance(value, GraphStore) else value


def take_store(value: Any, store: GraphStore) -> Any:
    """`value` as the worker uses it: its own `store` in place of the placeholder."""
    return store if isinstance(value, str) and value == STORE else value
