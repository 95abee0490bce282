"""The self-attention walk-through: one head, one query, every step with the model's numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from viz.analysis.steps import row_entropy
from viz.analysis.walkthrough import (
    TOY_SCALE,
    TOY_TOKENS,
    TOY_W_K,
    TOY_W_Q,
    TOY_W_V,
    TOY_X,
    head_walkthrough,
    toy_walkthrough,
)
from viz.figures.attention import attention_heatmap
from viz.figures.labels import safe_label
from viz.figures.matrices import mask_figure, matrix_heatmap, vector_bars
from viz.figures.pipeline import QKV, pipeline_strip
from viz.figures.style import figure
from viz.trace.sentence import SentenceTrace
from viz.ui.controls import bound_radio, bound_segmented, bound_toggle
from viz.ui.export import chart

KEYS = "Keys (token attended to)"


#: The stages of the stepper, in order (their names are what the address holds), and the boxes of the
#: pipeline strip each one works on.
STAGES = {
    "x → q, k, v": ("X", "W_Q", "W_K", "W_V", "Q", "K", "V"),
    "scores q · k": ("Q", "K", "A_scaled"),
    "÷ √d_k": ("A_scaled",),
    "softmax": ("A",),
    "weighted values": ("A", "V"),
    "z = Σ": ("Z",),
}
STAGE_NAMES = list(STAGES)


def _move_stage(delta: int) -> None:
    current = st.session_state.get("wt_stage", STAGE_NAMES[0])
    i = STAGE_NAMES.index(current) if current in STAGE_NAMES else 0
    st.session_state["wt_stage"] = STAGE_NAMES[min(max(i + delta, 0), len(STAGE_NAMES) - 1)]


def stage_stepper() -> str:
    """Previous / the stage (in the address) / next, on one line."""
    back, middle, forward = st.columns([1.1, 8, 1.1], vertical_alignment="bottom")
    stage = bound_segmented(
        "Stage", STAGE_NAMES, STAGE_NAMES[0], key="wt_stage", where=middle, label_visibility="collapsed"
    )
    i = STAGE_NAMES.index(stage)
    back.button("◀ back", key="wt_prev", on_click=_move_stage, args=(-1,), disabled=i == 0, width="stretch")
    forward.button(
        "next ▶",
        key="wt_next",
        on_click=_move_stage,
        args=(1,),
        disabled=i == len(STAGES) - 1,
        width="stretch",
    )
    return stage


def _coloured(fig, colour: str):
    """A one-trace bar chart of a vector's dimensions drawn in ``colour`` (queries, keys and values keep
    their own colours), ticked every 8 dimensions (32 numbered ticks run together)."""
    spec = fig.to_plotly_json()
    # the default template is added when plotly JSON is read: not part of the figure built
    layout = {k: v for k, v in spec["layout"].items() if k != "template"}
    fig = figure(dict(spec["data"][0], marker=dict(color=colour)), layout)
    return fig.update_xaxes(tickmode="linear", tick0=0, dtick=8, tickvals=None, ticktext=None)


def real_walkthrough(trace: SentenceTrace, weights, layer: int, head: int, query: int) -> None:
    """The whole head as a strip of boxes sized by their shapes, then one stage at a time (a stepper) for
    query ``query`` of (1-based) ``layer``/``head``, every number the model's."""
    walk = head_walkthrough(trace.hidden_states[layer - 1], weights[layer - 1].head(head - 1))
    s, tokens, d_model, d_k = walk.steps, trace.tokens, walk.inputs.shape[1], walk.w_q.shape[1]
    tok = safe_label(tokens[query])  # escaped: a title is HTML to plotly
    stage = stage_stepper()
    chart(
        fig=pipeline_strip(
            len(tokens),
            d_model,
            d_k,
            walk.w_v.shape[1],
            current=STAGES[stage],
            title=f"Layer {layer}, head {head}: X → Q, K, V → weights → Z (box sides ∝ √ of each size)",
        ),
        key="wt_pipeline",
    )
    text, charts = st.container(), st.container()  # what the stage does, then its charts, full width
    if stage == "x → q, k, v":
        text.markdown(
            f"**Project the input vector into a query, a key and a value.** Layer {layer} receives one vector "
            f"x of d_model = {d_model} numbers per token. Head {head} multiplies it by its own W^Q, W^K and "
            f"W^V ({d_model} × {d_k}) and adds a bias, giving a query q, a key k and a value v of "
            f"d_k = {d_k} numbers each."
        )
        with charts:
            chart(
                matrix_heatmap(
                    walk.inputs[query],
                    f"x for query token {query}",
                    "dimension",
                    "x",
                    diverging=True,
                    height=200,
                ),
                "wt_x",
                walk.inputs[query],
            )
            for col, name, vec in zip(
                st.columns(3),
                ("q = x W<sup>Q</sup> + b", "k = x W<sup>K</sup> + b", "v = x W<sup>V</sup> + b"),
                (s.queries[query], s.keys[query], s.values[query]),
            ):
                fig = _coloured(vector_bars(vec, name, "dimension", "value"), QKV[name[0]])
                chart(fig, f"wt_{name[0]}", vec, where=col)
    elif stage == "scores q · k":
        text.markdown(
            f"**Score the query against every key: q · k.** The query of token {query} is multiplied with "
            "the key of every token, one number per key: how well that key answers this query."
        )
        chart(
            vector_bars(s.scores[query], "Scores q · k_j", KEYS, "score", tokens, query),
            "wt_scores",
            s.scores[query],
            where=charts,
        )
    elif stage == "÷ √d_k":
        text.markdown(
            f"**Divide by √d_k = √{d_k} ≈ {s.scale:.2f}.** Dot products of long vectors grow with d_k; "
            "dividing keeps the softmax from putting all the weight on one key."
        )
        chart(
            vector_bars(
                s.scaled[query], f"Scaled scores q · k_j / {s.scale:.2f}", KEYS, "scaled score", tokens, query
            ),
            "wt_scaled",
            s.scaled[query],
            where=charts,
        )
    elif stage == "softmax":
        model_row = trace.attentions[layer - 1, head - 1, query]
        text.markdown("**Softmax: the scaled scores become weights that sum to 1.**")
        text.caption(
            "Largest difference from the model's own attention row: "
            f"{np.abs(s.weights[query] - model_row).max():.1e}"
        )
        chart(
            vector_bars(s.weights[query], "Softmax weights", KEYS, "weight", tokens, query),
            "wt_weights",
            s.weights[query],
            where=charts,
        )
    elif stage == "weighted values":
        text.markdown(
            "**Scale each value vector by its weight.** Row j is v_j times the weight token "
            f"{query} gives token j: keys with little weight fade out."
        )
        chart(
            matrix_heatmap(
                s.weighted_values[query],
                "Weighted values w_j · v_j",
                "dimension",
                "key token",
                row_labels=tokens,
            ),
            "wt_weighted",
            s.weighted_values[query],
            row_labels=tokens,
            where=charts,
        )
    else:
        z_model = trace.head_outputs[layer - 1, head - 1, query]
        text.markdown(
            "**Sum them: z is the head's output for this token.** The same steps for every token at once: the "
            "view *Matrix form*."
        )
        text.caption(
            "Largest difference from the head output the model computed: "
            f"{np.abs(s.output[query] - z_model).max():.1e}"
        )
        fig = _coloured(
            vector_bars(s.output[query], f"z = Σ_j w_j v_j for '{tok}'", "dimension", "value"), QKV["v"]
        )
        chart(fig, "wt_z", s.output[query], where=charts)


