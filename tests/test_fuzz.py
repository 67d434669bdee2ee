"""Fuzz every page with links, settings and uploads (issue #14): no link and no combination of settings
can crash a page.

Every strategy is generated from the settings registry (``dsviz.block.SETTINGS``): a setting's type says
what a valid value is (its ``examples()``, its ``format``) and what a hostile one looks like, so a new
setting, and a new page registered in app.py, are fuzzed without a new test. Pages are the views that
app.py registers. Each example is a fresh session opened on a deep link to the page (what a student
gets when they paste one), and checked for:

- nothing raised, the safety net ("Something went wrong") stayed quiet, nothing was logged at WARNING
  or above by the "dsviz" logger (app.py logs the safety net there);
- every link value the app could not use is named in a notice that says what was used instead, and its
  widget shows exactly that (the default); every value it could use is what its widget shows;
- the link the app writes holds only valid, non-default values of the registry and reopens the same
  view: the same widget values, the same numbers and code, the same link, and no notice.

The oracle for "valid" is written here from the registry's documented rules (``accepted``), not by
calling its parsers.

Normal run: a fixed, derandomised set of examples (about a minute). Long run, thousands of links:

    python -m pytest tests/test_fuzz.py --fuzz-long        (or DSVIZ_FUZZ_LONG=1)

The long run collects every failing example in artifacts/fuzz-found.jsonl instead of stopping at the
first, and its last test fails if there were any. Every failure found is pinned below as an explicit
``@example`` or a parametrized case.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import logging
import math
import os
import random
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib import parse

import numpy as np
import pytest
from apptest import APP, BLOCK_PAGES, DEFAULT_PAGE, PAGES, ROOT, SAFETY_NET, PageTest, widgets
from fakes import png_bomb
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st
from live_server import CHROMIUM, CHROMIUM_ARGS, live_server
from PIL import Image
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import NumberInput, Selectbox, SelectSlider, Slider

from dsviz import images
from dsviz.block import SETTINGS, block_from, block_settings, custom_key, kernel_key
from dsviz.inputs import channel_colours, channel_labels
from dsviz.registry import MAX_RAW, Choice, Integer, Notice, Numbers, Setting, SettingError, shown

LONG = os.environ.get("DSVIZ_FUZZ_LONG", "") not in ("", "0")
TIMEOUT = 180  # s for one run: the heaviest view (24 channels, d = 4, N = 64, K = 11) takes ~15 s here
FOUND_FILE = ROOT / "artifacts" / "fuzz-found.jsonl"
LINK_WARNING = "could not be used"  # ui.settings.show_notices: the warning that lists link notices
LEFT_OUT = "link leaves out"  # ui.settings.show_notices: custom grids too long for a link
APP_SOURCE = Path(APP).read_text(encoding="utf-8")
FUZZED_PAGES = [p for p in PAGES if f'"{p}"' in APP_SOURCE]  # the views app.py registers
HIDDEN_KEYS = ("embed", "embed_options")  # Streamlit's own (any case): st.query_params never shows them

Query = dict[str, str | list[str]]


EXAMPLES = int(os.environ.get("DSVIZ_FUZZ_EXAMPLES", "0"))  # > 0: this many examples per test instead


def fuzz(normal: int, long: int) -> fuzz_settings:
    """``normal`` derandomised examples (a stable CI), or ``long`` random ones in the long mode.

    No shrinking: each step would be another app run (minutes for one example); a failure is reported
    with its exact link, and kept below as an explicit example."""
    return fuzz_settings(
        max_examples=EXAMPLES or (long if LONG else normal),
        deadline=None,
        derandomize=not LONG,
        database=None,
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


# --------------------------------------------------------------------------- opening pages, counting


STATS = {"links": 0, "first": 0, "runs": 0, "seconds": 0.0}
OPENED_ON: dict[int, str] = {}  # id(AppTest) → the page its session was opened on
_LOGGED: list[logging.LogRecord] = []
_COMPONENTS: list[Any] = []


class _Keep(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        _LOGGED.append(record)


@pytest.fixture(scope="module", autouse=True)
def _watch_dsviz_logger() -> Iterator[None]:
    """Keep what the "dsviz" logger says at WARNING or above (app.py logs the safety net there)."""
    handler = _Keep(level=logging.WARNING)
    logging.getLogger("dsviz").addHandler(handler)
    yield
    logging.getLogger("dsviz").removeHandler(handler)


def summary() -> str:
    """One line for the end of the run (tests/conftest.py prints it): how much was fuzzed, how fast."""
    return (
        f"fuzz ({'long' if LONG else 'normal'} mode): {STATS['links']} links opened ({STATS['first']} fresh "
        f"links, the rest links the app wrote, reopened), {STATS['runs']} app runs, {STATS['seconds']:.0f} s "
        f"in the app; {len(FOUND)} failing examples"
    )


PROGRESS_FILE = ROOT / "artifacts" / f"fuzz-progress-{os.getpid()}.txt"  # one per process


def run(at: AppTest) -> AppTest:
    _LOGGED.clear()
    start = time.monotonic()
    at.run()
    STATS["runs"] += 1
    STATS["seconds"] += time.monotonic() - start
    return at


def open_link(
    page: str, query: Query | None = None, state: dict[str, Any] | None = None, *, fresh: bool = True
) -> AppTest:
    """A new session whose first page load is ``page`` with the link ``query`` (a list value repeats
    its key, ``?k=a&k=b``) and widget values ``state``: a deep link, as pasted into a browser."""
    at = PageTest(APP, default_timeout=TIMEOUT)
    if _COMPONENTS and hasattr(at, "_bidi_component_manager"):
        at._bidi_component_manager = _COMPONENTS[0]  # scanning installed packages costs ~1.7 s a session
    for key, raw in (query or {}).items():
        at.query_params[key] = raw
    for key, value in (state or {}).items():
        at.session_state[key] = value
    if page != DEFAULT_PAGE:
        at.switch_page(page)
    OPENED_ON[id(at)] = page
    run(at)
    STATS["links"] += 1
    STATS["first"] += fresh
    if LONG and STATS["links"] % 50 == 0:  # something to poll during a long run
        PROGRESS_FILE.parent.mkdir(exist_ok=True)
        PROGRESS_FILE.write_text(f"{time.strftime('%H:%M:%S')} {summary()}\n", encoding="utf-8")
    if not _COMPONENTS and getattr(at, "_bidi_component_manager", None) is not None:
        _COMPONENTS.append(at._bidi_component_manager)
    return at


def crashes(at: AppTest) -> list[str]:
    """Uncaught exceptions, the safety net, and anything the "dsviz" logger said at WARNING or above."""
    found = [f"exception: {e.value}\n{''.join(e.stack_trace)}" for e in at.exception]
    found += [f"safety net: {e.value}" for e in at.error if SAFETY_NET in e.value]
    found += [f"logged {r.levelname}: {r.getMessage()} {r.exc_text or ''}" for r in _LOGGED]
    return found


def page_widgets(at: AppTest) -> dict[str, Any]:
    """Every settings widget the page shows (main area and sidebar): key → value."""
    return {w.key: w.value for w in widgets(at, "main") + widgets(at, "sidebar")}


def view(at: AppTest) -> dict[str, Any]:
    """What a reopened link must show again: widgets, numbers, code, errors, titles."""
    return {
        "widgets": page_widgets(at),
        "metrics": [(m.label, m.value) for m in at.metric],
        "code": [c.value for c in at.code],
        "errors": [e.value for e in at.error],
        "titles": [t.value for t in at.title],
    }


FOUND: list[dict[str, Any]] = []


def short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


def verdict(what: str, page: str, query: Any, problems: list[str]) -> None:
    """Fail with the exact link (normal mode), or keep it and go on (long mode: see the last test)."""
    if not problems:
        return
    if LONG:
        FOUND.append({"test": what, "page": page, "query": query, "problems": problems})
        FOUND_FILE.parent.mkdir(exist_ok=True)
        with FOUND_FILE.open("a", encoding="utf-8") as out:
            out.write(json.dumps(FOUND[-1], default=repr) + "\n")
        return
    raise AssertionError(f"{what} on {page} with {short(query)}:\n" + "\n".join(problems))


# --------------------------------------------------------------------------- the oracle


PLAIN_NUMBER = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]{1,3})?")  # ASCII digits only


def accepted(setting: Setting, raw: str) -> tuple[bool, Any]:
    """Is ``raw`` a valid link value of ``setting``, and which value is it? From the registry's
    documented rules: a name or a label of a choice, a plain ASCII decimal of the allowed whole
    numbers, ``true``/``false``, comma-separated plain numbers within the bound."""
    if len(raw) > MAX_RAW:
        return False, None
    if isinstance(setting, Numbers):
        items = raw.split(",")
        if len(items) > setting.most or not all(PLAIN_NUMBER.fullmatch(i) for i in items):
            return False, None
        values = [float(i) for i in items]
        if not all(math.isfinite(v) and abs(v) <= setting.bound for v in values):
            return False, None
        return True, tuple(float(np.float32(v)) for v in values)
    forms: dict[str, Any] = {}
    if isinstance(setting, Choice):
        forms |= {label: name for name, label in setting.labels.items()}
    forms |= {setting.format(v): v for v in setting.examples()}
    return raw in forms, forms.get(raw)


def hidden(key: str) -> bool:
    return key.lower() in HIDDEN_KEYS


@functools.cache
def photo_channels(img: str, res: int, gray: bool) -> int:
    return images.load_sample(img, max_side=res, grayscale=gray).shape[0]


def channels_of(values: dict[str, Any]) -> tuple[tuple[str, ...], tuple[int | None, ...]]:
    v = SETTINGS.defaults() | values
    c = photo_channels(v["img"], v["res"], v["chan"] == "gray")
    return channel_labels(c, v["copies"]), channel_colours(c, v["copies"])


def ignored_by_streamlit(query: Query) -> bool:
    """Streamlit drops a whole query string over 512 Ki characters or 1000 fields before the app can
    see it (streamlit.runtime.state.query_params.sanitize_query_string): the app gets no link at all.
    (A browser does not even get that far: the web server answers HTTP 400 above ~128 KB.)"""
    text = parse.urlencode(query, doseq=True)
    return len(text) > 512 * 1024 or text.count("&") + 1 > 1000


class Expected:
    """What the app must make of a link: the values it uses, and the (key, raw) it must name."""

    def __init__(self, query: Query):
        self.used: dict[str, Any] = {}
        self.refused: list[tuple[str, str]] = []
        self.repeated: list[tuple[str, str]] = []
        for key, raws in ({} if ignored_by_streamlit(query) else query).items():
            raws = [raws] if isinstance(raws, str) else list(raws)
            if hidden(key):
                continue
            self.repeated += [(key, raw) for raw in raws[:-1] if raw != raws[-1]]
            setting = SETTINGS.settings.get(key)
            ok, value = accepted(setting, raws[-1]) if setting else (False, None)
            if ok:
                self.used[key] = value
            else:
                self.refused.append((key, raws[-1]))


def unfit(values: dict[str, Any]) -> list[str]:
    """Keys of custom numbers the block uses that do not fit its shape: they are named in a notice."""
    _, notes = block_from(values, *channels_of(values))
    return [n.key for n in notes if isinstance(n, Notice)]


def spans(text: str) -> list[tuple[bool, str]]:
    """Markdown as (inside a code span?, text) pieces, by CommonMark's rule: a run of n backticks opens
    a span closed by the next run of exactly n; one space is stripped from each end of its content when
    both ends have one."""
    runs = [(m.start(), m.end()) for m in re.finditer("`+", text)]
    pieces, last, k = [], 0, 0
    while k < len(runs):
        start, end = runs[k]
        close = next((j for j in range(k + 1, len(runs)) if runs[j][1] - runs[j][0] == end - start), None)
        if close is None:  # backticks with no partner are just backticks
            k += 1
            continue
        content = text[end : runs[close][0]]
        if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
            content = content[1:-1]
        pieces += [(False, text[last:start]), (True, content)]
        last, k = runs[close][1], close + 1
    return [*pieces, (False, text[last:])]


MARKUP = re.compile(r"[\[\]*_$<>`\\|~]|:[a-z]+\[|:material/")  # links, emphasis, maths, HTML, colour, icons


def link_warning(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning if LINK_WARNING in w.value)


def named(text: str, key: str, raw: str, used: str) -> bool:
    """``text`` names ``key=raw`` in a code span of its own (shortened as notices shorten it, so it
    shows literally, whatever it holds) and says ``used …`` right after."""
    pieces = spans(text)
    for i, (in_code, content) in enumerate(pieces):
        if in_code and content == f"{shown(key)}={shown(raw)}":
            after = "".join(c for _, c in pieces[i + 1 : i + 4])
            if f"; used {used})" in after.split("), ")[0] + ")":
                return True
    return False


def markup(text: str) -> list[str]:
    """Markdown that would act (a link, bold, maths, HTML, colour) outside the code spans of ``text``."""
    return [found for in_code, piece in spans(text) if not in_code for found in MARKUP.findall(piece)]


def check_link(at: AppTest, query: Query, *, by_widget: dict[str, Any] | None = None) -> list[str]:
    """Everything a page opened on ``query`` (then given ``by_widget`` values) must show."""
    problems = crashes(at)
    if problems:
        return problems
    expected = Expected(query)
    used = expected.used | (by_widget or {})
    text = link_warning(at)
    for key, value in page_widgets(at).items():
        want = used.get(key, SETTINGS[key].default)
        if value != want:
            problems += replaced(at, key, want, value, text)
    if markup(text):
        problems.append(f"the notice has live Markdown {markup(text)}: {short(text)}")
    for key, raw in expected.refused:
        used_text = SETTINGS.used_instead(key) if key in SETTINGS else "nothing"
        if not named(text, key, raw, used_text):
            problems.append(f"no notice names {key}={short(raw, 60)} with 'used {used_text}': {short(text)}")
        w = the_widget(at, key) if key in SETTINGS else None
        if w is not None and not truthful(SETTINGS[key], w, used_text):
            problems.append(f"the notice for {key} says 'used {used_text}', but its widget shows {w.value!r}")
    for key, raw in expected.repeated:
        if not named(text, key, raw, "the last one"):
            problems.append(f"{key} is repeated, but no notice names {key}={short(raw, 60)}: {short(text)}")
    # custom numbers that do not fit the block are judged where the block is built: a page that never
    # builds it (MobileNet) neither uses nor checks them, and they stay out of its link
    wrong = unfit(used) if OPENED_ON.get(id(at), DEFAULT_PAGE) in BLOCK_PAGES else []
    problems += [
        f"no notice names the unfit {key}"
        for key in wrong
        if not any(in_code and content.startswith(f"{key}=") for in_code, content in spans(text))
    ]
    narrowed = [
        key for key, value in page_widgets(at).items() if value != used.get(key, SETTINGS[key].default)
    ]
    # (after a widget moved, an earlier notice stays until dismissed: only a link's first view is judged)
    if text and not (expected.refused or expected.repeated or wrong or narrowed or by_widget):
        problems.append(f"a link notice, but every value was usable: {short(text)}")
    if not ignored_by_streamlit(query):  # else the URL keeps what Streamlit ignored: nothing to write
        problems += check_written_link(at)
    return problems


def the_widget(at: AppTest, key: str) -> Any:
    for w in widgets(at, "main") + widgets(at, "sidebar"):
        if w.key == key:
            return w
    return None


def narrows(w: Any, setting: Setting, value: Any) -> bool:
    """The page's widget for ``setting`` does not offer ``value`` (a page may narrow a setting's
    values: a row inside this output, a map that exists here)."""
    if isinstance(w, NumberInput | Slider):
        return not (w.min <= value <= w.max)
    if isinstance(w, Selectbox | SelectSlider):
        return len(w.options) < len(setting.examples())  # a narrowed list: its values are not visible
    return False


def truthful(setting: Setting, w: Any, used: str) -> bool:
    """``used …`` in a notice is what the widget shows: its value (or label), or the meaning of a
    default the widget cannot show (the middle row)."""
    said = {setting.format(w.value)} | ({setting.label_of(w.value)} if isinstance(setting, Choice) else set())
    return used in said or (narrows(w, setting, setting.default) and used == setting.default_text)


def offered_values(w: Any, setting: Setting) -> tuple[Any, ...]:
    """The values a student can pick in the widget ``w`` (none known for a narrowed list)."""
    values = tuple(setting.examples())
    if isinstance(w, NumberInput | Slider):
        return tuple(v for v in values if w.min <= v <= w.max)
    return () if narrows(w, setting, None) else values


def replaced(at: AppTest, key: str, want: Any, value: Any, text: str) -> list[str]:
    """The widget shows ``value`` where the link (or the widget state) means ``want``: right only when
    the page does not offer ``want``, and then it says so unless ``want`` was the default."""
    setting = SETTINGS[key]
    if not narrows(the_widget(at, key), setting, want):
        return [f"the {key} widget shows {value!r}, but the link means {want!r}"]
    if want == setting.default:
        return []  # a default the page cannot show (the centre row of this image): nothing to say
    said = [setting.format(value)] + ([setting.label_of(value)] if isinstance(setting, Choice) else [])
    if not any(named(text, key, start, s) for start in chain(text, key, setting.format(want)) for s in said):
        return [f"the {key} widget shows {value!r} instead of {want!r} without a notice: {short(text)}"]
    return []


def chain(text: str, key: str, raw: str) -> list[str]:
    """``raw`` and every value a notice says replaced it, in turn: two narrowings in a row (row 349 →
    64 on a 128-row map, then 64 → 24 once the map is 48 rows) are said as two notices, each true."""
    values, seen = [raw], {raw}
    while True:
        said = re.escape(f"{shown(key)}={shown(values[-1])}")
        found = re.search(rf"`{said}` \([^`]*?; used ([^)`]*)\)", text)
        if not found or found.group(1) in seen:
            return values
        values.append(found.group(1))
        seen.add(found.group(1))


def check_written_link(at: AppTest) -> list[str]:
    """The link the app wrote: one value per key, registry keys only, valid and not the default, and
    every widget's value in it."""
    problems = []
    link = dict(at.query_params)
    for key, raw in link.items():
        setting = SETTINGS.settings.get(key)
        if hidden(key):
            continue  # Streamlit's own (embed=true): kept in the URL by Streamlit, never seen by the app
        if not isinstance(raw, str):
            problems.append(f"the written link repeats {key}: {short(raw)}")
        elif setting is None:
            problems.append(f"the written link holds {key}, which is not a setting")
        elif not accepted(setting, raw)[0]:
            problems.append(f"the written link holds an invalid {key}={short(raw, 80)}")
        elif accepted(setting, raw)[1] == setting.default:
            problems.append(f"the written link holds the default {key}={raw}")
    written = parse.urlencode({k: v for k, v in link.items() if not hidden(k)}, doseq=True)
    if len(written) > 63 * 1024:  # nginx (deploy/nginx.conf) takes 64 KB
        problems.append(f"the written link is too long to open: {len(written)} chars")
    for key, value in page_widgets(at).items():
        setting = SETTINGS[key]
        w = the_widget(at, key)
        fits = {None if value == setting.default else setting.format(value)}
        if narrows(w, setting, setting.default):  # a stand-in for a default the page cannot show
            fits.add(None)
        ok, linked = accepted(setting, link[key]) if isinstance(link.get(key), str) else (False, None)
        if link.get(key) not in fits and not (ok and narrows(w, setting, linked)):
            problems.append(f"the {key} widget shows {value!r} but the link says {short(link.get(key))}")
    return problems


