"""The core is a library: importing it changes nothing in the importing process.

It never imports streamlit (a notebook user gets the same numbers without the app), leaves autograd on
(a notebook may be training a model), and makes no foreign calls (``memory.keep_freed_memory`` retunes
malloc for the whole process, so only a program's entry point may call it).
"""

import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.overrides import TorchFunctionMode

from dsviz import ops

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p.stem for p in (ROOT / "dsviz").glob("*.py"))
CORE = [name for name in MODULES if name not in ("__init__", "__main__")]
EVERY = ["dsviz"] + [f"dsviz.{name}" for name in MODULES if name != "__init__"]


def run_python(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_core_modules_do_not_import_streamlit() -> None:
    assert {"ops", "cost", "images", "kernels", "render"} <= set(CORE)
    code = (
        "import sys, importlib\n"
        f"for name in {CORE!r}: importlib.import_module('dsviz.' + name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    assert run_python(code).strip() == "False"


def test_importing_every_module_leaves_autograd_on() -> None:
    code = (
        "import importlib, torch\n"
        f"for name in {EVERY!r}: importlib.import_module(name)\n"
        "assert torch.is_grad_enabled(), 'an import turned autograd off'\n"
        "w = torch.tensor([2.0, -1.0], requires_grad=True)\n"
        "loss = (w * w).sum()\n"
        "loss.backward()\n"
        "print(w.grad.tolist())\n"
    )
    assert json.loads(run_python(code)) == [4.0, -2.0]


def test_importing_every_module_makes_no_foreign_calls() -> None:
    """ctypes calls (e.g. glibc's mallopt) after the heavy imports, seen by an audit hook.

    torch, numpy, PIL and plotly may load libraries as they import, so they come first; then the hook;
    then every dsviz module. The hook records every ctypes event: "ctypes.dlopen", "ctypes.dlsym" (a
    function looked up, as for ``libc.mallopt``) and "ctypes.call_function" (which CPython 3.11 raises
    only for some calls). It must see ``keep_freed_memory`` itself (so it works), but no import.
    """
    code = (
        "import importlib, json, sys\n"
        "import numpy, torch, PIL.Image, plotly.graph_objects\n"
        "events = []\n"
        "def hook(event, args):\n"
        "    if event.startswith('ctypes.'):\n"
        "        events.append(event)\n"
        "sys.addaudithook(hook)\n"
        f"for name in {EVERY!r}: importlib.import_module(name)\n"
        "on_import = list(events)\n"
        "from dsviz import memory\n"
        "memory.keep_freed_memory()\n"
        "print(json.dumps([on_import, events[len(on_import):]]))\n"
    )
    on_import, on_call = json.loads(run_python(code))
    assert on_import == []
    if sys.platform.startswith("linux"):  # the hook does see foreign calls when there are some
        assert {"ctypes.dlopen", "ctypes.dlsym"} <= set(on_call), on_call


class GradModeLog(TorchFunctionMode):
    """Every torch function an op calls, with whether autograd was on at that moment."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, bool]] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", str(func))
        if name != "_set_grad_enabled":  # torch.no_grad() itself, switching autograd off and back on
            self.calls.append((name, torch.is_grad_enabled()))
        return func(*args, **(kwargs or {}))


X = np.random.default_rng(0).uniform(-1, 1, (3, 20, 18)).astype(np.float32)
TORCH_OPS = {
    "depthwise": lambda: ops.depthwise(X, np.ones((6, 3, 3), np.float32), stride=2),
    "depthwise reflect": lambda: ops.depthwise(X, np.ones((3, 3, 3), np.float32), padding_mode="reflect"),
    "pointwise matmul": lambda: ops.pointwise(X, np.ones((2, 3), np.float32), np.ones(2, np.float32)),
    "pointwise conv": lambda: ops.pointwise(X, np.ones((16, 3), np.float32)),
    "standard": lambda: ops.standard(X, np.ones((4, 3, 3, 3), np.float32)),
}


def run_logged(call) -> tuple[np.ndarray, list[tuple[str, bool]]]:
    with torch.enable_grad(), GradModeLog() as log:
        out = call()
    return out, log.calls


@pytest.mark.parametrize("case", list(TORCH_OPS))
def test_ops_run_torch_without_autograd_and_restore_it(case: str) -> None:
    out, calls = run_logged(TORCH_OPS[case])
    assert calls, "the op made no torch calls"
    assert [name for name, grad in calls if grad] == []
    assert torch.is_grad_enabled()
    assert isinstance(out, np.ndarray)  # a plain array: nothing to differentiate, no graph kept alive


def test_ops_in_a_worker_thread_run_without_autograd() -> None:
    """Grad mode is per thread; Streamlit runs each page in a worker thread of its own."""
    results: dict[str, object] = {}

    def worker() -> None:
        try:
            results.update({case: run_logged(call) for case, call in TORCH_OPS.items()})
            results["grad after"] = torch.is_grad_enabled()
        except BaseException as error:  # re-raised in the test's own thread
            results["error"] = error

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=60)
    assert "error" not in results, results["error"]
    assert results.pop("grad after") is True
    for case, (out, calls) in results.items():
        assert calls and not any(grad for _, grad in calls), case
        np.testing.assert_array_equal(out, TORCH_OPS[case]())


def test_ops_give_the_same_numbers_with_autograd_on_or_off() -> None:
    for case, call in TORCH_OPS.items():
        with torch.no_grad():
            off = call()
        with torch.enable_grad():
            on = call()
        np.testing.assert_array_equal(on, off, err_msg=case)
