"""Lesson: eight steps from one convolution to MobileNet. Each step asks one question first; the
figure and the answer (computed for the current settings) appear when the learner presses Check."""

import inspect

import streamlit as st

from dsviz import lesson
from ui import controls, image, settings
from ui import lesson as page

picture = image.sidebar()
block = controls.current_block(picture)

st.title("Lesson: depthwise separable convolution in 8 steps")
top = st.columns([1, 1, 3])
with top[0]:
    step = settings.control("step", label="Go to step")
with top[1]:
    teacher = settings.control("ls_notes")
page.navigation(step, "top")
about = page.STEPS[step - 1]

st.header(f"{step} · {about.title}", divider="gray")
st.markdown(about.text)
if teacher:
    page.notes(about)
if about.controls:  # only what this step is about; the image is chosen in the sidebar
    for col, key in zip(st.columns(len(about.controls)), about.controls, strict=True):
        with col:
            settings.control(key)  # a change reaches the block at the next run's start, as everywhere
alpha, res = page.network_controls() if step == 8 else page.network_values()
setup = lesson.Setup(block, picture.height, picture.width, alpha, res)
shape = f"M = {block.m}, K = {block.depthwise.kernel_size}, d = {block.d}, N = {block.n}"
st.caption(f"{image.describe(picture)}; {shape}.")
controls.substitutions()  # a kernel missing at this K, and the one used instead

try:
    question = lesson.question(step, setup)
except ValueError as err:  # e.g. a kernel wider than the image
    st.error(f"This step cannot run on a {picture.width}×{picture.height} px image: {err}")
    st.stop()
if page.ask(question):
    page.show(step, picture, block, setup)
    with st.expander("Show the code that computes this answer", key="ls_code"):
        st.code(inspect.getsource(lesson.QUESTIONS[step - 1]), language="python")

st.divider()
page.navigation(step, "bottom")
with st.sidebar:
    st.header("Worksheet")
    sheet = lesson.worksheet_html(
        [lesson.question(s, setup) for s in range(1, lesson.STEPS + 1)],
        [s.title for s in page.STEPS],
        f"For: {image.describe(picture)}; {shape}; MobileNet v1 α = {alpha}, ρ = {res}.",
    )
    st.download_button(
        "Download the worksheet (HTML, prints on 2 A4 pages)",
        sheet,
        file_name="dsviz-lesson-worksheet.html",
        mime="text/html",
        key="ls_worksheet",
        on_click="ignore",  # a download needs no rerun
    )
