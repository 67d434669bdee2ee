"""How fast the Playground answers a slider, and how many bytes a rerun sends — in one run.

    python benchmarks/app_speed.py

1. Server-side rerun time: ``AppTest`` runs app.py in this process, a widget is changed, and each
   ``.run()`` is timed (the script run plus AppTest's parsing of its messages; no browser, no network).
   "cached" alternates between two values already seen, so every stage comes from the cache;
   "fresh" makes the stages that the widget feeds recompute (a new N each time; for K, the caches of
   the depthwise and later stages are cleared before each run — the photo stays cached, as it would).
   The same again on a 1-megapixel upload at working resolution 512 (AppTest's file_uploader).
   The heavy view (1024 px, 7 filtered copies, N = 64, K = 11) opened by its link, then d 1 → 2.
2. Bytes on the wire: a real ``streamlit run`` server (tests/live_server.py) and Chromium; a CDP
   session sums the websocket frames received and the ``/media/`` images fetched because of one
   slider move after the page has loaded (the browser cache on, as for a user). The first page load is
   printed for reference.
3. Speed as a person feels it (issue #12), in Chromium: a cold start (``streamlit run`` started →
   Playground drawn; a new server process each time), a new session on a warm server, a keypress at
   defaults answered from the cache, and the heavy view opened by its link and then d 1 → 2 — each
   time until the page has settled (see ``settled_js``).
4. Streamlit's floor, for reference: the same cold start and new session for the least Streamlit
   page with a picture (``benchmarks/floor_app.py``: a title and one image), measured in the same
   run, so the Playground's numbers read against what Streamlit itself takes on this machine.
"""

from __future__ import annotations

import base64
import io
import itertools
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from live_server import CHROMIUM, CHROMIUM_ARGS, _healthy, _stop, free_port, live_server  # noqa: E402

RUNS = 15
MB = 1e6
VIEWPORT = {"width": 1400, "height": 900}
# The heavy view: the largest image, every filtered copy (M = 24 channels), the most outputs, K = 11.
HEAVY = {"res": "1024", "copies": "7", "pg_n": "64", "pg_k": "11"}


def playground_images(copies: int = 0, n: int = 8) -> int:
    """How many images the Playground draws for the RGB photo: the photo, one per row of its M channel
    tiles, one per channel row (the channel, its d kernels and d maps in one image) and one per row of
    the n output tiles (ui.gallery). The same for every d: a channel row holds all its maps."""
    from ui.style import per_row_for

    m = 3 * (1 + copies)
    return 1 + -(-m // per_row_for(m, False)) + m + -(-n // per_row_for(n, False))


DEFAULT_IMAGES = playground_images()


@dataclass
class Row:
    name: str
    value: float
    unit: str
    target: float | None = None  # at most this; None: for reference only
    extra: str = ""

    def cells(self) -> list[str]:
        verdict = "" if self.target is None else ("PASS" if self.value <= self.target else "MISS")
        target = "" if self.target is None else f"≤ {self.target:g} {self.unit}"
        return [self.name, f"{self.value:,.1f} {self.unit}", target, verdict, self.extra]


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {row.name}: {row.value:,.1f} {row.unit} {row.extra}", flush=True)

    def table(self) -> str:
        header = ["measurement", "value", "target", "", "detail"]
        lines = [header] + [r.cells() for r in self.rows]
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines)


# --- server-side rerun time (AppTest) ---------------------------------------------------------------


def new_app():  # -> AppTest (imported lazily: streamlit is slow to import)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def timed_runs(at, steps: Iterable[Callable[[], None]]) -> list[float]:
    """Run ``step()`` (set a widget, maybe clear caches), then time ``at.run()``; milliseconds. A move
    that reran only page parts (ui.parts) is timed as it ran; then, untimed, the whole page runs, as
    AppTest's tree holds only the parts that ran and the next step sets a widget of the page."""
    from apptest import only_parts_ran, run_link

    times = []
    for step in steps:
        step()
        link = run_link(at)
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
        assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
        if only_parts_ran(at, link):
            at.run()
    return times


def stats(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), statistics.quantiles(times, n=10)[-1]


def clear_depthwise_and_later() -> None:
    """Forget what a new K recomputes: depthwise maps and tiles, kernels, outputs and their tiles."""
    from ui import stages

    stages.ARRAYS.clear(("raw_depthwise", "_finished_depthwise", "raw_outputs", "_finished_outputs"))
    stages.TILES.clear(("depthwise_tiles", "kernel_tiles", "output_tiles"))


