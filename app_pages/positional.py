"""Positional encodings: the sinusoid and its properties, learned positions, adding them to tokens."""

import streamlit as st

from viz.ui.cache import cached_position_table
from viz.ui.controls import section
from viz.ui.inputs import sentence_trace
from viz.ui.models import choose_model, model_name
from viz.ui.positional_views import (
    adding_section,
    learned_section,
    shift_section,
    similarity_section,
    sinusoid_section,
)

st.title("Positional encodings")
st.write(
    "Attention by itself ignores order: shuffle the words and every token gets the same mix. Transformers "
    "therefore add a position signal to each token's embedding: fixed sinusoids in the original Transformer "
    "(Vaswani et al. 2017), a learned table in BERT and MiniLM."
)
VIEWS = ["Sinusoid", "Similarity", "Shift matrix M_k", "Learned (MiniLM)", "Adding to a sentence"]
view = section("View", VIEWS, key="pe_view")
if view == "Sinusoid":
    sinusoid_section()
elif view == "Similarity":
    similarity_section()
elif view == "Shift matrix M_k":
    shift_section()
elif view == "Learned (MiniLM)":
    model = choose_model("text")
    if model is not None:
        learned_section(cached_position_table(model), model_name("text", model))
else:
    trace = sentence_trace()
    if trace is not None:
        adding_section(trace)
