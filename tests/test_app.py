"""The Streamlit app under streamlit.testing.v1.AppTest: it runs, every widget value works, links restore
the view, and the numbers it shows equal K²·M·d·H'·W' + M·d·N·H'·W' computed here independently.

Scenarios start from a fresh AppTest whose first run is seeded through ``session_state`` (or the URL),
so they exercise app.py → sidebar → page exactly as a first page load does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fakes import png_bomb
from streamlit.testing.v1 import AppTest

from dsviz import images, kernels
from dsviz.checks import PADDING_MODES
from dsviz.ops import ACTIVATIONS

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SAFETY_NET = "Something went wrong"
WIDGET_KINDS = ("selectbox", "select_slider", "slider", "toggle", "checkbox", "radio", "number_input")

# The raw option values of each selectbox (what the page's code receives), by key.
KERNEL_CHOICES = [*kernels.DEPTHWISE, "custom"]
RAW_OPTIONS: dict[str, list[Any]] = {
    "img": images.sample_names(),
    "chan": ["rgb", "gray"],
    "pg_scale": ["shared", "per-map"],
    "pg_pad": list(PADDING_MODES),
    "pg_pw": [*kernels.POINTWISE, "custom"],
    "pg_act": list(ACTIVATIONS),
    "pg_unit": ["MACs", "FLOPs"],
    "pg_bnp": ["none", "trainable", "stored"],
}
DEFAULTS = {
    "img": "astronaut",
    "res": 256,
    "chan": "rgb",
    "copies": 0,
    "pg_k": 3,
    "pg_n": 8,
    "pg_pad": "zeros",
}


# ---- helpers ----------------------------------------------------------------------------------------


def fresh(query: dict[str, Any] | None = None, state: dict[str, Any] | None = None) -> AppTest:
    """A new session, opened on a link with ``query`` and with widget values ``state``; run once."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = str(value)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at.run()


def trouble(at: AppTest, *, allow_errors: bool = False) -> list[str]:
    """Exceptions, the safety net, and (unless allowed) any st.error."""
    found = [f"exception: {e.value}" for e in at.exception]
    for err in at.error:
        if SAFETY_NET in err.value or not allow_errors:
            found.append(f"error: {err.value}")
    return found


def widget(at: AppTest, key: str):
    for kind in WIDGET_KINDS:
        for w in at.get(kind):
            if w.key == key:
                return w
    return None


def raw_options(w) -> list[Any]:
    if re.fullmatch(r"pg_dw\d+", w.key):
        raw = KERNEL_CHOICES
    elif w.key in RAW_OPTIONS:
        raw = RAW_OPTIONS[w.key]
    else:
        pytest.fail(f"selectbox {w.key!r} is new: add its raw options to RAW_OPTIONS in {__file__}")
    assert len(raw) == len(w.options), f"{w.key}: the page offers {w.options}, the test knows {raw}"
    return raw


def other_values(w) -> list[Any]:
    """Values to try for a widget: every option of a selectbox/select-slider, min and max of a slider."""
    if w.type in ("selectbox", "radio"):
        values = raw_options(w)
    elif w.type == "select_slider":
        values = [int(o) if o.lstrip("-").isdigit() else o for o in w.options]
    elif w.type in ("slider", "number_input"):
        values = [int(w.min), int(w.max)]
    elif w.type in ("toggle", "checkbox"):
        values = [not w.value]
    else:
        pytest.fail(f"no values known for {w.type} {w.key}")
    return [v for v in values if v != w.value]


def metrics(at: AppTest) -> dict[str, int]:
    """The cost card's metrics: 'standard (MACs)' → 14155776, …"""
    return {m.label: int(m.value.replace(",", "")) for m in at.metric if re.fullmatch(r"[\d,]+", m.value)}


def image_size(name: str, res: int, gray: bool = False) -> tuple[int, int]:
    _, height, width = images.load_sample(name, max_side=res, grayscale=gray).shape
    return height, width


