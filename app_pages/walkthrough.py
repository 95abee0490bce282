"""Self-attention step by step: the Illustrated Transformer's six steps on a real head, a toy, ablations."""

import streamlit as st

from viz.analysis.head_stats import showcase_head
from viz.ui.cache import cached_weights
from viz.ui.controls import layer_head, section, token_choice
from viz.ui.inputs import sentence_trace
from viz.ui.walkthrough_views import ablations, matrix_walkthrough, real_walkthrough, toy_view

st.title("Self-attention, step by step")
st.write(
    "How one attention head turns a token's vector into its output: project into query, key and value; "
    "score the query against every key; divide by √d_k; softmax; weigh the values; sum. Every number below is "
    "the real model's (all-MiniLM-L6-v2), recomputed here from its own weight matrices and checked against "
    "what the model computed."
)
view = section("Show", ["Real model", "Matrix form", "Toy example (by hand)", "Ablations"], key="wt_view")

if view == "Toy example (by hand)":
    toy_view()
else:
    trace = sentence_trace()
    if trace is not None:
        layer, head = layer_head(
            trace.n_layers, trace.n_heads, default=showcase_head(trace.attentions, trace.tokens)
        )
        weights = cached_weights(trace.model)
        if view == "Real model":
            # "it" in the default sentence: the course's example of a word whose meaning comes from another
            query = token_choice(
                trace.tokens, default=trace.tokens.index("it") if "it" in trace.tokens else 1
            )
            real_walkthrough(trace, weights, layer, head, query)
        elif view == "Matrix form":
            matrix_walkthrough(trace, weights, layer, head)
        else:
            ablations(trace, weights, layer, head)
