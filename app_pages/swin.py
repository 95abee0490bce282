"""Swin page 1: windows, the shifted windows, the cyclic shift and its mask, the relative position bias, and
window attention per head on the chosen image."""

import streamlit as st

from viz.ui.controls import next_page
from viz.ui.swin_views import (
    attention_section,
    bias_section,
    cyclic_shift_section,
    mask_section,
    prediction_section,
    traced_input,
    windows_section,
)

st.title("Swin Transformer: shifted windows")
st.write(
    "ViT lets every patch attend to every other patch, so its cost grows with the square of the number of "
    "patches, and it keeps one token size throughout. The Swin Transformer (Liu et al. 2021; the name is "
    "short for shifted window) answers both: attention stays inside small windows of M x M tokens, every "
    "second block shifts the windows so that information crosses their borders, and patch merging builds a "
    "pyramid of coarser feature maps. Follow it on a picture of your choice."
)

traced = traced_input()
if traced is not None:
    trace, beside = traced
    prediction_section(trace, where=beside)
    st.header("1. Windows, then shifted windows")
    stage = windows_section(trace)
    st.header("2. The cyclic shift makes shifted windows batchable")
    cyclic_shift_section(trace, stage)
    st.header("3. The attention mask of a shifted window")
    mask_section(trace, stage)
    st.header("4. Relative position bias")
    bias_section(trace, stage)
    st.header("5. Window attention, head by head")
    attention_section(trace)
    next_page("app_pages/swin_hierarchy.py", "Next: the feature-map pyramid and the cost of attention")
