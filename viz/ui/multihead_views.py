"""Multi-head attention views: model view, head view, concatenation and W^O, statistics, rollout, neurons."""

from __future__ import annotations

import numpy as np
import streamlit as st

from viz.analysis.head_stats import NAMES, STATISTICS, head_statistics, rank_heads, showcase_head
from viz.analysis.rollout import HEAD_FUSIONS, attention_rollout
from viz.analysis.tables import attention_table
from viz.figures.attention import attention_heatmap, model_view
from viz.figures.head_view import head_view
from viz.figures.matrices import matrix_heatmap, vector_bars
from viz.figures.stats import head_stat_map
from viz.figures.style import CONTRASTS, PURPLE, QKV_COLOURS
from viz.trace.sentence import SentenceTrace
from viz.ui.controls import (
    bound_multiselect,
    bound_segmented,
    bound_selectbox,
    bound_slider,
    layer_head,
    token_choice,
)
from viz.ui.export import chart


def contrast_choice(where=None) -> str:
    """How attention weights map to colour ("linear", "sqrt", "log"), in the address as ``contrast``."""
    return bound_segmented(
        "Contrast",
        CONTRASTS,
        "linear",
        key="contrast",
        where=where,
        help="How weights map to colour: sqrt or log make the small weights of a long input visible. "
        "The hover always shows the true weight.",
    )


def model_view_section(trace: SentenceTrace) -> None:
    text, control = st.columns([3, 1])
    text.write("Every head of every layer at once. Pick one below to enlarge it with the exact weights.")
    contrast = contrast_choice(control)
    chart(
        model_view(trace.attentions, trace.tokens, contrast=contrast),
        "mh_model_view",
        lambda: attention_table(trace.attentions, trace.tokens),
    )
    layer, head = layer_head(
        trace.n_layers, trace.n_heads, default=showcase_head(trace.attentions, trace.tokens)
    )
    weights = trace.attentions[layer - 1, head - 1]
    chart(
        attention_heatmap(
            weights, trace.tokens, title=f"Layer {layer}, head {head} enlarged", contrast=contrast
        ),
        "mh_enlarged",
        weights,
        trace.tokens,
        trace.tokens,
    )


def head_view_section(trace: SentenceTrace) -> None:
    st.write(
        "Each line joins a token attending (left) to a token it attends to (right); the thicker and stronger "
        "the line, the larger the weight. Each head has its own colour: click a head in the legend to hide "
        "or show it (double-click to see it alone), hover a token for its strongest links, or choose a "
        "token to see only its lines."
    )
    controls, plot = st.columns([1, 3])
    best_layer, _ = showcase_head(trace.attentions, trace.tokens)
    layer = bound_slider("Layer", 1, trace.n_layers, best_layer, key="layer", where=controls)
    heads = bound_multiselect(
        "Heads",
        range(1, trace.n_heads + 1),
        list(range(1, trace.n_heads + 1)),
        key="hv_heads",
        max_selections=trace.n_heads,
        where=controls,
    )
    options = ["all tokens"] + [f"{i}" for i in range(len(trace.tokens))]
    picked = bound_selectbox(
        "Lines from",
        options,
        key="hv_token",
        format_func=lambda o: o if o == "all tokens" else f"{o}: {trace.tokens[int(o)]}",
        where=controls,
    )
    token = None if picked in (None, "all tokens") else int(picked)
    chart(
        head_view(
            trace.attentions[layer - 1], trace.tokens, [h - 1 for h in heads], token, title=f"Layer {layer}"
        ),
        "mh_head_view",
        lambda: attention_table(trace.attentions[layer - 1], trace.tokens, [layer]),
        where=plot,
    )


def concat_section(trace: SentenceTrace, weights) -> None:
    layer = bound_slider("Layer", 1, trace.n_layers, 1, key="layer")
    w = weights[layer - 1]
    heads = trace.head_outputs[layer - 1]  # (H, T, d_head)
    concat = np.concatenate(list(heads), axis=-1)  # (T, H * d_head)
    output = concat @ w.w_o + w.b_o
    st.write(
        f"Each of the {trace.n_heads} heads gives a ({len(trace.tokens)} × {heads.shape[-1]}) matrix Z_i. "
        "They are concatenated side by side and multiplied by W^O, which mixes the heads back into one "
        "d_model-wide vector per token."
    )
    st.latex(r"\mathrm{MultiHead}(X) = \mathrm{Concat}(Z_1, \dots, Z_h)\, W^O + b^O")
    chart(
        matrix_heatmap(
            concat,
            f"Concat(Z_1 … Z_{trace.n_heads}), head i in columns "
            f"{heads.shape[-1]}·(i−1) … {heads.shape[-1]}·i − 1",
            "dimension",
            "token",
            row_labels=trace.tokens,
        ),
        "mh_concat",
        concat,
        row_labels=trace.tokens,
    )
    left, right = st.columns(2)
    with left:
        chart(
            matrix_heatmap(w.w_o, "W^O", "output dimension", "concat dimension", height=520), "mh_wo", w.w_o
        )
    with right:
        chart(
            matrix_heatmap(
                output, "Concat · W^O + b", "dimension", "token", row_labels=trace.tokens, height=520
            ),
            "mh_output",
            output,
            row_labels=trace.tokens,
        )
    diff = np.abs(output - trace.attention_outputs[layer - 1]).max()
    st.caption(f"Largest difference from the multi-head output the model computed: {diff:.1e}")


