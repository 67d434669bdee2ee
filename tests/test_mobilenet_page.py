"""The MobileNet page under AppTest (through the router): every widget at every value it allows for v1
and v2, headline numbers equal to dsviz.mobilenet's, a link's α that the network does not define, the
CSV download read back, the Playground link of a layer; and the page's claims about α and ρ, checked
at every setting it offers."""

from __future__ import annotations

import io
import re
from fractions import Fraction
from urllib import parse

import pandas as pd
import plotly.graph_objects as go
import pytest
from apptest import notices, open_page, trouble, widget
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest, app_test

from dsviz import netfigures
from dsviz.block import MAX_OUT
from dsviz.mobilenet import PUBLISHED_SWEEP, Network, mobilenet_v1, separable_pairs
from dsviz.mobilenet_v2 import make_divisible, mobilenet_v2
from ui import mobilenet as page

PAGE = "views/mobilenet.py"
LINK = re.compile(r"\]\(\./\?([^)]*)\)")  # the markdown link into the Playground


def expected(net: str, alpha: str, res: int, full: bool = False) -> Network:
    if net == "v2":
        return mobilenet_v2(Fraction(alpha), res)
    return mobilenet_v1(Fraction(alpha), res, full_conv=full)


def check(at: AppTest, want: Network) -> None:
    """No trouble; the headline and the table's totals are ``want``'s exact counts."""
    assert trouble(at) == []
    assert [int(m.value.replace(",", "")) for m in at.metric] == [want.mult_adds, want.params]
    table = at.dataframe[0].value
    assert list(table["layer"]) == [row.name for row in want] + ["total"]
    assert list(table["MACs"]) == [row.mult_adds for row in want] + [want.mult_adds]
    assert list(table["params"]) == [row.params for row in want] + [want.params]


def playground_link(at: AppTest) -> dict[str, str]:
    (query,) = [m for md in at.markdown for m in LINK.findall(md.value)]
    return dict(parse.parse_qsl(query, strict_parsing=True))


def check_layers(at: AppTest, want: Network) -> None:
    """Every depthwise and 1×1 layer of the picker: its link holds the block's K, stride and N."""
    pairs = {row.name: (dw, pw) for dw, pw in separable_pairs(want) for row in (dw, pw)}
    picker = widget(at, "mn_layer")
    assert list(picker.options) == [page.label_of(next(r for r in want if r.name == n)) for n in pairs]
    for name, (dw, pw) in pairs.items():
        widget(at, "mn_layer").set_value(name).run()
        assert trouble(at) == []
        want_n = min(pw.output_shape[2], MAX_OUT)
        assert playground_link(at) == {"pg_k": "3", "pg_stride": str(dw.stride), "pg_n": str(want_n)}


def test_every_widget_at_every_value_v1_then_v2() -> None:
    at = open_page(PAGE)
    state = {"net": "v1", "alpha": "1.0", "res": 224}
    check(at, expected(**state))
    for net in ("v1", "v2"):
        if net == "v2":
            widget(at, "mn_net").set_value("v2").run()
            state["net"] = "v2"
            check(at, expected(**state))
        for alpha in page.ALPHAS[net]:
            widget(at, "mn_alpha").set_value(alpha).run()
            state["alpha"] = alpha
            check(at, expected(**state))
        for res in page.RESOLUTIONS[net]:
            widget(at, "mn_res").set_value(res).run()
            state["res"] = res
            check(at, expected(**state))
        if net == "v1":
            widget(at, "mn_full").set_value(True).run()
            check(at, expected(**state, full=True))
            assert widget(at, "mn_layer") is None and "no depthwise separable layer" in at.info[0].value
            widget(at, "mn_full").set_value(False).run()
        else:
            assert widget(at, "mn_full") is None  # v1 only
        check_layers(at, expected(**state))
    # v2 at 0.35-96, then v1: α and ρ fall to v1's nearest values, with a notice; no error
    widget(at, "mn_alpha").set_value("0.35").run()
    widget(at, "mn_res").set_value(96).run()
    widget(at, "mn_net").set_value("v1").run()
    check(at, expected("v1", "0.25", 128))
    assert "0.35" in notices(at) and "96" in notices(at)


def test_link_alpha_the_network_does_not_define_falls_back_with_a_notice() -> None:
    at = open_page(PAGE, query={"mn_net": "v2", "mn_alpha": "0.25"})
    check(at, mobilenet_v2(Fraction("0.35")))
    assert widget(at, "mn_alpha").value == "0.35"
    assert "0.25" in notices(at)


class KeptMedia(MemoryMediaFileStorage):
    """AppTest's in-memory media store, kept after the run so a download's bytes can be read."""

    last: MemoryMediaFileStorage | None = None

    def __init__(self, prefix: str) -> None:
        super().__init__(prefix)
        KeptMedia.last = self


