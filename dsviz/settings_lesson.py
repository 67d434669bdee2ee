"""Settings of the "Lesson" page (group "lesson"): added to the one registry,
:data:`dsviz.block.SETTINGS`, so ``?step=5`` opens step 5 and the fuzz sees them."""

from __future__ import annotations

from dsviz.registry import Flag, Integer, Setting

LESSON_STEPS = 8  # dsviz.lesson.STEPS (not imported: block imports this module, lesson imports block)

LESSON_SETTINGS: tuple[Setting, ...] = (
    # "step", not "ls_step": the link a teacher sends reads "?step=5"
    Integer("step", 1, "Step", "lesson", options=tuple(range(1, LESSON_STEPS + 1)), widget="select"),
    Flag(
        "ls_notes",
        False,
        "Teacher notes",
        "lesson",
        help="What to say at this step, the usual misconception, and a question to ask the class.",
    ),
)
