"""Charts of the encoder-decoder: the causal mask, the next-token distribution, training curves.

Attention weights themselves are drawn by :func:`viz.figures.attention.attention_heatmap` (rows = queries,
columns = keys). Colours: Okabe-Ito blue and orange, colour-blind safe.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.figures.attention import attention_heatmap, heads_grid
from viz.figures.labels import safe_label, token_labels

BLUE, ORANGE, VERMILLION, GREY = "#0072B2", "#E69F00", "#D55E00", "#BBBBBB"
MINUS_INF = "−∞"


def mask_heatmap(mask: np.ndarray, tokens: list[str], title: str) -> go.Figure:
    """The additive causal mask (T, T): 0 where a position may look, −∞ where it may not (the future).

    Raises:
        ValueError: if the mask is not square or does not match the tokens.
    """
    mask = np.asarray(mask, dtype=np.float64)
    if mask.ndim != 2 or mask.shape != (len(tokens), len(tokens)):
        raise ValueError(f"mask {mask.shape} does not match {len(tokens)} tokens")
    hidden = np.isneginf(mask)
    labels = token_labels(tokens)
    text = np.where(hidden, MINUS_INF, "0")
    fig = go.Figure(
        go.Heatmap(
            z=hidden.astype(np.uint8),
            x=np.arange(len(tokens)),
            y=np.arange(len(tokens)),
            zmin=0,
            zmax=1,
            colorscale=[[0.0, "#FFFFFF"], [0.5, "#FFFFFF"], [0.5, "#56595E"], [1.0, "#56595E"]],
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=14),
            showscale=False,
            xgap=1,
            ygap=1,
            hovertemplate="query %{y} → key %{x}: mask %{text}<extra></extra>",
        )
    )
    fig.update_xaxes(
        title="Keys (position looked at) →",
        tickmode="array",
        tickvals=list(range(len(labels))),
        ticktext=labels,
        side="bottom",
    )
    fig.update_yaxes(
        title="Queries (position looking) ↓",
        tickmode="array",
        tickvals=list(range(len(labels))),
        ticktext=labels,
        autorange="reversed",
    )
    size = int(np.clip(22 * len(tokens) + 180, 420, 900))  # as attention_heatmap: the two sit side by side
    fig.update_layout(title=title, height=size, margin=dict(l=10, r=10, t=50, b=10), plot_bgcolor="#FFFFFF")
    return fig


def next_token_bars(top: list[tuple[str, float, int]], chosen_id: int, title: str) -> go.Figure:
    """The most likely next tokens as bars, most likely first; the chosen one in orange."""
    if not top:
        raise ValueError("no tokens to draw")
    labels = [safe_label(token) for token, _, _ in top]
    probs = [p for _, p, _ in top]
    colours = [ORANGE if i == chosen_id else BLUE for _, _, i in top]
    fig = go.Figure(
        go.Bar(
            x=list(range(len(top))),
            y=probs,
            marker_color=colours,
            text=[f"{p:.1%}" for p in probs],
            textposition="outside",
            customdata=labels,
            cliponaxis=False,
            hovertemplate="%{customdata}: probability %{y:.4f}<extra></extra>",
        )
    )
    fig.update_xaxes(
        title="Next token (orange = the one chosen)",
        tickmode="array",
        tickvals=list(range(len(top))),
        ticktext=labels,
    )
    fig.update_yaxes(title="Probability", range=[0, 1.12], tickformat=".0%")
    fig.update_layout(title=title, height=360, margin=dict(l=10, r=10, t=50, b=10))
    return fig


def training_curves(
    steps: list[int],
    losses: list[float],
    accuracies: list[float | None],
    title: str,
    max_steps: int | None = None,
) -> go.Figure:
    """Training loss (left axis, blue) and held-out exact match (right axis, orange) against the step."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=steps,
            y=losses,
            name="training loss (cross-entropy)",
            mode="lines+markers",
            line=dict(color=BLUE),
            marker=dict(symbol="circle"),
        )
    )
    acc_steps = [s for s, a in zip(steps, accuracies) if a is not None]
    acc = [100 * a for a in accuracies if a is not None]
    fig.add_trace(
        go.Scatter(
            x=acc_steps,
            y=acc,
            name="held-out exact match (%)",
            mode="lines+markers",
            line=dict(color=ORANGE, dash="dash"),
            marker=dict(symbol="diamond"),
            yaxis="y2",
        )
    )
    x_range = [0, max_steps] if max_steps else None
    fig.update_layout(
        title=title,
        height=360,
        margin=dict(l=10, r=10, t=50, b=10),
        xaxis=dict(title="Training step", range=x_range),
        yaxis=dict(title="Loss", rangemode="tozero"),
        yaxis2=dict(
            title="Exact match (%)", overlaying="y", side="right", range=[0, 105], dtick=25, showgrid=False
        ),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=1, xanchor="right"),
    )
    return fig


def alignment_heatmap(
    weights: np.ndarray, output_tokens: list[str], input_tokens: list[str], title: str
) -> go.Figure:
    """Cross-attention (T, S) as an alignment: each output token (row) against the input characters."""
    fig = attention_heatmap(weights, output_tokens, input_tokens, title=title)
    fig.update_yaxes(title="Output token being written ↓")
    fig.update_xaxes(title="Input character looked at →", tickangle=0)
    fig.update_layout(height=int(np.clip(26 * len(output_tokens) + 220, 380, 800)))
    return fig


def labelled_heads_grid(weights: np.ndarray, tokens: list[str], title: str, n_cols: int = 4) -> go.Figure:
    """:func:`viz.figures.attention.heads_grid` with axis titles on the first panel of its bottom row."""
    fig = heads_grid(weights, tokens, title, n_cols=n_cols)
    n_rows = int(np.ceil(weights.shape[0] / n_cols))
    first_of_last_row = (n_rows - 1) * n_cols
    suffix = "" if first_of_last_row == 0 else str(first_of_last_row + 1)
    fig.layout[f"xaxis{suffix}"].title = "Keys →"
    fig.layout[f"yaxis{suffix}"].title = "Queries ↓"
    return fig
