"""Where the browser's time goes between a keypress and the page settled — measure before changing.

    python benchmarks/browser_trace.py          # one K keypress on the Playground (cached on the server)
    python benchmarks/browser_trace.py open     # a new session opening the Playground instead

A real ``streamlit run`` server (tests/live_server.py) and Chromium. The Playground is opened at
defaults and K is moved 3 → 5 → 3 (both values now cached on the server); then one more K 3 → 5 is
recorded in a Chromium performance trace. ``performance.mark`` brackets the window: "press" just
before the key goes down (for ``open``: on the blank page before the URL is opened), "settled" from
inside the settled check (app_speed.settled_js) the first time it holds. The renderer's main thread
in that window is split into categories by the self time of its trace events (idle: no task running —
waiting for the server, the network or the next frame), and its ten longest tasks are listed, each
with its costliest events (a script's function and file; minified names are the bundle's).
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

from app_speed import SETTLED_JS, VIEWPORT, Traffic, move, open_page, slider  # noqa: E402
from live_server import CHROMIUM, CHROMIUM_ARGS, live_server  # noqa: E402

CATEGORIES = ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute"]
CATEGORIES += ["blink.user_timing", "disabled-by-default-devtools.timeline.frame", "loading"]
SCRIPTING = ("FunctionCall", "EvaluateScript", "v8", "V8", "RunMicrotasks", "TimerFire", "EventDispatch")
# (category, trace event names or name prefixes): the first that matches wins; anything else is "other"
KINDS = (
    ("GC", ("MinorGC", "MajorGC", "V8.GC", "BlinkGC", "CppGC", "ThreadState::")),
    ("image decode", ("Decode", "ImageDecode", "Resize Image")),
    ("style + layout", ("UpdateLayoutTree", "RecalculateStyles", "Layout", "UpdateLayerTree", "HitTest")),
    ("paint + composite", ("Paint", "PrePaint", "Layerize", "CompositeLayers", "Commit", "Raster")),
    ("scripting", (*SCRIPTING, "FireAnimationFrame", "XHR", "CompileScript", "ParseHTML")),
)
MARKS = ("press", "settled")
MARKED = f"() => {{ const ok = ({SETTLED_JS})(); if (ok) performance.mark('settled'); return ok; }}"


def kind(name: str) -> str:
    return next((k for k, names in KINDS if name.startswith(names)), "other")


def describe(event: dict) -> str:
    """An event's name, with what it ran: the DOM event's type, or the function and its script."""
    data = event.get("args", {}).get("data", {})
    script = Path(data.get("url", "")).name
    what = data.get("type") or " in ".join(filter(None, (data.get("functionName"), script)))
    return f"{event['name']} ({what})" if what else event["name"]


def tasks_of(slices: list[dict]) -> list[tuple[int, dict, Counter[str]]]:
    """One thread's events (in order, parents first) as top-level tasks: (µs, event, self µs by event);
    an event's self time is its duration less its children's."""
    tasks: list[tuple[int, dict, Counter[str]]] = []
    stack: list[dict] = []
    for event in slices:
        event.setdefault("dur", 0)
        while stack and stack[-1]["ts"] + stack[-1]["dur"] <= event["ts"]:
            stack.pop()
        if stack:
            stack[-1]["self"] -= event["dur"]
        else:
            tasks.append((event["dur"], event, Counter()))
        event["self"], event["task"] = event["dur"], tasks[-1][2]
        stack.append(event)
    for event in slices:
        event["task"][describe(event)] += event["self"]
    return tasks


def analyse(events: list[dict]) -> None:
    marks = {e["name"]: e for e in events if "user_timing" in e.get("cat", "") and e["name"] in MARKS}
    start, end, pid = marks["press"]["ts"], marks["settled"]["ts"], marks["settled"]["pid"]
    names = {e["tid"]: e["args"]["name"] for e in events if e["pid"] == pid and e["name"] == "thread_name"}
    threads = defaultdict(list)  # thread id → its complete events in the window, parents first
    for e in sorted(events, key=lambda e: (e["ts"], -e.get("dur", 0))):
        if e["pid"] == pid and e["ph"] == "X" and start <= e["ts"] < end:
            threads[e["tid"]].append(e)
    main = next(tid for tid, name in names.items() if name == "CrRendererMain")
    tasks = tasks_of(threads[main])
    by_kind, other = Counter(), Counter()
    for event in threads[main]:
        by_kind[kind(event["name"])] += event["self"] / 1000
        other[event["name"]] += event["self"] / 1000 if kind(event["name"]) == "other" else 0
    span, busy = (end - start) / 1000, sum(t[0] for t in tasks) / 1000
    by_kind["idle"] = span - busy
    print(f"→ settled: {span:.0f} ms; the main thread busy {busy:.0f} ms in {len(tasks)} tasks")
    print("\nmain thread by category (self time):")
    for name, ms in by_kind.most_common():
        print(f"  {name:<18} {ms:7.1f} ms  {100 * ms / span:5.1f} %")
    print("  other, largest:", ", ".join(f"{n} {ms:.1f} ms" for n, ms in other.most_common(4)))
    print("\nten longest main-thread tasks (start, duration: costliest events by self time, ms):")
    for duration, task, spent in sorted(tasks, key=lambda t: -t[0])[:10]:
        top = ", ".join(f"{name} {us / 1000:.1f}" for name, us in spent.most_common(3))
        print(f"  +{(task['ts'] - start) / 1000:5.0f} ms  {duration / 1000:6.1f} ms: {top}")
    print("\nthe renderer's other threads (busy ms: costliest events by self time, ms):")
    for tid, slices in threads.items():
        spent = sum((t[2] for t in tasks_of(slices)), Counter())
        if tid != main and spent.total() > 5000:  # µs
            top = ", ".join(f"{name} {us / 1000:.0f}" for name, us in spent.most_common(3))
            print(f"  {names.get(tid, tid)}: {spent.total() / 1000:.0f} ms: {top}")


def main(mode: str) -> None:
    from playwright.sync_api import sync_playwright

    with live_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page, traffic, _ = open_page(browser, url)  # the server draws the Playground once: warm
        if mode == "open":
            page.context.close()
            page = browser.new_page(viewport=VIEWPORT)
            traffic = Traffic(page.context.new_cdp_session(page))
            act = lambda: page.goto(url)  # noqa: E731
        else:
            k = slider("pg_k", ("ArrowRight", "ArrowLeft"))
            move(page, traffic, k)  # K 3 → 5 → 3: both values cached on the server
            move(page, traffic, k)
            traffic.wait_quiet(page)
            act = k(page)
        traffic.reset()
        browser.start_tracing(page=page, categories=CATEGORIES)
        page.evaluate("performance.mark('press')")
        act()
        while traffic.finished_at is None:  # the run ends before the page can settle
            page.wait_for_timeout(10)
        page.wait_for_function(MARKED, timeout=120_000)
        events = json.loads(browser.stop_tracing())["traceEvents"]
        browser.close()
    print("a new session opens the Playground" if mode == "open" else "K 3 → 5 by keyboard, cached", end=" ")
    analyse(events)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "keypress")
