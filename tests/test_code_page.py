"""The "Code & downloads" page under AppTest: the code it shows runs on the page's image and gives the
page's outputs; every download opens (the code runs, the PNG decodes, the CSV parses, the settings
JSON reopens the same view); the sidebar's link is this view's link."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from apptest import open_page, sidebar_link, trouble, widget
from PIL import Image
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from dsviz.block import block_from
from dsviz.images import load_sample
from dsviz.inputs import channel_colours, channel_labels
from ui import downloads

PAGE = "views/code.py"
QUERY = {"pg_k": "5", "pg_stride": "2", "pg_n": "4", "pg_bn": "true", "pg_act": "relu", "res": "64"}


@pytest.fixture
def files(monkeypatch) -> dict[str, bytes]:
    """Every file the app hands to Streamlit's media storage, by id (a download button's URL ends in it)."""
    kept: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        kept[file_id] = path_or_data if isinstance(path_or_data, bytes) else b""
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return kept


def download(at, files: dict[str, bytes], key: str) -> bytes:
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(key))
    return files[button.proto.url.rsplit("/", 1)[1].split(".")[0]]


def upload_json(at, document: dict) -> None:
    data = json.dumps(document).encode()
    at.file_uploader(key="settings_upload").set_value(("view.json", data, "application/json")).run()


def page_block(query: dict[str, Any]):
    values = {"pg_k": int(query["pg_k"]), "pg_stride": int(query["pg_stride"]), "pg_n": int(query["pg_n"])}
    values |= {"pg_bn": True, "pg_act": "relu"}
    block, _ = block_from(values, channel_labels(3, 0), channel_colours(3, 0))
    return block


def test_the_code_shown_computes_the_pages_outputs(files) -> None:
    at = open_page(PAGE, query=QUERY)
    assert not trouble(at)
    shown = at.code[0].value
    assert shown == download(at, files, "cd_code_download").decode().rstrip("\n")
    namespace: dict = {}
    exec(shown, namespace)
    x = load_sample("astronaut", max_side=64)  # the page's image, loaded independently
    with torch.no_grad():
        theirs = namespace["page_block"]()(torch.from_numpy(x)[None])[0].numpy()
    np.testing.assert_allclose(theirs, page_block(QUERY).run(x), rtol=1e-4, atol=1e-4)
    assert any("gives the drawn outputs" in s.value for s in at.success)


def test_keras_code_and_back(files) -> None:
    at = open_page(PAGE, query=QUERY | {"cd_fw": "keras"})
    assert not trouble(at)
    assert "layers.DepthwiseConv2D(" in at.code[0].value and "ZeroPadding2D" in at.code[0].value
    assert "TensorFlow's rule" in " ".join(c.value for c in at.caption)
    widget(at, "cd_fw").set_value("pytorch").run()
    assert not trouble(at) and "nn.Conv2d" in at.code[0].value
    assert "cd_fw" not in at.query_params  # the default is left out of the link


def test_settings_file_reopens_the_same_view(files) -> None:
    at = open_page(PAGE, query=QUERY | {"cd_fw": "keras"})
    document = json.loads(download(at, files, "cd_settings_download"))
    assert document["format"] == downloads.FORMAT
    assert document["settings"] == dict(at.query_params)  # the same values as the link
    fresh = open_page(PAGE)
    fresh.file_uploader(key="settings_upload").set_value(
        ("view.json", json.dumps(document).encode(), "application/json")
    )
    fresh.run()
    assert not trouble(fresh)
    assert dict(fresh.query_params) == dict(at.query_params)
    assert fresh.code[0].value == at.code[0].value


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"\xff\xfe not json", "not a JSON file"),
        (b'{"settings": {"pg_k": "5"}}', "not a dsviz settings file"),
        (b'{"format": "dsviz settings", "settings": [1, 2]}', "not a set of key: value pairs"),
        (b"[" * 100_000, "not a JSON file"),
    ],
)
def test_a_bad_settings_file_gets_a_message(data: bytes, why: str) -> None:
    assert why in downloads.read_settings(data)
    at = open_page(PAGE)
    at.file_uploader(key="settings_upload").set_value(("bad.json", data, "application/json")).run()
    assert not trouble(at, allow_errors=True)
    assert any(why in e.value for e in at.error)


def test_hostile_values_in_a_settings_file_are_named_in_a_notice() -> None:
    raw = downloads.read_settings(b'{"format": "dsviz settings", "settings": {"pg_k": 4, "pg_n": "9"}}')
    assert raw == {"pg_k": ["4"], "pg_n": ["9"]}
    at = open_page(PAGE)
    document = {"format": downloads.FORMAT, "settings": {"pg_k": "4", "pg_n": "9"}}
    at.file_uploader(key="settings_upload").set_value(
        ("v.json", json.dumps(document).encode(), "application/json")
    )
    at.run()
    assert not trouble(at)
    assert at.query_params["pg_n"] == "9" and "pg_k" not in at.query_params
    assert "pg_k=4" in " ".join(w.value for w in at.warning)


def test_sheet_and_cost_table_open(files) -> None:
    at = open_page(PAGE, query=QUERY)
    table = pd.read_csv(io.BytesIO(download(at, files, "cd_cost_download")), comment="#", index_col=0)
    sep = page_block(QUERY).cost(64, 64)
    assert table.loc["depthwise", "MACs"] == sep.depthwise.mult_adds
    assert table.loc["standard", "MACs"] == sep.standard.mult_adds
    at.button(key="cd_sheet").click().run()
    assert not trouble(at)
    sheet = Image.open(io.BytesIO(download(at, files, "cd_sheet_download")))
    assert sheet.format == "PNG" and sheet.width > 500 and sheet.height > 500


def test_the_sidebar_link_is_this_views_link() -> None:
    at = open_page(PAGE, query=QUERY)
    link = sidebar_link(at)
    assert dict(pair.split("=") for pair in link.split("?")[1].split("&")) == dict(at.query_params)


def test_mobilenet_file_loads_without_dsviz_and_is_the_network() -> None:
    """The .pt2 the page offers is MobileNet at the chosen α and ρ: torch.export.load runs it (no dsviz
    class needed), with exactly the parameters the MobileNet page counts (its weights and BN's)."""
    from dsviz.mobilenet import mobilenet_v1, to_torch

    data = downloads.network_file("v1", "0.25", 128, False)
    program = torch.export.load(io.BytesIO(data))
    module = program.module()
    x = torch.rand(1, 3, 128, 128)
    assert module(x).shape == (1, 1000)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        reference = to_torch(mobilenet_v1(0.25, 128)).eval()
    with torch.no_grad():
        np.testing.assert_allclose(module(x).numpy(), reference(x).numpy(), rtol=1e-4, atol=1e-5)
    buffers = ("running_mean", "running_var", "num_batches_tracked")  # BN state, not parameters
    weights = sum(p.numel() for name, p in program.state_dict.items() if not name.endswith(buffers))
    assert weights == sum(p.numel() for p in reference.parameters())