def rerun_rows(at, label: str, target: float, report: Report) -> None:
    """Four series on the app as it stands: K and N changes, cached and fresh."""

    def set_k(value: int) -> Callable[[], None]:
        return lambda: at.select_slider(key="pg_k").set_value(value)

    def set_n(value: int) -> Callable[[], None]:
        return lambda: at.slider(key="pg_n").set_value(value)

    def fresh_k(value: int) -> Callable[[], None]:
        return lambda: (clear_depthwise_and_later(), set_k(value)())

    ks = [5 if i % 2 == 0 else 3 for i in range(RUNS)]
    ns = [9 if i % 2 == 0 else 8 for i in range(RUNS)]
    timed_runs(at, [set_k(5), set_k(3), set_n(9), set_n(8)])  # warm both values of each widget
    series = {
        "K 3↔5, cached": [set_k(k) for k in ks],
        "K 3↔5, fresh": [fresh_k(k) for k in ks],
        "N 8↔9, cached": [set_n(n) for n in ns],
        f"N {10}…{9 + RUNS}, fresh": [set_n(n) for n in range(10, 10 + RUNS)],
    }
    for name, steps in series.items():
        median, p90 = stats(timed_runs(at, steps))
        report.add(Row(f"{label} · {name} · median", median, "ms", target, f"p90 {p90:.0f} ms"))
    timed_runs(at, [set_k(3), set_n(8)])  # back to the defaults


def photo_jpeg(width: int = 1152, height: int = 864) -> bytes:
    """A ~1-megapixel photo-like JPEG: gradients, shapes and sensor-like noise (decodes like a photo)."""
    x = np.linspace(0, 1, width)[None, :]
    y = np.linspace(0, 1, height)[:, None]
    rgb = np.stack([x + 0 * y, y + 0 * x, (1 - x) * (1 - y)], axis=-1) * 220
    rgb += np.random.default_rng(0).normal(0, 6, rgb.shape)
    picture = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((100, 100, 500, 500), fill=(240, 240, 230), outline=(10, 10, 10), width=8)
    draw.rectangle((650, 350, 1050, 780), fill=(30, 40, 120))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def server_side(report: Report) -> None:
    print("server-side rerun time (AppTest) …", flush=True)
    at = new_app()
    rerun_rows(at, "default", 150, report)

    data = photo_jpeg()
    at.file_uploader(key="upload").set_value(("photo.jpg", data, "image/jpeg"))
    at.select_slider(key="res").set_value(512)
    start = time.perf_counter()
    at.run()
    first = (time.perf_counter() - start) * 1000
    captions = " ".join(c.value for c in at.caption)
    assert "Showing your upload" in captions, "the upload did not reach the app"
    report.add(
        Row("upload 1 MP @512 · first run (decode + all stages)", first, "ms", None, f"{len(data):,} B")
    )
    rerun_rows(at, "upload 1 MP @512", 300, report)