def check_reopen(at: AppTest, page: str) -> list[str]:
    """The link ``at`` wrote, opened in a new session, shows the same view and writes the same link."""
    link = dict(at.query_params)
    if ignored_by_streamlit(link):
        return []
    again = open_link(page, link, fresh=False)
    problems = [f"the written link {short(link)}: {p}" for p in check_link(again, link)]
    before, after = view(at), view(again)
    left_out = any(LEFT_OUT in w.value for w in at.warning)
    if left_out:  # the app says the link leaves grids out: they come back as the defaults
        before.pop("code"), after.pop("code")
    for part in before:
        if before[part] != after[part]:
            problems.append(
                f"reopening {short(link)} changes the {part}: {short(before[part])} → {short(after[part])}"
            )
    if left_out and not link.items() <= dict(again.query_params).items():
        problems.append(f"reopening {short(link)} loses settings: {short(dict(again.query_params))}")
    elif not left_out and dict(again.query_params) != link:
        problems.append(f"reopening {short(link)} writes {short(dict(again.query_params))}")
    return problems


# --------------------------------------------------------------------------- valid values


def valid(setting: Setting) -> st.SearchStrategy[Any]:
    """Any valid value of a widget setting; the ends of a long range more often than uniformly."""
    options = tuple(setting.examples())
    if isinstance(setting, Integer) and len(options) > 4:
        return st.one_of(st.sampled_from((min(options), max(options))), st.sampled_from(options))
    return st.sampled_from(options)


