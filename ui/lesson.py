"""The lesson page's pieces: each step's text and teacher notes, moving between steps, the
predict-then-check widget, and each step's figures (drawn by the other pages' own helpers)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import streamlit as st

from dsviz import charts, cost, equations, explain, lesson, netfigures
from dsviz.block import Block
from dsviz.mobilenet import mobilenet_v1
from ui import costcard, gallery, pixel, settings, stages, style
from ui import equivalence as eq
from ui import mobilenet as mn
from ui.image import Picture

CHECKED = "_ls_checked"  # step → the prompt its Check button was pressed for


@dataclass(frozen=True)
class Step:
    title: str
    text: str  # ≤ 120 words, plain language
    say: str  # teacher notes: what to say,
    misconception: str  # the usual wrong idea,
    ask: str  # and a question for the class
    controls: tuple[str, ...]  # the settings this step lets the learner change


STEPS = (
    Step(
        "One channel, one kernel",
        "A convolution slides a small grid of numbers, the **kernel**, over an image. At each position it "
        "multiplies every kernel number by the pixel under it and adds the products: one output pixel. "
        "The kernel is $D_K × D_K$ (here we write **K** for its side). Blur, sharpen and edge finders "
        "are all just different kernel numbers.",
        "Point at one output pixel and read out its products and their sum.",
        "That the kernel is applied once to the whole image: it is applied at every position.",
        "If the kernel were 5×5, how much more work per pixel?",
        ("pg_k",),
    ),
    Step(
        "A standard convolution mixes every channel",
        "An image has **M** channels (a colour photo: R, G, B). A standard convolution makes **N** output "
        "channels, and each of them has its own K×K kernel for *every* input channel, summed together. So "
        "each output value costs $K^2·M$ multiply-adds (MACs), and there are $N·H_{out}·W_{out}$ output "
        "values ($H·W$ at stride 1). Predict the total for the settings below.",
        "Write K²·M·N·H·W on the board and fill in the numbers with the class.",
        "That an output channel filters one input channel: it filters all M and adds them.",
        "Which letter in K²·M·N·H·W would you most like to make smaller?",
        ("pg_k", "pg_n"),
    ),
    Step(
        "Depthwise: one filter per channel",
        "The depthwise stage splits the work: each input channel gets its own K×K filter (or **d** of "
        "them, the depth multiplier), and nothing else. That is M·d maps, each made from one channel. "
        "Cheap, but it cannot do one thing a standard convolution does: combine channels.",
        "Show the maps: each one is a filtered copy of exactly one input channel.",
        "That depthwise maps already mix colours: none does.",
        "What kind of feature could this stage never detect? (e.g. 'red next to green')",
        ("pg_d",),
    ),
    Step(
        "Pointwise: a 1×1 convolution mixes",
        "The pointwise stage is a 1×1 convolution: at each pixel, each of its **N** outputs is a weighted "
        "sum of the M·d depthwise maps at that same pixel. It has no window, only mixing. Its cost is "
        "$M·d·N·H_{out}·W_{out}$ MACs.",
        "A 1×1 convolution is a matrix product per pixel: N×(M·d) weights times the M·d values.",
        "That a 1×1 convolution does nothing: it is where the channels meet.",
        "What would happen if we dropped the pointwise stage?",
        ("pg_n",),
    ),
    Step(
        "Together: one special standard convolution",
        "Depthwise then pointwise (the two convolutions, without batch norm or activation between them) "
        "is exactly a standard convolution, with a special kernel: slice [n, m] "
        "of it is output n's mix of channel m's depthwise kernels. Any block can be written as a "
        "standard K×K convolution, but only some standard convolutions are blocks.",
        "Show the composed kernel: each row is one output, each column one input channel.",
        "That the block is an approximation of its composed convolution: it equals it exactly.",
        "Why can a block not represent every standard convolution?",
        ("pg_k", "pg_n"),
    ),
    Step(
        "The cost ratio, exactly",
        "Divide the block's MACs by the standard convolution's: $(K^2·M·d + M·d·N)·H_{out}·W_{out}$ over "
        "$K^2·M·N·H_{out}·W_{out}$ is exactly $d·(1/N + 1/K^2)$. With d = 1 that is the famous "
        "$1/N + 1/D_K^2$: for K = 3 and large N, 8 to 9 times fewer MACs.",
        "Cover one term at a time: d/N is the pointwise stage's share, d/K² the depthwise stage's.",
        "That '8–9× fewer' always holds: it needs K = 3, d = 1 and N ≥ 72.",
        "At N = 8, which term dominates the ratio?",
        ("pg_k", "pg_n", "pg_d"),
    ),
    Step(
        "Fewer MACs is not proportionally faster",
        "A processor can multiply far faster than it can fetch numbers from memory. A layer that does "
        "few multiply-adds per number it reads and writes can at best run at memory speed, and a small "
        "layer also pays a fixed cost per call. Predict which layer does the fewest multiply-adds per "
        "byte, then time the standard and the separable forms on this server.",
        "Time it live: the MAC count promises one speed-up, the server gives another.",
        "That MACs are time: time also depends on bytes moved and on how well the library is tuned.",
        "On a phone, would you expect the gap to be larger or smaller? Why?",
        ("pg_n",),
    ),
    Step(
        "MobileNet: where the MACs go",
        "MobileNet v1 stacks 13 depthwise separable blocks. Once the K×K filtering is cheap, the 1×1 "
        "mixing is most of the work. Two knobs shrink the whole network: the width multiplier **α** "
        "(fewer channels in every layer) and the resolution **ρ** (smaller images).",
        "The bars' axis is logarithmic: compare the shares in the table, not the bar lengths.",
        "That the depthwise layers are the expensive ones: the table shows their share.",
        "Halving α: how much cheaper do the 1×1 layers get?",
        (),
    ),
)


def go(step: int) -> None:
    """Back/next (a button callback, so it runs before the page draws the step selector)."""
    settings.choose("step", min(max(step, 1), lesson.STEPS))


def navigation(step: int, where: str) -> None:
    """Back, progress, next. The top pair also answers ← and → (one button per shortcut)."""
    back, progress, forward = st.columns([1, 4, 1])
    top = where == "top"
    back.button(
        "Back" if top else "← Back",  # on top, Streamlit shows the shortcut's arrow after the label
        key=f"ls_back_{where}",
        on_click=go,
        args=(step - 1,),
        disabled=step == 1,
        width="stretch",
        shortcut="Left" if top else None,
    )
    progress.progress(step / lesson.STEPS, text=f"Step {step} of {lesson.STEPS}: {STEPS[step - 1].title}")
    forward.button(
        "Next" if top else "Next →",
        key=f"ls_next_{where}",
        on_click=go,
        args=(step + 1,),
        disabled=step == lesson.STEPS,
        width="stretch",
        shortcut="Right" if top else None,
    )


def notes(step: Step) -> None:
    st.info(
        f"**Teacher notes.** *Say:* {step.say}\n\n*Common misconception:* {step.misconception}\n\n"
        f"*Ask the class:* {step.ask}",
        icon=":material/school:",
    )


def ask(q: lesson.Question) -> bool:
    """The question, an answer field and a Check button; True once checked for *this* prompt (the
    prompt holds the numbers, so changed settings ask again rather than judge an old guess)."""
    st.subheader(f"Predict: {q.prompt}")
    key = f"ls_guess{q.step}"
    if q.options:
        guess = st.radio("Your prediction", q.options, index=None, key=key)
    else:
        guess = st.number_input("Your prediction", value=None, min_value=0.0, step=1.0, key=key)
    checked: dict[int, str] = st.session_state.setdefault(CHECKED, {})
    if st.button("Check", key=f"ls_check{q.step}", type="primary"):
        checked[q.step] = q.prompt
    if checked.get(q.step) != q.prompt:
        st.caption("Make your prediction, then press Check: the figure and the answer appear.")
        return False
    feedback = lesson.check(q, guess)
    (st.success if feedback.right else st.warning)(feedback.text)
    return True


# --------------------------------------------------------------------------- each step's figures


def show(step: int, picture: Picture, block: Block, setup: lesson.Setup) -> None:
    """Step ``step``'s figures, after its answer is checked."""
    spec, data, sep = picture.spec, picture.data, setup.cost()
    if step == 1:
        x = stages.channels(spec, data=data)
        dw = block.depthwise
        e = explain.output_pixel(
            x, block.kernel_array(), block.weights(), row=sep.standard.out_height // 2,
            col=sep.standard.out_width // 2, **dw.geometry(),
        )  # fmt: skip
        st.plotly_chart(pixel.map_grids(e, 0, block.map_labels()[0]), key="ls_grid")
        st.caption("The centre pixel of the first map: the patch it reads, its kernel, and their products.")
    elif step == 2:
        _, tiles = stages.input_tiles(spec, picture.labels, box=style.map_box(), data=data)
        gallery.gallery(tiles, style.per_row(picture.m))
        bars = {"standard": {"standard conv": sep.standard.mult_adds}}
        style.svg(charts.cost_bars(bars, "MACs"))
    elif step == 3:
        tiles = stages.depthwise_tiles(spec, block, False, box=style.map_box(), data=data)
        gallery.gallery(tiles, style.per_row(len(tiles)))
        st.caption("Each depthwise map, titled with its kernel and the one channel it filters.")
    elif step == 4:
        tiles = stages.output_tiles(spec, block, False, box=style.map_box(), data=data)
        gallery.gallery(tiles, style.per_row(len(tiles)))
        st.caption(block.pointwise_caption())
        stage_bars(sep)
    elif step == 5:
        st.image(eq.composed_grid(block, tuple(f"out {j}" for j in range(block.n))))
        st.caption("The composed kernel (N, M, K, K): row n is output n, column m input channel m.")
    elif step == 6:
        stage_bars(sep)
        st.latex(equations.filled_ratio(sep))
    elif step == 7:
        costcard.measure((block.m, picture.height, picture.width), sep, key="ls_time")
    else:
        network = mobilenet_v1(Fraction(setup.alpha), setup.resolution)
        st.plotly_chart(netfigures.layer_bars(network, network.name), key="ls_net")
        shares = {
            netfigures.type_name(s.type): f"{float(s.mult_adds_share):.2%}" for s in network.breakdown()
        }
        st.dataframe(
            {"layer type": list(shares), "share of mult-adds": list(shares.values())}, key="ls_shares"
        )


