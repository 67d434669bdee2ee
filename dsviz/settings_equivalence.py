"""Settings of the "Equivalence & expressivity" page (keys ``eq_…``, group "equivalence"): added to
the one registry, :data:`dsviz.block.SETTINGS`, so the link, the widgets and the fuzz see them."""

from __future__ import annotations

from dsviz.registry import Setting

EQUIVALENCE_SETTINGS: tuple[Setting, ...] = ()
