"""dsviz.explain against torch (F.pad + F.conv2d with groups=M, then a matrix product), and by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from dsviz import explain

MODES = ("zeros", "reflect", "replicate", "circular")
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---- the reference ---------------------------------------------------------------------------------


def torch_padded(x, pad, mode):
    """``(M, H, W)`` → ``(1, M, H + 2p, W + 2p)`` float64, padded as PyTorch pads."""
    batch = torch.tensor(x, dtype=torch.float64)[None]
    return F.pad(batch, (pad, pad, pad, pad), mode="constant" if mode == "zeros" else mode)


def torch_block(x, kernels, weights, *, stride, dilation, pad, mode):
    """Depthwise (groups=M) then pointwise on the whole image: ``(M·d, H', W')``, ``(N, H', W')``."""
    padded = torch_padded(x, pad, mode)
    weight = torch.tensor(kernels, dtype=torch.float64)[:, None]  # (M·d, 1, K, K)
    maps = F.conv2d(padded, weight, stride=stride, dilation=dilation, groups=x.shape[0])[0]
    mixed = torch.tensor(weights, dtype=torch.float64) @ maps.reshape(maps.shape[0], -1)
    return maps.numpy(), mixed.reshape(-1, *maps.shape[1:]).numpy()


def edge_or_any(draw, count):
    """An index in ``0…count−1`` that is the first or last (or next to them) more often than not."""
    last = count - 1
    return draw(st.one_of(st.sampled_from([0, last, min(1, last), max(last - 1, 0)]), st.integers(0, last)))


@st.composite
def configurations(draw):
    """A valid random block geometry on a non-square image, and an output position."""
    m, d, n = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    size = draw(st.sampled_from([1, 3, 5, 7]))
    stride, dilation = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    padding, mode = draw(st.sampled_from(["same", "valid"])), draw(st.sampled_from(MODES))
    pad = dilation * (size - 1) // 2 if padding == "same" else 0
    smallest = max(pad + 1 if mode == "reflect" else pad, 1)
    if padding == "valid":
        smallest = max(smallest, dilation * (size - 1) + 1)
    height = draw(st.integers(smallest, smallest + 12))
    width = draw(st.integers(smallest, smallest + 12).filter(lambda w: w != height))
    out_h = (height + 2 * pad - dilation * (size - 1) - 1) // stride + 1
    out_w = (width + 2 * pad - dilation * (size - 1) - 1) // stride + 1
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return {
        "x": rng.uniform(-1, 1, (m, height, width)),
        "kernels": rng.uniform(-1, 1, (m * d, size, size)),
        "weights": rng.uniform(-1, 1, (n, m * d)),
        "row": edge_or_any(draw, out_h),
        "col": edge_or_any(draw, out_w),
        "stride": stride,
        "dilation": dilation,
        "padding": padding,
        "padding_mode": mode,
        "pad": pad,
    }


def explain_of(cfg):
    return explain.output_pixel(
        cfg["x"],
        cfg["kernels"],
        cfg["weights"],
        row=cfg["row"],
        col=cfg["col"],
        stride=cfg["stride"],
        padding=cfg["padding"],
        dilation=cfg["dilation"],
        padding_mode=cfg["padding_mode"],
    )


# ---- against torch ---------------------------------------------------------------------------------


@SETTINGS
@given(configurations())
def test_output_pixel_matches_torch(cfg) -> None:
    note({k: v for k, v in cfg.items() if not isinstance(v, np.ndarray)})
    e = explain_of(cfg)
    maps, outputs = torch_block(
        cfg["x"],
        cfg["kernels"],
        cfg["weights"],
        stride=cfg["stride"],
        dilation=cfg["dilation"],
        pad=cfg["pad"],
        mode=cfg["padding_mode"],
    )
    assert (e.out_height, e.out_width) == maps.shape[1:]
    assert e.pad == cfg["pad"]
    np.testing.assert_allclose(e.depthwise, maps[:, e.row, e.col], rtol=0, atol=1e-12)
    np.testing.assert_allclose(e.pointwise, outputs[:, e.row, e.col], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(e.products, e.patches * e.kernels)


@SETTINGS
@given(configurations())
def test_patches_are_what_the_padded_input_holds(cfg) -> None:
    """The patch of map j is channel j // d of F.pad's output at the taps (shifted by p)."""
    e = explain_of(cfg)
    padded = torch_padded(cfg["x"], e.pad, e.padding_mode)[0].numpy()  # (M, H + 2p, W + 2p)
    rows, cols = e.taps[..., 0] + e.pad, e.taps[..., 1] + e.pad
    assert rows.min() >= 0 and cols.min() >= 0
    d = cfg["kernels"].shape[0] // cfg["x"].shape[0]
    np.testing.assert_array_equal(e.channel, np.arange(len(e.kernels)) // d)
    for j, m in enumerate(e.channel):
        np.testing.assert_array_equal(e.patches[j], padded[m][rows, cols])


@SETTINGS
@given(configurations())
def test_taps_padding_and_source(cfg) -> None:
    e = explain_of(cfg)
    height, width = cfg["x"].shape[1:]
    size, s, dl = len(e.kernels[0]), e.stride, e.dilation
    a = np.arange(size)
    np.testing.assert_array_equal(e.taps[:, 0, 0], e.row * s - e.pad + a * dl)
    np.testing.assert_array_equal(e.taps[0, :, 1], e.col * s - e.pad + a * dl)
    inside = (
        (e.taps[..., 0] >= 0) & (e.taps[..., 0] < height) & (e.taps[..., 1] >= 0) & (e.taps[..., 1] < width)
    )
    np.testing.assert_array_equal(e.padded, ~inside)
    np.testing.assert_array_equal(e.source[inside], e.taps[inside])
    if e.padding_mode == "zeros":
        assert (e.patches[:, e.padded] == 0).all()
        return
    # every source lies in the image and reproduces the value the padding cell holds
    assert (e.source >= 0).all() and (e.source[..., 0] < height).all() and (e.source[..., 1] < width).all()
    for j, m in enumerate(e.channel):
        np.testing.assert_array_equal(e.patches[j], cfg["x"][m][e.source[..., 0], e.source[..., 1]])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("size", "stride", "dilation"), [(3, 1, 1), (5, 3, 2), (7, 2, 1)])
