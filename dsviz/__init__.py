"""dsviz — see and count depthwise separable convolution.

The pure core: nothing here imports streamlit, so a notebook can ``from dsviz import ops, cost``.
"""

__version__ = "0.1.0"
