"""dsviz.words: numbers with nouns and verbs that agree, and image sizes written width × height."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsviz.words import agree, count, image_size, is_are, plural, there_are


@pytest.mark.parametrize(
    ("n", "noun", "plural_form", "text"),
    [
        (0, "input channel", None, "0 input channels"),
        (1, "input channel", None, "1 input channel"),
        (3, "input channel", None, "3 input channels"),
        (1, "axis", "axes", "1 axis"),
        (2, "axis", "axes", "2 axes"),
        (4, "matrix", "matrices", "4 matrices"),
        (1, "value", None, "1 value"),
        (27, "value", None, "27 values"),
    ],
)
def test_count(n, noun, plural_form, text):
    assert count(n, noun, plural_form) == text


def test_plural_agree_and_is_are():
    assert plural(1, "kernel") == "kernel" and plural(2, "kernel") == "kernels"
    assert plural(0, "axis", "axes") == "axes"
    assert agree(1, "has", "have") == "has" and agree(2, "has", "have") == "have"
    assert [is_are(n) for n in (0, 1, 2)] == ["are", "is", "are"]


def test_there_are():
    assert there_are(1, "depthwise map") == "there is 1 depthwise map"
    assert there_are(5, "depthwise kernel") == "there are 5 depthwise kernels"
    assert there_are(2, "axis", "axes") == "there are 2 axes"


@settings(max_examples=50, deadline=None)
@given(n=st.integers(0, 10**6), noun=st.sampled_from(["kernel", "map", "pixel", "column"]))
def test_only_exactly_one_is_singular(n, noun):
    text = count(n, noun)
    assert text.startswith(f"{n} {noun}")
    assert text.endswith("s") == (n != 1)
    assert is_are(n) == ("is" if n == 1 else "are")


def test_image_size_is_width_by_height_and_keyword_only():
    assert image_size(width=200, height=3) == "200×3 px"  # 200 wide, 3 high
    with pytest.raises(TypeError):
        image_size(3, 200)  # type: ignore[misc]  # (H, W) order from an array shape must not slip in