def test_every_corner_and_edge(mode, size, stride, dilation) -> None:
    """Deterministically, beside the random draws: the four corners and the middle of each edge of a
    9×13 image ('same' padding, d = 2), where the padding is read."""
    rng = np.random.default_rng(size * 100 + stride * 10 + dilation)
    x, kernels, weights = (
        rng.uniform(-1, 1, (2, 9, 13)),
        rng.uniform(-1, 1, (4, size, size)),
        rng.uniform(-1, 1, (3, 4)),
    )
    pad = dilation * (size - 1) // 2
    maps, outputs = torch_block(x, kernels, weights, stride=stride, dilation=dilation, pad=pad, mode=mode)
    last_row, last_col = maps.shape[1] - 1, maps.shape[2] - 1
    for row in (0, last_row // 2, last_row):
        for col in (0, last_col // 2, last_col):
            e = explain.output_pixel(
                x, kernels, weights, row=row, col=col, stride=stride, dilation=dilation, padding_mode=mode
            )
            assert e.padded.any() or (row, col) != (0, 0)  # the top-left window always reads padding
            np.testing.assert_allclose(e.depthwise, maps[:, row, col], rtol=0, atol=1e-12)
            np.testing.assert_allclose(e.pointwise, outputs[:, row, col], rtol=0, atol=1e-12)


# ---- by hand ---------------------------------------------------------------------------------------

IMAGE = np.array([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]], dtype=float)  # (1, 3, 3)
LAPLACIAN = np.array([[[0, 1, 0], [1, -4, 1], [0, 1, 0]]], dtype=float)  # (1, 3, 3)


@pytest.mark.parametrize(
    ("mode", "patch", "source_rows", "source_cols", "total"),
    [
        # zeros: the row above and the column left are padding and read 0
        # 0·0 + 1·0 + 0·0 + 1·0 − 4·1 + 1·2 + 0·0 + 1·4 + 0·5 = 2
        ("zeros", [[0, 0, 0], [0, 1, 2], [0, 4, 5]], [[-1] * 3, [0] * 3, [1] * 3], [[-1, 0, 1]] * 3, 2),
        # reflect: row −1 mirrors row 1, column −1 mirrors column 1 (the edge is not repeated)
        # 4 (above) + 2 (left) − 4 + 2 (right) + 4 (below) = 8
        ("reflect", [[5, 4, 5], [2, 1, 2], [5, 4, 5]], [[1] * 3, [0] * 3, [1] * 3], [[1, 0, 1]] * 3, 8),
        # replicate: row −1 repeats row 0, column −1 repeats column 0
        # 1 + 1 − 4 + 2 + 4 = 4
        ("replicate", [[1, 1, 2], [1, 1, 2], [4, 4, 5]], [[0] * 3, [0] * 3, [1] * 3], [[0, 0, 1]] * 3, 4),
        # circular: row −1 wraps to row 2, column −1 to column 2
        # 7 + 3 − 4 + 2 + 4 = 12
        ("circular", [[9, 7, 8], [3, 1, 2], [6, 4, 5]], [[2] * 3, [0] * 3, [1] * 3], [[2, 0, 1]] * 3, 12),
    ],
)
def test_hand_computed_corner(mode, patch, source_rows, source_cols, total) -> None:
    """Output (0, 0) of a 3×3 Laplacian, 'same' padding (p = 1), on the image 1…9, then × 2 pointwise."""
    e = explain.output_pixel(IMAGE, LAPLACIAN, [[2.0]], row=0, col=0, padding_mode=mode)
    assert (e.out_height, e.out_width, e.pad) == (3, 3, 1)
    np.testing.assert_array_equal(e.taps[..., 0], [[-1] * 3, [0] * 3, [1] * 3])
    np.testing.assert_array_equal(e.taps[..., 1], [[-1, 0, 1]] * 3)
    np.testing.assert_array_equal(e.padded, [[True] * 3, [True, False, False], [True, False, False]])
    np.testing.assert_array_equal(e.patches[0], patch)
    np.testing.assert_array_equal(e.products[0], np.array(patch) * LAPLACIAN[0])
    np.testing.assert_array_equal(e.source[..., 0], source_rows)
    np.testing.assert_array_equal(e.source[..., 1], source_cols)
    assert e.depthwise.tolist() == [total]
    assert e.pointwise.tolist() == [2 * total]


def test_hand_computed_centre_with_multiplier_and_stride() -> None:
    """d = 2 on one channel, stride 2, 'valid': the only output reads the whole 3×3 image."""
    kernels = np.stack([LAPLACIAN[0], np.ones((3, 3))])  # (2, 3, 3): Laplacian and box, both of channel 0
    e = explain.output_pixel(
        IMAGE, kernels, [[1.0, 0.0], [0.5, -1.0]], row=0, col=0, stride=2, padding="valid"
    )
    assert (e.out_height, e.out_width, e.pad, e.multiplier) == (1, 1, 0, 2)
    assert e.channel.tolist() == [0, 0]
    assert not e.padded.any()
    # Laplacian at the centre: 2 + 4 + 6 + 8 − 4·5 = 0; box: 1 + … + 9 = 45
    assert e.depthwise.tolist() == [0.0, 45.0]
    assert e.pointwise.tolist() == [0.0, -45.0]


def test_explanation_is_read_only() -> None:
    e = explain.output_pixel(IMAGE, LAPLACIAN, [[1.0]], row=1, col=1)
    with pytest.raises(ValueError):
        e.patches[0, 0, 0] = 1.0


# ---- bad arguments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"row": 3, "col": 0}, "outside the 3×3 output"),
        ({"row": 0, "col": -1}, "≥ 0"),
        ({"row": 0.5, "col": 0}, "whole number"),
        ({"row": 0, "col": 0, "kernels": np.ones((2, 3, 3))}, "depthwise maps"),  # weights need 2 columns
        ({"row": 0, "col": 0, "kernels": np.ones((1, 3, 2))}, "square"),
        ({"row": 0, "col": 0, "weights": np.ones((2, 3))}, "one column per map"),
        ({"row": 0, "col": 0, "x": np.ones((3, 3))}, "must have 3 axes"),
        ({"row": 0, "col": 0, "padding": "full"}, "padding must be one of"),
        ({"row": 0, "col": 0, "padding_mode": "mirror"}, "padding mode"),
        ({"row": 0, "col": 0, "kernels": np.ones((1, 2, 2))}, "odd kernel size"),
        ({"row": 0, "col": 0, "stride": 0}, "stride must be ≥ 1"),
        ({"row": 0, "col": 0, "dilation": 2, "padding": "valid"}, "output would be empty"),
        ({"row": 0, "col": 0, "dilation": 3, "padding_mode": "reflect"}, "reflect padding of 3"),
        ({"row": 0, "col": 0, "dilation": 4, "padding_mode": "circular"}, "circular padding of 4"),
    ],
)
def test_bad_arguments(kwargs, message) -> None:
    args = {"x": IMAGE, "kernels": LAPLACIAN, "weights": [[1.0]]} | kwargs
    with pytest.raises(ValueError, match=message):
        explain.output_pixel(args.pop("x"), args.pop("kernels"), args.pop("weights"), **args)


