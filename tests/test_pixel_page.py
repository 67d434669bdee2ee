"""The "Inside one pixel" page under AppTest: it opens through the router, every widget of its own works,
and its hand-written numbers agree with the block's cached stages for many blocks and positions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).absolute().parents[1]
APP = str(ROOT / "app.py")
PAGE = "views/pixel.py"
AGREE = "agree with the block's own computation"


def open_page(query: dict[str, Any] | None = None, sidebar: dict[str, Any] | None = None) -> AppTest:
    """A fresh session opened on a link with ``query``, switched to the page, run, and then the
    sidebar's image widgets set to ``sidebar`` (on this page, as a student would)."""
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (query or {}).items():
        at.query_params[key] = str(value)
    at.run()
    at.switch_page(PAGE).run()
    for key, value in (sidebar or {}).items():
        widget = next(
            w for kind in ("select_slider", "slider", "selectbox") for w in at.get(kind) if w.key == key
        )
        widget.set_value(value).run()
    return at


def assert_agrees(at: AppTest) -> float:
    """No exception, no error; the page says its numbers agree. Returns the reported difference."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Inside one pixel"
    (check,) = [s.value for s in at.success if AGREE in s.value]
    return float(check.split("largest difference ")[1].split(",")[0])


def tables(at: AppTest) -> list:
    return [df.value for df in at.dataframe]


def test_default_view_agrees() -> None:
    at = open_page()
    assert assert_agrees(at) < 1e-5
    depthwise, pointwise = tables(at)
    assert len(depthwise) == 3 and len(pointwise) == 8  # M·d = 3 maps of RGB, N = 8 outputs
    for table in (depthwise, pointwise):
        np.testing.assert_allclose(table.iloc[:, -3], table["block's value (dsviz.ops)"], atol=1e-5)
        assert np.abs(table["difference"]).max() < 1e-5
    row, col = at.number_input(key="px_row"), at.number_input(key="px_col")
    assert (row.value, col.value) == ((row.max + 1) // 2, (col.max + 1) // 2)  # the centre
    assert "0 of its 9 taps fall outside" in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize(
    ("query", "sidebar"),
    [
        ({"pg_pad": "reflect", "pg_k": 5, "pg_dil": 2, "pg_bn": "true", "pg_act": "relu6"}, {}),
        ({"pg_pad": "circular", "pg_stride": 2, "pg_d": 2, "pg_act": "relu"}, {"res": 128}),
        ({"pg_pad": "replicate", "pg_k": 7, "pg_stride": 3, "pg_bn": "true"}, {"res": 64, "chan": "gray"}),
        (
            {"pg_padding": "valid", "pg_dil": 4, "pg_stride": 4, "pg_n": 5, "pg_pw": "random"},
            {"img": "coffee"},
        ),
    ],
)
def test_corners_and_edges_agree(query: dict[str, Any], sidebar: dict[str, Any]) -> None:
    """Every padding mode, BN and activations, at the four corners and an edge: the padding shows."""
    at = open_page(query, sidebar)
    assert_agrees(at)
    last_row = int(at.number_input(key="px_row").max)
    last_col = int(at.number_input(key="px_col").max)
    for row, col in ((0, 0), (last_row, last_col), (0, last_col), (last_row, 0), (last_row // 2, 0)):
        at.number_input(key="px_row").set_value(row)
        at.number_input(key="px_col").set_value(col).run()
        assert assert_agrees(at) < 1e-4
        text = " ".join(m.value for m in at.markdown)
        assert f"row k = {row}, column l = {col}" in text
        if query.get("pg_padding") != "valid" and (row, col) == (0, 0):
            assert "0 of its" not in text  # a corner reads padding


def test_every_page_widget() -> None:
    """The animated map, and the grids' map picker once there are more maps than it draws."""
    at = open_page({"pg_d": 2}, {"copies": 2})  # M = 9 channels, 18 maps
    assert_agrees(at)
    picker = at.multiselect(key="px_maps")
    assert len(picker.value) == 8
    picker.set_value([0, 17]).run()
    assert_agrees(at)
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert sum("map c = 17" in t for t in titles) == 1 and not any("map c = 5" in t for t in titles)
    at.selectbox(key="px_anim").set_value(17).run()
    assert_agrees(at)
    at.number_input(key="px_row").set_value(0).run()
    assert_agrees(at)


def test_position_is_kept_inside_a_smaller_output() -> None:
    """The last row and column at 256 px, then 64 px: a position outside the new map falls back to its
    centre, and a notice says which value was replaced by what."""
    at = open_page(sidebar={"res": 256})
    last = int(at.number_input(key="px_row").max)
    at.number_input(key="px_row").set_value(last)
    at.number_input(key="px_col").set_value(last).run()
    assert_agrees(at)
    at.select_slider(key="res").set_value(64).run()
    assert_agrees(at)
    row, col = at.number_input(key="px_row"), at.number_input(key="px_col")
    assert row.value == (row.max + 1) // 2 and col.value == (col.max + 1) // 2
    shown = " ".join(w.value for w in at.warning)
    assert f"px_row={last}" in shown and f"px_col={last}" in shown