def test_csv_download_reads_back_as_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", KeptMedia)
    at = open_page(PAGE, query={"mn_net": "v2", "mn_alpha": "0.35", "mn_res": "96"})
    check(at, mobilenet_v2(Fraction("0.35"), 96))
    (button,) = at.get("download_button")
    assert KeptMedia.last is not None
    data = KeptMedia.last.get_file(button.proto.url.rsplit("/", 1)[1]).content
    read = pd.read_csv(io.BytesIO(data))
    shown = at.dataframe[0].value
    assert list(read.columns) == list(shown.columns)
    for column in shown.columns:
        if shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column]):
            assert list(read[column].fillna("")) == list(shown[column])
        else:  # every number exactly, MACs/byte included (the CSV holds its shortest exact text)
            assert read[column].astype("Float64").equals(shown[column].astype("Float64")), column
    assert len(read) == len(mobilenet_v2(Fraction("0.35"), 96).rows) + 1


def test_playground_link_opens_the_layers_k_and_stride() -> None:
    at = open_page(PAGE)
    widget(at, "mn_layer").set_value("block12_pw").run()  # 512 → 1024 at stride 2: N capped at 64
    query = playground_link(at)
    assert query == {"pg_k": "3", "pg_stride": "2", "pg_n": "64"}
    assert "not on the layer's 512 input channels" in " ".join(c.value for c in at.caption)
    playground = open_page("views/playground.py", query=query)
    assert trouble(playground) == []
    assert [widget(playground, key).value for key in ("pg_k", "pg_stride", "pg_n")] == [3, 2, 64]


SETTINGS = [
    (net, alpha, res, full)
    for net in ("v1", "v2")
    for alpha in page.ALPHAS[net]
    for res in page.RESOLUTIONS[net]
    for full in ((False, True) if net == "v1" else (False,))
]


@pytest.mark.parametrize(("net", "alpha", "res", "full"), SETTINGS)
def test_what_the_page_says_about_alpha_and_rho_holds(net: str, alpha: str, res: int, full: bool) -> None:
    here, at_224 = expected(net, alpha, res, full), expected(net, alpha, 224, full)
    assert here.params == at_224.params  # "the params do not depend on ρ at all"
    # "every conv's mult-adds scale by exactly (ρ/224)²; the FC's do not"
    assert page.conv_macs(here) * 224**2 == page.conv_macs(at_224) * res**2
    assert page.fc_macs(here) == page.fc_macs(at_224)
    if res < 224:  # "below ρ = 224 the total stays a little above (ρ/224)² × the ρ = 224 count"
        assert here.mult_adds * 224**2 > at_224.mult_adds * res**2
    a, one = Fraction(alpha), expected(net, "1.0", res, full)
    if net == "v1":
        for row, row_one in zip(here, one, strict=True):  # "exactly so here": every width is c·α
            assert row.output_shape[2] in (row_one.output_shape[2] * a, 1000)
        if a < 1:  # "stay above α² × their α = 1.0 counts"
            assert here.mult_adds > a**2 * one.mult_adds and here.params > a**2 * one.params
    else:
        last = next(row for row in here if row.name == "conv_last")
        if a <= 1 or a == Fraction(7, 5):  # "at 1280 channels for α ≤ 1 (1792 at α = 1.4)"
            assert last.output_shape[2] == (1280 if a <= 1 else 1792)
        if a <= 1:  # "the FC keeps all its 1,280,000 weights at every α ≤ 1"
            assert here.rows[-1].params == 1_280_000
    assert make_divisible(32 * Fraction(7, 20)) == 16  # "32 · 0.35 = 11.2 channels become 16"


def test_misprint_sentence_and_figures() -> None:
    sentence = page.misprint_sentence()
    assert "**1.19 %**" in sentence and "**1.91 %**" in sentence and "(100.01 by rounding" in sentence
    for net in (mobilenet_v1(), mobilenet_v1(full_conv=True), mobilenet_v2(0.35, 96), mobilenet_v2(1.4)):
        fig = go.Figure(netfigures.layer_bars(net, "t").to_dict())  # Plotly's validator accepts the dict
        drawn = {name for trace in fig.data if trace.xaxis == "x" for name in trace.y}
        assert drawn == {row.name for row in net if row.mult_adds}  # all but the pool
    sweep = go.Figure(netfigures.sweep([mobilenet_v1(a, r) for a, r, *_ in PUBLISHED_SWEEP]).to_dict())
    assert [list(trace.y) for trace in sweep.data] == [[70.6, 68.4, 63.7, 50.6], [70.6, 69.1, 67.2, 64.4]]
