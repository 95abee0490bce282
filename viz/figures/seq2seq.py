"""Charts of the encoder-decoder: the causal mask, the next-token distribution, training curves.

Attention weights themselves are drawn by :func:`viz.figures.attention.attention_heatmap` (rows = queries,
columns = keys). Colours: Okabe-Ito blue and orange (:mod:`viz.figures.style`), colour-blind safe.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.figures.attention import attention_heatmap, heads_grid
from viz.figures.labels import safe_label, token_labels
from viz.figures.matrices import mask_cells
from viz.figures.style import BLUE, ORANGE, WHITE, array_ticks, axis_suffix, bottom_left, chart_layout, figure


def mask_heatmap(mask: np.ndarray, tokens: list[str], title: str) -> go.Figure:
    """The additive causal mask (T, T): 0 where a position may look, −∞ where it may not (the future).

    Raises:
        ValueError: if the mask is not square or does not match the tokens.
    """
    mask = np.asarray(mask, dtype=np.float64)
    if mask.ndim != 2 or mask.shape != (len(tokens), len(tokens)):
        raise ValueError(f"mask {mask.shape} does not match {len(tokens)} tokens")
    labels = token_labels(tokens)
    positions = np.arange(len(tokens))
    fig = figure(mask_cells(mask, positions, positions, texttemplate="%{text}", textfont=dict(size=14)))
    fig.update_xaxes(title=dict(text="Keys (position looked at) →"), **array_ticks(labels), side="bottom")
    fig.update_yaxes(
        title=dict(text="Queries (position looking) ↓"), **array_ticks(labels), autorange="reversed"
    )
    size = int(np.clip(22 * len(tokens) + 180, 420, 900))  # as attention_heatmap: the two sit side by side
    return fig.update_layout(chart_layout(title, size, plot_bgcolor=WHITE))


def next_token_bars(top: list[tuple[str, float, int]], chosen_id: int, title: str) -> go.Figure:
    """The most likely next tokens as bars, most likely first; the chosen one in orange."""
    if not top:
        raise ValueError("no tokens to draw")
    labels = [safe_label(token) for token, _, _ in top]
    probs = [p for _, p, _ in top]
    colours = [ORANGE if i == chosen_id else BLUE for _, _, i in top]
    fig = figure(
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
    fig.update_xaxes(title=dict(text="Next token (orange = the one chosen)"), **array_ticks(labels))
    fig.update_yaxes(title=dict(text="Probability"), range=[0, 1.12], tickformat=".0%")
    return fig.update_layout(chart_layout(title, 360))


def _curve(x: list, y: list, name: str, line: dict, symbol: str, yaxis: str | None = None) -> go.Scatter:
    """One training curve, lines and markers; ``yaxis`` "y2" for the right axis."""
    return go.Scatter(
        x=x, y=y, name=name, mode="lines+markers", line=line, marker=dict(symbol=symbol), yaxis=yaxis
    )


def training_curves(
    steps: list[int],
    losses: list[float],
    accuracies: list[float | None],
    title: str,
    max_steps: int | None = None,
) -> go.Figure:
    """Training loss (left axis, blue) and held-out exact match (right axis, orange) against the step."""
    acc_steps = [s for s, a in zip(steps, accuracies) if a is not None]
    acc = [100 * a for a in accuracies if a is not None]
    fig = figure(
        [
            _curve(steps, losses, "training loss (cross-entropy)", dict(color=BLUE), "circle"),
            _curve(
                acc_steps, acc, "held-out exact match (%)", dict(color=ORANGE, dash="dash"), "diamond", "y2"
            ),
        ]
    )
    x_range = [0, max_steps] if max_steps else None
    right = dict(
        title=dict(text="Exact match (%)"),
        overlaying="y",
        side="right",
        range=[0, 105],
        dtick=25,
        showgrid=False,
    )
    return fig.update_layout(
        chart_layout(
            title,
            360,
            xaxis=dict(title=dict(text="Training step"), range=x_range),
            yaxis=dict(title=dict(text="Loss"), rangemode="tozero"),
            yaxis2=right,
            legend=dict(orientation="h", yanchor="bottom", y=1.02, x=1, xanchor="right"),
        )
    )


def alignment_heatmap(
    weights: np.ndarray, output_tokens: list[str], input_tokens: list[str], title: str
) -> go.Figure:
    """Cross-attention (T, S) as an alignment: each output token (row) against the input characters."""
    fig = attention_heatmap(weights, output_tokens, input_tokens, title=title)
    fig.update_yaxes(title=dict(text="Output token being written ↓"))
    fig.update_xaxes(title=dict(text="Input character looked at →"), tickangle=0)
    fig.update_layout(height=int(np.clip(26 * len(output_tokens) + 220, 380, 800)))
    return fig


def labelled_heads_grid(weights: np.ndarray, tokens: list[str], title: str, n_cols: int = 4) -> go.Figure:
    """:func:`viz.figures.attention.heads_grid` with axis titles on the first panel of its bottom row."""
    fig = heads_grid(weights, tokens, title, n_cols=n_cols)
    suffix = axis_suffix(bottom_left(weights.shape[0], n_cols))
    return fig.update_layout(
        {
            f"xaxis{suffix}": dict(title=dict(text="Keys →")),
            f"yaxis{suffix}": dict(title=dict(text="Queries ↓")),
        }
    )
