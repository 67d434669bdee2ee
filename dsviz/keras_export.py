"""The block on screen as Keras 3 source code: the same numbers as the page, channels last.

``keras_block(block)`` writes a ``keras.Sequential`` with the block's settings and, by default, its
weights, so that ``page_block()(x, training=True)`` on the page's image, transposed to ``(1, H, W, M)``,
gives the page's outputs transposed to ``(1, H', W', N)``. Nothing here imports Keras: this module only
writes text (``tests/test_keras_export.py`` executes it on Keras's torch backend and compares).

Choices made, and why:

- **DepthwiseConv2D + Conv2D 1×1, never SeparableConv2D.** SeparableConv2D has no BatchNorm or
  activation between its two stages, so it equals the block only without both; one shape of code for
  every block keeps the page's two stages visible as two layers.
- **Explicit padding + ``padding="valid"``.** Keras's ``padding="same"`` follows TensorFlow: at stride 2
  on an even side it pads one pixel less before than after, so it samples a shifted grid; the page pads
  ``δ·(K−1)/2`` on every side, as PyTorch does. Zeros use ``ZeroPadding2D``; reflect uses
  ``keras.ops.pad(mode="reflect")`` (every backend has it); replicate and circular are written with
  slices and ``ops.concatenate``, since ``ops.pad``'s "edge" mode is missing on the torch backend and its
  "circular" mode exists only there (its "symmetric" mode is not replicate either, beyond 1 px).
- **BatchNorm in training mode.** The page normalises each map with this image's own mean and biased
  variance (γ = 1, β = 0, ε = 1e-5); Keras's ``BatchNormalization`` does so when called with
  ``training=True`` (its default ε is 1e-3, so ε is written out; momentum only updates the moving
  averages, which training mode does not read).
- **Weight layouts.** dsviz's depthwise kernels are ``(M·d, K, K)`` with map ``j`` filtering input channel
  ``j // d``; Keras's ``DepthwiseConv2D`` kernel is ``(K, K, M, d)`` and its output channel ``m·d + r``
  comes from ``kernel[:, :, m, r]``: the same order, so a reshape to ``(M, d, K, K)`` and a transpose
  suffice. The pointwise ``(N, M·d)`` becomes Conv2D's ``(1, 1, M·d, N)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dsviz.checks import PADDING_MODES, require_choice
from dsviz.codegen import ACTIVATIONS, BN_EPS, weight_constants
from dsviz.geometry import pad_amount

if TYPE_CHECKING:  # block.py may import this module for Block.keras_code(): no import at run time
    from dsviz.block import Block

KERAS_ACTIVATIONS = {  # the block's activation → the Keras layer written into the code
    "none": None,
    "relu": "layers.ReLU({name})",
    "relu6": "layers.ReLU(max_value=6.0, {name})",  # min(max(x, 0), 6)
}
assert set(KERAS_ACTIVATIONS) == set(ACTIVATIONS)  # the PyTorch and Keras writers know the same ones

WHY_EXPLICIT_PADDING = (
    "Keras's padding=\"same\" pads asymmetrically at stride 2 on an even side (TensorFlow's rule: the odd "
    "pixel goes after), which shifts the sampling grid, so this block pads the same number of pixels "
    "on every side (PyTorch's rule, the page's) and then convolves with padding=\"valid\"."
)


def keras_block(block: Block, *, weights: bool = True) -> str:
    """Python source defining ``conv_dw()`` (a ``keras.Sequential``) and ``load_weights()``; with
    ``weights`` also the block's numbers and ``page_block()``, the model loaded with them.

    The model takes ``(batch, H, W, M)`` and returns ``(batch, H', W', N)``; called with
    ``training=True`` on ``x[None].transpose(0, 2, 3, 1)`` it computes ``block.run(x)`` (transposed).
    """
    dw = block.depthwise
    m, n, d, k = block.m, block.n, block.d, dw.kernel_size
    require_choice("the padding mode", dw.padding_mode, PADDING_MODES)
    require_choice("the activation", block.activation, tuple(KERAS_ACTIVATIONS))
    pad = pad_amount(k, dw.padding, dw.dilation)  # per side; refuses 'same' with an even K
    mode = dw.padding_mode if pad else "zeros"  # 'valid' pads nothing, whatever the mode says
    md = m * d
    act = KERAS_ACTIVATIONS[block.activation]
    arguments = [str(k), f"strides={dw.stride}", 'padding="valid"', f"depth_multiplier={d}"]
    if dw.dilation != 1:
        arguments.append(f"dilation_rate={dw.dilation}")
    arguments += ["use_bias=False", 'name="depthwise"']
    filters = "1 filter" if d == 1 else f"{d} filters"
    which = [] if d == 1 else [f"            # (output channel j filters input channel j // {d})"]
    lines = [
        *_docstring(block, pad, mode),
        "import keras",
        "import numpy as np",
        "from keras import layers, ops",
        *_pad_function(mode, pad),
        "",
        "",
        "def conv_dw() -> keras.Sequential:",
        '    """(batch, H, W, M) → (batch, H\', W\', N). Call it with training=True (see above)."""',
        "    return keras.Sequential(",
        "        [",
        f"            keras.Input(shape=(None, None, {m})),  # channels last: (H, W, M)",
        *_pad_layer(mode, pad),
        f"            # depthwise: {filters} of {k}×{k} per input channel, {md} maps in all",
        *which,
        "            layers.DepthwiseConv2D(",
        *(f"                {argument}," for argument in arguments),
        "            ),",
        *_norm_and_act("depthwise", block.batch_norm, act),
        f"            # pointwise: a 1×1 convolution mixes the {md} maps into {n} outputs",
        f'            layers.Conv2D({n}, 1, use_bias=False, name="pointwise"),',
        *_norm_and_act("pointwise", block.batch_norm, act),
        "        ],",
        '        name="conv_dw",',
        "    )",
        "",
        "",
        "def load_weights(block: keras.Sequential, depthwise, pointwise) -> keras.Sequential:",
        f'    """Copy kernels ({md}, {k}, {k}) (map j filters channel j // {d}) and pointwise weights',
        f'    ({n}, {md}; row n = output n) in, in Keras\'s layouts."""',
        f'    dw = np.asarray(depthwise, dtype="float32").reshape({m}, {d}, {k}, {k})  # (M, d, K, K)',
        '    block.get_layer("depthwise").set_weights([dw.transpose(2, 3, 0, 1)])  # (K, K, M, d)',
        '    pw = np.asarray(pointwise, dtype="float32")  # (N, M·d)',
        f'    block.get_layer("pointwise").set_weights([pw.T.reshape(1, 1, {md}, {n})])  # (1, 1, M·d, N)',
        "    return block",
    ]
    if weights:
        lines += _weights_source(block.kernel_array(), block.weights(), md, n, k)
    return "\n".join(lines) + "\n"


