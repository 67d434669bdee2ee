"""dsviz.memory tunes glibc's allocator where there is one, and says whether it could."""

import ctypes.util
import sys

import pytest

from dsviz import memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_keep_freed_memory_reports_success_on_glibc() -> None:
    if "libc.so" not in (ctypes.util.find_library("c") or ""):
        pytest.skip("not glibc")
    assert memory.keep_freed_memory() is True


def test_keep_freed_memory_is_a_no_op_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory.sys, "platform", "darwin")
    assert memory.keep_freed_memory() is False
