"""Swin page 2: feature maps through patch merging, and the cost of global against window attention."""

import streamlit as st

from viz.ui.controls import next_page
from viz.ui.swin_views import cost_section, hierarchy_section, traced_input

st.title("Swin Transformer: a pyramid of feature maps, at linear cost")
st.write(
    "Two ideas make Swin a general-purpose backbone for vision. Patch merging between stages builds feature "
    "maps at several scales, as a CNN does, which detection and segmentation heads need. Windowed attention "
    "makes the cost grow linearly with the image area instead of quadratically."
)

st.header("Hierarchical feature maps")
traced = traced_input()
if traced is not None:
    hierarchy_section(traced[0])

st.header("The cost of attention against image size")
cost_section()
next_page("app_pages/vision_results.py", "How do Swin, ViT variants and CNNs compare? The course's results")