def matrix_walkthrough(trace: SentenceTrace, weights, layer: int, head: int) -> None:
    """The six steps for every token at once: Q, K and V as matrices, then softmax(QK^T / √d_k) V."""
    walk = head_walkthrough(trace.hidden_states[layer - 1], weights[layer - 1].head(head - 1))
    s, tokens, d_k = walk.steps, trace.tokens, walk.w_q.shape[1]
    st.subheader(f"Layer {layer}, head {head}: every token at once, in matrix form")
    st.latex(
        r"Z = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d_k}}\right) V,\quad Q = X W^Q,\ "
        r"K = X W^K,\ V = X W^V"
    )
    # read top to bottom, left to right: X; its three projections; Q, K, V; the weights; Z
    st.markdown("**1. The input X**: one row per token")
    chart(matrix_heatmap(walk.inputs, "X", "dimension", "token", row_labels=tokens), "wt_X", walk.inputs)
    st.markdown(f"**2. The head's projections** W^Q, W^K, W^V (d_model × d_k = {walk.w_q.shape[0]} × {d_k})")
    for col, (name, matrix) in zip(st.columns(3), (("Q", walk.w_q), ("K", walk.w_k), ("V", walk.w_v))):
        with col:
            chart(matrix_heatmap(matrix, f"W^{name}", "d_k", "d_model"), f"wt_W{name}", matrix)
    st.markdown("**3. Queries, keys and values**: X times each projection, plus its bias")
    for col, (name, matrix) in zip(st.columns(3), (("Q", s.queries), ("K", s.keys), ("V", s.values))):
        with col:
            chart(
                matrix_heatmap(matrix, f"{name} = X W^{name} + b", "d_k", "token", row_labels=tokens),
                f"wt_{name}",
                matrix,
            )
    st.markdown("**4. The weights, then the output**: each row of the weights sums to 1")
    left, right = st.columns(2)
    with left:
        chart(
            attention_heatmap(
                s.weights, tokens, title=f"softmax(QK^T / √{d_k}) ({len(tokens)} × {len(tokens)})"
            ),
            "wt_A",
            s.weights,
            tokens,
            tokens,
        )
    with right:
        chart(
            matrix_heatmap(s.output, "Z = softmax(QK^T/√d_k) V", "d_v", "token", row_labels=tokens),
            "wt_Z",
            s.output,
        )


