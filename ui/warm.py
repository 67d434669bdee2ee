"""Warm the server at start: what the first student's page needs is imported and drawn before they ask.

``streamlit run app.py`` runs no code of ours before the first browser session, so that session paid
for every import (torch alone is 2.5-3 s here, pandas 0.7 s) and for drawing the default view. The
server entry (``streamlit_app.py``, an ``st.App``) starts :func:`warm_up` in a thread as it starts:
the browser spends its first second loading Streamlit's scripts, and the first run then finds the
modules imported and the default Playground's maps, kernels and rows in the shared caches
(:mod:`ui.stages`). It calls the same cached functions the Playground calls, with the registry's
defaults, so it warms exactly the entries the first run looks up.
"""

from __future__ import annotations

import importlib
import logging
import time

# Imported by the pages' first runs, in the order the Playground needs them: pandas (ui.controls'
# editors) and the page helpers before its first element, Streamlit's emoji and icon tables for the
# page icon and the navigation (0.22 s here, compiling a regular expression of every emoji), and the
# block's ops (torch, 1.4-3 s) last: the first page then draws its sidebar, input and controls while
# torch loads, and only its depthwise stage waits for it.
MODULES = (
    "pandas",
    "ui.controls",
    "ui.costcard",
    "ui.explainers",
    "ui.gallery",
    "streamlit.emojis",
    "streamlit.material_icon_names",
    "dsviz.ops",
)


def warm_up() -> float:
    """Import :data:`MODULES` and draw the default Playground into the caches; seconds taken. A failure
    is logged, never raised: the first run then does the work itself."""
    start = time.perf_counter()
    try:
        for name in MODULES:
            importlib.import_module(name)
        default_playground()
    except Exception:  # a warm-up must never stop the server
        logging.getLogger("dsviz").exception("warming up failed")
    seconds = time.perf_counter() - start
    logging.getLogger("dsviz").info("warmed up in %.1f s", seconds)
    return seconds


def default_playground() -> None:
    """The Playground's stages at the registry's defaults, as views/playground.py asks for them."""
    from dsviz.block import SETTINGS, block_from, input_spec
    from dsviz.cost import Convention
    from ui import costcard, gallery, stages, style

    defaults = SETTINGS.defaults()
    spec = input_spec(defaults)
    labels, colours = spec.channels(stages.photo_channels(spec))
    block, _ = block_from(defaults, labels, colours)
    shared = defaults["pg_scale"] == "shared"
    box = style.BOX
    _, inputs = stages.input_tiles(spec, labels, box=box)
    gallery.gallery_rows(inputs, style.per_row_for(len(inputs), False))
    k_tiles = stages.kernel_tiles(block.depthwise, tuple(k.label() for k in block.depthwise.kernels), shared)
    maps = stages.depthwise_tiles(spec, block, shared, box=box)
    gallery.channel_row_images(inputs, k_tiles, maps, block.d)
    outputs = stages.output_tiles(spec, block, shared, box=box)
    gallery.gallery_rows(outputs, style.per_row_for(len(outputs), False))
    _, height, width = stages.photo(spec.ref, spec.resolution, spec.grayscale).shape
    sep = block.cost(height, width)
    convention = Convention(unit=defaults["pg_unit"], bias=defaults["pg_bias"], batch_norm=defaults["pg_bnp"])
    costcard.cost_markdown(sep, convention)
    costcard.cost_csv(sep, convention)