def test_largest_reflect_and_circular_padding_pytorch_allows() -> None:
    """reflect needs p < size, circular p ≤ size: p = 2 on a 3-pixel image is fine for both."""
    for mode in ("reflect", "circular"):
        e = explain.output_pixel(IMAGE, LAPLACIAN, [[1.0]], row=0, col=2, dilation=2, padding_mode=mode)
        maps, _ = torch_block(IMAGE, LAPLACIAN, [[1.0]], stride=1, dilation=2, pad=2, mode=mode)
        assert e.depthwise[0] == pytest.approx(maps[0, 0, 2], abs=1e-12)


# ---- the sliding window ----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(configurations(), st.integers(0, 2**32 - 1), st.integers(1, 20))
def test_window_frames_match_torch(cfg, seed, size) -> None:
    channel, kernel = cfg["x"][0], cfg["kernels"][0]
    height, width = channel.shape
    rng = np.random.default_rng(seed)
    r0, c0 = int(rng.integers(0, height)), int(rng.integers(0, width))
    kwargs = {k: cfg[k] for k in ("stride", "dilation", "padding", "padding_mode")}
    try:
        window = explain.window_frames(channel, kernel, crop=(r0, c0, size), **kwargs)
    except ValueError as err:  # a crop thinner than the stride can miss every window centre
        assert "no output position" in str(err)
        return
    maps, _ = torch_block(
        channel[None],
        kernel[None],
        [[1.0]],
        pad=cfg["pad"],
        mode=cfg["padding_mode"],
        **{k: cfg[k] for k in ("stride", "dilation")},
    )
    geo, centre = window.geometry, cfg["dilation"] * ((len(kernel) - 1) // 2) - cfg["pad"]
    positions = [(f.row, f.col) for f in window.frames]
    assert positions == sorted(positions)  # raster order
    rows = sorted({r for r, _ in positions})
    cols = sorted({c for _, c in positions})
    assert len(positions) == len(rows) * len(cols) == window.output.size
    assert all(r0 <= centre + r * geo.stride < r0 + size for r in rows)
    assert all(c0 <= centre + c * geo.stride < c0 + size for c in cols)
    np.testing.assert_allclose(window.output, maps[0][np.ix_(rows, cols)], rtol=0, atol=1e-12)
    for f in window.frames:
        assert f.value == window.output[f.row - window.out_top, f.col - window.out_left]
        one = explain.output_pixel(channel[None], kernel[None], [[1.0]], row=f.row, col=f.col, **kwargs)
        np.testing.assert_array_equal(f.taps, one.taps)
        np.testing.assert_array_equal(f.padded, one.padded)
        # the view shows every tap with the value the kernel reads there
        inview = f.taps - [window.top, window.left]
        assert (inview >= 0).all() and (inview[..., 0] < window.view.shape[0]).all()
        assert (inview[..., 1] < window.view.shape[1]).all()
        np.testing.assert_array_equal(window.view[inview[..., 0], inview[..., 1]], one.patches[0])
        np.testing.assert_array_equal(window.view_padded[inview[..., 0], inview[..., 1]], one.padded)


def test_window_over_a_corner() -> None:
    """A 12×12 crop at the top-left corner, 'same', stride 2: 6×6 frames, the view starts in the padding."""
    channel = np.arange(30 * 40, dtype=float).reshape(30, 40)
    window = explain.window_frames(channel, np.ones((3, 3)), crop=(0, 0, 12), stride=2)
    assert len(window.frames) == 36 and window.output.shape == (6, 6)
    assert (window.top, window.left, window.out_top, window.out_left) == (-1, -1, 0, 0)
    assert window.view.shape == (13, 13)
    assert (
        window.view_padded[0].all()
        and window.view_padded[:, 0].all()
        and not window.view_padded[1:, 1:].any()
    )
    first = window.frames[0]
    assert (first.row, first.col) == (0, 0)
    assert first.value == 0 + 1 + 40 + 41  # the four in-image pixels of the top-left window


@pytest.mark.parametrize(
    ("crop", "message"),
    [((0, 0, 33), "at most 32"), ((30, 0, 5), "outside"), ((-1, 0, 5), "≥ 0"), ((0, 0, 0), "≥ 1")],
)
def test_window_bad_crop(crop, message) -> None:
    with pytest.raises(ValueError, match=message):
        explain.window_frames(np.zeros((30, 40)), np.ones((3, 3)), crop=crop)


# ---- batch norm and the activation -----------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(explain.ACTIVATIONS), st.booleans())
def test_finish_matches_batchnorm2d_in_training_mode(seed, activation, batch_norm) -> None:
    """BatchNorm2d (training mode: this image's statistics, γ = 1, β = 0), then ReLU / ReLU6."""
    rng = np.random.default_rng(seed)
    maps = rng.normal(rng.uniform(-3, 3), rng.uniform(0.1, 9), (4, 7, 9))  # (C, H, W)
    row, col = int(rng.integers(0, 7)), int(rng.integers(0, 9))
    y = torch.tensor(maps)[None]
    if batch_norm:
        y = torch.nn.BatchNorm2d(4, affine=False, dtype=torch.float64).train()(y)
    y = {"none": y, "relu": F.relu(y), "relu6": F.relu6(y)}[activation][0].detach().numpy()
    stats = {"mean": maps.mean(axis=(1, 2)), "var": maps.var(axis=(1, 2))} if batch_norm else {}
    f = explain.finish(maps[:, row, col], activation=activation, **stats)
    np.testing.assert_allclose(f.after, y[:, row, col], rtol=0, atol=1e-12)
    if not batch_norm:
        assert f.mean is None and (f.normalised == f.before).all()


def test_finish_by_hand() -> None:
    """(−2 − 0)/√4 = −1, (3 − 1)/√1 = 2, (10 − 2)/√ε is huge; ReLU6 clips to 0, 2, 6."""
    f = explain.finish(
        [-2.0, 3.0, 10.0], mean=[0.0, 1.0, 2.0], var=[4.0, 1.0, 0.0], eps=1e-8, activation="relu6"
    )
    np.testing.assert_allclose(f.normalised, [-1.0 / np.sqrt(1 + 2.5e-9), 2.0 / np.sqrt(1 + 1e-8), 8e4])
    np.testing.assert_array_equal(f.after, [0.0, f.normalised[1], 6.0])
    with pytest.raises(ValueError, match="both"):
        explain.finish([1.0], mean=[0.0])
    with pytest.raises(ValueError, match="activation"):
        explain.finish([1.0], activation="gelu")
