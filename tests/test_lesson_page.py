"""The Lesson page under AppTest: every step opens from its link, every question answered right and
wrong gets the matching feedback, back/next move the step, teacher notes and every step's controls
change without trouble, and the worksheet is offered."""

from __future__ import annotations

import re

import pytest
from apptest import open_page, other_values, trouble, widget

from dsviz import lesson
from ui import lesson as page

PAGE = "views/lesson.py"
ANSWER = re.compile(r"The answer is \*\*(.+?)\*\*")


def check(at, step: int, guess) -> str:
    """Type or pick ``guess`` (None: leave it empty), press Check, and return the feedback shown."""
    if guess is not None:
        field = at.radio(key=f"ls_guess{step}") if at.radio else at.number_input(key=f"ls_guess{step}")
        field.set_value(guess)
    at.button(key=f"ls_check{step}").click().run()
    assert trouble(at) == []
    feedback = ("**Right", "**Not quite", "No prediction")  # link notices are warnings too
    shown = [e.value for e in [*at.success, *at.warning] if e.value.startswith(feedback)]
    assert len(shown) == 1, shown
    return shown[0]


@pytest.mark.parametrize("step", range(1, lesson.STEPS + 1))
def test_every_step_right_and_wrong(step: int) -> None:
    at = open_page(PAGE, query={"step": str(step)})
    assert trouble(at) == []
    assert f"Step {step} of 8" in at.get("progress")[0].proto.text
    assert not at.success and not at.warning  # nothing revealed before the prediction
    answer = ANSWER.search(check(at, step, None)).group(1)  # the answer the page computes
    if at.radio:
        wrong = next(o for o in at.radio(key=f"ls_guess{step}").options if o not in answer.split(" or "))
        assert check(at, step, answer).startswith("**Right")
    else:
        number = float(answer.replace(",", ""))
        wrong = number * 3 + 1
        assert check(at, step, number).startswith("**Right")
    assert "Not quite" in check(at, step, wrong)


def test_back_next_notes_and_controls() -> None:
    at = open_page(PAGE, query={"step": "1"})
    at.button(key="ls_next_top").click().run()
    assert widget(at, "step").value == 2 and at.query_params["step"] in ("2", ["2"])
    at.button(key="ls_back_bottom").click().run()
    assert widget(at, "step").value == 1
    widget(at, "ls_notes").set_value(True).run()
    assert any("Teacher notes" in e.value for e in at.info)
    for step in range(1, lesson.STEPS + 1):
        widget(at, "step").set_value(step).run()
        assert trouble(at) == []
        for key in lesson_controls(step):
            assert widget(at, key) is not None, (step, key)
            for value in choices(widget(at, key))[:2]:
                widget(at, key).set_value(value).run()
                assert trouble(at) == [], (step, key, value)
    assert at.sidebar.get("download_button")


def lesson_controls(step: int) -> tuple[str, ...]:
    """The controls a step draws (step 8: MobileNet's α and ρ)."""
    return page.STEPS[step - 1].controls + (("mn_alpha", "mn_res") if step == 8 else ())


def choices(w) -> list:
    """Other values to try: MobileNet's α and ρ are narrowed to v1's on this page."""
    narrowed = {"mn_alpha": page.mn.ALPHAS["v1"], "mn_res": page.mn.RESOLUTIONS["v1"]}.get(w.key)
    return [v for v in narrowed if v != w.value] if narrowed else other_values(w)


def test_step_texts_are_short() -> None:
    """The issue's limit: at most 120 words of text per step."""
    assert len(page.STEPS) == lesson.STEPS
    assert all(len(step.text.split()) <= 120 for step in page.STEPS)


ODD_LINKS = [
    # one gray channel (step 3: every map is made from it), K = 1 (slips collide with answers), N = 1
    {"chan": "gray", "pg_k": "1", "pg_n": "1"},
    # filtered copies, stride 2, dilation 2, d = 4, a v2-only α stored by the MobileNet page
    {"copies": "2", "pg_stride": "2", "pg_dil": "2", "pg_d": "4", "pg_k": "5", "mn_alpha": "1.4"},
]


@pytest.mark.parametrize("link", ODD_LINKS, ids=["gray-K1-N1", "copies-stride2-d4"])
def test_every_step_at_odd_settings(link: dict[str, str]) -> None:
    at = open_page(PAGE, query=link | {"step": "1"})
    for step in range(1, lesson.STEPS + 1):
        widget(at, "step").set_value(step).run()
        assert trouble(at) == [], (step, trouble(at))
        answer = ANSWER.search(check(at, step, None)).group(1)
        # a tie ("the standard convolution or the depthwise stage …" at K = 1): each one is right
        guesses = answer.split(" or ") if at.radio else [float(answer.replace(",", ""))]
        for guess in guesses:
            assert check(at, step, guess).startswith("**Right"), (step, guess)
