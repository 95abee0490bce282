"""Multi-head attention: all layers and heads, head view, W^O, statistics, rollout, neuron view."""

import streamlit as st

from viz.ui.cache import cached_weights
from viz.ui.controls import section
from viz.ui.inputs import sentence_trace
from viz.ui.multihead_views import (
    concat_section,
    head_view_section,
    model_view_section,
    neuron_section,
    rollout_section,
    statistics_section,
)

st.title("Multi-head attention")
st.write(
    "A layer runs several heads side by side, each with its own W^Q, W^K and W^V, so each can look for a "
    "different relation (the next word, the sentence end, a verb's subject...). Rows are always the tokens "
    "attending (queries) and columns the tokens attended to (keys)."
)
VIEWS = ["Model view", "Head view", "Concat & W^O", "Head statistics", "Rollout", "Neuron view"]
view = section("View", VIEWS, key="mh_view")
trace = sentence_trace()
if trace is not None:
    if view == "Model view":
        model_view_section(trace)
    elif view == "Head view":
        head_view_section(trace)
    elif view == "Concat & W^O":
        concat_section(trace, cached_weights(trace.model))
    elif view == "Head statistics":
        statistics_section(trace)
    elif view == "Rollout":
        rollout_section(trace)
    else:
        neuron_section(trace)