def ablations(trace: SentenceTrace, weights, layer: int, head: int) -> None:
    """Switch off the √d_k scaling or switch on the causal mask, and see the weights change."""
    left, right = st.columns(2)
    scaled = bound_toggle("Divide by √d_k", True, key="ab_scale", where=left)
    causal = bound_toggle("Causal mask (no looking ahead)", False, key="ab_causal", where=right)
    head_weights = weights[layer - 1].head(head - 1)
    walk = head_walkthrough(trace.hidden_states[layer - 1], head_weights, scale=scaled, causal=causal)
    reference = head_walkthrough(trace.hidden_states[layer - 1], head_weights, scale=True, causal=causal)
    tokens = trace.tokens
    chart(
        attention_heatmap(
            walk.steps.weights,
            tokens,
            title=f"Weights: {'scaled' if scaled else 'NOT scaled'}, {'causal' if causal else 'no'} mask",
        ),
        "ab_weights",
        walk.steps.weights,
        tokens,
        tokens,
    )
    entropy = pd.DataFrame(
        {
            "with √d_k scaling": row_entropy(reference.steps.weights),
            "this setting": row_entropy(walk.steps.weights),
        },
        index=tokens,
    )
    st.write(
        "Entropy of each row in bits (0 = all weight on one key). Without the scaling the scores are "
        f"√d_k ≈ {reference.steps.scale:.1f} times larger, so the softmax is sharper and the entropy falls."
    )
    st.dataframe(
        entropy.reset_index(names="query token").style.format(precision=3), key="ab_entropy", hide_index=True
    )
    if causal:
        chart(mask_figure(walk.steps.mask, tokens), "ab_mask", walk.steps.mask, tokens, tokens)


def toy_view() -> None:
    """'Thinking Machines' with d_model = 4 and d_k = 3: every number fits on screen."""
    st.write(
        "Two tokens, d_model = 4 and d_k = d_v = 3, small whole numbers: check every step by hand. "
        "Edit any cell and everything below updates. The course divides by 8 = √64 (the paper's d_k) "
        "even in this small example; choose √3 to use this toy's own d_k."
    )
    divisor = bound_radio(
        "Divide the scores by",
        ["8 (as in the course)", "√3 ≈ 1.73 (the toy's d_k)"],
        key="toy_divisor",
        horizontal=True,
    )
    scale = TOY_SCALE if divisor.startswith("8") else True
    cols = [st.columns(2)[0], *st.columns(3)]  # X on its own row, wide enough for its 4 columns
    edited = []
    for col, (name, matrix, rows) in zip(
        cols,
        (("X", TOY_X, TOY_TOKENS), ("W^Q", TOY_W_Q, None), ("W^K", TOY_W_K, None), ("W^V", TOY_W_V, None)),
    ):
        with col:
            st.caption(f"{name} ({matrix.shape[0]} × {matrix.shape[1]})")
            frame = pd.DataFrame(matrix, index=rows)
            edited.append(st.data_editor(frame, key=f"toy_{name}", width="stretch").to_numpy(dtype=float))
    if not all(np.isfinite(m).all() for m in edited):
        st.error("Every cell needs a number.")
        return
    s = toy_walkthrough(*edited, scale=scale).steps
    table = pd.DataFrame(
        {
            "token": TOY_TOKENS,
            "q": [np.round(r, 3).tolist() for r in s.queries],
            "k": [np.round(r, 3).tolist() for r in s.keys],
            "v": [np.round(r, 3).tolist() for r in s.values],
        }
    )
    st.caption("Projections: q = x W^Q, k = x W^K, v = x W^V")
    st.dataframe(table, hide_index=True, key="toy_qkv")
    rows = []
    for i, token in enumerate(TOY_TOKENS):
        for j, key in enumerate(TOY_TOKENS):
            rows.append(
                {
                    "query": token,
                    "key": key,
                    "score q·k": s.scores[i, j],
                    f"÷ {s.scale:.2f}": s.scaled[i, j],
                    "softmax": s.weights[i, j],
                    "weight × v": np.round(s.weighted_values[i, j], 3).tolist(),
                }
            )
    st.caption("Scores, scaling and softmax, for each query and key")
    st.dataframe(
        pd.DataFrame(rows).style.format(precision=2, subset=["score q·k", f"÷ {s.scale:.2f}", "softmax"]),
        hide_index=True,
        key="toy_steps",
    )
    st.caption("Outputs: z = Σ softmax × v")
    st.dataframe(
        pd.DataFrame(np.round(s.output, 3), index=TOY_TOKENS, columns=["z1", "z2", "z3"]), key="toy_z"
    )
