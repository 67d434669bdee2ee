"""Colour-vision-deficiency simulation, to check that every palette stays readable without red–green.

Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color vision
deficiency", severity 1.0 matrices, applied to linear RGB. Distances are CIE 1976 ΔE in L*a*b*
(D65): about 2 is just noticeable, 10+ clearly different.
"""

from __future__ import annotations

import numpy as np

MACHADO = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}
SRGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
)
WHITE = SRGB_TO_XYZ.sum(axis=1)  # D65 white point, the XYZ of linear RGB (1, 1, 1)


def to_linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] → linear light. rgb ``(..., 3)``."""
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def to_srgb(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0, 1)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def simulate(rgb: np.ndarray, kind: str) -> np.ndarray:
    """How ``rgb`` (..., 3) in [0, 1] looks with ``kind`` ("protanopia", "deuteranopia", "tritanopia")."""
    return to_srgb(to_linear(np.asarray(rgb, dtype=float)) @ MACHADO[kind].T)


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (..., 3) in [0, 1] → CIE L*a*b* (D65)."""
    xyz = to_linear(np.asarray(rgb, dtype=float)) @ SRGB_TO_XYZ.T / WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """CIE 1976 colour difference between sRGB colours ``a`` and ``b`` (..., 3)."""
    return np.linalg.norm(to_lab(a) - to_lab(b), axis=-1)


def hex_rgb(colour: str) -> np.ndarray:
    """``"#E69F00"`` → ``[0.902, 0.624, 0.0]``."""
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
