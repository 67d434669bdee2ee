"""The Playground's page parts: a control's move reruns only the stages it changes (ui.parts, ui.controls).

The browser keeps what the parts do not redraw, so a move is right when the page before it, with the
parts' elements replaced by the ones the move sends, is the page a whole run draws at the new value. A
plain ``AppTest`` here (``open_page(whole_page=False)``): its tree after a move holds exactly what the
move sent.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from apptest import open_page, widget
from streamlit.testing.v1 import AppTest

from dsviz.block import CUSTOM, SETTINGS, kernel_key
from ui import controls

DEFAULTS = SETTINGS.defaults()


def test_a_move_changes_its_stage_and_the_ones_after_it() -> None:
    assert controls.stages_changed("pg_k", 3, 5, DEFAULTS) == ("depthwise", "pointwise", "cost")
    assert controls.stages_changed("pg_dil", 1, 2, DEFAULTS) == ("depthwise", "pointwise", "cost")
    assert controls.stages_changed("pg_n", 8, 9, DEFAULTS) == ("pointwise", "cost")
    assert controls.stages_changed("pg_act", "none", "relu", DEFAULTS) == ("pointwise", "cost")
    assert controls.stages_changed("pg_unit", "MACs", "FLOPs", DEFAULTS) == ("cost",)


@pytest.mark.parametrize(
    "key, before, after, chosen",
    [
        ("pg_d", 1, 2, {}),  # more kernel pickers
        ("pg_shared", False, True, {}),  # one picker for all channels
        ("pg_padding", "same", "valid", {}),  # the padding values' control is disabled
        (kernel_key(0, 0), "sobel-x", CUSTOM, {}),  # a grid to type the numbers in
        (kernel_key(0, 0), CUSTOM, "sobel-x", {}),  # the grid goes
        ("pg_pw", "random", CUSTOM, {}),
        ("pg_k", 3, 5, {kernel_key(1, 0): CUSTOM}),  # the custom kernel's grid changes size
        ("pg_n", 8, 9, {"pg_pw": CUSTOM}),  # the custom weights' grid changes size
    ],
)
def test_a_move_that_changes_the_controls_reruns_the_whole_page(
    key: str, before: Any, after: Any, chosen: dict[str, Any]
) -> None:
    assert controls.stages_changed(key, before, after, DEFAULTS | chosen) is None


def shown(at: AppTest) -> Counter:
    """What the page's main area shows, element by element: a control by its key and label (the
    browser shows its own new value), anything else by its whole message."""
    items = []
    for node in at.main:
        key = getattr(node, "key", None)
        if key in SETTINGS:
            items.append((type(node).__name__, key, node.label))
        elif getattr(node, "proto", None) is not None:
            items.append((type(node).__name__, str(node.proto)))
    return Counter(items)


def move(at: AppTest, key: str, value: Any) -> Counter:
    """What a move sends: the tree of a plain AppTest after it."""
    widget(at, key).set_value(value).run()
    return shown(at)


@pytest.mark.parametrize(
    "key, value, stage",
    [
        ("pg_k", 5, "depthwise"),
        ("pg_stride", 2, "depthwise"),
        (kernel_key(0, 0), "gaussian", "depthwise"),
        ("pg_n", 3, "pointwise"),
        ("pg_unit", "FLOPs", "cost"),
    ],
)
def test_a_move_sends_only_its_stages_and_the_page_is_what_a_whole_run_draws(
    key: str, value: Any, stage: str
) -> None:
    default = SETTINGS[key].default
    at = open_page(whole_page=False)
    whole_before = shown(at)
    sent = move(at, key, value)
    assert sent, "the move drew nothing"
    assert not [item for item in sent if item[1] in SETTINGS], "the controls were sent again"
    kinds = {item[0] for item in sent}
    assert not kinds & {"Title", "Header"}, "the headings were sent again"
    assert at.query_params.get(key) == SETTINGS[key].format(value), "the link did not follow the move"
    assert ("Image" in kinds) == (stage != "cost"), kinds

    # The same move's parts at the old value: back from the new value on a page opened there.
    back = open_page(query={key: SETTINGS[key].format(value)}, whole_page=False)
    whole_after = shown(back)
    sent_back = move(back, key, default)
    kept = whole_before - sent_back  # what the browser keeps on the page around the parts
    assert kept == whole_after - sent, "a part of the page the move keeps changed with it"
    assert kept + sent == whole_after, "the page after the move is not the page a whole run draws"

    # A later stage's move leaves the earlier stages as they are: the depthwise output size is not sent.
    sizes = [item for item in sent if item[0] == "Latex" and "lfloor" in item[1]]
    assert bool(sizes) == (stage == "depthwise"), "the depthwise stage's output size"
