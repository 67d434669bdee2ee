"""The block's stages on an image, cached for every session of the server and bounded in bytes.

Each stage is keyed by frozen, plain values — the :class:`~dsviz.block.InputSpec` (an upload is
named by its digest) and the part of the :class:`~dsviz.block.Block` the stage depends on — so a
slider move recomputes only what it touches: changing N re-mixes the cached depthwise maps. Upload
bytes travel in ``data`` and are not part of the key.

Memory (a 24 GB server, a class of 40): arrays are kept up to ``ARRAY_BUDGET`` (3 GiB) and
encoded tiles (and the gallery rows composed from them, :mod:`ui.gallery`) up to ``TILE_BUDGET``
(512 MiB), shared by all sessions. The heaviest view (1024 px,
7 filtered copies, d = 4, N = 64) holds ~0.8 GB of arrays, so a few of those fit with room for the
server (~1 GB), 40 sessions' uploads (≤ 25 MB each, 1 GB) and the transient memory of the two
reruns that 2 cores run at once (≤ ~1.5 GB each).
"""

from __future__ import annotations

import hashlib
import weakref

import numpy as np

from dsviz import groups, images, render, style
from dsviz.block import Block, Depthwise, InputSpec, finish, lazy_ops
from dsviz.inputs import stack_filtered
from ui.memo import ByteLRU, memo

# What a stage's spinner says while it computes (Streamlit shows one only after 0.5 s): a large view
# (1024 px, 7 filtered copies, N = 64, K = 11) takes seconds the first time on a 2-core server.
WORKING = {
    "input": "Preparing the input channels…",
    "depthwise": "Convolving each channel with its kernels…",
    "pointwise": "Mixing the maps into the N outputs…",
}
ARRAY_BUDGET = 3 << 30
TILE_BUDGET = 512 << 20
ARRAYS = ByteLRU(ARRAY_BUDGET)
TILES = ByteLRU(TILE_BUDGET)


@memo(ARRAYS, ignore=("data",))
def photo(ref: str, resolution: int, grayscale: bool, *, data: bytes | None = None) -> np.ndarray:
    """The working image ``(C, H, W)`` in [0, 1]; raises ``ImageError`` for a bad upload."""
    if ref.startswith("sample:"):
        return images.load_sample(ref.removeprefix("sample:"), max_side=resolution, grayscale=grayscale)
    return images.load_image(data or b"", max_side=resolution, grayscale=grayscale)


@memo(ARRAYS, ignore=("data",))
def channels(spec: InputSpec, *, data: bytes | None = None) -> np.ndarray:
    """The M input channels ``(M, H, W)``: the photo and its filtered copies."""
    x, _ = stack_filtered(photo(spec.ref, spec.resolution, spec.grayscale, data=data), spec.copies)
    return x


def photo_channels(spec: InputSpec, data: bytes | None = None) -> int:
    """1 or 3: how many channels the photo itself has (a grayscale file has 1 even as "RGB")."""
    return photo(spec.ref, spec.resolution, spec.grayscale, data=data).shape[0]


# Where each depthwise map already is: (input, channel, kernel, geometry) → (the cached stage that holds
# it, its index). Weak references: a stage evicted from ARRAYS frees its maps, and they are not found.
_MAPS: dict[tuple, tuple[weakref.ref, int]] = {}