def heavy_server(report: Report) -> None:
    """The heavy view under AppTest: opened by its link (a new session: the link is read at its first
    run; nothing of this view computed yet in this process), then d 1 → 2."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params.update(HEAVY)
    opened = timed_runs(at, [lambda: None])[0]
    assert (at.slider(key="pg_n").value, at.select_slider(key="pg_k").value) == (64, 11), "link not used"
    changed = timed_runs(at, [lambda: at.slider(key="pg_d").set_value(2)])[0]
    report.add(Row("heavy view · server · open", opened, "ms", 2000, "AppTest, first run of the link"))
    report.add(Row("heavy view · server · d 1→2", changed, "ms", 2000, "AppTest"))


# --- bytes per rerun (real server, Chromium, CDP) ---------------------------------------------------


class Traffic:
    """Bytes received, from CDP Network events: websocket payloads, /media/ images, everything else;
    and when the rerun request went out and when the server said the script had finished."""

    def __init__(self, cdp) -> None:
        self.urls: dict[str, str] = {}
        self.last_event = time.monotonic()
        self.reset()
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.on("Network.webSocketFrameSent", self._sent)
        cdp.send("Network.enable")

    def reset(self) -> None:
        self.websocket = self.media = self.other = 0
        self.media_count = 0
        self.sent_at: float | None = None  # the browser's first message: the rerun request
        self.finished_at: float | None = None  # the server's script_finished message

    def _request(self, event: dict) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]
        self.last_event = time.monotonic()

    def _finished(self, event: dict) -> None:
        size = int(event["encodedDataLength"])  # bytes on the wire, headers included
        if "/media/" in self.urls.get(event["requestId"], ""):
            self.media += size
            self.media_count += 1
        else:
            self.other += size
        self.last_event = time.monotonic()

    def _sent(self, event: dict) -> None:
        if self.sent_at is None:
            self.sent_at = time.perf_counter()

    def _frame(self, event: dict) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        response = event["response"]
        if response["opcode"] == 2:  # binary: one of Streamlit's ForwardMsg protobufs, base64 in CDP
            payload = base64.b64decode(response["payloadData"])
            if ForwardMsg.FromString(payload).WhichOneof("type") == "script_finished":
                self.finished_at = time.perf_counter()
        else:
            payload = response["payloadData"].encode()
        self.websocket += len(payload)
        self.last_event = time.monotonic()

    def wait_quiet(self, page, quiet: float = 0.75) -> None:
        """Until no network event for ``quiet`` seconds: late image fetches are counted too."""
        while time.monotonic() - self.last_event < quiet:
            page.wait_for_timeout(100)


# The rerun is drawn: no "Running…" widget, no stale element of the previous run, no skeleton where an
# image is still loading, at least the page's images there and every image decoded.
def settled_js(least: int = 10) -> str:
    return f"""() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && document.querySelectorAll('[data-testid="stImage"] img').length >= {least}
    && [...document.querySelectorAll('[data-testid="stImage"] img')]
        .every(img => img.complete && img.naturalWidth > 0)"""


SETTLED_JS = settled_js(DEFAULT_IMAGES)


@dataclass
class Move:
    server_ms: float  # rerun request sent → script_finished received (as the browser sees them)
    settled_ms: float  # keypress → every element of the new run drawn and every image decoded


def slider(key: str, presses: tuple[str, ...] = ("ArrowRight",)) -> Callable:
    """How to move a slider by one step: focus its thumb, then press the next of ``presses`` (→ by
    default; → and ← in turn for a slider with two values, which → alone would leave at its end)."""
    pressed = itertools.cycle(presses)

    def prepare(page) -> Callable[[], None]:
        thumb = page.locator(f".st-key-{key} input[type=range]")
        thumb.focus()
        keys = next(pressed)
        return lambda: thumb.press(keys)

    return prepare


def step_up(key: str) -> Callable:
    """How to raise a number input by one: its + button."""

    def prepare(page) -> Callable[[], None]:
        button = page.locator(f'.st-key-{key} [data-testid="stNumberInputStepUp"]')
        return button.click

    return prepare


def settle(page, traffic: Traffic, least: int, timeout: float = 120) -> None:
    """Until the run has finished (the URL and the DOM change before it ends) and the page settled."""
    deadline = time.perf_counter() + timeout
    while traffic.finished_at is None:
        assert time.perf_counter() < deadline, "no script_finished"
        page.wait_for_timeout(10)
    page.wait_for_function(settled_js(least), timeout=timeout * 1000)


def open_page(browser, url: str, least: int = DEFAULT_IMAGES):  # -> (page, Traffic, ms)
    """A new browser context (a new session, an empty browser cache) opens ``url``: ms until settled."""
    page = browser.new_page(viewport=VIEWPORT)
    traffic = Traffic(page.context.new_cdp_session(page))
    start = time.perf_counter()
    page.goto(url)
    settle(page, traffic, least)
    return page, traffic, (time.perf_counter() - start) * 1000


def move(page, traffic: Traffic, prepare: Callable, least: int = DEFAULT_IMAGES) -> Move:
    """Move a widget and wait for the rerun it causes to finish and the page to settle."""
    traffic.wait_quiet(page)
    traffic.reset()
    press = prepare(page)
    start = time.perf_counter()
    press()
    settle(page, traffic, least)
    settled = time.perf_counter()
    traffic.wait_quiet(page)
    assert traffic.sent_at is not None
    return Move((traffic.finished_at - traffic.sent_at) * 1000, (settled - start) * 1000)


def split(traffic: Traffic) -> str:
    return (
        f"websocket {traffic.websocket / MB:.2f} MB + {traffic.media_count} images "
        f"{traffic.media / MB:.2f} MB + other {traffic.other / MB:.2f} MB"
    )


def total(traffic: Traffic) -> float:
    return (traffic.websocket + traffic.media + traffic.other) / MB


def bytes_on_the_wire(browser, url: str, report: Report) -> None:
    print("bytes per rerun (streamlit run + Chromium + CDP) …", flush=True)
    page, traffic, _ = open_page(browser, url)
    traffic.wait_quiet(page)
    report.add(Row("first page load · bytes", total(traffic), "MB", None, split(traffic)))
    moves = [move(page, traffic, slider("pg_k"))]  # a fresh server: K = 5 is computed for the first time
    report.add(Row("rerun K 3→5 · bytes", total(traffic), "MB", 1.5, split(traffic)))
    moves.append(move(page, traffic, slider("pg_n")))
    report.add(Row("rerun N 8→9 · bytes", total(traffic), "MB", 1.5, split(traffic)))
    moves += [move(page, traffic, slider("pg_n")) for _ in range(4)]  # N 10…13: fresh values
    server, settled = stats([m.server_ms for m in moves]), stats([m.settled_ms for m in moves])
    label = f"in Chromium, {len(moves)} fresh reruns"
    report.add(Row("browser · request → script_finished", server[0], "ms", None, f"p90 {server[1]:.0f} ms"))
    report.add(
        Row("browser · keypress → settled, fresh N", settled[0], "ms", None, f"p90 {settled[1]:.0f}; {label}")
    )
    for path, name, prepare, least in OTHER_PAGES:
        page.goto(f"{url}/{path}")
        page.wait_for_function(settled_js(least), timeout=120_000)
        sent = []
        for _ in range(3):
            move(page, traffic, prepare, least)
            sent.append(total(traffic))
        report.add(Row(f"{name} · bytes (largest of 3)", max(sent), "MB", 1.5, split(traffic)))
    page.context.close()


def serve(port: int, app: str = "streamlit_app.py") -> subprocess.Popen[bytes]:
    """``streamlit run <app>`` (the README's command for streamlit_app.py) with tests/live_server.py's
    flags (stop it with ``_stop``)."""
    flags = {"port": port, "address": "127.0.0.1", "headless": "true", "fileWatcherType": "none"}
    command = [sys.executable, "-m", "streamlit", "run", app]
    command += ["--browser.gatherUsageStats", "false"]
    command += [arg for key, value in flags.items() for arg in (f"--server.{key}", str(value))]
    return subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
    )


def cold_start(
    browser, app: str = "streamlit_app.py", least: int = DEFAULT_IMAGES
) -> tuple[float, float, float]:
    """A new server process: ms from its start to healthy, from healthy to the first run's
    script_finished (in the browser), and from healthy to the page settled (``least`` images)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    proc = serve(port, app)
    try:
        while not _healthy(url):
            assert proc.poll() is None and time.perf_counter() - start < 60, "streamlit did not start"
            time.sleep(0.05)
        healthy = time.perf_counter()
        page, traffic, _ = open_page(browser, url, least)
        settled = time.perf_counter()
        page.context.close()
    finally:
        _stop(proc)
    return (healthy - start) * 1000, (traffic.finished_at - healthy) * 1000, (settled - healthy) * 1000


def felt_speed(browser, url: str, report: Report) -> None:
    """Issue #12's targets on a warm server (it has drawn the Playground at defaults, not the heavy view)."""
    print("speed as a person feels it (Chromium) …", flush=True)
    opened, detail = median_new_session(browser, url)
    report.add(Row("new session, warm server → settled · median", opened, "ms", 1000, detail))

    page, traffic, _ = open_page(browser, url)
    k, n = slider("pg_k", ("ArrowRight", "ArrowLeft")), slider("pg_n", ("ArrowRight", "ArrowLeft"))
    for prepare in (k, k, n, n):  # K 3→5→3, N 8→9→8: both values of each now cached
        move(page, traffic, prepare)
    moves = [move(page, traffic, prepare) for prepare in (k, n) * 5]
    settled, server = stats([m.settled_ms for m in moves]), stats([m.server_ms for m in moves])
    detail = f"p90 {settled[1]:.0f} ms; K 3↔5, N 8↔9, {len(moves)} moves; server {server[0]:.0f} ms"
    report.add(Row("browser · keypress → settled, cached · median", settled[0], "ms", 300, detail))
    page.context.close()

    page, traffic, ms = open_page(browser, f"{url}/?{urlencode(HEAVY)}", playground_images(7, 64))
    assert all(f"{key}={value}" in page.url for key, value in HEAVY.items()), page.url
    report.add(Row("heavy view · open (link) → settled", ms, "ms", 2000, "new to this server"))
    changed = move(page, traffic, slider("pg_d"), playground_images(7, 64))
    detail = f"keyboard; server {changed.server_ms:.0f} ms"
    report.add(Row("heavy view · d 1→2 → settled", changed.settled_ms, "ms", 2000, detail))
    page.context.close()


def in_the_browser(report: Report) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        print("cold starts (a new streamlit process each) …", flush=True)
        ours, detail = median_cold_start(browser)
        report.add(Row("cold start → Playground settled · median", ours, "s", 4, detail))
        with live_server() as url:
            bytes_on_the_wire(browser, url, report)
            felt_speed(browser, url, report)
        streamlits_floor(browser, report)
        browser.close()


def median_new_session(browser, url: str, least: int = DEFAULT_IMAGES) -> tuple[float, str]:
    """The median of 5 new sessions opening ``url`` on a warm server in ms, and their spread."""
    opened = []
    for _ in range(5):
        page, _, ms = open_page(browser, url, least)
        page.context.close()
        opened.append(ms)
    return statistics.median(opened), f"of 5; max {max(opened):.0f} ms"


def median_cold_start(
    browser, app: str = "streamlit_app.py", least: int = DEFAULT_IMAGES
) -> tuple[float, str]:
    """The median of 3 cold starts of ``app`` in s, and what it was made of."""
    starts = sorted((cold_start(browser, app, least) for _ in range(3)), key=lambda s: s[0] + s[2])
    healthy, ran, drawn = (ms / 1000 for ms in starts[1])
    detail = (
        f"of 3; start → healthy {healthy:.1f} s + healthy → settled {drawn:.1f} s (run done +{ran:.1f} s)"
    )
    return healthy + drawn, detail


FLOOR_APP = "benchmarks/floor_app.py"  # a title and one image: Streamlit alone


def streamlits_floor(browser, report: Report) -> None:
    """The same cold start and new session for the least Streamlit page with a picture, measured in
    this run on this machine: what Streamlit itself costs before the Playground draws anything."""
    print("Streamlit's floor (a title and one image) …", flush=True)
    floor, detail = median_cold_start(browser, FLOOR_APP, 1)
    report.add(Row("floor · cold start → one-image page settled · median", floor, "s", None, detail))
    with live_server(FLOOR_APP) as url:
        open_page(browser, url, 1)[0].context.close()  # its first run, as the Playground's was
        opened, detail = median_new_session(browser, url, 1)
    report.add(Row("floor · new session → one-image page settled · median", opened, "ms", None, detail))


# The other pages: a widget of their own, moved in Chromium (bytes) and under AppTest (server time).
OTHER_PAGES = (
    ("pixel", "Inside one pixel · output row +1", step_up("px_row"), 0),
    ("groups", "Standard → grouped → depthwise · g", slider("gr_g", ("ArrowRight", "ArrowLeft")), 3),
)


def widget(at, key: str):
    return next(w for kind in ("number_input", "select_slider") for w in at.get(kind) if w.key == key)


def page_rows(report: Report) -> None:
    """Server-side rerun time on the other pages, at defaults: a widget of each, two values alternated
    (the block's stages cached, as they are once any student has opened the page)."""
    for view, name, key, values in (
        ("views/pixel.py", "Inside one pixel · row", "px_row", (10, 11)),
        ("views/groups.py", "Standard → grouped → depthwise · g 1↔3", "gr_g", (3, 1)),
    ):
        at = new_app()
        at.switch_page(view).run()

        def set_value(value: int, at=at, key=key) -> Callable[[], None]:
            return lambda: widget(at, key).set_value(value)

        timed_runs(at, [set_value(v) for v in values])  # warm
        median, p90 = stats(timed_runs(at, [set_value(values[i % 2]) for i in range(RUNS)]))
        report.add(Row(f"{name} · median", median, "ms", 150, f"p90 {p90:.0f} ms"))


def main() -> None:
    from dsviz import memory

    memory.keep_freed_memory()  # AppTest runs app.py in this process: tune it as a real server's is
    report = Report()
    started = time.perf_counter()
    server_side(report)
    page_rows(report)
    heavy_server(report)
    if CHROMIUM.exists():
        in_the_browser(report)
    else:
        print(f"{CHROMIUM} is missing: bytes per rerun not measured", flush=True)
    print(f"\n{report.table()}\n\n(finished in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
