"""ViT page 2: the encoder at work on the chosen image (attention per layer and head, rollout, prediction)."""

import streamlit as st

from viz.ui.vit_views import (
    distance_section,
    heads_section,
    patch_section,
    prediction_section,
    rollout_section,
    traced_input,
)

st.title("Vision Transformer: attention and rollout")
st.write(
    "The token sequence (the [CLS] token and one token per patch, see the previous page) runs through the "
    "encoder's layers. In each layer every head lets every token attend to every other. The [CLS] token's "
    "final state is read by the classifier, so where [CLS] looks, and where information flows to it through "
    "the layers (attention rollout), hints at what the prediction rests on."
)

traced = traced_input()
if traced is not None:
    picked, trace = traced
    prediction_section(trace, where=picked.beside)
    st.header("5. Where [CLS] looks, layer by layer and head by head")
    heads_section(trace)
    st.header("Any patch: what does it attend to?")
    patch_section(trace)
    st.header("How far do heads look?")
    distance_section(trace)
    st.header("Attention rollout: through all the layers at once")
    st.write(
        "Rollout (Abnar and Zuidema 2020) follows attention through the layers: each layer's heads are fused, "
        "the residual connection is added as half the identity, rows are renormalised, and the layers are "
        "multiplied. Gradient rollout weights each head's attention by the gradient of the chosen class's score "
        "and keeps only positive evidence, so it can differ from class to class."
    )
    rollout_section(picked, trace)
