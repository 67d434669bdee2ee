"""Keep freed memory for reuse instead of handing it back to the kernel.

glibc serves allocations above its mmap threshold (at most 32 MB) with fresh ``mmap`` pages and
returns them on free, so every large result costs a page fault per 4 KB page when it is first
written: a 64 MB output spends ~25 ms in page faults on this machine, more than the convolution.
Raising the threshold keeps big blocks in the heap, where the next slider move reuses them.

This retunes malloc for the whole process, so nothing in dsviz does it on import: a program opts in
by calling :func:`keep_freed_memory` once, early (``app.py`` and ``benchmarks/`` do). The arena
setting applies to threads started after the call.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_TRIM_THRESHOLD = -1  # mallopt parameter numbers from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
_KEEP_BYTES = 1 << 30  # blocks up to 1 GiB come from (and go back to) the heap


def keep_freed_memory() -> bool:
    """Ask glibc to reuse freed blocks up to 1 GiB; returns whether it could (Linux/glibc only).

    Process-wide and not undone: call it from a program's entry point, never from a library import.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        ok = libc.mallopt(_M_MMAP_THRESHOLD, _KEEP_BYTES) == 1
        ok = ok and libc.mallopt(_M_TRIM_THRESHOLD, 2 * _KEEP_BYTES) == 1
        # Threads created from now on share the main heap: a thread's own arena has 64 MB heaps that
        # are unmapped when emptied, so a big result computed in a worker thread (Streamlit runs pages
        # in one) would page-fault afresh every time — measured 23 ms instead of 9 ms for one conv.
        return ok and libc.mallopt(_M_ARENA_MAX, 1) == 1
    except (OSError, AttributeError):  # musl or another libc without mallopt: keep the default
        return False