def forms(setting: Setting, value: Any) -> st.SearchStrategy[str]:
    """The texts a link may hold for ``value``: its own, or (a choice, from older links) its label."""
    texts = [setting.format(value)]
    if isinstance(setting, Choice) and setting.label_of(value) not in texts:
        texts.append(setting.label_of(value))
    return st.sampled_from(texts)


NICE_NUMBERS = (0.0, 1.0, -1.0, 0.5, -0.25, 2.0, 0.001, 1 / 9)


def seeded_numbers(n: int, bound: float, seed: int) -> tuple[float, ...]:
    """``n`` float32 numbers within ±bound, some whole, some at the bound (long grids)."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(-bound, bound, n).astype(np.float32)
    a[::3] = np.round(a[::3] / bound * 4)
    a[::11] = bound
    return tuple(float(v) for v in a)


def numbers(setting: Numbers, n: int) -> st.SearchStrategy[tuple[float, ...]]:
    bound = setting.bound
    if n <= 32:
        one = st.one_of(
            st.sampled_from((*NICE_NUMBERS, bound, -bound)),
            st.floats(-bound, bound, width=32, allow_nan=False, allow_infinity=False),
        )
        return st.lists(one, min_size=n, max_size=n).map(lambda xs: tuple(float(np.float32(x)) for x in xs))
    return st.integers(0, 2**32 - 1).map(lambda seed: seeded_numbers(n, bound, seed))


WIDGET_SETTINGS = {k: s for k, s in SETTINGS.settings.items() if not isinstance(s, Numbers)}
NUMBER_SETTINGS = {k: s for k, s in SETTINGS.settings.items() if isinstance(s, Numbers)}


@st.composite
def valid_values(draw: st.DrawFn) -> dict[str, Any]:
    """Any valid value of any setting: each widget setting set or left out; custom numbers of the
    length the block needs, or of any other length the parser takes."""
    values = {key: draw(valid(s)) for key, s in WIDGET_SETTINGS.items() if draw(st.booleans())}
    block, _ = block_from(values, *channels_of(values))
    needed = {k: len(v) for k, v in block_settings(block).items() if k in NUMBER_SETTINGS}
    others = [k for k in NUMBER_SETTINGS if k not in needed]
    keys = [k for k in needed if draw(st.booleans())]
    keys += draw(st.lists(st.sampled_from(others), max_size=2, unique=True))
    for key in keys:
        setting = NUMBER_SETTINGS[key]
        lengths = [needed[key]] if key in needed else []
        n = draw(st.one_of(st.sampled_from([*lengths, setting.most]), st.integers(1, 30)))
        values[key] = draw(numbers(setting, n))
    return values


@st.composite
def valid_links(draw: st.DrawFn) -> Query:
    values = draw(valid_values())
    return {key: draw(forms(SETTINGS[key], value)) for key, value in values.items()}


# --------------------------------------------------------------------------- hostile values

FULLWIDTH = str.maketrans("0123456789.-+,", "０１２３４５６７８９．－＋，")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
NUMBER_FORMS = (
    *(" 3", "3 ", "+3", "03", "3.0", "3e0", "0x3", "3_0", "٣", "３", "𝟑", "Ⅲ", "½", "3j", "0b11", "0o3"),
    *("inf", "-inf", "Infinity", "nan", "NaN", "-nan", "-0", "0", "-1", "1e309", "-1e309", "1e-400"),
    *("9" * 400, "-" + "9" * 400, "2147483648", "-2147483649", "18446744073709551617", "1e4", "10000.0001"),
    *("1.5", ".5", "5.", "-.5", "1e", "e1", "--1", "3.0.0", "1,5", "", " ", "\t", "3\x00", "\x003", "3\n"),
    *("true", "True", "TRUE", "1", "yes", "on", "false", "False", "0.0", "None", "null", "undefined", "[]"),
)
GRID_FORMS = (
    *("1,,2", ",", ",,", "1;2", "1, 2", "1 ,2", "1,2,", ",1", "1 2", "1\t2", "[1,2]", "(1,2)", "1%2C2"),
    *("1,2,3,4,5,6,7,8,9,", ",1,2,3,4,5,6,7,8,9", "1,2,3,4,5,6,7,8", "0,0,0,0,1,0,0,0,0,0", "1,nan,2"),
    *("1e38,1e38,1e38,1e38,1e38,1e38,1e38,1e38,1e38", "10000,-10000,10000.5", "1,2,3,4,5,6,7,8,٩"),
)
MARKUP_FORMS = (
    *("`", "``", "`a`b", "a` (not; used x), `b", "[click](https://example.com)", "**bold**", "$x^2$"),
    *(":red[x]", ":material/warning:", "<b>x</b>", "<script>alert(1)</script>", "\\", "\\`", "# h1", "> q"),
    *("\u202e3", "\u200b3", "3\u200b", "\ufeff3", "e\u0301", "\U0001f600", "\n\n", "\r\n", "\x1b[31m"),
)
MUTATIONS: tuple[Callable[[str], str], ...] = (
    lambda s: f" {s}",
    lambda s: f"{s} ",
    lambda s: f"{s}\n",
    lambda s: f"\t{s}",
    str.upper,
    str.title,
    str.swapcase,
    lambda s: s[:-1],
    lambda s: s[1:],
    lambda s: s + s[-1:],
    lambda s: "+" + s,
    lambda s: "0" + s,
    lambda s: s + ".0",
    lambda s: s + "e0",
    lambda s: s + ",",
    lambda s: s.translate(FULLWIDTH),
    lambda s: s.translate(ARABIC),
    lambda s: s.replace("-", "_"),
    lambda s: s.replace("-", " "),
    lambda s: s + "\x00",
    lambda s: "\u200b" + s,
    lambda s: s.replace(",", ";"),
    lambda s: s.replace(",", ", "),
    lambda s: s.replace(",", ",,", 1),
    lambda s: s.rsplit(",", 1)[0],
    lambda s: s + "," + s,
)
LONG_UNITS = ("9", "1,", "a", "é", "`", "\x00", "1e309,", "%", " ", "-")
LONG_SIZES = (MAX_RAW - 1, MAX_RAW, MAX_RAW + 1, 100_003)


def long_text(unit: str, n: int, tail: str) -> str:
    return (unit * (n // len(unit) + 1))[: n - len(tail)] + tail


def texts_of(setting: Setting | None) -> list[str]:
    """Valid texts of ``setting`` (its values, its labels), the material mutations start from."""
    if setting is None:
        return ["3", "sobel-x", "1,2,3"]
    if isinstance(setting, Numbers):
        return ["1,0,-1,2,0,-2,1,0,-1", "0.5", ",".join(["1"] * 25), "1e-3,2.5e2"]
    texts = [setting.format(v) for v in setting.examples()]
    if isinstance(setting, Choice):
        texts += list(setting.labels.values())
    return texts


def hostile(key: str) -> st.SearchStrategy[str]:
    """Text for ``key`` a hand-edited, truncated or malicious link may hold, valid or (mostly) not."""
    setting = SETTINGS.settings.get(key)
    return st.one_of(
        st.sampled_from(NUMBER_FORMS + GRID_FORMS + MARKUP_FORMS),
        st.tuples(st.sampled_from(texts_of(setting)), st.sampled_from(MUTATIONS)).map(lambda t: t[1](t[0])),
        st.text(max_size=40),
        st.text(st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Co")), max_size=8),
        st.builds(
            long_text, st.sampled_from(LONG_UNITS), st.sampled_from(LONG_SIZES), st.sampled_from(("", "x"))
        ),
    )


REGISTRY_KEYS = list(SETTINGS.settings)
UNKNOWN_KEYS = (
    *("PG_K", "pg_k ", " pg_k", "pg-k", "pg_k[]", "pg_dw24", "pg_dw0_4", "pg_custom24", "pg_custom0_9"),
    *("pg_dw", "pg_", "", "=", "&", "#", "?", "img\x00", "ｐｇ_ｋ", "embed", "EMBED", "embed_options", "`"),
)


def keys() -> st.SearchStrategy[str]:
    """A registry key (most often), a near miss, any text, or a very long key."""
    return st.one_of(
        st.sampled_from(REGISTRY_KEYS),
        st.sampled_from(REGISTRY_KEYS),
        st.sampled_from(UNKNOWN_KEYS),
        st.text(min_size=1, max_size=20),
        st.builds(long_text, st.sampled_from(("k", "`", "é")), st.sampled_from((1000, 20_000)), st.just("")),
    )


@st.composite
def hostile_links(draw: st.DrawFn) -> Query:
    """A few valid settings (so custom numbers and fallbacks matter) and a few hostile values, some
    repeated (``?k=a&k=b``)."""
    query: Query = dict(draw(valid_links())) if draw(st.booleans()) else {}
    if len(query) > 6:  # keep a handful of the valid settings: the hostile ones are the point here
        query = dict(list(query.items())[:6])
    for _ in range(draw(st.integers(1, 3))):
        key = draw(keys())
        raws = draw(st.lists(hostile(key), min_size=1, max_size=3 if draw(st.integers(0, 5)) == 0 else 1))
        query[key] = raws[0] if len(raws) == 1 else raws
    return query


# --------------------------------------------------------------------------- tests: links


PAGES_ = st.sampled_from(FUZZED_PAGES)


def spread(rows: list[Any], pages: list[str] | None = None) -> list[tuple[str, Any]]:
    """(page, row) cases: every row on every page in the long mode; in the normal mode each row on one
    page, in turn, so that every page gets its share and the run stays short."""
    pages = pages or FUZZED_PAGES
    if LONG:
        return [(page, row) for row in rows for page in pages]
    return [(pages[i % len(pages)], row) for i, row in enumerate(rows)]


def test_fuzzed_pages_are_the_registered_views() -> None:
    assert DEFAULT_PAGE in FUZZED_PAGES
    assert all((ROOT / page).exists() for page in FUZZED_PAGES)


def opened_and_reopened(page: str, query: Query) -> list[str]:
    """Open ``query`` on ``page``, check it, and (unless it crashed) reopen the link it wrote."""
    at = open_link(page, query)
    problems = check_link(at, query)
    return problems if crashes(at) else problems + check_reopen(at, page)


@fuzz(normal=20, long=2500)
@given(page=PAGES_, query=hostile_links())
def test_hostile_links(page: str, query: Query) -> None:
    verdict("hostile link", page, query, opened_and_reopened(page, query))


@fuzz(normal=10, long=700)
@given(page=PAGES_, query=valid_links())
def test_valid_links(page: str, query: Query) -> None:
    verdict("valid link", page, query, opened_and_reopened(page, query))


@fuzz(normal=4, long=100)
@given(page=PAGES_, values=valid_values(), data=st.data())
def test_valid_settings_through_widgets(page: str, values: dict[str, Any], data: st.DataObject) -> None:
    """Settings given as widget values (state) rather than a link, then one widget moved by hand."""
    at = open_link(page, state=values)
    problems = check_link(at, {}, by_widget=values)
    shown_now = page_widgets(at)
    offered = {k: v for k in sorted(shown_now) if (v := offered_values(the_widget(at, k), SETTINGS[k]))}
    if not problems and offered:
        key = data.draw(st.sampled_from(sorted(offered)), label="moved")
        new = data.draw(st.sampled_from(offered[key]), label="to")
        for kind in ("selectbox", "select_slider", "slider", "toggle", "number_input"):
            for w in at.get(kind):
                if w.key == key:
                    w.set_value(new)
        run(at)
        problems = check_link(at, {}, by_widget=values | {key: new})
        if not crashes(at):
            problems += check_reopen(at, page)
    verdict("widget values", page, values, problems)


# --------------------------------------------------------------------------- tests: what the fuzz found

PINNED: list[tuple[str, Query]] = [  # every failing link the fuzz found, as it found it (or shortened)
    (
        "a 10⁵-character non-number took minutes to refuse (quadratic regex in parse_number)",
        {"pg_dw0": "custom", "pg_custom0": "9" * (MAX_RAW - 1) + "x"},
    ),
    (
        "Arabic-Indic and fullwidth digits were read as numbers",
        {"pg_dw0": "custom", "pg_custom0": "٣,0,0,0,1,0,0,0,０"},
    ),
    (
        "an unknown key was quoted whole (10³ characters) in the notice",
        {"chan": "rgb", "pg_k": "1", "pg_dw0": "identity", long_text("k", 1000, ""): " 3"},
    ),
    (
        "link text became live Markdown in the notice: a link, maths, colour, a code span closed early",
        {
            "pg_dw0": "custom",
            "pg_custom0": "1,[click](https://example.com)",
            "pg_k": "a` (x; used 3), `b",
            "pg_n": "$x^2$ :red[x] **b**",
            "[x](https://example.com)": "1",
        },
    ),
    (
        "custom weights over 1024 numbers left the written link without a word: it reopened another view",
        {"pg_pw": "custom", "pg_n": "64", "copies": "7", "res": "64", "pg_pwc": ",".join(["0.5"] * 1536)},
    ),
    (
        "the written link grew past what a web server takes (nginx 8 KB; Streamlit's server ~128 KB)",
        {"copies": "7", "pg_d": "2", "pg_k": "11", "pg_n": "1", "res": "64"}
        | {kernel_key(m, r): "custom" for m in range(24) for r in range(2)}
        | {custom_key(m, r): ",".join(["-1234.5677"] * 121) for m in range(24) for r in range(2)},
    ),
    (
        "a repeated key used its last value without a word, and the link kept every copy",
        {"pg_k": ["5", "7"], "img": ["nope", "rings"], "pg_n": ["4", "x"], "pg_d": ["2", "2"]},
    ),
    (
        "the harness asked a page that never builds the block (MobileNet) to name an unfit custom grid",
        {"pg_k": "7", "pg_dw0": "custom", "pg_custom0": "1,2,3"},
    ),
    (
        "-0 in a custom grid: the view's code printed -0.0, the code of its written link 0.0",
        {"pg_k": "1", "pg_dw0": "custom", "pg_custom0": "-0"},
    ),
    (
        "a choice a page narrows (v1's α) listed the allowed values as a Python list: live Markdown brackets",
        {"mn_net": "v1", "mn_alpha": "0.35"},
    ),
]


@pytest.mark.parametrize(("page", "pinned"), spread(PINNED), ids=lambda p: p if isinstance(p, str) else p[0])
def test_pinned_links(page: str, pinned: tuple[str, Query]) -> None:
    why, query = pinned
    start = time.monotonic()
    problems = opened_and_reopened(page, query)
    if time.monotonic() - start > 60:
        problems.append(f"took {time.monotonic() - start:.0f} s")
    verdict(why, page, query, problems)


PIXEL = "views/pixel.py"


def test_a_narrowed_choice_is_listed_as_plain_words() -> None:
    """Found by the long mode: ?mn_net=v1&mn_alpha=0.35 said "not one of ['0.25', '0.5', …] here"."""
    at = open_link("views/mobilenet.py", {"mn_net": "v1", "mn_alpha": "0.35"})
    assert check_link(at, {"mn_net": "v1", "mn_alpha": "0.35"}) == []
    assert "not one of 0.25, 0.5, 0.75, 1.0 here" in link_warning(at)


def test_an_unfit_grid_is_named_where_the_block_is_built_and_left_alone_elsewhere() -> None:
    """Found by the long mode: 9 numbers for a 7×7 kernel. Every page that builds the block names it in
    a notice; a page that does not (MobileNet) neither uses it nor puts it in its link."""
    query = {"pg_k": "7", "pg_dw0": "custom", "pg_custom0": "1,2,3"}
    for page in FUZZED_PAGES:
        at = open_link(page, query)
        assert check_link(at, query) == [], page
        said = "pg_custom0=" in link_warning(at)
        assert said == (page in BLOCK_PAGES), page
        if page not in BLOCK_PAGES:
            assert "pg_custom0" not in at.query_params


@pytest.mark.skipif(PIXEL not in FUZZED_PAGES, reason="no 'Inside one pixel' page")
def test_a_refused_row_says_which_row_is_shown() -> None:
    """Bug: ?px_row=abc said "used -1" while the page showed the middle row."""
    query = {"px_row": "abc", "px_col": "1e3", "res": "64"}
    at = open_link(PIXEL, query)
    verdict("pixel row", PIXEL, query, check_link(at, query))


def one_of_each_kind() -> list[Setting]:
    """One setting of each type and shape of the registry (every kernel picker is the same parser)."""
    kinds: dict[Any, Setting] = {}
    for setting in SETTINGS.settings.values():
        shape = (type(setting), getattr(setting, "options", None), getattr(setting, "most", None))
        kinds.setdefault(shape, setting)
    return list(kinds.values())


@pytest.mark.parametrize("setting", one_of_each_kind(), ids=lambda s: s.key)
def test_every_parser_is_quick_on_very_long_values(setting: Setting) -> None:
    """A link value of up to 10⁵ characters (the longest the registry reads) is parsed or refused in
    well under a second, whatever it is made of: a slow refusal is a way to stall the server."""
    for unit, size, tail in itertools.product(LONG_UNITS, LONG_SIZES[:2], ("", "x", ",x")):
        raw = long_text(unit, size, tail)
        start = time.monotonic()
        ok, _ = accepted(setting, raw)
        try:
            setting.parse(raw)
            parsed = True
        except SettingError:
            parsed = False
        assert time.monotonic() - start < 0.5, f"{setting.key}: {short(raw, 60)} took too long"
        assert parsed == ok, f"{setting.key}: {short(raw, 60)} parsed={parsed}, but accepted={ok}"


# --------------------------------------------------------------------------- tests: coverage by design


def pairwise(
    domains: dict[str, tuple[Any, ...]], focus: tuple[str, ...] = (), seed: int = 14
) -> list[dict[str, Any]]:
    """Rows in which every pair of values of every two settings occurs at least once (greedy); with
    ``focus``, only the pairs that involve one of those settings."""
    rng = random.Random(seed)
    names = list(domains)
    pairs = [(a, b) for a, b in itertools.combinations(names, 2) if not focus or a in focus or b in focus]
    todo = {(a, x, b, y) for a, b in pairs for x in domains[a] for y in domains[b]}
    rows = []
    while todo:
        a, x, b, y = min(todo, key=lambda t: (names.index(t[0]), names.index(t[2]), repr(t)))
        best, score = None, -1
        for _ in range(40):
            row = {n: rng.choice(domains[n]) for n in names} | {a: x, b: y}
            covered = sum((p, row[p], q, row[q]) in todo for p, q in pairs)
            if covered > score:
                best, score = row, covered
        rows.append(best)
        todo -= {(p, best[p], q, best[q]) for p, q in pairs}
    return rows


def small_domains(groups: tuple[str, ...], most: int) -> dict[str, tuple[Any, ...]]:
    """Every widget setting of these groups with at most ``most`` values (kernel pickers: channel 0's)."""
    return {
        key: tuple(s.examples())
        for key, s in WIDGET_SETTINGS.items()
        if s.group in groups
        and len(s.examples()) <= most
        and (not key.startswith("pg_dw") or key == kernel_key(0, 0))
    }


PADDINGS = tuple(k for k, s in WIDGET_SETTINGS.items() if s.group == "block" and "pad" in k)
PAIR_ROWS = (
    pairwise(small_domains(("image", "block", "view", "cost"), 16), seed=41)
    if LONG  # every pair of values of every two settings with ≤ 16 values
    else pairwise(small_domains(("block",), 6), focus=PADDINGS)  # every padding with every geometry
)


@pytest.mark.parametrize(
    ("page", "row"), spread(PAIR_ROWS), ids=lambda r: str(r) if isinstance(r, str) else ""
)
def test_every_pair_of_settings(page: str, row: dict[str, Any]) -> None:
    """Every padding and padding mode with every stride, dilation, K and d (the block's settings with
    few values, pairwise; every pair of every setting with ≤ 16 values in the long mode), at 64 px."""
    values = {"res": 64} | row if "res" not in row else row
    query = {key: SETTINGS[key].format(value) for key, value in values.items()}
    at = open_link(page, query)
    verdict("pairwise", page, query, check_link(at, query))


def kernel_rows() -> list[dict[str, str]]:
    """Every kernel name on some channel, at every K: one link per K."""
    names = SETTINGS[kernel_key(0, 0)].examples()
    sizes = SETTINGS["pg_k"].examples()
    copies = next(c for c in SETTINGS["copies"].examples() if 3 * (1 + c) >= len(names))
    rows = []
    for size in sizes:
        row = {"pg_k": str(size), "copies": str(copies), "res": "64", "pg_n": "1"}
        row |= {kernel_key(m, 0): name for m, name in enumerate(names)}
        rows.append(row)
    return rows


@pytest.mark.parametrize(
    ("page", "query"), spread(kernel_rows()), ids=lambda q: q if isinstance(q, str) else ""
)
def test_every_kernel_name_at_every_size(page: str, query: dict[str, str]) -> None:
    at = open_link(page, query)
    verdict("every kernel", page, query, check_link(at, query))


def extreme_rows() -> list[dict[str, str]]:
    """d and N at both ends, with the most and the fewest input channels."""
    d, n, copies = (SETTINGS[k].examples() for k in ("pg_d", "pg_n", "copies"))
    return [
        {"copies": str(max(copies)), "pg_d": str(max(d)), "pg_n": str(max(n)), "res": "64"},
        {"chan": "gray", "pg_d": str(min(d)), "pg_n": str(min(n)), "pg_k": "1", "res": "1024"},
        {
            "chan": "gray",
            "copies": str(max(copies)),
            "pg_d": str(max(d)),
            "pg_n": str(min(n)),
            "pg_shared": "true",
        },
        {"chan": "gray", "pg_d": str(max(d)), "pg_n": str(max(n)), "pg_k": "11", "res": "64"},
    ]


@pytest.mark.parametrize(
    ("page", "query"), spread(extreme_rows()), ids=lambda q: q if isinstance(q, str) else ""
)
def test_extreme_d_and_n(page: str, query: dict[str, str]) -> None:
    at = open_link(page, query)
    verdict("extremes", page, query, check_link(at, query))


# --------------------------------------------------------------------------- tests: uploads


def encoded(width: int, height: int, fmt: str = "PNG", mode: str = "RGB", orientation: int = 1) -> bytes:
    x = np.linspace(0, 255, width)[None, :] * np.ones((height, 1))
    y = np.linspace(0, 255, height)[:, None] * np.ones((1, width))
    im = Image.fromarray(np.stack([x, y, 255 - x], -1).astype(np.uint8)).convert(mode)
    buffer = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if orientation != 1:
        exif = Image.Exif()
        exif[0x0112] = orientation
        kwargs["exif"] = exif
    im.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


UPLOADS: dict[str, tuple[str, bytes, str]] = {
    "bomb": ("bomb.png", png_bomb(100_000, 100_000), "image/png"),
    "text": ("notes.png", b"just some text, not pixels", "image/png"),
    "empty": ("empty.png", b"", "image/png"),
    "html": ("page.png", b"<!doctype html><html><body>hi</body></html>", "image/png"),
    "truncated png": ("cut.png", truncated(encoded(300, 200)), "image/png"),
    "truncated jpeg": ("cut.jpg", truncated(encoded(300, 200, "JPEG")), "image/jpeg"),
    "1×1": ("dot.png", encoded(1, 1), "image/png"),
    "15×15": ("15.png", encoded(15, 15), "image/png"),
    "16×16": ("16.png", encoded(16, 16), "image/png"),
    "17×17": ("17.png", encoded(17, 17), "image/png"),
    "16×15": ("16x15.png", encoded(16, 15), "image/png"),
    "64×16 (4:1)": ("wide.png", encoded(64, 16), "image/png"),
    "16×64 (1:4)": ("tall.png", encoded(16, 64), "image/png"),
    "401×100 (4.01:1)": ("wider.png", encoded(401, 100), "image/png"),
    "100×401 (1:4.01)": ("taller.png", encoded(100, 401), "image/png"),
    "16×64 turned by EXIF": ("turned.jpg", encoded(16, 64, "JPEG", orientation=6), "image/jpeg"),
    "gray 16-bit": ("gray16.png", encoded(20, 20, mode="I;16"), "image/png"),
    "palette gif": ("p.gif", encoded(32, 32, "GIF", mode="P"), "image/gif"),
    "RGBA webp": ("a.webp", encoded(32, 32, "WEBP", mode="RGBA"), "image/webp"),
    "CMYK jpeg": ("cmyk.jpg", encoded(32, 32, "JPEG", mode="CMYK"), "image/jpeg"),
    "1-bit tiff": ("bits.tif", encoded(40, 30, "TIFF", mode="1"), "image/tiff"),
    "wrong extension": ("photo.png", encoded(32, 32, "JPEG"), "image/png"),
}


def loads(data: bytes, res: int) -> bool:
    """The loader's own verdict (dsviz.images), which the app must follow."""
    try:
        images.load_image(data, max_side=res)
    except images.ImageError:
        return False
    return True


def check_upload(at: AppTest, name: str, data: bytes, res: int) -> list[str]:
    problems = crashes(at)
    errors = " ".join(e.value for e in at.error)
    captions = " ".join(c.value for c in at.sidebar.caption)
    if loads(data, res):
        if "Showing your upload" not in captions:
            problems.append(f"{name} loads at {res} px, but the sidebar says: {captions} {errors}")
    else:
        if name not in errors:
            problems.append(f"{name} does not load at {res} px, but no error names it: {errors}")
        if "built-in image" not in captions:
            problems.append(f"{name} was refused, but the sidebar says: {captions}")
    return problems + check_written_link(at)


# the pages with the image sidebar (every page that builds the block); MobileNet has no image
UPLOAD_PAGES = [page for page in FUZZED_PAGES if page in BLOCK_PAGES]


@pytest.mark.parametrize(("page", "upload"), spread(list(UPLOADS), UPLOAD_PAGES))
def test_odd_uploads(page: str, upload: str) -> None:
    name, data, mime = UPLOADS[upload]
    at = open_link(page)
    at.file_uploader(key="upload").set_value((name, data, mime))
    run(at)
    problems = check_upload(at, name, data, SETTINGS["res"].default)
    if not problems:  # the smallest working resolution: a thin image may not fit any more
        at.select_slider(key="res").set_value(min(SETTINGS["res"].examples()))
        run(at)
        problems = crashes(at) + check_written_link(at)
    verdict("upload", page, upload, problems)


@fuzz(normal=6, long=100)
@given(
    page=st.sampled_from(UPLOAD_PAGES),
    short_side=st.integers(12, 20),
    ratio=st.sampled_from((1.0, 1.5, 3.99, 4.0, 4.01, 4.2)),
    tall=st.booleans(),
    fmt=st.sampled_from(("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")),
    mode=st.sampled_from(("RGB", "L", "RGBA", "P", "LA")),
    scale=st.sampled_from((1, 4, 16)),
    res=valid(SETTINGS["res"]),
)
def test_uploads_around_the_limits(
    page: str, short_side: int, ratio: float, tall: bool, fmt: str, mode: str, scale: int, res: int
) -> None:
    """Images at and around the smallest side and the thinnest shape the loader takes, at any working
    resolution: the app takes exactly what the loader takes, and says why otherwise."""
    side = short_side * scale
    width, height = round(side * ratio), side
    if tall:
        width, height = height, width
    if fmt == "JPEG" and mode in ("RGBA", "P", "LA"):
        mode = "RGB"
    if fmt == "BMP" and mode == "LA":
        mode = "L"
    name = f"img_{width}x{height}.{fmt.lower()}"
    data = encoded(width, height, fmt, mode)
    at = open_link(page, {"res": str(res)} if res != SETTINGS["res"].default else None)
    at.file_uploader(key="upload").set_value((name, data, f"image/{fmt.lower()}"))
    run(at)
    verdict("upload", page, name, check_upload(at, name, data, res))


# --------------------------------------------------------------------------- a real browser


BROWSER_QUERY = (  # a real URL: a repeated key, and link text that would be Markdown on the page
    "pg_k=5&pg_k=7&pg_n=%5Bclick%5D(https://example.com)&pg_dw0=custom&pg_custom0=1,%60%24x%5E2%24%60"
    "&zz%60=**bold**"
)


@pytest.mark.browser
def test_hostile_link_in_a_real_browser() -> None:
    """What AppTest cannot show: the notice as Chromium renders it (no link, no maths, no bold: the
    values in code, literally), and the URL bar rewritten to the one value of a repeated key."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with live_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{url}/?{BROWSER_QUERY}", timeout=60_000)
            alert = page.locator('[data-testid="stAlertContentWarning"]', has_text=LINK_WARNING)
            alert.wait_for(timeout=90_000)
            page.wait_for_function("() => !location.search.includes('pg_k=5')", timeout=60_000)
            html, codes = alert.inner_html(), alert.locator("code").all_inner_texts()
            query = parse.parse_qs(parse.urlsplit(page.url).query, keep_blank_values=True)
        finally:
            browser.close()
    assert "<a " not in html and "katex" not in html and "<strong>" not in html, html
    for literal in ("pg_k=5", "pg_n=[click](https://example.com)", "pg_custom0=1,`$x^2$`", "zz`=**bold**"):
        assert literal in codes, (literal, codes)
    assert query["pg_k"] == ["7"] and "pg_n" not in query and "zz`" not in query, query


# --------------------------------------------------------------------------- the long mode's verdict


@pytest.mark.skipif(not LONG, reason="the long mode collects its failures; the normal mode fails at once")
def test_long_mode_found_nothing() -> None:
    assert not FOUND, f"{len(FOUND)} failing examples, written to {FOUND_FILE}:\n" + "\n".join(
        f"{f['test']} on {f['page']} with {short(f['query'])}: {f['problems'][:3]}" for f in FOUND[:20]
    )
