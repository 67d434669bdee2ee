"""Panels any page can show beside its figures: the cost formulas (as usually written, and corrected),
and the block as PyTorch code with the blog post's buggy snippet run for real."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dsviz import codegen, equations
from dsviz.block import Block
from dsviz.cost import SeparableCost


def display(latex: str) -> str:
    """A display formula inside markdown: several formulas and sentences then go as one element, not
    one each (a page part re-sends every element of it on every rerun)."""
    return f"$$\n{latex}\n$$"


def cost_formulas(sep: SeparableCost) -> None:
    """General cost formulas with d, filled in, next to the forms as usually written."""
    square = sep.depthwise.out_height == sep.depthwise.out_width
    parts = [display(latex) for latex in (*equations.cost_equations(square), equations.RATIO_D1)]
    parts.append("**As the blog post writes them**, and what was corrected:")
    parts += [
        display(equations.AS_USUALLY_WRITTEN[name]) for name in ("cost_standard", "cost_separable", "ratio")
    ]
    parts.append("\n".join(f"- {sentence}" for sentence in equations.CORRECTIONS))
    parts.append("**Beyond the blog post's case** (stride 1, no dilation, d = 1):")
    parts.append("\n".join(f"- {sentence}" for sentence in equations.GENERALISATIONS))
    st.markdown("\n\n".join(parts))


KERAS_PADDING = (
    "Keras's `padding=\"same\"` follows TensorFlow's rule: when the padding needed is odd (stride 2 on an "
    "even side, for one) the extra row and column go at the bottom and right, while this page pads every "
    "side alike, as PyTorch's `padding=p` does. So the Keras code pads explicitly and then convolves with "
    '`padding="valid"`: it computes the numbers drawn here.'
)


def block_code(block: Block, framework: str, key: str) -> str:
    """The block as PyTorch or Keras 3 code carrying this page's exact weights, with a download."""
    if framework == "keras":
        code = block.keras_code()
        st.markdown(
            "Calling `page_block()(x, training=True)` on this page's M input channels, channels last, "
            "as `x` of shape `(1, H, W, M)`, gives the output maps drawn here (channels last too)."
        )
        st.caption(KERAS_PADDING)
    else:
        code = block.code()
        st.markdown(
            "Running `page_block()` on this page's M input channels, as a `(1, M, H, W)` tensor, gives "
            "the output maps drawn here (BatchNorm in training mode uses the image's own statistics, as the "
            "page does)."
        )
    st.code(code, language="python")
    name = "conv_dw_keras.py" if framework == "keras" else "conv_dw.py"
    st.download_button(f"Download {name}", code, name, "text/x-python", key=f"{key}_code_download")
    return code


def seed_snippet() -> None:
    """The blog post's snippet as printed, its three bugs, and what PyTorch does with it (run here)."""
    st.code(codegen.SEED_SNIPPET, language="python")
    st.markdown("\n".join(f"{i}. {bug}" for i, bug in enumerate(codegen.SEED_BUGS, start=1)))
    st.caption(codegen.SEED_MISSING_IMPORT)


def seed_runs() -> None:
    st.markdown("**What PyTorch does with it** (run on this server, not typed in):")
    st.dataframe(pd.DataFrame(codegen.seed_bug_demos(), columns=["call", "what happened"]), hide_index=True)
