"""Run the real app (`streamlit run streamlit_app.py`: app.py, warmed) on a free local port, for
browser tests and benchmarks.

    with live_server() as url:   # "http://127.0.0.1:<port>", answered "ok" by /_stcore/health
        ...

The server is a subprocess of this one; it is stopped (terminate, then kill) when the block exits,
and its log is kept in a temporary file so a start-up failure can say why.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Debian's Chromium (Playwright's own browser download does not work here), with the flags that keep
# it from reaching for the network at start-up.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 60.0  # s: a cold start imports torch and plotly, ~5-10 s on the 2-core machine


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group (streamlit may start helpers) politely, then firmly."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def live_server(app: str = "streamlit_app.py", timeout: float = START_TIMEOUT) -> Iterator[str]:
    """Start ``streamlit run <app>`` from the project root; yield its base URL; stop it afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",  # other engineers edit files while tests run: no surprise reloads mid-test
    ]
    with tempfile.TemporaryFile() as log:
        # A new session (process group) so _stop reaches anything streamlit starts, and nothing else.
        proc = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    tail = log.read().decode(errors="replace")[-3000:]
                    raise RuntimeError(f"streamlit did not start on {url} (exit code {proc.poll()}):\n{tail}")
                time.sleep(0.2)
            yield url
        finally:
            _stop(proc)


if __name__ == "__main__":  # manual use: python tests/live_server.py, then open the printed URL
    with live_server() as base:
        print(f"serving {base} — Ctrl+C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)
