"""The Streamlit app under AppTest: it runs, every widget value works, links restore the view, settings
survive page switches, and the numbers it shows equal K²·M·d·H'·W' + M·d·N·H'·W' computed here.

Scenarios start from a fresh session (tests/apptest.py), so they exercise app.py → page exactly as a
first page load does. Defaults and allowed values come from the settings registry.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from apptest import (
    BLOCK_PAGES,
    DEFAULT_PAGE,
    PAGES,
    ROOT,
    notices,
    open_page,
    other_values,
    trouble,
    widget,
    widgets,
)
from fakes import png_bomb
from PIL import Image

from dsviz import equations, images
from dsviz.block import SETTINGS
from ui import controls


def default(key: str) -> Any:
    return SETTINGS[key].default


def metrics(at) -> dict[str, int]:
    """The cost card's metrics: 'standard (MACs)' → 14155776, …"""
    return {m.label: int(m.value.replace(",", "")) for m in at.metric if re.fullmatch(r"[\d,]+", m.value)}


def image_size(name: str, res: int, gray: bool = False) -> tuple[int, int]:
    _, height, width = images.load_sample(name, max_side=res, grayscale=gray).shape
    return height, width


def expected_costs(
    *, img="astronaut", res=256, gray=False, copies=0, k=3, d=1, n=8, stride=1, dilation=1, valid=False
) -> tuple[int, int, int]:
    """(depthwise, pointwise, standard) MACs: K²·M·d·H'·W', M·d·N·H'·W', K²·M·N·H'·W' with H' = ⌈H/s⌉
    for 'same' padding, ⌊(H − δ(K−1) − 1)/s⌋ + 1 for 'valid'."""
    m = (1 if gray else 3) * (1 + copies)
    height, width = image_size(img, res, gray)
    span = dilation * (k - 1) + 1
    grid = (
        ((height - span) // stride + 1) * ((width - span) // stride + 1)
        if valid
        else -(-height // stride) * -(-width // stride)
    )
    return k * k * m * d * grid, m * d * n * grid, k * k * m * n * grid


def latex_costs(at) -> list[int]:
    """Numbers in the filled-in cost formula: depthwise, pointwise, separable total, standard."""
    (latex,) = [x.value for x in at.latex if r"\text{MACs}" in x.value]
    subscripts = [int(s.replace(r"\,", "")) for s in re.findall(r"\}_\{([\d\\,]+)\}", latex)]
    totals = [int(s.replace(r"\,", "")) for s in re.findall(r"= ([\d\\,]+)\\ \\text\{MACs\}", latex)]
    return subscripts + totals


def assert_costs_shown(at, dw: int, pw: int, std: int, unit: str = "MACs") -> None:
    factor = 2 if unit == "FLOPs" else 1
    shown = metrics(at)
    assert shown[f"standard conv ({unit})"] == factor * std
    assert shown[f"depthwise + pointwise ({unit})"] == factor * (dw + pw)
    assert latex_costs(at) == [dw, pw, dw + pw, std]  # the formula always counts MACs


def headline(at) -> str:
    (text,) = [i.value for i in at.info if "standard convolution" in i.value]
    return text


def all_text(at) -> str:
    parts = [*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.title, *at.header]
    return "\n".join(p.value for p in parts)


def upload(at, name: str, data: bytes, mime: str = "image/png"):
    at.file_uploader(key="upload").set_value((name, data, mime))
    return at.run()


def encoded(array: np.ndarray, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt)
    return buffer.getvalue()


# ---- the default view -------------------------------------------------------------------------------


def test_default_view_runs_cleanly() -> None:
    at = open_page()
    assert not trouble(at)
    assert any("Playground" in t.value for t in at.title)
    assert "fewer MACs" in headline(at)
    assert not at.warning
    assert dict(at.query_params) == {}  # the default view's link has no parameters


def test_default_cost_card_numbers() -> None:
    at = open_page()
    assert image_size("astronaut", 256) == (256, 256)
    h = w = 256
    dw, pw, std = 3 * 3 * 3 * h * w, 3 * 8 * h * w, 3 * 3 * 3 * 8 * h * w
    assert (dw, pw, std) == (1_769_472, 1_572_864, 14_155_776)
    assert_costs_shown(at, dw, pw, std)
    compute, weights = re.findall(r"\(([\d,]+) vs ([\d,]+)", headline(at))
    assert compute == (f"{dw + pw:,}", f"{std:,}")
    assert weights == (f"{9 * 3 + 3 * 8:,}", f"{9 * 3 * 8:,}")  # K²·M + M·N vs K²·M·N weights
    assert f"{std / (dw + pw):.1f}× fewer MACs" in headline(at)


def test_flops_mode_doubles_the_numbers() -> None:
    at = open_page()
    dw, pw, std = expected_costs()
    at.selectbox(key="pg_unit").set_value("FLOPs").run()
    assert not trouble(at)
    assert_costs_shown(at, dw, pw, std, unit="FLOPs")
    assert "fewer FLOPs" in headline(at)
    assert f"({2 * (dw + pw):,} vs {2 * std:,}" in headline(at)


# ---- every widget, every value ----------------------------------------------------------------------


def exercise(area: str) -> list[str]:
    """Give every settings widget in ``area`` each of its other values, one at a time, then put it
    back; after each change the widget must show the value, and the link must say it."""
    at = open_page()
    targets = [(w.key, w.value) for w in widgets(at, area)]
    assert targets
    problems: list[str] = []
    for key, start in targets:
        for value in other_values(widget(at, key)):
            widget(at, key).set_value(value).run()
            problems += [f"{key}={value!r}: {p}" for p in trouble(at)]
            now = widget(at, key)
            if now is None or now.value != value:
                problems.append(f"{key}={value!r}: the widget then shows {getattr(now, 'value', 'nothing')}")
            if value != default(key) and at.query_params.get(key) != SETTINGS[key].format(value):
                problems.append(f"{key}={value!r}: the link says {at.query_params.get(key)}")
        widget(at, key).set_value(start).run()
    return problems


def test_every_page_widget_value_runs() -> None:
    problems = exercise("main")
    assert not problems, "\n".join(problems)


def test_every_sidebar_widget_value_runs() -> None:
    problems = exercise("sidebar")
    assert not problems, "\n".join(problems)


def test_reruns_run_app_py_not_just_the_page() -> None:
    at = open_page()
    at.slider(key="pg_n").set_value(4).run()
    assert not trouble(at)
    assert widget(at, "img") is not None, "the sidebar was not drawn on the rerun"
    at.select_slider(key="res").set_value(128).run()
    assert any("each 128×128 px" in m.value for m in at.markdown)


# ---- extreme settings -------------------------------------------------------------------------------

COMBOS: dict[str, dict[str, Any]] = {
    "K=11, 64 px, stride 4, dilation 4": {"pg_k": 11, "res": 64, "pg_stride": 4, "pg_dil": 4},
    "reflect padding, huge dilated kernel": {"pg_k": 11, "pg_dil": 4, "res": 64, "pg_pad": "reflect"},
    "circular padding, huge dilated kernel": {"pg_k": 11, "pg_dil": 4, "res": 64, "pg_pad": "circular"},
    "valid padding, huge dilated kernel": {"pg_k": 11, "pg_dil": 4, "res": 64, "pg_padding": "valid"},
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
    "K = 1 with Scharr (once crashed)": {"pg_k": 1, "pg_dw0": "scharr-y"},
    "shared scale, random mix, ReLU": {
        "pg_scale": "shared",
        "pg_pw": "random",
        "pg_act": "relu",
        "copies": 2,
        "img": "text",
    },
    "every cost convention": {"pg_unit": "FLOPs", "pg_bias": True, "pg_bnp": "stored", "pg_bn": True},
    "1024 px, stride 3, non-square photo": {"res": 1024, "img": "rocket", "pg_stride": 3},
    "gray, 7 copies, d = 4, stride 2, N = 1": {
        "chan": "gray",
        "copies": 7,
        "pg_d": 4,
        "pg_stride": 2,
        "pg_n": 1,
    },
}


@pytest.mark.parametrize("name", COMBOS)
def test_extreme_settings(name: str) -> None:
    values = COMBOS[name]
    at = open_page(state=values)
    span = values.get("pg_k", 3) * values.get("pg_dil", 1)
    assert not trouble(at, allow_errors=span > 20)
    for err in at.error:  # a refusal says why, in terms of the kernel and the image
        assert re.search(r"kernel|padding", err.value, re.I) and re.search(r"\d+×\d+ px", err.value), (
            err.value
        )
    for key, value in values.items():
        assert widget(at, key).value == value, key
    if at.error:
        return
    dw, pw, std = expected_costs(
        img=values.get("img", "astronaut"),
        res=values.get("res", 256),
        gray=values.get("chan") == "gray",
        copies=values.get("copies", 0),
        k=values.get("pg_k", 3),
        d=values.get("pg_d", 1),
        n=values.get("pg_n", 8),
        stride=values.get("pg_stride", 1),
        dilation=values.get("pg_dil", 1),
        valid=values.get("pg_padding") == "valid",
    )
    assert_costs_shown(at, dw, pw, std, unit=values.get("pg_unit", "MACs"))


# ---- links ------------------------------------------------------------------------------------------


def test_link_restores_numeric_settings() -> None:
    query = {"pg_k": 5, "pg_n": 4, "pg_stride": 2, "res": 128, "pg_d": 2, "copies": 1, "pg_dil": 3}
    at = open_page(query=query)
    assert not trouble(at)
    for key, value in query.items():
        assert widget(at, key).value == value, key
    assert not at.warning
    m, d, n, k, grid = 6, 2, 4, 5, 64 * 64  # M = 3 × (1 + 1 copy); H' = W' = ⌈128 / 2⌉
    assert_costs_shown(at, k * k * m * d * grid, m * d * n * grid, k * k * m * n * grid)


def test_link_restores_named_settings() -> None:
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
        "pg_scale": "shared",
    }
    at = open_page(query=query)
    assert not trouble(at)
    wrong = {key: widget(at, key).value for key, value in query.items() if widget(at, key).value != value}
    assert not wrong, f"not restored from the link (wanted {query}): {wrong}"
    assert not at.warning
    dw, pw, std = expected_costs(img="rings", res=128, gray=True, k=5, n=4, stride=2)
    assert_costs_shown(at, dw, pw, std)


def test_a_link_the_app_writes_reopens_the_same_view() -> None:
    at = open_page(state={"pg_k": 7, "pg_d": 2, "pg_dw1": "emboss", "chan": "gray", "pg_n": 5, "pg_bn": True})
    link = dict(at.query_params)
    again = open_page(query=link)
    assert not trouble(again) and not again.warning
    for w in widgets(at, "main") + widgets(at, "sidebar"):
        assert widget(again, w.key).value == w.value, w.key
    assert dict(again.query_params) == link


def test_invalid_link_values_fall_back_and_are_listed() -> None:
    query = {"pg_k": "4", "pg_n": "999", "img": "nope", "pg_pad": "bogus"}
    at = open_page(query=query)
    assert not trouble(at)
    for key in query:
        assert widget(at, key).value == default(key), key
    missing = [f"{key}={value}" for key, value in query.items() if f"{key}={value}" not in notices(at)]
    assert not missing, f"the warning does not list {missing}: {notices(at)!r}"
    for key in query:
        assert key not in at.query_params  # the link now says what is shown: the default


def test_fractional_dilation_is_refused_not_rounded() -> None:
    """Bug: ?pg_dil=2.5 noticed "used 1" but the slider showed 2 and the link became pg_dil=2."""
    at = open_page(query={"pg_dil": "2.5"})
    assert not trouble(at)
    assert widget(at, "pg_dil").value == 1
    assert "pg_dil=2.5" in notices(at) and "used 1" in notices(at)
    assert "pg_dil" not in at.query_params


@pytest.mark.parametrize(
    ("key", "raw", "meant"),
    [
        ("img", "rings", "rings"),
        ("img", images.sample_label("rings"), "rings"),  # links from versions that stored labels
        ("chan", "gray", "gray"),
        ("pg_pad", "reflect", "reflect"),
        ("pg_k", "5", 5),
        ("img", "nope", None),
        ("res", "100", None),
        ("copies", "-1", None),
        ("pg_k", "05", None),
    ],
)
def test_link_notice_tells_the_truth(key: str, raw: str, meant: Any) -> None:
    """For any ?key=value: either the view uses it and says nothing, or uses the default and says so."""
    at = open_page(query={key: raw})
    assert not trouble(at)
    value = widget(at, key).value
    noticed = f"{key}={raw}" in notices(at)
    if meant is not None and value == meant:
        assert not noticed, f"{key}={raw} was used ({value}) but the warning says it was replaced"
    else:
        assert value == default(key), f"{key}={raw} gave {value!r}: neither the link's value nor the default"
        assert noticed, f"{key}={raw} was ignored (showing {value!r}) without a notice"


@pytest.mark.parametrize("raw", [",".join(["3e38"] * 9), ",".join(["1e38"] * 9), "1,2,nan", "1,5"])
def test_absurd_custom_numbers_in_a_link_are_refused(raw: str) -> None:
    """Bug: 1e38 weights overflowed float32 silently into tens of thousands of inf."""
    at = open_page(query={"pg_custom0": raw}, state={"pg_dw0": "custom"})
    assert not trouble(at)
    assert f"pg_custom0={raw[:20]}" in notices(at)
    assert at.query_params.get("pg_custom0") == "0,0,0,0,1,0,0,0,0"  # the 3×3 identity, the editor's start


def test_largest_allowed_custom_numbers_stay_finite() -> None:
    """Every custom number may be ±10⁴: even then no map overflows float32."""
    big = ",".join(["10000"] * 121)
    query = {
        "pg_k": 11,
        "pg_custom0": big,
        "pg_custom1": big,
        "pg_custom2": big,
        "pg_pwc": ",".join(["10000"] * 24),
    }
    state = {"pg_dw0": "custom", "pg_dw1": "custom", "pg_dw2": "custom", "pg_pw": "custom"}
    at = open_page(query=query, state=state)
    assert not trouble(at)
    assert not at.warning


def test_custom_kernel_from_the_link_is_kept() -> None:
    sobel = "-1,0,1,-2,0,2,-1,0,1"
    at = open_page(query={"pg_custom0": sobel}, state={"pg_dw0": "custom"})
    assert not trouble(at)
    assert at.query_params["pg_custom0"] == sobel
    at = open_page(query={"pg_custom0": sobel})  # not a custom kernel: the grid leaves the link
    assert "pg_custom0" not in at.query_params


def test_kernel_choices_stay_with_their_channel_when_d_changes() -> None:
    """Bug: ?pg_dw1=emboss&pg_dw2=box, then d = 2 → "Kernel for R (#2) = Emboss"."""
    at = open_page(query={"pg_dw1": "emboss", "pg_dw2": "box"})
    at.slider(key="pg_d").set_value(2).run()
    assert not trouble(at)
    assert widget(at, "pg_dw1").value == "emboss" and widget(at, "pg_dw2").value == "box"
    labels = {w.key: w.label for w in at.selectbox if w.key and w.key.startswith("pg_dw")}
    assert labels["pg_dw1"].startswith("Kernel for G") and labels["pg_dw2"].startswith("Kernel for B")
    assert labels["pg_dw0_1"] == "Kernel for R (#2 of 2)"


def kernel_pickers(at) -> list:
    return [w for w in at.selectbox if w.key in controls.KERNELS]


def channel_rows(at) -> dict[str, str]:
    """The depthwise rows' alt texts by channel: "B (blur)" → "channel B (blur): its kernels …"."""
    alts = [img.alt for image in at.get("image") for img in image.proto.imgs]
    return {alt.split(":")[0].removeprefix("channel "): alt for alt in alts if alt.startswith("channel ")}


def test_many_kernel_pickers_are_drawn_only_while_their_expander_is_open() -> None:
    """24 channels × d = 2 is 48 pickers: more than INLINE_PICKERS, so they wait in an expander
    that draws them only while it is open. Closed or open, the choices are the block's and the link's."""
    at = open_page(query={"copies": 7, "pg_d": 2, "pg_dw5": "laplacian", "res": 64})
    assert not trouble(at)
    assert not kernel_pickers(at)  # closed: none drawn
    (box,) = [e for e in at.expander if "pickers" in e.label]
    assert box.label == "Choose the kernels: 48 pickers (24 channels × 2 kernels each)"
    assert channel_rows(at)["B (blur)"].startswith("channel B (blur): its kernels Laplacian, ")
    assert at.query_params["pg_dw5"] == "laplacian"

    at.session_state[controls.PICKERS_OPEN] = True  # as a click on the expander does
    at.run()
    pickers = {w.key: w for w in kernel_pickers(at)}
    assert len(pickers) == 48 and pickers["pg_dw5"].value == "laplacian"
    assert pickers["pg_dw5_1"].label == "Kernel for B (blur) (#2 of 2)"
    pickers["pg_dw5"].set_value("box").run()
    assert not trouble(at)
    assert channel_rows(at)["B (blur)"].startswith("channel B (blur): its kernels Box blur, ")
    assert at.query_params["pg_dw5"] == "box"
    assert len(kernel_pickers(at)) == 48  # still open

    at.session_state[controls.PICKERS_OPEN] = False
    at.run()
    assert not kernel_pickers(at)
    assert at.query_params["pg_dw5"] == "box"  # closing forgets nothing
    assert channel_rows(at)["B (blur)"].startswith("channel B (blur): its kernels Box blur, ")


def test_the_legend_and_the_cost_formulas_are_drawn_while_open_only() -> None:
    """Closed, the two expanders send nothing inside them (Chromium typeset their KaTeX on every run);
    opened (as a click does), they show the symbols and the formulas, and stay open through a move."""
    at = open_page(query={"pg_k": 5})
    legend_text, formulas_text = equations.LEGEND.split("\n")[0], "As the blog post writes them"
    assert legend_text not in all_text(at) and formulas_text not in all_text(at)
    assert {e.label for e in at.expander} >= {
        "What the symbols mean",
        "The cost formulas, as usually written and corrected",
    }

    at.session_state["pg_legend"] = at.session_state["pg_formulas"] = True
    at.run()
    assert not trouble(at)
    assert legend_text in all_text(at) and formulas_text in all_text(at)
    widget(at, "pg_n").set_value(9).run()
    assert not trouble(at)
    assert formulas_text in all_text(at)  # still open after an N move

    at.session_state["pg_legend"] = at.session_state["pg_formulas"] = False
    at.run()
    assert legend_text not in all_text(at) and formulas_text not in all_text(at)


@pytest.mark.parametrize(("query", "drawn"), [({"copies": 1, "pg_d": 2}, 12), ({"pg_d": 4}, 12)])
def test_a_dozen_kernel_pickers_stay_on_the_page(query: dict, drawn: int) -> None:
    at = open_page(query=query | {"res": 64})
    assert len(kernel_pickers(at)) == drawn
    assert not [e for e in at.expander if "pickers" in e.label]


# ---- pages ------------------------------------------------------------------------------------------


def test_views_not_pages() -> None:
    """A pages/ folder beside app.py puts Streamlit 1.67 in legacy multipage mode: a first deep link
    then runs the page without the router (no link notices, no safety net)."""
    assert not (ROOT / "pages").exists()
    assert len(PAGES) >= 1 and all(Path(ROOT, p).exists() for p in PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_cleanly(page: str) -> None:
    at = open_page(page)
    assert not trouble(at)


@pytest.mark.parametrize("page", [p for p in PAGES if p != DEFAULT_PAGE])
def test_settings_survive_a_walk_to_another_page_and_back(page: str) -> None:
    changed = {"pg_k": 5, "pg_d": 2, "pg_dw1": "emboss", "pg_n": 6, "pg_pw": "random", "pg_act": "relu"}
    at = open_page(state=changed | {"res": 128, "chan": "gray"})
    before = {w.key: w.value for w in widgets(at, "main") + widgets(at, "sidebar")}
    link = dict(at.query_params)
    at.switch_page(page).run()
    assert not trouble(at)
    assert "pg_scale" not in at.query_params or "pg_scale" in before  # no leak of Playground-only keys
    at.switch_page(DEFAULT_PAGE).run()
    assert not trouble(at)
    after = {w.key: w.value for w in widgets(at, "main") + widgets(at, "sidebar")}
    assert after == before
    assert dict(at.query_params) == link


# ---- buttons, code, reset ---------------------------------------------------------------------------


def test_timing_button_reports_measured_and_promised_speed() -> None:
    at = open_page()
    assert not any("Measured here" in m.value for m in at.markdown)  # only on demand
    at.button(key="pg_time").click().run()
    assert not trouble(at)
    shown = " ".join(m.value for m in at.markdown if "Measured here" in m.value)
    h, w = image_size("astronaut", 256)
    promised = (9 * 3 * 8 * h * w) / (9 * 3 * h * w + 3 * 8 * h * w)
    assert f"promises **{promised:.1f}× faster**" in shown, shown
    assert "IQR" in shown  # the spread, so a noisy machine shows as noise


def test_pytorch_code_follows_the_view() -> None:
    """The Playground links to its block's code: the Code page, reached from it, prints that block."""
    at = open_page(query={"pg_k": "5", "pg_n": "4", "pg_d": "2", "pg_stride": "2", "pg_act": "relu6"})
    assert not trouble(at)
    assert [p.proto.page for p in at.get("page_link")][-1] == "code"  # views/code.py's URL path
    at.switch_page("views/code.py").run()
    assert not trouble(at)
    code = next(c.value for c in at.code if "def conv_dw" in c.value)
    assert "nn.Conv2d(3, 6, 5, stride=2, padding=2, groups=3, bias=False)" in code
    assert "nn.Conv2d(6, 4, 1, bias=False)" in code
    assert code.count("nn.ReLU6(inplace=True)") == 2 and "BatchNorm2d" not in code  # BN is off


def test_reset_returns_every_setting_to_the_default_view() -> None:
    """Bug: Reset left defaults in the link (?pg_k=3&pg_n=8&res=256)."""
    changed = {
        "pg_k": "5",
        "pg_n": "4",
        "img": "rings",
        "pg_dw0": "custom",
        "pg_shared": "true",
        "res": "128",
    }
    at = open_page(query=changed | {"pg_custom0": ",".join(["1"] * 25)})
    assert widget(at, "pg_k").value == 5 and widget(at, "img").value == "rings"
    at.button(key="reset_all").click().run()
    assert not trouble(at)
    for key in ("pg_k", "pg_n", "img", "res", "pg_dw0", "pg_shared"):
        assert widget(at, key).value == default(key), key
    assert dict(at.query_params) == {}


# ---- uploads ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "phrase"),
    [
        ("bomb.png", png_bomb(100_000, 100_000), "100000 × 100000"),
        ("notes.png", b"just some text, not pixels", "not an image"),
        ("empty.png", b"", "empty"),
        ("page.png", b"<!doctype html><html><body>hi</body></html>", "web page"),
        ("dot.png", encoded(np.zeros((1, 1, 3), np.uint8)), "16 px"),
        ("thin.png", encoded(np.zeros((200, 3, 3), np.uint8)), "3×200 px"),
    ],
)
def test_hostile_and_tiny_uploads_get_a_message_and_the_page_keeps_working(
    name: str, data: bytes, phrase: str
) -> None:
    at = upload(open_page(), name, data)
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert phrase in errors and "Something went wrong" not in errors, errors
    assert "Showing the built-in image instead" in " ".join(c.value for c in at.caption)
    assert "fewer" in headline(at)  # the page below still computed everything


@pytest.mark.parametrize("fmt", ["JPEG", "PNG16"])
def test_grayscale_upload_counts_one_channel_everywhere(fmt: str) -> None:
    """Bug: a grayscale upload said "RGB (3 channels)" and "M = 3" while the page used M = 1."""
    ramp = np.tile(np.linspace(0, 255, 64, dtype=np.uint8), (48, 1))
    if fmt == "PNG16":
        buffer = io.BytesIO()
        Image.fromarray(ramp.astype(np.uint16) * 257).save(buffer, format="PNG")
        data = buffer.getvalue()
    else:
        data = encoded(ramp, "JPEG")
    at = upload(open_page(), "gray.jpg" if fmt == "JPEG" else "gray.png", data)
    assert not trouble(at)
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "**M = 1 input channel**" in sidebar and "single (gray) channel" in sidebar
    assert any("M = 1 input channel, each 64×48 px" in m.value for m in at.markdown)
    assert_costs_shown(at, 9 * 1 * 64 * 48, 1 * 8 * 64 * 48, 9 * 1 * 8 * 64 * 48)


def test_no_plural_slips_with_one_of_everything() -> None:
    """Bug: "1 input channels" and similar."""
    at = open_page(state={"chan": "gray", "pg_n": 1, "pg_d": 1})
    assert not trouble(at)
    slips = re.findall(
        r"(?<![\d.,×])1(?:\*\*)? (?:input |output )?(?:channels|maps|filters|kernels|outputs)\b", all_text(at)
    )
    assert not slips, slips


@pytest.mark.parametrize("padding", [{"pg_padding": "valid"}, {"pg_pad": "reflect"}])
def test_sizes_in_messages_are_width_by_height(padding: dict[str, str]) -> None:
    """Bug: "cannot run on a 3×200 image … but it is 200×3" mixed W×H and H×W."""
    at = open_page(state={"pg_k": 11, "pg_dil": 4} | padding)
    at = upload(at, "wide.png", encoded(np.zeros((16, 64, 3), np.uint8)))  # 64 wide, 16 high
    errors = " ".join(e.value for e in at.error)
    assert "64×16 px" in errors, errors
    assert "16×64" not in errors


@pytest.mark.parametrize("page", BLOCK_PAGES)
def test_a_kernel_missing_at_k_is_said_below_the_title(page: str) -> None:
    """Scharr has no 1×1 form: the page says which kernel it uses instead, in the page, not above it."""
    at = open_page(page, query={"pg_k": "1", "pg_dw0": "scharr-y"})
    assert not trouble(at)
    texts = [e.value for e in at.main if getattr(e, "type", "") in ("title", "caption", "markdown")]
    note = next(i for i, t in enumerate(texts) if "Scharr y has no 1×1 form: using Identity." in t)
    assert note > texts.index(at.title[0].value)
