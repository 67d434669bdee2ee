"""Try deploy/nginx.conf on this machine: two real replicas behind nginx, all on loopback.

    python deploy/try_sticky.py          # needs nginx (Debian: apt-get install -y nginx)

Starts two ``streamlit run streamlit_app.py`` replicas (tests/live_server.py) and nginx with
deploy/nginx.conf, changed only where a container setup differs from one machine: the two replicas'
loopback ports for the compose service ``app``, a loopback listen port, and log and pid files in a
temporary folder. ``nginx -t`` checks it. Then students go through the proxy with
benchmarks/classroom.py (``--url``): page, health check, websocket, images and an upload each.
Checked: no errors, every browser's requests (its ``dsviz_route`` cookie) all went to one replica,
and both replicas got students. The same again with the hash line removed (nginx's round robin) is
the control: without stickiness the images and uploads of a session land on the other replica and
fail. Everything stops at the end.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from live_server import free_port, live_server  # noqa: E402  (after the path insertion above)

UPSTREAM = "server app:8501 max_fails=3 fail_timeout=10s;"


def render(replicas: list[str], port: int, folder: Path, sticky: bool = True) -> Path:
    """deploy/nginx.conf for loopback replicas, listening on 127.0.0.1:port, logging into folder."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert UPSTREAM in conf and "listen 80;" in conf and "hash $dsviz_route consistent;" in conf
    servers = "\n        ".join(f"server {r.split('//')[1]} max_fails=3 fail_timeout=10s;" for r in replicas)
    conf = conf.replace(UPSTREAM, servers).replace("listen 80;", f"listen 127.0.0.1:{port};")
    conf = conf.replace("/var/log/nginx/access.log", str(folder / "access.log"))
    if not sticky:
        conf = conf.replace("hash $dsviz_route consistent;", "# (no stickiness: round robin)")
    path = folder / ("nginx.conf" if sticky else "nginx-round-robin.conf")
    path.write_text(conf)
    return path


@contextlib.contextmanager
def nginx(conf: Path, folder: Path):
    base, pid = ["nginx", "-c", str(conf), "-e", str(folder / "error.log")], f"pid {folder / 'nginx.pid'};"
    test = subprocess.run([*base, "-t", "-g", pid], capture_output=True, text=True)
    print(f"nginx -t: {test.stderr.strip().splitlines()[-1]}")
    test.check_returncode()
    proc = subprocess.Popen([*base, "-g", f"{pid} daemon off;"])
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def drive(url: str, sessions: int) -> str:
    """Students through the proxy (benchmarks/classroom.py --url); its report."""
    command = [sys.executable, str(ROOT / "benchmarks" / "classroom.py"), "--url", url, "--one-pass"]
    command += ["--sessions", str(sessions), "--reruns", "4", "--think", "0.5,1", "--ramp", "2"]
    command += ["--upload-share", "1", "--knee", "", "--time-limit", "300"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600).stdout


def routes(log: Path) -> dict[str, set[str]]:
    """route cookie → the replicas that served it (from the access log)."""
    served = defaultdict(set)
    for line in log.read_text().splitlines():
        if match := re.search(r"route=(\S+) upstream=(\S+)", line):
            served[match[1]].add(match[2])
    return served


def main() -> None:
    sessions = 6
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        replicas = [stack.enter_context(live_server()) for _ in range(2)]
        print(f"replicas: {', '.join(replicas)}")
        results = {}
        for sticky in (True, False):
            port = free_port()
            (folder / "access.log").write_text("")
            with nginx(render(replicas, port, folder, sticky), folder):
                report = drive(f"http://127.0.0.1:{port}", sessions)
            found = re.search(r"errors: (\d+)", report)
            errors = int(found[1]) if found else -1  # -1: the load test itself failed
            served = {r: s for r, s in routes(folder / "access.log").items() if len(r) == 32}
            spread = {u for s in served.values() for u in s}
            label = "sticky (deploy/nginx.conf)" if sticky else "round robin (control)"
            print(f"\n{label}: {len(served)} browsers, errors {errors}; replicas per browser "
                  f"{sorted(len(s) for s in served.values())}; replicas used {sorted(spread)}")  # fmt: skip
            for line in report.splitlines():
                if line.startswith(("  rerun (", "  first page", "  uploads", "  errors:", "    ×")):
                    print(f"  {line.strip()}")
            results[sticky] = (errors, served, spread)
        errors, served, spread = results[True]
        ok = (
            errors == 0
            and len(served) >= sessions
            and all(len(s) == 1 for s in served.values())
            and len(spread) == 2
        )
        control = results[False][0] != 0
        print(f"\nsticky sessions: {'PASS' if ok else 'FAIL'}; control without stickiness fails: "
              f"{'yes' if control else 'NO (the check would not notice a missing stickiness)'}")  # fmt: skip
        sys.exit(0 if ok and control else 1)


if __name__ == "__main__":
    main()
