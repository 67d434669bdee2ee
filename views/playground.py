"""Playground: the whole depthwise separable block working on one image.

Input channels → d K×K filters per channel (depthwise) → an N×(M·d) mix (pointwise) → outputs,
with the live cost of that block next to the standard convolution it replaces.
"""

import streamlit as st

from dsviz import charts, equations
from dsviz.block import Block
from dsviz.cost import SeparableCost
from ui import controls, costcard, explainers, gallery, image, parts, settings, stages, style

picture = image.sidebar()
spec, data = picture.spec, picture.data

st.title("Playground: one depthwise separable block")
st.page_link("views/lesson.py", label="New here? Take the 8-step lesson", icon=":material/school:")
st.markdown(
    "A depthwise separable convolution **filters each input channel on its own** (depthwise), then "
    "**mixes the channels** with a 1×1 convolution (pointwise). Move any control: every picture and "
    "number below follows."
)
shared = settings.control("pg_scale") == "shared"
summary = st.empty()  # filled in by the cost stage, once the cost is known: the headline stays on top

st.header("1 · Input", divider="gray")
with st.container(), st.spinner(stages.WORKING["input"], show_time=True):  # shown only after 0.5 s
    head, input_tiles = stages.input_tiles(spec, picture.labels, box=style.map_box(), data=data)
    cols = st.columns([1.2, 3])
    cols[0].image(head, width="stretch")
    with cols[1]:
        st.markdown(f"{image.describe(picture)}: the input feature map $F$ of size $H × W × M$.")
        gallery.gallery(input_tiles, style.per_row(picture.m))


# Stages 2-4: the page draws the headings, formulas and controls; each stage's results are a part
# of their own (ui.parts), and a control's move reruns only the parts it changes: the controls are
# not sent again, and an N move leaves the depthwise maps as they are. A move that changes the
# controls themselves (d, or a custom choice) reruns the page (ui.controls.stages_changed).
PARTS = {"depthwise": "pg_depthwise", "pointwise": "pg_pointwise", "cost": "pg_cost"}
block = controls.current_block(picture)
per_channel = "one filter" if block.d == 1 else f"{block.d} filters"
st.header(f"2 · Depthwise: {per_channel} per input channel", divider="gray")
st.latex(equations.DEPTHWISE)
legend = parts.drawn_while_open("What the symbols mean", "pg_legend")
if legend:
    with legend:
        symbols = (
            equations.LEGEND,
            explainers.display(equations.PADDED_INPUT),
            explainers.display(equations.OUTPUT_SIZE),
        )
        st.markdown("\n\n".join(symbols))
controls.depthwise_controls(picture, PARTS)
controls.custom_kernel_editors(block)


def layer_cost(block: Block) -> SeparableCost | None:
    """The block's cost on this picture; None when its depthwise layer cannot run on it (the
    depthwise stage says why)."""
    try:
        return block.cost(picture.height, picture.width)
    except ValueError:
        return None


@parts.live(PARTS["depthwise"])
def depthwise_stage(input_tiles: list[bytes]) -> None:
    block = controls.current_block(picture)
    controls.substitutions()
    with st.spinner(stages.WORKING["depthwise"], show_time=True):  # shown only after 0.5 s
        try:
            sep = block.cost(picture.height, picture.width)
            dw_tiles = stages.depthwise_tiles(spec, block, shared, box=style.map_box(), data=data)
        except ValueError as err:  # e.g. a kernel wider than the image, or a padding the image cannot give
            st.error(f"This depthwise layer cannot run on a {picture.width}×{picture.height} px image: {err}")
            return
        st.latex(equations.filled_output_size(sep.depthwise))
        st.caption(f"{controls.receptive_field(block)} {gallery.SATURATION}")
        labels = tuple(k.label() for k in block.depthwise.kernels)
        k_tiles = stages.kernel_tiles(block.depthwise, labels, shared)
        gallery.channel_rows(input_tiles, k_tiles, dw_tiles, block.d)


depthwise_stage(input_tiles)
st.header("3 · Pointwise: mix the channels", divider="gray")
st.latex(equations.POINTWISE)
controls.pointwise_controls(PARTS)
controls.custom_weight_editor(block)


@parts.live(PARTS["pointwise"])
def pointwise_stage() -> None:
    block = controls.current_block(picture)
    if layer_cost(block) is None:
        return
    st.caption(block.pointwise_caption())
    title = f"pointwise weights P ({block.n}×{block.maps}: one row per output)"
    style.svg(charts.weights_grid(block.weights(), block.output_labels(), block.map_labels(), title))
    with st.spinner(stages.WORKING["pointwise"], show_time=True):
        try:
            out_tiles = stages.output_tiles(spec, block, shared, box=style.map_box(), data=data)
        except ValueError as err:
            st.error(f"The pointwise stage cannot run with these numbers: {err}")
            return
        gallery.gallery(out_tiles, style.per_row(len(out_tiles)))


pointwise_stage()
st.header("4 · Cost: separable vs standard", divider="gray")
st.latex(equations.STANDARD)
controls.cost_convention(PARTS)


@parts.live(PARTS["cost"])
def cost_stage() -> None:
    sep = layer_cost(controls.current_block(picture))
    if sep is None:
        return
    convention = controls.convention_value()
    costcard.render(sep, convention, "pg")
    costcard.measure((picture.m, picture.height, picture.width), sep, "pg")
    summary.info(costcard.headline(sep, convention), icon=":material/calculate:")
    formulas = parts.drawn_while_open("The cost formulas, as usually written and corrected", "pg_formulas")
    if formulas:
        with formulas:
            explainers.cost_formulas(sep)


cost_stage()
# A link, not the code itself: the Code page shows this same block (the settings are shared), and
# every rerun here would otherwise send and redraw its code, the snippet and their table.
st.page_link(
    "views/code.py", label="This block in PyTorch, with this page's weights", icon=":material/code:",
    help="Code & downloads: this block as PyTorch or Keras code, checked on this image",
)  # fmt: skip