def statistics_section(trace: SentenceTrace) -> None:
    stats = head_statistics(trace.attentions, trace.tokens)
    statistic = bound_selectbox(
        "Statistic", list(STATISTICS), key="hs_stat", format_func=lambda s: f"{NAMES[s]}: {STATISTICS[s]}"
    )
    chart(head_stat_map(stats, statistic, STATISTICS[statistic], NAMES[statistic]), "mh_stat_map", stats)
    st.write(
        f"Heads ranked by {NAMES[statistic]} (for example the *{NAMES['to_previous']}* finds previous-token "
        f"heads, the *{NAMES['to_sep']}* the heads that park their attention on [SEP]):"
    )
    ranked = rank_heads(stats, statistic).rename(columns=NAMES)
    st.dataframe(ranked.style.format(precision=3), hide_index=True, key="hs_rank")


def rollout_section(trace: SentenceTrace) -> None:
    st.write(
        "Raw attention of one layer says where a head looked; attention rollout follows attention through "
        "all layers (with the residual connection as 0.5·A + 0.5·I) to estimate how much each input token "
        "flows into each output (Abnar & Zuidema 2020)."
    )
    left, right = st.columns(2)
    fusion = bound_selectbox("Fuse heads by", HEAD_FUSIONS, key="ro_fusion", where=left)
    discard = bound_slider(
        "Discard the lowest share of weights", 0.0, 0.9, 0.0, 0.05, key="ro_discard", where=right
    )
    rollout = attention_rollout(trace.attentions, fusion, discard)
    last = trace.attentions[-1].mean(axis=0)
    a, b = st.columns(2)
    with a:
        chart(
            attention_heatmap(
                rollout, trace.tokens, title=f"Rollout through {trace.n_layers} layers ({fusion})"
            ),
            "mh_rollout",
            rollout,
            trace.tokens,
            trace.tokens,
        )
    with b:
        chart(
            attention_heatmap(last, trace.tokens, title="Raw attention, last layer, mean of heads"),
            "mh_last",
            last,
            trace.tokens,
            trace.tokens,
        )


def neuron_section(trace: SentenceTrace) -> None:
    st.write(
        "Where does one score come from? The query and key vectors are multiplied element by element; "
        "the sum of those products is the score q · k, which is then divided by √d_k."
    )
    layer, head = layer_head(
        trace.n_layers, trace.n_heads, default=showcase_head(trace.attentions, trace.tokens)
    )
    left, right = st.columns(2)
    with left:
        query = token_choice(trace.tokens, "Query token", key="token")
    with right:
        key = token_choice(trace.tokens, "Key token", key="key_token", default=2)
    q = trace.queries[layer - 1, head - 1, query]
    k = trace.keys[layer - 1, head - 1, key]
    d_head = q.shape[0]
    products = q * k
    cols = st.columns(3)
    vectors = (
        ("nv_q", "q", q, QKV_COLOURS["q"]),
        ("nv_k", "k", k, QKV_COLOURS["k"]),
        ("nv_q ∘ k", "q ∘ k (element-wise)", products, PURPLE),  # between the query's and the key's colour
    )
    for col, (chart_key, name, vec, colour) in zip(cols, vectors):  # keys fixed, never cut from a title
        with col:
            chart(vector_bars(vec, name, "dimension", "value", colour=colour), chart_key, vec)
    score = products.sum()
    st.metric("q · k = Σ (q ∘ k)", f"{score:.4f}", help="the raw score")
    st.write(
        f"Divided by √{d_head} ≈ {np.sqrt(d_head):.2f}: **{score / np.sqrt(d_head):.4f}**. After the softmax "
        f"over all keys the weight is **{trace.attentions[layer - 1, head - 1, query, key]:.4f}**."
    )
    all_products = trace.queries[layer - 1, head - 1, query][None, :] * trace.keys[layer - 1, head - 1]
    chart(
        matrix_heatmap(
            all_products,
            f"q ∘ k_j for query {query} and every key j (row sums are the scores)",
            "dimension",
            "key token",
            row_labels=trace.tokens,
        ),
        "nv_all",
        all_products,
        row_labels=trace.tokens,
    )
