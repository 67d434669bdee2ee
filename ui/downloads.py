"""Downloads: the view's maps as one labelled PNG sheet, its settings as a JSON file (and the upload
that restores them), and the check that the exported code computes what the page draws."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import numpy as np
import streamlit as st
import torch

from dsviz import render
from dsviz.block import Block, InputSpec
from ui import settings, stages, style
from ui.image import Picture, describe
from ui.memo import memo

FORMAT = "dsviz settings"  # the "format" field of a settings file
MAX_SETTINGS_BYTES = 1 << 20  # a settings file holds text for at most a few custom grids


Sections = tuple[tuple[str, tuple[bytes, ...]], ...]  # (heading, encoded tiles) in order


@memo(stages.TILES)
def sheet_png(sections: Sections, title: str) -> bytes:
    """Encoded tiles under their headings on one PNG (the tiles keep their titles and colour bars)."""
    decoded = [(name, [render.decode(t) for t in tiles]) for name, tiles in sections]
    return render.png(render.sheet(decoded, title))


def offer_sheet(sections: Callable[[], Sections], title: str, key: str) -> None:
    """A button that puts the maps ``sections()`` gives on one PNG sheet, then offers it (made on
    demand: the tiles may not be drawn yet, and a sheet takes ~0.3 s)."""
    if not st.button("Make a PNG sheet of these maps", key=key, help="every map, titled, on one picture"):
        return
    try:
        sheet = sheet_png(sections(), title)
    except ValueError as err:  # a block this image cannot run
        st.error(f"The maps cannot be drawn: {err}")
        return
    st.download_button("Download maps.png", sheet, "maps.png", "image/png", key=f"{key}_download")


def playground_sections(picture: Picture, block: Block) -> Sections:
    """Input, kernels, depthwise maps and outputs: the Playground's tiles."""
    spec, data, box = picture.spec, picture.data, style.map_box()
    shared = settings.value("pg_scale") == "shared"
    head, inputs = stages.input_tiles(spec, block.channels, box=box, data=data)
    labels = tuple(k.label() for k in block.depthwise.kernels)
    return (
        ("Input channels", (head, *inputs)),
        ("Depthwise kernels", tuple(stages.kernel_tiles(block.depthwise, labels, shared))),
        ("Depthwise maps", tuple(stages.depthwise_tiles(spec, block, shared, box=box, data=data))),
        ("Pointwise outputs", tuple(stages.output_tiles(spec, block, shared, box=box, data=data))),
    )


def title_of(picture: Picture, block: Block) -> str:
    dw = block.depthwise
    geometry = f"K = {dw.kernel_size}, stride {dw.stride}, d = {block.d}, N = {block.n}"
    return f"dsviz · {describe(picture)} · {geometry}"


def settings_file(page: str) -> str:
    """This view's settings (every value that is not the default; custom grids whole) as JSON."""
    values, _ = settings.link_values(most_numbers=None)
    return json.dumps({"format": FORMAT, "version": 1, "page": page, "settings": values}, indent=2)


def restore_from_upload() -> None:
    """An uploader for a settings file; a new file restores its view (what it cannot hold is said)."""
    label = "Restore a view from a settings file (.json)"
    upload = st.file_uploader(label, type=["json"], key="settings_upload")
    if upload is None or st.session_state.get("_dsviz_restored") == upload.file_id:
        return
    st.session_state["_dsviz_restored"] = upload.file_id  # once per file, not on every rerun
    raw = read_settings(upload.getvalue())
    if isinstance(raw, str):
        st.error(f"{upload.name}: {raw}")
        return
    settings.restore(raw)
    st.rerun()


def read_settings(data: bytes) -> dict[str, list[str]] | str:
    """The settings a file holds as key → [text] (the link's form), or why it cannot be read."""
    if len(data) > MAX_SETTINGS_BYTES:
        return f"this file has {len(data):,} bytes; a settings file has at most {MAX_SETTINGS_BYTES:,}."
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return "this is not a JSON file."
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return 'this JSON file is not a dsviz settings file (it has no "format": "dsviz settings").'
    values = document.get("settings")
    if not isinstance(values, dict):
        return 'its "settings" field is not a set of key: value pairs.'
    # a number or list written by hand is read as its JSON text, by the same strict parsers as a link
    return {str(k): [v if isinstance(v, str) else json.dumps(v)] for k, v in values.items()}


@memo(stages.ARRAYS, ignore=("data",))
def exported_gap(spec: InputSpec, block: Block, *, data: bytes | None = None) -> float:
    """Run the page's own PyTorch code (``Block.code()``, the text shown) on the page's input channels;
    the largest difference from the outputs the page draws."""
    namespace: dict = {}
    exec(block.code(), namespace)  # our own generated text, built from validated settings
    module = namespace["page_block"]()
    x = torch.from_numpy(np.ascontiguousarray(stages.channels(spec, data=data)))[None]  # (1, M, H, W)
    with torch.no_grad():
        theirs = module(x)[0].numpy()
    return float(np.abs(theirs - stages.outputs(spec, block, data=data)).max())


V1_ALPHAS, V1_RESOLUTIONS = ("0.25", "0.5", "0.75", "1.0"), (128, 160, 192, 224)  # the paper's Tables 6–7
V2_ALPHAS, V2_RESOLUTIONS = ("0.35", "0.5", "0.75", "1.0", "1.3", "1.4"), (96, 128, 160, 192, 224)


def chosen_network() -> tuple[str, str, int, bool]:
    """The network chosen on the MobileNet page (net, α, ρ, full conv), the paper's 1.0-224 when the
    stored α or ρ is not one that network's paper defines."""
    net = settings.value("mn_net")
    alphas, sides = (V1_ALPHAS, V1_RESOLUTIONS) if net == "v1" else (V2_ALPHAS, V2_RESOLUTIONS)
    alpha, side = settings.value("mn_alpha"), settings.value("mn_res")
    for key in ("mn_net", "mn_alpha", "mn_res", "mn_full"):  # this page's link keeps the choice
        settings.in_link(key, settings.value(key))
    return (
        net,
        alpha if alpha in alphas else "1.0",
        side if side in sides else 224,
        net == "v1" and bool(settings.value("mn_full")),
    )


@memo(stages.TILES)
def network_file(net: str, alpha: str, resolution: int, full_conv: bool) -> bytes:
    """MobileNet as a ``torch.export`` program (``torch.export.load(f).module()`` runs it, no dsviz
    needed), its weights PyTorch's default initialisation drawn from seed 0: untrained."""
    from fractions import Fraction

    from dsviz.mobilenet import mobilenet_v1, to_torch
    from dsviz.mobilenet_v2 import mobilenet_v2

    a = Fraction(alpha)
    network = mobilenet_v1(a, resolution, full_conv=full_conv) if net == "v1" else mobilenet_v2(a, resolution)
    with torch.random.fork_rng():  # the server's random state is left as it was
        torch.manual_seed(0)
        model = to_torch(network).eval()
    program = torch.export.export(model, (torch.zeros(1, 3, resolution, resolution),))
    buffer = io.BytesIO()
    torch.export.save(program, buffer)
    return buffer.getvalue()