@memo(ARRAYS, ignore=("data",))
def raw_depthwise(spec: InputSpec, depthwise: Depthwise, *, data: bytes | None = None) -> np.ndarray:
    """``(M·d, H', W')``: the depthwise convolution alone, before BN and the activation.

    A map this server has made already (the same channel and kernel, in a stage still cached) is
    copied, not convolved again: changing d from 1 to 2 keeps each channel's first kernel, so only
    the new half is computed (at 1024 px and K = 11 each map is ~20 ms of convolution)."""
    x = channels(spec, data=data)  # (M, H, W)
    kernels = depthwise.array()  # (M·d, K, K)
    d = len(kernels) // len(x)
    where = tuple(sorted(depthwise.geometry().items()))
    keys = [(spec, j // d, kernels[j].tobytes(), kernels[j].shape, where) for j in range(len(kernels))]
    known: dict[int, tuple[np.ndarray, int]] = {}  # j → (a cached stage, the index of map j in it)
    for j, key in enumerate(keys):
        ref, i = _MAPS.get(key, (None, 0))
        stage = ref() if ref is not None else None
        if stage is not None:
            known[j] = (stage, i)
    if not known:
        out = depthwise.run(x)
    else:
        missing = [j for j in range(len(kernels)) if j not in known]
        first = next(iter(known.values()))
        out = np.empty((len(kernels), *first[0].shape[1:]), first[0].dtype)
        if missing:  # one call for the new maps: input channel j // d with kernel j, for each (d = 1)
            picked = x[[j // d for j in missing]]
            out[missing] = lazy_ops().depthwise(picked, kernels[missing], **depthwise.geometry())
        for j, (stage, i) in known.items():
            out[j] = stage[i]
    if len(_MAPS) > 4096:  # forget stages that are gone
        for key in [k for k, (ref, _) in _MAPS.items() if ref() is None]:
            del _MAPS[key]
    for j, key in enumerate(keys):
        _MAPS[key] = (weakref.ref(out), j)
    return out


@memo(ARRAYS, ignore=("data",))
def _finished_depthwise(spec: InputSpec, depthwise: Depthwise, bn: bool, act: str, *, data) -> np.ndarray:
    return finish(raw_depthwise(spec, depthwise, data=data), bn, act)


def depthwise_maps(spec: InputSpec, block: Block, data: bytes | None = None) -> np.ndarray:
    """``(M·d, H', W')``: the depthwise stage, after BN and the activation when the block has them."""
    if not block.batch_norm and block.activation == "none":
        return raw_depthwise(spec, block.depthwise, data=data)  # nothing follows: no second copy
    return _finished_depthwise(spec, block.depthwise, block.batch_norm, block.activation, data=data)


@memo(ARRAYS, ignore=("data",))
def raw_outputs(spec: InputSpec, block: Block, *, data: bytes | None = None) -> np.ndarray:
    """``(N, H', W')``: the pointwise mix of the depthwise stage, before BN and the activation."""
    return lazy_ops().pointwise(depthwise_maps(spec, block, data), block.weights())


@memo(ARRAYS, ignore=("data",))
def _finished_outputs(spec: InputSpec, block: Block, *, data: bytes | None = None) -> np.ndarray:
    return block.finish(raw_outputs(spec, block, data=data))


def outputs(spec: InputSpec, block: Block, *, data: bytes | None = None) -> np.ndarray:
    """``(N, H', W')``: the whole block."""
    if not block.batch_norm and block.activation == "none":
        return raw_outputs(spec, block, data=data)
    return _finished_outputs(spec, block, data=data)


@memo(ARRAYS, ignore=("data",))
def grouped_maps(spec: InputSpec, depthwise: Depthwise, g: int, *, data: bytes | None = None) -> np.ndarray:
    """``(M·d, H', W')``: a K×K convolution with g groups, output j applying the block's kernel j to
    the mean of its group's channels (see :func:`dsviz.groups.grouped_kernel`). g = M: the depthwise
    stage itself."""
    x = channels(spec, data=data)
    weight = groups.grouped_kernel(depthwise.array(), x.shape[0], g)  # (M·d, M/g, K, K)
    return lazy_ops().standard(x, weight, groups=g, **depthwise.geometry())


# --------------------------------------------------------------------------- tiles


class Tiles(list):
    """Encoded tiles (a list of JPEG bytes, as before) that also say what they show — ``name`` (e.g.
    "outputs") and each tile's title — and carry ``key``, plain values naming them, so a gallery can
    cache the rows it composes from them without hashing their bytes."""

    def __init__(self, tiles, name: str, titles, key: tuple) -> None:
        super().__init__(tiles)
        self.name, self.titles, self.key = name, tuple(titles), key


def zoom(spec: InputSpec, data: bytes | None = None, box: int = 320) -> float:
    """Display pixels per input pixel: the same for every tile of a view, so sizes compare."""
    _, height, width = photo(spec.ref, spec.resolution, spec.grayscale, data=data).shape
    return render.zoom_for(height, width, box=box)


def _scale(values: np.ndarray) -> render.Scale:
    """The scale of one map (its structure) or of all a stage's maps (comparable magnitudes),
    saturating the strongest 0.5 % of values (the colour bar marks it). Signed values: zero-centred
    diverging. Values that are never negative (a blur, a ReLU) have no sign to show: black 0 → white
    maximum, so the diverging scale's unused half is not wasted."""
    limit, clipped = style.robust_limit(values)
    if values.min() >= 0:
        return render.Scale(0.0, limit, style.SEQUENTIAL, clipped)
    return render.Scale.signed(limit, clipped)


def _tiles(
    maps: np.ndarray, titles: list[str], scales: list[render.Scale], zoom: float, canvas
) -> list[bytes]:
    return [
        render.encode(render.tile(m, title, scale, zoom=zoom, canvas=canvas))
        for m, title, scale in zip(maps, titles, scales, strict=True)
    ]


def _map_tiles(
    spec: InputSpec, maps: np.ndarray, titles: list[str], shared: bool, box: int, data: bytes | None
) -> list[bytes]:
    """Maps of a stage as tiles, all at the input photo's zoom and canvas, so sizes compare."""
    _, height, width = photo(spec.ref, spec.resolution, spec.grayscale, data=data).shape
    z = zoom(spec, data, box)
    canvas = render.canvas_for(height, width, z)
    common = _scale(maps) if shared else None  # one scale for all maps, or each map its own
    return [map_tile(m, title, common, z, canvas) for m, title in zip(maps, titles, strict=True)]


def map_tile(
    values: np.ndarray, title: str, scale: render.Scale | None, zoom: float, canvas: tuple[int, int]
) -> bytes:
    """One map ``(H', W')`` as an encoded tile, drawn on its own scale when ``scale`` is None.

    Cached by the map's content: a map this server has drawn the same way is not drawn again. Output
    n depends only on row n of P (and BN on output n alone), so N → N + 1 keeps outputs 0…N − 1 and
    only the new one is drawn; d 1 → 2 keeps each channel's first map. (SHA-256: 3 ms for a 1024²
    map on this machine, BLAKE2b 7 ms; drawing one takes ~15 ms.)"""
    values = np.ascontiguousarray(values)
    digest = hashlib.sha256(values).digest()
    key = ("map_tile", digest, values.shape, values.dtype.str, title, scale, zoom, canvas)

    def draw() -> bytes:
        drawn = scale or _scale(values)
        return render.encode(render.tile(values, title, drawn, zoom=zoom, canvas=canvas))

    return TILES.get_or_compute(key, draw)


@memo(TILES, ignore=("data",))
def input_tiles(
    spec: InputSpec, labels: tuple[str, ...], *, box: int = 320, data: bytes | None = None
) -> tuple[bytes, Tiles]:
    """The photo, and one tile per input channel: grey [0, 1] for the photo's own channels,
    zero-centred for filtered copies that go negative."""
    picture = photo(spec.ref, spec.resolution, spec.grayscale, data=data)
    x = channels(spec, data=data)
    scales = [
        render.Scale.unit() if c.min() >= 0 and c.max() <= 1 else render.Scale.signed(*style.robust_limit(c))
        for c in x
    ]
    height, width = picture.shape[1:]
    z = zoom(spec, data, box)
    head = render.encode(render.photo(picture, f"input photo, {width}×{height} px", zoom=z))
    tiles = _tiles(x, list(labels), scales, z, render.canvas_for(height, width, z))
    return head, Tiles(tiles, "input channels", labels, ("input_tiles", spec, labels, box))


@memo(TILES, ignore=("data",))
def depthwise_tiles(
    spec: InputSpec, block: Block, shared: bool, *, box: int = 320, data: bytes | None = None
) -> Tiles:
    titles = block.map_labels()
    tiles = _map_tiles(spec, depthwise_maps(spec, block, data), titles, shared, box, data)
    return Tiles(tiles, "depthwise maps", titles, ("depthwise_tiles", spec, block, shared, box))


@memo(TILES)
def kernel_tiles(depthwise: Depthwise, labels: tuple[str, ...], shared: bool) -> Tiles:
    kernels = depthwise.array()
    if shared:
        scales = [render.Scale.signed(style.symmetric_limit(kernels))] * len(kernels)
    else:
        scales = [render.Scale.signed(style.symmetric_limit(k)) for k in kernels]
    tiles = [
        kernel_tile(k, label, scale, depthwise.dilation)
        for k, label, scale in zip(kernels, labels, scales, strict=True)
    ]
    return Tiles(tiles, "kernels", labels, ("kernel_tiles", depthwise, labels, shared))


def kernel_tile(kernel: np.ndarray, label: str, scale: render.Scale, dilation: int) -> bytes:
    """One kernel ``(K, K)`` as an encoded tile, cached by its numbers: a kernel chosen for several
    channels is drawn once, and so is a preset every student of a class picks (a 7×7 kernel writes
    49 numbers: one tile took 2–8 ms to draw here)."""
    key = ("kernel_tile", kernel.tobytes(), kernel.shape, kernel.dtype.str, label, scale, dilation)

    def draw() -> bytes:
        return render.encode(render.kernel_tile(kernel, label, scale, dilation=dilation))

    return TILES.get_or_compute(key, draw)


@memo(TILES, ignore=("data",))
def output_tiles(
    spec: InputSpec, block: Block, shared: bool, *, box: int = 320, data: bytes | None = None
) -> Tiles:
    maps = outputs(spec, block, data=data)
    titles = [f"output {n}" for n in range(len(maps))]
    tiles = _map_tiles(spec, maps, titles, shared, box, data)
    return Tiles(tiles, "outputs", titles, ("output_tiles", spec, block, shared, box))


@memo(TILES, ignore=("data",))
def grouped_tiles(
    spec: InputSpec,
    depthwise: Depthwise,
    g: int,
    titles: tuple[str, ...],
    *,
    box: int = 320,
    data: bytes | None = None,
) -> Tiles:
    tiles = _map_tiles(spec, grouped_maps(spec, depthwise, g, data=data), list(titles), False, box, data)
    return Tiles(tiles, "outputs", titles, ("grouped_tiles", spec, depthwise, g, titles, box))
