"""Counting conventions: what a cost number counts (MACs or FLOPs; bias; BatchNorm numbers).

Public FLOP counters disagree on exactly these choices, so dsviz makes every one explicit and can say
in one line what a number counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BatchNormCount = Literal["none", "trainable", "stored"]
Unit = Literal["MACs", "FLOPs"]


@dataclass(frozen=True)
class Convention:
    """What a cost number counts. The default is the MobileNet paper's convention.

    ``unit``: "MACs" (multiply-accumulates) or "FLOPs" (= 2 × MACs).
    ``bias``: count the bias of layers that have one.
    ``batch_norm``: "none"; "trainable" (γ, β: 2 per channel, what ``m.parameters()`` holds);
    "stored" (γ, β, running mean, running var: 4 per channel, what a checkpoint holds, leaving out
    PyTorch's single ``num_batches_tracked`` counter). Only layers followed by a BatchNorm get it.
    """

    unit: Unit = "MACs"
    bias: bool = False
    batch_norm: BatchNormCount = "none"

    def __post_init__(self) -> None:
        if self.unit not in ("MACs", "FLOPs"):
            raise ValueError(f"unit must be 'MACs' or 'FLOPs', not {self.unit!r}")
        if self.batch_norm not in ("none", "trainable", "stored"):
            raise ValueError(f"batch_norm must be 'none', 'trainable' or 'stored', not {self.batch_norm!r}")

    def compute(self, mult_adds: int) -> int:
        """Mult-adds in this convention's unit."""
        return 2 * mult_adds if self.unit == "FLOPs" else mult_adds

    def bn_params(self, channels: int) -> int:
        """BatchNorm numbers counted for a BN over ``channels`` channels."""
        return {"none": 0, "trainable": 2, "stored": 4}[self.batch_norm] * channels

    def describe(self) -> str:
        """One line saying what is counted, for the app and the CLI."""
        compute = {
            "MACs": "MACs: multiply-accumulates of conv/FC layers",
            "FLOPs": "FLOPs: 2 × multiply-accumulates of conv/FC layers",
        }[self.unit]
        params = ["weights"] + (["biases"] if self.bias else [])
        params += {"none": [], "trainable": ["BN γ, β"], "stored": ["BN γ, β, running mean/var"]}[
            self.batch_norm
        ]
        if len(params) == 1:
            return f"{compute}; bias, BN, ReLU, pooling not counted; params: weights only"
        return f"{compute} (bias additions, BN, ReLU, pooling not counted); params: {' + '.join(params)}"


PAPER = Convention()