def _docstring(block: Block, pad: int, mode: str) -> list[str]:
    dw = block.depthwise
    pads = "'valid' padding (none)" if dw.padding == "valid" else f"'same' padding ({dw.padding_mode})"
    lines = [
        f'"""Depthwise separable block in Keras 3: {block.m} → {block.n} channels, '
        f"{dw.kernel_size}×{dw.kernel_size} depthwise,",
        f"depth multiplier {block.d}. Stride {dw.stride}, dilation {dw.dilation}, {pads}, "
        f"activation: {block.activation}.",
        "",
        "Channels last: an image of shape (M, H, W) goes in as x = image[None].transpose(0, 2, 3, 1).",
        "It runs on any Keras 3 backend (set KERAS_BACKEND to torch, jax or tensorflow before importing).",
    ]
    if pad:
        lines += ["", *_wrap(f"Padding: {pad} px on every side. {WHY_EXPLICIT_PADDING}")]
    if block.batch_norm:
        lines += [
            "",
            "BatchNorm: call block(x, training=True). In training mode each BatchNormalization normalises",
            "every channel with this image's own mean and (biased) variance, with γ = 1, β = 0 and",
            "epsilon = 1e-5, as the page does; momentum only updates the moving averages, which it does",
            "not read. With training=False (the default) it uses those moving averages instead (mean 0,",
            "variance 1 at first), which is not what the page draws.",
        ]
    return [*lines, '"""', ""]


def _wrap(text: str, width: int = 100) -> list[str]:
    """``text`` as lines of at most ``width`` characters, broken at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _pad_function(mode: str, pad: int) -> list[str]:
    """A ``pad_<mode>`` function for modes ZeroPadding2D cannot do: ``(B, H, W, C)`` →
    ``(B, H + 2p, W + 2p, C)``."""
    if mode == "zeros":
        return []
    head = ["", "", f"def pad_{mode}(x):"]
    if mode == "reflect":
        return [
            *head,
            f'    """Mirror {pad} px outwards on every side, the edge pixel not repeated (PyTorch\'s',
            '    reflect)."""',
            f'    return ops.pad(x, ((0, 0), ({pad}, {pad}), ({pad}, {pad}), (0, 0)), mode="reflect")',
        ]
    if mode == "replicate":
        return [
            *head,
            f'    """Repeat each edge pixel {pad} px outwards (ops.pad\'s "edge" mode is not on the torch',
            '    backend)."""',
            f"    x = ops.concatenate([x[:, :1]] * {pad} + [x] + [x[:, -1:]] * {pad}, axis=1)  # rows",
            f"    return ops.concatenate([x[:, :, :1]] * {pad} + [x] + [x[:, :, -1:]] * {pad}, axis=2)",
        ]
    return [  # circular
        *head,
        f'    """Wrap around: the last {pad} rows/columns go before, the first {pad} after (ops.pad\'s',
        '    "circular" mode exists on the torch backend only)."""',
        f"    x = ops.concatenate([x[:, -{pad}:], x, x[:, :{pad}]], axis=1)",
        f"    return ops.concatenate([x[:, :, -{pad}:], x, x[:, :, :{pad}]], axis=2)",
    ]


def _pad_layer(mode: str, pad: int) -> list[str]:
    if not pad:
        return []
    why = "            # symmetric padding, then 'valid': Keras's 'same' is asymmetric at stride 2"
    if mode == "zeros":
        return [why, f'            layers.ZeroPadding2D({pad}, name="pad"),']
    return [why, f'            layers.Lambda(pad_{mode}, name="pad"),']


def _norm_and_act(stage: str, batch_norm: bool, act: str | None) -> list[str]:
    lines = []
    if batch_norm:
        lines.append(f'            layers.BatchNormalization(epsilon={BN_EPS}, name="{stage}_bn"),')
    if act:
        name = f'name="{stage}_act"'
        lines.append(f"            {act.format(name=name)},")
    return lines


def _weights_source(depthwise: np.ndarray, pointwise: np.ndarray, md: int, n: int, k: int) -> list[str]:
    return [
        *weight_constants(depthwise, pointwise, md, n, k),
        "def page_block() -> keras.Sequential:",
        '    """conv_dw() with the page\'s weights. Use: y = page_block()(x, training=True) for x of',
        "    shape (1, H, W, M); ops.convert_to_numpy(y)[0].transpose(2, 0, 1) is then the page's",
        '    (N, H\', W\') outputs."""',
        "    return load_weights(conv_dw(), DEPTHWISE, POINTWISE)",
    ]
