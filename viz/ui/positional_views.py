"""Positional encoding views: the sinusoid matrix, similarity by offset, the shift matrix, learned positions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from viz.analysis.positional import concatenated_layout, shift_matrix, similarity, similarity_by_offset
from viz.figures.matrices import line_chart, matrix_heatmap, vector_bars
from viz.figures.style import category
from viz.layers.positional import sinusoidal_at, sinusoidal_encoding
from viz.trace.sentence import SentenceTrace
from viz.ui.controls import bound_multiselect, bound_radio, bound_slider
from viz.ui.export import chart

#: At most this many curves of the sinusoid at once (each is one line of up to 512 points in every rerun).
MAX_CURVES = 16
#: Characters per title line of a chart in half the page's width.
HALF_TITLE = 40
#: The learned view draws four maps of up to this many positions (two n x 384, two n x n): 512 would send
#: about 5.6 MB per rerun, 256 about 2 MB.
MAX_LEARNED = 256


def size_controls(default_positions: int = 50, default_d: int = 128) -> tuple[int, int]:
    left, right = st.columns(2)
    n = bound_slider("Number of positions", 1, 512, default_positions, key="pe_n", where=left)
    d = bound_slider("d_model", 2, 512, default_d, step=2, key="pe_d", where=right)
    return n, d


def sinusoid_section() -> None:
    st.latex(
        r"PE_{(pos,\,2i)} = \sin\!\left(\frac{pos}{10000^{2i/d_{model}}}\right),\qquad "
        r"PE_{(pos,\,2i+1)} = \cos\!\left(\frac{pos}{10000^{2i/d_{model}}}\right)"
    )
    n, d = size_controls()
    layout = bound_radio(
        "Layout",
        [
            "interleaved (the paper: sin, cos, sin, cos, …)",
            "concatenated (sin half | cos half, as in the 20 × 512 figure)",
        ],
        key="pe_layout",
        horizontal=True,
    )
    pe = sinusoidal_encoding(n, d)
    shown = pe if layout.startswith("interleaved") else concatenated_layout(pe)
    chart(
        matrix_heatmap(
            shown,
            f"Sinusoidal positional encoding, {layout.split(' ')[0]}",
            "dimension",
            "position",
            height=min(720, 200 + 3 * n),
        ),
        "pe_matrix",
        shown,
    )
    st.write(
        "Each column is a wave over positions; the wavelength grows geometrically from 2π (left) to "
        "10000·2π (right), so early columns change fast and late ones barely move: each position gets a "
        "unique pattern, like the digits of a slowly counting clock."
    )
    dims = bound_multiselect(
        "Dimensions to plot over position",
        range(d),
        [k for k in (0, 8, 32, 96) if k < d],  # fast, medium and slow waves, not four look-alikes
        key="pe_dims",
        max_selections=MAX_CURVES,
        help=f"At most {MAX_CURVES} at once.",
    )
    # the waves drawn smooth (8 samples per position, as the formula allows any position; at most 1,200, so
    # 16 curves over 512 positions stay small to send: dimension 0, the fastest, still gets 15 per period),
    # the whole positions a model uses as dots on them
    fine = np.linspace(0, n - 1, max(2, min(8 * (n - 1) + 1, 1200))).astype(np.float32)
    smooth = sinusoidal_at(fine, d)
    positions = np.arange(n)
    fig = line_chart(
        {f"dim {k} ({'sin' if k % 2 == 0 else 'cos'})": (fine, smooth[:, k]) for k in dims},
        "Chosen dimensions over position",
        "position",
        "PE value",
    )
    for i, k in enumerate(dims):
        fig.add_trace(
            dict(
                type="scatter",
                mode="markers",
                x=positions,
                y=pe[:, k],
                marker=dict(color=category(i), size=5),
                name=f"dim {k} at whole positions",
                showlegend=False,
            )
        )
    chart(fig, "pe_curves", pd.DataFrame({f"dim {k}": pe[:, k] for k in dims}, index=positions))
    st.caption("The toy size d_model = 4, for checking by hand:")
    toy = sinusoidal_encoding(min(n, 10), 4)
    st.dataframe(
        pd.DataFrame(toy, columns=["sin(pos)", "cos(pos)", "sin(pos/100)", "cos(pos/100)"])
        .rename_axis("pos")
        .style.format(precision=4),
        key="pe_toy",
    )


def similarity_section() -> None:
    n, d = size_controls(100, 128)
    kind = bound_radio("Measure", ["dot", "cosine"], key="pe_sim", horizontal=True)
    sim = similarity(sinusoidal_encoding(n, d), kind)
    chart(
        matrix_heatmap(
            sim, f"{kind} between every pair of positions", "position", "position", diverging=None, height=560
        ),
        "pe_sim_map",
        sim,
    )
    starts = [p for p in (0, n // 4, n // 2) if p < n]
    curves = similarity_by_offset(sim, starts, max_offset=max(1, n // 2))
    chart(
        line_chart(
            {f"from position {p}": (np.arange(len(c)), c) for p, c in curves.items()},
            f"{kind}(PE(p), PE(p + offset)) for several starting positions p",
            "offset",
            kind,
        ),
        "pe_offset",
        pd.DataFrame({f"from position {p}": pd.Series(c) for p, c in curves.items()}),
    )
    st.write(
        "The dot product PE(p)·PE(p+k) = Σ_i cos(ω_i k) depends only on the offset k, not on p: the curves "
        "lie on top of each other. Nearby positions look alike, and the similarity falls with distance."
    )


def shift_section() -> None:
    st.write(
        "For every offset k there is one matrix M_k, the same for all positions, with "
        "PE(pos + k) = M_k · PE(pos). It rotates each (sin, cos) pair by the angle ω_i·k, so a model can "
        "attend by relative position through a linear map."
    )
    left, middle, right = st.columns(3)
    d = bound_slider("d_model", 2, 64, 16, step=2, key="pe_shift_d", where=left)
    k = bound_slider("Offset k", -20, 20, 3, key="pe_k", where=middle)
    pos = bound_slider("Position", 0, 100, 5, key="pe_pos", where=right)
    m = shift_matrix(k, d)
    pe = sinusoidal_encoding(200 + abs(k), d)
    start = max(0, -k)
    positions = np.arange(start, start + 150)
    error = np.abs(pe[positions] @ m.T - pe[positions + k]).max()
    chart(
        matrix_heatmap(
            m,
            f"M_k for k = {k} (block-diagonal 2 × 2 rotations)",
            "input dimension",
            "output dimension",
            height=520,
        ),
        "pe_mk",
        m,
    )
    st.metric(
        f"max |M_k PE(pos) − PE(pos + k)| over positions {positions[0]}…{positions[-1]}", f"{error:.1e}"
    )
    p = max(pos, start)
    cols = st.columns(3)
    vectors = (
        ("pe_vec_pos", f"PE({p})", pe[p]),
        ("pe_vec_mk", f"M_k · PE({p})", m @ pe[p]),
        ("pe_vec_shifted", f"PE({p + k})", pe[p + k]),
    )
    for col, (key, name, vec) in zip(cols, vectors):  # fixed keys: the titles repeat (k = 0) or share a start
        with col:
            chart(vector_bars(vec, name, "dimension", "value"), key, vec)


def learned_section(table: np.ndarray, model: str = "MiniLM") -> None:
    """A text model's position table (``model``: how the page names the model) beside the sinusoid."""
    st.write(
        "BERT-style models such as MiniLM learn one vector per position instead of using a formula. "
        f"Below, the first positions of {model}'s learned table beside the sinusoid of the same width."
    )
    n = bound_slider(
        "Number of positions",
        2,
        min(MAX_LEARNED, table.shape[0]),
        min(64, table.shape[0]),
        key="pe_learned_n",
        help=f"{model} learned {table.shape[0]} positions; the first {MAX_LEARNED} at most are drawn here.",
    )
    learned = table[:n]
    sinus = sinusoidal_encoding(n, table.shape[1])
    left, right = st.columns(2)
    for column, matrix, name, title, key in (
        (left, learned, "learned", f"{model}: learned position embeddings", "pe_learned"),
        (right, sinus, "sinusoid", f"Sinusoid, d_model = {table.shape[1]}", "pe_sinus"),
    ):
        with column:
            # one outlier dimension of a learned table would set the whole scale: clip at 1-99 %
            heatmap = matrix_heatmap(
                matrix, title, "dimension", "position", height=420, clip=True, title_width=HALF_TITLE
            )
            chart(heatmap, key, matrix)
            sim = similarity(matrix, "cosine")
            sim_title = f"Cosine similarity, {name}"
            sim_map = matrix_heatmap(
                sim, sim_title, "position", "position", height=420, diverging=None, title_width=HALF_TITLE
            )
            chart(sim_map, f"{key}_sim", sim)


def adding_section(trace: SentenceTrace) -> None:
    st.write(
        "The model's input for each token is its token embedding plus the embedding of its position (and, "
        "in BERT, a segment embedding), then a LayerNorm. Same word, different place: different input."
    )
    tokens = trace.tokens
    total = trace.token_embeddings + trace.position_embeddings + trace.segment_embeddings
    for key, matrix, title in (
        ("pe_tok", trace.token_embeddings, "Token embeddings"),
        ("pe_pos_emb", trace.position_embeddings, "Learned position embeddings"),
        ("pe_sum", total, "Sum: token + position + segment"),
    ):
        chart(
            matrix_heatmap(matrix, title, "dimension", "token", row_labels=tokens, clip=True),
            key,
            matrix,
            row_labels=tokens,
        )
    d = trace.token_embeddings.shape[1]
    sinus = trace.token_embeddings + sinusoidal_encoding(len(tokens), d)
    chart(
        matrix_heatmap(
            sinus,
            "Alternative: token embeddings + sinusoid (as in the original Transformer)",
            "dimension",
            "token",
            row_labels=tokens,
            clip=True,
        ),
        "pe_sum_sin",
        sinus,
        row_labels=tokens,
    )
