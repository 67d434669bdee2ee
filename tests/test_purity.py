"""The core never imports streamlit: a notebook user gets the same numbers without the app."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = [p.stem for p in (ROOT / "dsviz").glob("*.py") if p.stem not in ("__init__", "__main__")]


def test_core_modules_do_not_import_streamlit() -> None:
    assert {"ops", "cost", "images", "kernels", "render"} <= set(CORE)
    code = (
        "import sys, importlib\n"
        f"for name in {CORE!r}: importlib.import_module('dsviz.' + name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
