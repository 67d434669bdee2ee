"""dsviz.kernels: named depthwise kernels and pointwise presets, against hand-written matrices and
their effect on images (applied with dsviz.ops, itself checked against torch in test_ops.py)."""

from __future__ import annotations

import numpy as np
import pytest

from dsviz import kernels, ops
from dsviz.kernels import DEPTHWISE, POINTWISE, depthwise_kernel, depthwise_kernels, pointwise_weights

ODD = (1, 3, 5, 7, 9, 11)
DERIVATIVES = ("sobel-x", "sobel-y", "prewitt-x", "prewitt-y", "scharr-x", "scharr-y", "laplacian", "outline")
BLURS = ("box", "gaussian", "motion-blur")

# The names go into shareable links: renaming one breaks every link that used it.
DEPTHWISE_NAMES = {
    "identity",
    "box",
    "gaussian",
    "sharpen",
    "sobel-x",
    "sobel-y",
    "prewitt-x",
    "prewitt-y",
    "scharr-x",
    "scharr-y",
    "laplacian",
    "emboss",
    "motion-blur",
    "outline",
    "random",
}
POINTWISE_NAMES = {"mix", "identity", "average", "luminance", "opponent", "random"}


def all_name_sizes() -> list[tuple[str, int]]:
    return [(name, k) for name, spec in DEPTHWISE.items() for k in spec.sizes]


def apply(kernel: np.ndarray, image: np.ndarray, padding_mode: str = "replicate") -> np.ndarray:
    """One (H, W) image through one kernel → (H, W)."""
    return ops.depthwise(image[None], kernel[None], padding_mode=padding_mode)[0]


# ---- names and sizes --------------------------------------------------------------------------------


def test_names_are_stable() -> None:
    assert set(DEPTHWISE) == DEPTHWISE_NAMES
    assert set(POINTWISE) == POINTWISE_NAMES
    assert kernels.DEFAULT_DEPTHWISE in DEPTHWISE
    assert kernels.DEFAULT_POINTWISE in POINTWISE


def test_every_family_supports_3x3_and_only_odd_sizes() -> None:
    for name, spec in DEPTHWISE.items():
        assert 3 in spec.sizes, name
        assert set(spec.sizes) <= set(ODD), name


@pytest.mark.parametrize(("name", "size"), all_name_sizes())
def test_every_name_and_size_builds_a_finite_float32_square(name: str, size: int) -> None:
    kernel = depthwise_kernel(name, size)
    assert kernel.shape == (size, size)
    assert kernel.dtype == np.float32
    assert np.isfinite(kernel).all(), f"{name} at K={size}: {kernel}"


@pytest.mark.parametrize("size", [0, 2, 4, 12, 13, -1, -3])
def test_unsupported_sizes_raise(size: int) -> None:
    for name in DEPTHWISE:
        with pytest.raises(ValueError):
            depthwise_kernel(name, size)


@pytest.mark.parametrize("size", [3.0, 5.5, "3", None, True])
def test_non_integer_sizes_raise_value_error(size: object) -> None:
    with pytest.raises(ValueError):
        depthwise_kernel("box", size)  # type: ignore[arg-type]


def test_sizes_a_family_lacks_raise() -> None:
    for name, spec in DEPTHWISE.items():
        for size in set(ODD) - set(spec.sizes):
            with pytest.raises(ValueError):
                depthwise_kernel(name, size)


@pytest.mark.parametrize("name", ["", "Sobel-x", "sobel", "nope", "custom"])
def test_unknown_names_raise(name: str) -> None:
    with pytest.raises(ValueError):
        depthwise_kernel(name, 3)


# ---- hand-checked values ----------------------------------------------------------------------------


def test_sobel_3x3() -> None:
    expected_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)
    np.testing.assert_array_equal(depthwise_kernel("sobel-x", 3), expected_x)
    np.testing.assert_array_equal(depthwise_kernel("sobel-y", 3), expected_x.T)


def test_sobel_5x5_is_opencvs() -> None:
    # cv2.getDerivKernels(1, 0, 5): smoothing [1, 4, 6, 4, 1], derivative [-1, -2, 0, 2, 1]
    expected_x = np.outer([1, 4, 6, 4, 1], [-1, -2, 0, 2, 1]).astype(np.float32)
    np.testing.assert_array_equal(depthwise_kernel("sobel-x", 5), expected_x)
    np.testing.assert_array_equal(depthwise_kernel("sobel-y", 5), expected_x.T)


