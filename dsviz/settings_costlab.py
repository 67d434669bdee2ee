"""Settings of the "Cost lab" page (keys ``cl_…``, group "costlab"): added to the one registry,
:data:`dsviz.block.SETTINGS`, so the link, the widgets and the fuzz see them."""

from __future__ import annotations

from dsviz.registry import Setting

COSTLAB_SETTINGS: tuple[Setting, ...] = ()
