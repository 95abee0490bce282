"""ViT page 1: from an image to the token sequence (patches, flattening, projection, [CLS], positions)."""

import streamlit as st

from viz.ui.controls import next_page
from viz.ui.vit_views import (
    model_input_section,
    patches_section,
    position_section,
    projection_section,
    sizes_section,
    traced_input,
)

st.title("Vision Transformer: from pixels to tokens")
st.write(
    "A Vision Transformer (ViT, Dosovitskiy et al. 2021) reads an image the way BERT reads a sentence: as a "
    "sequence of tokens. The tokens are square patches of the image. Follow the recipe step by step on a picture "
    "of your choice; the next page shows the encoder's attention on the same picture."
)

traced = traced_input()
if traced is not None:
    picked, trace = traced
    st.header("1. Split the image into patches")
    model_input_section(picked, trace)
    st.header("2. Flatten the patches")
    patches_section(trace)
    st.header("3. Project each patch linearly")
    projection_section(trace)
    st.header("4. Add the [CLS] token and position embeddings")
    position_section(trace)
    next_page("app_pages/vit_attention.py", "Step 5: the encoder's attention and rollout, on this image")

st.header("How big are real ViTs?")
sizes_section()