def test_prewitt_and_scharr_3x3() -> None:
    prewitt = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=np.float32)
    scharr = np.array([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]], dtype=np.float32)
    np.testing.assert_array_equal(depthwise_kernel("prewitt-x", 3), prewitt)
    np.testing.assert_array_equal(depthwise_kernel("prewitt-y", 3), prewitt.T)
    np.testing.assert_array_equal(depthwise_kernel("scharr-x", 3), scharr)
    np.testing.assert_array_equal(depthwise_kernel("scharr-y", 3), scharr.T)


def test_laplacian_outline_emboss_identity_3x3() -> None:
    laplacian = [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    outline = [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]
    emboss = [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]
    identity = [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    np.testing.assert_array_equal(depthwise_kernel("laplacian", 3), np.array(laplacian, np.float32))
    np.testing.assert_array_equal(depthwise_kernel("outline", 3), np.array(outline, np.float32))
    np.testing.assert_array_equal(depthwise_kernel("emboss", 3), np.array(emboss, np.float32))
    np.testing.assert_array_equal(depthwise_kernel("identity", 3), np.array(identity, np.float32))


def test_box_and_motion_blur_3x3() -> None:
    np.testing.assert_allclose(depthwise_kernel("box", 3), np.full((3, 3), 1 / 9), rtol=1e-6)
    motion = np.zeros((3, 3))
    motion[1] = 1 / 3
    np.testing.assert_allclose(depthwise_kernel("motion-blur", 3), motion, rtol=1e-6)


@pytest.mark.parametrize("size", ODD)
def test_identity_is_a_centred_delta(size: int) -> None:
    expected = np.zeros((size, size), np.float32)
    expected[size // 2, size // 2] = 1
    np.testing.assert_array_equal(depthwise_kernel("identity", size), expected)


@pytest.mark.parametrize("size", ODD[1:])
def test_box_sums_to_one_and_is_flat(size: int) -> None:
    box = depthwise_kernel("box", size)
    assert box.sum() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(box, 1 / size**2, rtol=1e-6)


@pytest.mark.parametrize("size", ODD[1:])
def test_gaussian_sums_to_one_is_symmetric_and_peaks_in_the_centre(size: int) -> None:
    g = depthwise_kernel("gaussian", size)
    assert g.sum() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(g, g.T, atol=1e-7)
    np.testing.assert_allclose(g, g[::-1], atol=1e-7)
    np.testing.assert_allclose(g, g[:, ::-1], atol=1e-7)
    assert g.argmax() == (size * size) // 2
    assert (g > 0).all()


def test_gaussian_3x3_uses_sigma_0_8() -> None:
    # σ = 0.3·((K−1)/2 − 1) + 0.8 = 0.8 for K = 3; the 1-D taps are exp(−x²/(2σ²)), normalised.
    taps = np.exp(-np.array([1.0, 0.0, 1.0]) / (2 * 0.8**2))
    taps /= taps.sum()
    np.testing.assert_allclose(depthwise_kernel("gaussian", 3), np.outer(taps, taps), rtol=1e-5)


@pytest.mark.parametrize(("size", "sigma"), [(3, 0.8), (5, 1.1), (7, 1.4), (9, 1.7), (11, 2.0)])
def test_gaussian_sigma_follows_the_stated_formula(size: int, sigma: float) -> None:
    assert kernels.gaussian_sigma(size) == pytest.approx(sigma)
    taps = np.exp(-((np.arange(size) - size // 2) ** 2) / (2 * sigma**2))
    taps /= taps.sum()
    np.testing.assert_allclose(depthwise_kernel("gaussian", size), np.outer(taps, taps), rtol=1e-5, atol=1e-8)


def test_gaussian_does_not_claim_opencvs_small_kernels() -> None:
    # cv2.getGaussianKernel(3, 0) is the fixed [1/4, 1/2, 1/4]; ours (σ = 0.8) differs, so the
    # description may not call it OpenCV's Gaussian.
    opencv_3x3 = np.outer([0.25, 0.5, 0.25], [0.25, 0.5, 0.25])
    assert not np.allclose(depthwise_kernel("gaussian", 3), opencv_3x3, atol=1e-3)
    assert "OpenCV" not in DEPTHWISE["gaussian"].description
    assert "default" not in DEPTHWISE["gaussian"].description


# ---- what the kernels do to images -----------------------------------------------------------------


@pytest.mark.parametrize(("name", "size"), [(n, k) for n, k in all_name_sizes() if n in BLURS])
def test_blurs_leave_a_constant_image_unchanged(name: str, size: int) -> None:
    flat = np.full((23, 19), 0.37, np.float32)
    np.testing.assert_allclose(apply(depthwise_kernel(name, size), flat), flat, rtol=1e-5)


@pytest.mark.parametrize(("name", "size"), [(n, k) for n, k in all_name_sizes() if n in DERIVATIVES])
def test_derivatives_give_zero_on_a_constant_image(name: str, size: int) -> None:
    flat = np.full((23, 19), 0.37, np.float32)
    out = apply(depthwise_kernel(name, size), flat)
    np.testing.assert_allclose(out, 0.0, atol=1e-4 * size**2)


@pytest.mark.parametrize("size", [3, 5, 7, 9, 11])
def test_sobel_x_is_positive_on_a_dark_to_bright_step(size: int) -> None:
    step = np.zeros((15, 30), np.float32)
    step[:, 15:] = 1.0  # dark left, bright right
    out_x = apply(depthwise_kernel("sobel-x", size), step)
    assert out_x[7, 14] > 0 and out_x[7, 15] > 0  # cross-correlation: brighter to the right → positive
    assert out_x.min() >= 0
    out_y = apply(depthwise_kernel("sobel-y", size), step.T.copy())  # dark top, bright bottom
    assert out_y[14, 7] > 0 and out_y.min() >= 0


@pytest.mark.parametrize("size", [3, 5, 7, 9, 11])
def test_laplacian_answers_two_on_the_parabola(size: int) -> None:
    x = np.arange(40, dtype=np.float64) - 20
    parabola = np.tile(x**2, (40, 1)).astype(np.float32)  # f = x², ∂²f/∂x² + ∂²f/∂y² = 2
    out = apply(depthwise_kernel("laplacian", size), parabola)
    r = size // 2
    interior = out[r:-r, r:-r]
    np.testing.assert_allclose(interior, 2.0, rtol=1e-3, atol=1e-3)
    both = (x[:, None] ** 2 + x[None, :] ** 2).astype(np.float32)  # x² + y²: Laplacian 4
    out = apply(depthwise_kernel("laplacian", size), both)
    np.testing.assert_allclose(out[r:-r, r:-r], 4.0, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("size", [3, 5, 7, 9, 11])
def test_laplacian_is_zero_on_a_ramp(size: int) -> None:
    ramp = np.tile(np.arange(30, dtype=np.float32), (30, 1))
    r = size // 2
    out = apply(depthwise_kernel("laplacian", size), ramp)
    np.testing.assert_allclose(out[r:-r, r:-r], 0.0, atol=1e-3)


def test_random_is_reproducible_per_seed_and_differs_across_seeds() -> None:
    for size in ODD:
        a = depthwise_kernel("random", size, seed=7)
        np.testing.assert_array_equal(a, depthwise_kernel("random", size, seed=7))
        assert not np.array_equal(a, depthwise_kernel("random", size, seed=8))


def test_depthwise_kernels_stacks_and_gives_each_random_slot_its_own_numbers() -> None:
    names = ["random", "sobel-x", "random", "random"]
    stack = depthwise_kernels(names, 5, seed=3)
    assert stack.shape == (4, 5, 5) and stack.dtype == np.float32
    np.testing.assert_array_equal(stack[1], depthwise_kernel("sobel-x", 5))
    randoms = [stack[0], stack[2], stack[3]]
    for i in range(3):
        for j in range(i + 1, 3):
            assert not np.array_equal(randoms[i], randoms[j])
    np.testing.assert_array_equal(stack, depthwise_kernels(names, 5, seed=3))  # reproducible


# ---- pointwise presets ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(POINTWISE_NAMES))
@pytest.mark.parametrize(
    ("n", "m", "d"), [(1, 1, 1), (8, 3, 1), (5, 3, 2), (64, 24, 4), (3, 1, 3), (7, 6, 1)]
)
def test_preset_shapes(name: str, n: int, m: int, d: int) -> None:
    weights = pointwise_weights(name, n, m, d)
    assert weights.shape == (n, m * d)
    assert weights.dtype == np.float32
    assert np.isfinite(weights).all()


@pytest.mark.parametrize(("n", "m", "d"), [(8, 3, 1), (2, 3, 2), (13, 3, 4), (4, 1, 1)])
def test_identity_maps_output_n_to_map_n_mod_md(n: int, m: int, d: int) -> None:
    weights = pointwise_weights("identity", n, m, d)
    expected = np.zeros((n, m * d), np.float32)
    for row in range(n):
        expected[row, row % (m * d)] = 1
    np.testing.assert_array_equal(weights, expected)


@pytest.mark.parametrize(("n", "m", "d"), [(8, 3, 1), (2, 3, 2), (4, 1, 1), (5, 24, 4)])
def test_average_rows_sum_to_one(n: int, m: int, d: int) -> None:
    weights = pointwise_weights("average", n, m, d)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(weights, 1 / (m * d), rtol=1e-6)


def test_luminance_rgb_d1_is_bt601() -> None:
    weights = pointwise_weights("luminance", 4, 3, 1)
    np.testing.assert_allclose(weights, np.tile([0.299, 0.587, 0.114], (4, 1)), rtol=1e-6)


def test_luminance_rgb_d2_spreads_each_colour_over_its_two_maps() -> None:
    weights = pointwise_weights("luminance", 2, 3, 2)
    row = [0.299 / 2, 0.299 / 2, 0.587 / 2, 0.587 / 2, 0.114 / 2, 0.114 / 2]
    np.testing.assert_allclose(weights, np.tile(row, (2, 1)), rtol=1e-6)


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_luminance_of_identity_maps_is_the_gray_image(d: int) -> None:
    rng = np.random.default_rng(d)
    rgb = rng.random((3, 11, 13), dtype=np.float32)
    maps = ops.depthwise(rgb, np.stack([depthwise_kernel("identity", 3)] * (3 * d)))  # (3·d, H, W)
    gray = ops.pointwise(maps, pointwise_weights("luminance", 1, 3, d))[0]
    expected = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    np.testing.assert_allclose(gray, expected, rtol=1e-5, atol=1e-6)


def test_opponent_rows_cycle_through_intensity_red_green_blue_yellow() -> None:
    weights = pointwise_weights("opponent", 7, 3, 1)
    intensity, red_green, blue_yellow = [1 / 3, 1 / 3, 1 / 3], [1, -1, 0], [-0.5, -0.5, 1]
    expected = [intensity, red_green, blue_yellow] * 2 + [intensity]
    np.testing.assert_allclose(weights, np.array(expected), rtol=1e-6)
    # colour differences ignore gray: red − green and blue − yellow rows sum to 0
    np.testing.assert_allclose(weights[1:3].sum(axis=1), 0.0, atol=1e-7)


def test_opponent_of_identity_maps_with_d2_matches_the_formulas() -> None:
    rng = np.random.default_rng(0)
    r, g, b = rgb = rng.random((3, 9, 10), dtype=np.float32)
    maps = ops.depthwise(rgb, np.stack([depthwise_kernel("identity", 3)] * 6))
    out = ops.pointwise(maps, pointwise_weights("opponent", 3, 3, 2))
    np.testing.assert_allclose(out[0], (r + g + b) / 3, atol=1e-6)
    np.testing.assert_allclose(out[1], r - g, atol=1e-6)
    np.testing.assert_allclose(out[2], b - (r + g) / 2, atol=1e-6)


@pytest.mark.parametrize("name", ["luminance", "opponent"])
@pytest.mark.parametrize("d", [1, 2])
def test_colour_presets_on_a_grayscale_input_fall_back_to_an_average(name: str, d: int) -> None:
    weights = pointwise_weights(name, 3, 1, d)
    assert weights.shape == (3, d)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(weights, 1 / d, rtol=1e-6)


def test_random_preset_is_reproducible() -> None:
    a = pointwise_weights("random", 5, 3, 2, seed=1)
    np.testing.assert_array_equal(a, pointwise_weights("random", 5, 3, 2, seed=1))
    assert not np.array_equal(a, pointwise_weights("random", 5, 3, 2, seed=2))


@pytest.mark.parametrize(
    ("n", "m", "d"), [(0, 3, 1), (4, 0, 1), (4, 3, 0), (-1, 3, 1), (2.0, 3, 1), (4, 3, 1.5), (True, 3, 1)]
)
def test_invalid_preset_sizes_raise(n: object, m: object, d: object) -> None:
    for name in POINTWISE:
        with pytest.raises(ValueError):
            pointwise_weights(name, n, m, d)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["", "Identity", "custom", "gray"])
def test_unknown_presets_raise(name: str) -> None:
    with pytest.raises(ValueError):
        pointwise_weights(name, 4, 3, 1)


# ---- descriptions are true at every size they exist for -------------------------------------------------


def test_only_identity_and_random_exist_at_k1() -> None:
    assert {name for name, spec in DEPTHWISE.items() if 1 in spec.sizes} == {"identity", "random"}


@pytest.mark.parametrize("size", ODD[1:])
def test_outline_is_k2_times_centre_minus_window_mean(size: int) -> None:
    box = np.full((size, size), 1 / size**2)
    np.testing.assert_allclose(
        depthwise_kernel("outline", size), size**2 * (depthwise_kernel("identity", size) - box), atol=1e-5
    )


@pytest.mark.parametrize("size", ODD[1:])
def test_sharpen_is_the_image_plus_its_difference_from_the_gaussian(size: int) -> None:
    identity, gaussian = depthwise_kernel("identity", size), depthwise_kernel("gaussian", size)
    np.testing.assert_allclose(depthwise_kernel("sharpen", size), identity + (identity - gaussian), atol=1e-6)


@pytest.mark.parametrize("size", ODD[1:])
def test_edge_kernels_smooth_across_and_differentiate_along(size: int) -> None:
    sobel, prewitt = depthwise_kernel("sobel-x", size), depthwise_kernel("prewitt-x", size)
    assert np.linalg.matrix_rank(sobel) == 1 and np.linalg.matrix_rank(prewitt) == 1
    np.testing.assert_array_equal(prewitt, prewitt[0][None].repeat(size, 0))  # every row counted equally
    np.testing.assert_array_equal(sobel[:, : size // 2] < 0, True)  # left negative, right positive
    np.testing.assert_array_equal(sobel[:, size // 2 + 1 :] > 0, True)


@pytest.mark.parametrize("size", ODD[1:])
def test_emboss_is_bright_where_brightness_rises_to_the_bottom_right(size: int) -> None:
    ramp = np.add.outer(np.arange(20.0), np.arange(20.0)).astype(np.float32)  # rises to bottom-right
    out = apply(depthwise_kernel("emboss", size), ramp)
    r = size // 2
    assert (out[r:-r, r:-r] > ramp[r:-r, r:-r]).all()  # the image plus a positive gradient term


def test_descriptions_are_sentences() -> None:
    for spec in (*DEPTHWISE.values(), *POINTWISE.values()):
        assert spec.description.endswith("."), spec.label
    for name in POINTWISE:
        assert kernels.describe(name, has_colour=False).endswith(".")


# ---- colours ----------------------------------------------------------------------------------------


def test_map_colours_follow_channel_j_over_d() -> None:
    assert kernels.map_colours(3, 2, [0, 1, 2]) == (0, 0, 1, 1, 2, 2)
    assert kernels.map_colours(2, 3, [None, None]) == (None,) * 6
    assert kernels.map_colours(6, 1) == (0, 1, 2, 0, 1, 2)  # the old guess, only when colours is None
    assert kernels.map_colours(4, 1) == (None,) * 4


@pytest.mark.parametrize("colours", [[0, 1], [0, 1, 3], [0, 1, "r"], [0, 1, True]])
def test_bad_colours_raise(colours: list) -> None:
    with pytest.raises(ValueError):
        pointwise_weights("luminance", 2, 3, colours=colours)


@pytest.mark.parametrize("name", ["luminance", "opponent"])
def test_gray_photo_with_filtered_copies_gets_no_colour_weights(name: str) -> None:
    # a grayscale photo plus two filtered copies: M = 3 maps that are not R, G and B
    weights = pointwise_weights(name, 4, 3, colours=[None, None, None])
    np.testing.assert_allclose(weights, 1 / 3, rtol=1e-6)
    caption = kernels.describe(name, has_colour=kernels.has_colour([None, None, None]))
    assert "mean of all maps" in caption and "0.299" not in caption
    assert (
        kernels.row_labels(name, 4, ["gray", "gray (blur)", "gray (Sobel x)"], colours=[None] * 3)
        == ["mean of all maps"] * 4
    )


def test_luminance_on_a_grayscale_photo_is_the_map_itself_and_says_so() -> None:
    weights = pointwise_weights("luminance", 3, 1, colours=[None])
    np.testing.assert_array_equal(weights, np.ones((3, 1), np.float32))
    assert kernels.describe("luminance", has_colour=False) != kernels.describe("luminance")
    assert "0.299" in kernels.describe("luminance")


def test_luminance_of_rgb_and_copies_shares_each_colour_over_its_maps() -> None:
    colours = [0, 1, 2, 0, 1, 2]  # R, G, B, R (blur), G (blur), B (blur)
    weights = pointwise_weights("luminance", 1, 6, 2, colours=colours)[0]
    np.testing.assert_allclose(weights, np.repeat([0.299, 0.587, 0.114] * 2, 2) / 4, rtol=1e-6)
    np.testing.assert_allclose(weights.sum(), 1.0, rtol=1e-6)


def test_explicit_colours_agree_with_the_old_guess_for_rgb() -> None:
    for name in POINTWISE:
        np.testing.assert_array_equal(
            pointwise_weights(name, 7, 6, 2), pointwise_weights(name, 7, 6, 2, colours=[0, 1, 2, 0, 1, 2])
        )


# ---- the default mix: every output different --------------------------------------------------------


def test_default_is_mix() -> None:
    assert kernels.DEFAULT_POINTWISE == "mix"


def parallel_pairs(weights: np.ndarray) -> list[tuple[int, int]]:
    unit = weights / np.linalg.norm(weights, axis=1, keepdims=True)
    cos = np.abs(unit @ unit.T)
    i, j = np.nonzero(np.triu(cos > 1 - 1e-6, k=1))
    return list(zip(i.tolist(), j.tolist(), strict=True))


@pytest.mark.parametrize("width", range(2, 97))
def test_mix_rows_are_never_multiples_of_each_other(width: int) -> None:
    weights = pointwise_weights("mix", 64, width)
    assert weights.shape == (64, width)
    assert not parallel_pairs(weights), width
    np.testing.assert_allclose(np.abs(weights).sum(axis=1), 1.0, rtol=1e-6)  # output within the maps' range
    for n in (1, 2, 7, 8, 31, 63):  # fewer outputs: the first rows of the same list
        np.testing.assert_array_equal(pointwise_weights("mix", n, width), weights[:n])


def test_mix_with_a_single_map_alternates_sign() -> None:
    weights = pointwise_weights("mix", 5, 1)
    np.testing.assert_array_equal(weights[:, 0], [1, -1, 1, -1, 1])
    assert kernels.row_labels("mix", 3, ["gray"]) == ["gray", "−gray", "gray"]


def test_mix_with_depth_multiplier_uses_all_maps() -> None:
    weights = pointwise_weights("mix", 64, 3, 4)  # M·d = 12
    assert weights.shape == (64, 12) and not parallel_pairs(weights)
    np.testing.assert_array_equal(weights[:12], np.eye(12))


def test_mix_labels_say_what_the_weights_do() -> None:
    names = ["R·sobel-x", "G·sobel-y", "B·laplacian"]
    labels = kernels.row_labels("mix", 12, names)
    assert labels[:9] == [
        *names,
        "(R·sobel-x − G·sobel-y)/2",
        "(G·sobel-y − B·laplacian)/2",
        "(R·sobel-x − B·laplacian)/2",
        "(R·sobel-x + G·sobel-y)/2",
        "(G·sobel-y + B·laplacian)/2",
        "(R·sobel-x + B·laplacian)/2",
    ]
    assert labels[9] == "(R·sobel-x − 2·G·sobel-y)/3"
    weights = pointwise_weights("mix", 12, 3)
    np.testing.assert_allclose(weights[3], [0.5, -0.5, 0])
    np.testing.assert_allclose(weights[9], [1 / 3, -2 / 3, 0], rtol=1e-6)


@pytest.mark.parametrize(("width", "n"), [(1, 64), (2, 64), (3, 64), (5, 40), (96, 64)])
def test_mix_labels_match_the_weights(width: int, n: int) -> None:
    names = [f"m{j}" for j in range(width)]
    weights = pointwise_weights("mix", n, width)
    for row, label in zip(weights, kernels.row_labels("mix", n, names), strict=True):
        expr = label.replace("−", "-").replace("·", "*")
        values = {name: np.eye(width)[j] for j, name in enumerate(names)}
        np.testing.assert_allclose(eval(expr, {}, values), row, rtol=1e-6)  # the label, computed


@pytest.mark.parametrize("name", sorted(POINTWISE_NAMES))
def test_row_labels_one_per_output(name: str) -> None:
    labels = kernels.row_labels(name, 10, ["R", "G", "B", "R (blur)", "G (blur)", "B (blur)"], 1)
    assert len(labels) == 10 and all(isinstance(label, str) and label for label in labels)
    assert kernels.row_labels("opponent", 4, ["R", "G", "B"])[:3] == list(kernels.OPPONENT_NAMES)
    with pytest.raises(ValueError):
        kernels.row_labels(name, 3, ["a", "b", "c"], 2)  # 3 maps cannot be M·2