def expected_costs(
    *,
    img: str = "astronaut",
    res: int = 256,
    gray: bool = False,
    copies: int = 0,
    k: int = 3,
    d: int = 1,
    n: int = 8,
    stride: int = 1,
) -> tuple[int, int, int]:
    """(depthwise, pointwise, standard) MACs: K²·M·d·H'·W', M·d·N·H'·W', K²·M·N·H'·W' with H' = ⌈H/s⌉."""
    m = (1 if gray else 3) * (1 + copies)
    height, width = image_size(img, res, gray)
    grid = -(-height // stride) * -(-width // stride)
    return k * k * m * d * grid, m * d * n * grid, k * k * m * n * grid


def latex_costs(at: AppTest) -> list[int]:
    """Numbers in the filled-in cost formula: depthwise, pointwise, separable total, standard."""
    (latex,) = [x.value for x in at.latex if r"\text{MACs}" in x.value]
    subscripts = [int(s.replace(r"\,", "")) for s in re.findall(r"\}_\{([\d\\,]+)\}", latex)]
    totals = [int(s.replace(r"\,", "")) for s in re.findall(r"= ([\d\\,]+)\\ \\text\{MACs\}", latex)]
    return subscripts + totals


def assert_costs_shown(at: AppTest, dw: int, pw: int, std: int, unit: str = "MACs") -> None:
    factor = 2 if unit == "FLOPs" else 1
    shown = metrics(at)
    assert shown[f"standard ({unit})"] == factor * std
    assert shown[f"separable ({unit})"] == factor * (dw + pw)
    assert latex_costs(at) == [dw, pw, dw + pw, std]  # the formula always counts MACs


# ---- the default view -------------------------------------------------------------------------------


def test_default_view_runs_cleanly() -> None:
    at = fresh()
    assert not trouble(at)
    assert any("Playground" in t.value for t in at.title)
    (headline,) = [i.value for i in at.info if "fewer" in i.value]
    assert "fewer MACs" in headline
    assert not at.warning  # nothing to complain about without a link


def test_default_cost_card_numbers() -> None:
    at = fresh()
    assert image_size("astronaut", 256) == (256, 256)  # the 512² photo at the default 256 px
    h = w = 256
    dw, pw, std = 3 * 3 * 3 * h * w, 3 * 8 * h * w, 3 * 3 * 3 * 8 * h * w
    assert (dw, pw, std) == (1_769_472, 1_572_864, 14_155_776)
    assert_costs_shown(at, dw, pw, std)
    (headline,) = [i.value for i in at.info if "fewer" in i.value]
    compute, weights = re.findall(r"\(([\d,]+) vs ([\d,]+)\)", headline)
    assert compute == (f"{dw + pw:,}", f"{std:,}")
    assert weights == (f"{9 * 3 + 3 * 8:,}", f"{9 * 3 * 8:,}")  # K²·M + M·N vs K²·M·N weights
    assert f"{std / (dw + pw):.1f}× fewer MACs" in headline


def test_flops_mode_doubles_the_numbers() -> None:
    at = fresh()
    dw, pw, std = expected_costs()
    at.selectbox(key="pg_unit").set_value("FLOPs").run()
    assert not trouble(at)
    assert_costs_shown(at, dw, pw, std, unit="FLOPs")
    (headline,) = [i.value for i in at.info if "fewer" in i.value]
    assert "fewer FLOPs" in headline
    assert f"({2 * (dw + pw):,} vs {2 * std:,})" in headline


# ---- every widget, every value ----------------------------------------------------------------------


def exercise(area: str) -> list[str]:
    """Give every widget in ``area`` ("main" or "sidebar") each of its other values, one at a time,
    then put it back. Returns the problems seen."""
    at = fresh()
    targets = [(w.key, w.value) for kind in WIDGET_KINDS for w in getattr(at, area).get(kind) if w.key]
    assert targets
    problems: list[str] = []
    for key, default in targets:
        if widget(at, key) is None:  # a previous widget's rerun lost it: start again
            problems.append(f"{key}: the widget is gone after a rerun")
            at = fresh()
        for value in other_values(widget(at, key)):
            w = widget(at, key)
            if w is None:
                problems.append(f"{key}: the widget is gone after a rerun")
                at = fresh()
                break
            w.set_value(value).run()
            problems += [f"{key}={value!r}: {p}" for p in trouble(at)]
            now = widget(at, key)
            if now is None or now.value != value:
                problems.append(f"{key}={value!r}: the widget then shows {getattr(now, 'value', 'nothing')}")
        w = widget(at, key)
        if w is not None:
            w.set_value(default).run()
    return problems


def test_every_page_widget_value_runs() -> None:
    problems = exercise("main")
    assert not problems, "\n".join(problems)


def test_every_sidebar_widget_value_runs() -> None:
    problems = exercise("sidebar")
    assert not problems, "\n".join(problems)


def test_reruns_run_app_py_not_just_the_page() -> None:
    """A widget change reruns the router: the sidebar is drawn again and its changes take effect."""
    at = fresh()
    at.slider(key="pg_n").set_value(4).run()
    assert not trouble(at)
    assert widget(at, "img") is not None, "the sidebar was not drawn on the rerun"
    at.select_slider(key="res").set_value(128).run()
    assert any("each 128×128" in m.value for m in at.markdown)


# ---- extreme settings -------------------------------------------------------------------------------

COMBOS: dict[str, dict[str, Any]] = {
    "K=11, 64 px, stride 4, dilation 4": {"pg_k": 11, "res": 64, "pg_stride": 4, "pg_dil": 4},
    "reflect padding, huge dilated kernel": {
        "pg_k": 11,
        "pg_dil": 4,
        "res": 64,
        "pg_pad": "reflect",
        "img": "chelsea",
    },
    "circular padding, huge dilated kernel": {"pg_k": 11, "pg_dil": 4, "res": 64, "pg_pad": "circular"},
    "M = 24, d = 4, N = 64": {"copies": 7, "pg_d": 4, "pg_n": 64, "pg_dil": 4},
    "custom kernels and weights": {
        "pg_dw0": "custom",
        "pg_dw1": "custom",
        "pg_dw2": "custom",
        "pg_pw": "custom",
        "pg_k": 5,
    },
    "batch norm, ReLU6, grayscale": {"pg_bn": True, "pg_act": "relu6", "chan": "gray", "pg_pw": "luminance"},
    "one shared kernel, d = 3": {"pg_shared": True, "pg_d": 3, "pg_dw0": "random", "pg_k": 5},
    "Scharr at K = 5 falls back": {"pg_k": 5, "pg_dw0": "scharr-x", "pg_dw1": "scharr-y"},
    "K = 1": {"pg_k": 1},
    "per-map scale, random mix, ReLU": {
        "pg_scale": "per-map",
        "pg_pw": "random",
        "pg_act": "relu",
        "copies": 2,
        "img": "text",
    },
    "every cost convention": {"pg_unit": "FLOPs", "pg_bias": True, "pg_bnp": "stored"},
    "1024 px, stride 3, non-square photo": {"res": 1024, "img": "rocket", "pg_stride": 3},
    "gray, 7 copies, d = 4, stride 2": {"chan": "gray", "copies": 7, "pg_d": 4, "pg_stride": 2, "pg_n": 1},
}


@pytest.mark.parametrize("name", COMBOS)
def test_extreme_settings(name: str) -> None:
    settings = COMBOS[name]
    at = fresh(state=settings)
    big = settings.get("pg_k", 3) * settings.get("pg_dil", 1) > 20
    assert not trouble(at, allow_errors=big)
    for err in at.error:  # a refusal must say why, in terms of the kernel and the image
        assert re.search(r"kernel", err.value, re.I) and re.search(r"pixel|px|\d+×\d+", err.value), err.value
    for key, value in settings.items():
        assert widget(at, key).value == value, key
    if at.error:
        return
    dw, pw, std = expected_costs(
        img=settings.get("img", "astronaut"),
        res=settings.get("res", 256),
        gray=settings.get("chan") == "gray",
        copies=settings.get("copies", 0),
        k=settings.get("pg_k", 3),
        d=settings.get("pg_d", 1),
        n=settings.get("pg_n", 8),
        stride=settings.get("pg_stride", 1),
    )
    assert_costs_shown(at, dw, pw, std, unit=settings.get("pg_unit", "MACs"))


@pytest.mark.parametrize(
    ("which", "query"),
    [
        ("kernel", {"pg_custom0": ",".join(["3e38"] * 9)}),
        ("weights", {"pg_pwc": ",".join(["3e38"] * 24)}),
        ("both", {"pg_custom0": ",".join(["1e30"] * 9), "pg_pwc": ",".join(["1e30"] * 24)}),
    ],
)
def test_huge_custom_numbers_do_not_reach_the_safety_net(which: str, query: dict[str, str]) -> None:
    """Finite float32 numbers whose products overflow: the page explains or draws, never crashes."""
    state = {"pg_dw0": "custom"} if "pg_custom0" in query else {}
    if "pg_pwc" in query:
        state["pg_pw"] = "custom"
    at = fresh(query, state)
    assert not [e.value for e in at.exception]
    assert not [e.value for e in at.error if SAFETY_NET in e.value]


def test_custom_kernel_from_the_link_is_kept_and_junk_is_replaced() -> None:
    sobel = "-1,0,1,-2,0,2,-1,0,1"
    at = fresh({"pg_custom0": sobel}, {"pg_dw0": "custom"})
    assert not trouble(at)
    assert at.query_params["pg_custom0"] == sobel  # the link keeps the numbers
    at = fresh({"pg_custom0": "1,2,nan"}, {"pg_dw0": "custom"})
    assert not trouble(at)
    assert at.query_params["pg_custom0"] == "0,0,0,0,1,0,0,0,0"  # K = 3 identity, the editor's start
    assert any("pg_custom0=1,2,nan" in w.value for w in at.warning), "the junk grid is not reported"
    at = fresh({"pg_custom0": sobel})  # not a custom kernel: the stale grid leaves the link
    assert "pg_custom0" not in at.query_params


# ---- links ------------------------------------------------------------------------------------------


def test_link_restores_numeric_settings() -> None:
    query = {"pg_k": 5, "pg_n": 4, "pg_stride": 2, "res": 128, "pg_d": 2, "copies": 1, "pg_dil": 3}
    at = fresh(query)
    assert not trouble(at)
    for key, value in query.items():
        assert widget(at, key).value == value, key
    assert not at.warning
    assert image_size("astronaut", 128) == (128, 128)
    m, d, n, k, grid = 6, 2, 4, 5, 64 * 64  # M = 3 × (1 + 1 copy); H' = W' = ⌈128 / 2⌉
    assert_costs_shown(at, k * k * m * d * grid, m * d * n * grid, k * k * m * n * grid)


def test_link_restores_named_settings() -> None:
    """Names are the URL values (design.md): ?img=rings&pg_dw0=laplacian&chan=gray … reopen that view."""
    query = {
        "pg_k": 5,
        "pg_n": 4,
        "pg_stride": 2,
        "res": 128,
        "img": "rings",
        "pg_dw0": "laplacian",
        "chan": "gray",
        "pg_pad": "reflect",
        "pg_pw": "luminance",
        "pg_act": "relu6",
        "pg_scale": "per-map",
    }
    at = fresh(query)
    assert not trouble(at)
    wrong = {key: widget(at, key).value for key, value in query.items() if widget(at, key).value != value}
    assert not wrong, f"not restored from the link (wanted {query}): {wrong}"
    assert not at.warning
    dw, pw, std = expected_costs(img="rings", res=128, gray=True, k=5, n=4, stride=2)
    assert (dw, pw, std) == (5 * 5 * 1 * 64 * 64, 1 * 4 * 64 * 64, 5 * 5 * 1 * 4 * 64 * 64)
    assert_costs_shown(at, dw, pw, std)


def test_invalid_link_values_fall_back_and_are_listed() -> None:
    query = {"pg_k": "4", "pg_n": "999", "img": "nope", "pg_pad": "bogus"}
    at = fresh(query)
    assert not trouble(at)
    for key in query:
        assert widget(at, key).value == DEFAULTS[key], key
    notices = " ".join(w.value for w in at.warning)
    missing = [f"{key}={value}" for key, value in query.items() if f"{key}={value}" not in notices]
    assert not missing, f"the warning does not list {missing}: {notices!r}"


@pytest.mark.parametrize(
    ("key", "raw", "meant"),
    [
        ("img", "rings", "rings"),
        ("img", images.sample_label("rings"), "rings"),
        ("chan", "gray", "gray"),
        ("pg_pad", "reflect", "reflect"),
        ("pg_k", "5", 5),
        ("img", "nope", None),
        ("res", "100", None),
        ("copies", "-1", None),
    ],
)
def test_link_notice_tells_the_truth(key: str, raw: str, meant: Any) -> None:
    """For any ?key=value: either the view uses it and says nothing, or uses the default and says so."""
    at = fresh({key: raw})
    assert not trouble(at)
    value = widget(at, key).value
    noticed = any(f"{key}={raw}" in w.value for w in at.warning)
    used = meant is not None and value == meant
    if used:
        assert not noticed, f"{key}={raw} was used ({value}) but the warning says it was replaced"
    else:
        assert value == DEFAULTS[key], f"{key}={raw} gave {value!r}: neither the link's value nor the default"
        assert noticed, f"{key}={raw} was ignored (showing {value!r}) without a notice"


def test_timing_button_reports_measured_and_promised_speed() -> None:
    at = fresh()
    assert not any("Measured here" in m.value for m in at.markdown)  # only on demand
    at.button(key="pg_time").click().run()
    assert not trouble(at)
    shown = " ".join(m.value for m in at.markdown if "Measured here" in m.value)
    h, w = image_size("astronaut", 256)
    promised = (9 * 3 * 8 * h * w) / (9 * 3 * h * w + 3 * 8 * h * w)  # standard ÷ separable MACs
    assert f"promises **{promised:.1f}× faster**" in shown, shown
    assert "ms" in shown and ("× faster" in shown.split("→")[1] or "× slower" in shown.split("→")[1])


def test_pytorch_code_follows_the_view() -> None:
    at = fresh({"pg_k": "5", "pg_n": "4", "pg_d": "2", "pg_stride": "2", "pg_act": "relu6"})
    assert not trouble(at)
    code = at.code[0].value
    assert "nn.Conv2d(3, 6, 5, stride=2, padding=2, groups=3, bias=False)" in code
    assert "nn.Conv2d(6, 4, 1, bias=False)" in code
    assert code.count("nn.ReLU6(inplace=True)") == 2 and "BatchNorm2d" not in code  # BN is off


def test_reset_returns_every_setting_to_the_default_view() -> None:
    changed = {"pg_k": "5", "pg_n": "4", "img": "rings", "pg_dw0": "custom", "pg_shared": "true"}
    at = fresh(changed | {"res": "128", "pg_custom0": ",".join(["1"] * 25)})
    assert widget(at, "pg_k").value == 5 and widget(at, "img").value == "rings"
    at.button(key="reset_all").click().run()
    assert not trouble(at)
    for key in ("pg_k", "pg_n", "img", "res"):
        assert widget(at, key).value == DEFAULTS[key], key
    assert widget(at, "pg_dw0").value == "sobel-x" and widget(at, "pg_shared").value is False
    assert "pg_custom0" not in at.query_params and "img" not in at.query_params


@pytest.mark.parametrize(
    ("name", "data", "phrase"),
    [
        ("bomb.png", png_bomb(100_000, 100_000), "100000 × 100000"),
        ("notes.png", b"just some text, not pixels", "not an image"),
        ("empty.png", b"", "empty"),
        ("page.png", b"<!doctype html><html><body>hi</body></html>", "web page"),
    ],
)
def test_hostile_uploads_get_a_message_and_the_page_keeps_working(
    name: str, data: bytes, phrase: str
) -> None:
    at = fresh()
    at.file_uploader(key="upload").set_value((name, data, "image/png"))
    at.run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert phrase in errors and "Something went wrong" not in errors, errors
    assert "Showing the built-in image instead" in " ".join(c.value for c in at.caption)
    assert any("fewer" in i.value for i in at.info)  # the page below still computed everything
