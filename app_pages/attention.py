"""Attention page: a sentence in, every head of a layer as heatmaps, one head enlarged."""

import streamlit as st

from viz.analysis.head_stats import showcase_head
from viz.analysis.tables import attention_table
from viz.figures.attention import attention_heatmap, heads_grid
from viz.figures.style import CONTRASTS
from viz.ui.controls import bound_segmented, bound_slider
from viz.ui.export import chart
from viz.ui.inputs import sentence_trace, show_tokens

st.title("Attention, head by head")
st.write(
    "Each layer of all-MiniLM-L6-v2 has 12 attention heads. A head turns every token into a query, a key and "
    "a value, scores each query against every key, and the softmax of the scaled scores says how much of each "
    "value the token takes. Below, each **row** is a token attending (a query) and each **column** a token "
    "attended to (a key); every row sums to 1."
)

trace = sentence_trace()
if trace is not None:
    show_tokens(trace.tokens)
    col_layer, col_head, col_contrast = st.columns([5, 5, 4])
    best_layer, best_head = showcase_head(trace.attentions, trace.tokens)  # opens on a clear pattern
    layer = bound_slider(
        "Layer",
        1,
        trace.n_layers,
        best_layer,
        key="layer",
        where=col_layer,
        help="Layer 1 sees the embeddings; layer 6 is the last.",
    )
    head = bound_slider("Head to enlarge", 1, trace.n_heads, best_head, key="head", where=col_head)
    contrast = bound_segmented(
        "Contrast",
        CONTRASTS,
        "linear",
        key="contrast",
        where=col_contrast,
        help="How weights map to colour: sqrt or log make the small weights of a long input visible. "
        "The hover always shows the true weight.",
    )
    layer_weights = trace.attentions[layer - 1]
    chart(
        heads_grid(layer_weights, trace.tokens, f"Layer {layer}: all heads", contrast=contrast),
        "grid",
        lambda: attention_table(layer_weights, trace.tokens, [layer]),
        filename=f"attention_layer{layer}",
    )
    chart(
        attention_heatmap(
            layer_weights[head - 1],
            trace.tokens,
            title=f"Layer {layer}, head {head} (hover for the exact weight)",
            contrast=contrast,
        ),
        "enlarged",
        layer_weights[head - 1],
        trace.tokens,
        trace.tokens,
        filename=f"attention_L{layer}_H{head}",
    )
    st.caption(
        f"Computed on {trace.device} by the project's own attention code, checked against the "
        "transformers library to 1e-4."
    )