def stage_bars(sep: cost.SeparableCost) -> None:
    bars = {
        "standard": {"standard conv": sep.standard.mult_adds},
        "separable": {"depthwise": sep.depthwise.mult_adds, "pointwise": sep.pointwise.mult_adds},
    }
    style.svg(charts.cost_bars(bars, "MACs"))


def network_controls() -> tuple[str, int]:
    """α and ρ of MobileNet v1 (the MobileNet page's own settings, narrowed to v1's values)."""
    left, right = st.columns(2)
    alphas, resolutions = mn.ALPHAS["v1"], mn.RESOLUTIONS["v1"]
    with left:
        alpha = settings.control(
            "mn_alpha", options=alphas, fallback=mn.nearest(alphas, settings.value("mn_alpha"))
        )
    with right:
        res = settings.control(
            "mn_res", options=resolutions, fallback=mn.nearest(resolutions, settings.value("mn_res"))
        )
    return alpha, res


def network_values() -> tuple[str, int]:
    """α and ρ as stored, moved to v1's nearest values (the MobileNet page may have chosen v2's)."""
    alphas, resolutions = mn.ALPHAS["v1"], mn.RESOLUTIONS["v1"]
    alpha, res = settings.value("mn_alpha"), settings.value("mn_res")
    return (
        alpha if alpha in alphas else mn.nearest(alphas, alpha),
        res if res in resolutions else mn.nearest(resolutions, res),
    )
