"""A cache shared by every session of the server, bounded in bytes, for the stages pages compute.

Why not ``st.cache_data``: it bounds *entries*, not bytes (one entry of depthwise maps at 1024 px,
7 filtered copies and d = 4 is ~400 MB, so 16 entries could hold ~6 GB), and it pickles each result
in and unpickles a fresh copy on every hit — for a 100 MB array that copy costs more than a slider
move should. Here results are kept as they are (NumPy arrays made read-only, so no session can
change what another sees), evicted least-recently-used when the total passes the budget, and a
computation that 40 students ask for at once runs once: the others wait for it.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, TypeVar

import numpy as np

P = ParamSpec("P")
R = TypeVar("R")


def nbytes(value: Any) -> int:
    """Memory held by a result: arrays and bytes exactly, containers by their items."""
    if isinstance(value, np.ndarray):
        base = value.base if isinstance(value.base, np.ndarray) else value  # a view holds its base
        return int(base.nbytes)
    if isinstance(value, bytes | bytearray):
        return len(value)
    if isinstance(value, tuple | list):
        return 64 + sum(nbytes(v) for v in value)
    return 64


def _freeze(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, tuple | list):
        for v in value:
            _freeze(v)
    return value


class ByteLRU:
    """Least-recently-used results whose sizes add up to at most ``budget`` bytes."""

    def __init__(self, budget: int):
        self.budget = budget
        self.used = 0
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._running: dict[Hashable, threading.Lock] = {}

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
            running = self._running.setdefault(key, threading.Lock())
        with running:  # one computation per key; latecomers wait here, then find the result
            with self._lock:
                if key in self._items:
                    return self._items[key][0]
            try:
                value = _freeze(compute())
            finally:
                with self._lock:
                    self._running.pop(key, None)
            self._store(key, value)
            return value

    def _store(self, key: Hashable, value: Any) -> None:
        size = nbytes(value)
        with self._lock:
            if size > self.budget:
                return  # larger than the whole budget: computed, used, not kept
            self._items[key] = (value, size)
            self.used += size
            while self.used > self.budget:
                _, (_, freed) = self._items.popitem(last=False)
                self.used -= freed

    def clear(self, functions: tuple[str, ...] = ()) -> None:
        """Forget every result, or only those of the named functions (keys made by :func:`memo`)."""
        with self._lock:
            for key in [k for k in self._items if not functions or k[1] in functions]:
                self.used -= self._items.pop(key)[1]


def memo(cache: ByteLRU, *, ignore: tuple[str, ...] = ()) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Cache ``fn`` in ``cache``, keyed by its name and its arguments (plain hashable values).

    Keyword arguments named in ``ignore`` are passed through but not part of the key (upload bytes,
    which travel with their digest in another argument).
    """

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def cached(*args: P.args, **kwargs: P.kwargs) -> R:
            keyed = tuple(sorted((k, v) for k, v in kwargs.items() if k not in ignore))
            key = (fn.__module__, fn.__qualname__, args, keyed)
            return cache.get_or_compute(key, lambda: fn(*args, **kwargs))

        return cached

    return decorate
