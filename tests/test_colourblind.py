"""Every palette stays readable under simulated protanopia, deuteranopia and tritanopia."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from dsviz.charts import PART_COLOURS
from dsviz.colourblind import MACHADO, delta_e, hex_rgb, simulate, to_lab
from dsviz.style import DIVERGING, LUT_SIZE, lut

KINDS = list(MACHADO)


def test_simulation_keeps_grey_and_merges_red_with_green() -> None:
    """Sanity of the model: greys are unchanged; pure red and green collapse for deuteranopes."""
    grey = np.array([[0.2, 0.2, 0.2], [0.7, 0.7, 0.7]])
    for kind in KINDS:
        np.testing.assert_allclose(simulate(grey, kind), grey, atol=0.01)
    red, green = np.array([0.8, 0.2, 0.1]), np.array([0.35, 0.45, 0.1])
    assert delta_e(red, green) > 30
    assert delta_e(simulate(red, "deuteranopia"), simulate(green, "deuteranopia")) < 15


def test_lab_of_white_and_black() -> None:
    np.testing.assert_allclose(to_lab(np.array([1.0, 1.0, 1.0])), [100, 0, 0], atol=1e-6)
    np.testing.assert_allclose(to_lab(np.array([0.0, 0.0, 0.0])), [0, 0, 0], atol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_diverging_scale_keeps_its_sign_and_its_order(kind: str) -> None:
    """Negative and positive ends stay far apart, each side stays distinct from white (0), and the
    lightness still falls monotonically from 0 towards both ends, so magnitude reads without hue."""
    colours = simulate(lut(DIVERGING) / 255, kind)  # (LUT_SIZE, 3)
    low, zero, high = colours[0], colours[LUT_SIZE // 2], colours[-1]
    assert delta_e(low, high) > 25  # 35 under protanopia (dark blue vs dark brown), ~50+ otherwise
    assert delta_e(low, zero) > 40 and delta_e(high, zero) > 40
    lightness = to_lab(colours)[:, 0]
    middle = LUT_SIZE // 2
    assert np.all(np.diff(lightness[: middle + 1]) > -0.5)  # rising towards white
    assert np.all(np.diff(lightness[middle:]) < 0.5)  # falling away from white


@pytest.mark.parametrize("kind", KINDS)
def test_cost_bar_colours_stay_apart(kind: str) -> None:
    for a, b in itertools.combinations(PART_COLOURS.values(), 2):
        assert delta_e(simulate(hex_rgb(a), kind), simulate(hex_rgb(b), kind)) > 20, (a, b)
