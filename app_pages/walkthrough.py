"""Self-attention step by step: the Illustrated Transformer's six steps on a real head, one stage at a time
under a strip of the whole pipeline; every token at once; a toy; ablations."""

import streamlit as st

from viz.analysis.head_stats import showcase_head
from viz.ui.cache import cached_weights
from viz.ui.controls import layer_head, section, token_choice
from viz.ui.inputs import sentence_trace
from viz.ui.walkthrough_views import ablations, matrix_walkthrough, real_walkthrough, toy_view

st.title("Self-attention, step by step")
st.caption(
    "How one head of all-MiniLM-L6-v2 turns a token's vector into its output: every number recomputed from "
    "the model's own weights and checked against what the model computed."
)
view = section("Show", ["Real model", "Matrix form", "Toy example (by hand)", "Ablations"], key="wt_view")

if view == "Toy example (by hand)":
    toy_view()
else:
    text_column, controls = st.columns(
        [3, 2]
    )  # the sentence and the head side by side: the charts start higher
    with text_column:
        trace = sentence_trace()
    if trace is not None:
        with controls:
            layer, head = layer_head(
                trace.n_layers, trace.n_heads, default=showcase_head(trace.attentions, trace.tokens)
            )
            if view == "Real model":
                # "it" in the default sentence: the course's example of a word whose meaning comes from another
                query = token_choice(
                    trace.tokens, default=trace.tokens.index("it") if "it" in trace.tokens else 1
                )
        weights = cached_weights(trace.model)
        if view == "Real model":
            real_walkthrough(trace, weights, layer, head, query)
        elif view == "Matrix form":
            matrix_walkthrough(trace, weights, layer, head)
        else:
            ablations(trace, weights, layer, head)
