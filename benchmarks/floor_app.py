"""Streamlit's floor on this machine, for benchmarks/app_speed.py: the least page with a picture.

A title and one 256×256 image, no torch, no pandas, no plotly: how long Streamlit itself takes to
start and to open a new session here. The Playground's cold start and new session are printed
beside it, so a target below the floor reads as what it is.
"""

import numpy as np
import streamlit as st

st.title("Streamlit's floor")
ramp = np.linspace(0, 255, 256).astype(np.uint8)  # (256,)
st.image(np.tile(ramp, (256, 1)), caption="a grey ramp, 256×256 px")
