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
from viz.figures.style import (
    BLUE,
    MINUS_INF,
    ORANGE,
    SELECTED_COLOUR,
    WHITE,
    array_ticks,
    axis_suffix,
    bottom_left,
    chart_layout,
    figure,
)

#: The background that rows the decoding has not reached yet show (their cells are empty).
NOT_YET = "#DCDFE3"
STEP_AXIS = "Decoding step (reads → writes) ↓"


def step_labels(read: list[str], written: list[str]) -> list[str]:
    """One escaped row label per decoding step, the same on every chart of the step-through:
    step t "reads <s> → writes 2" (the token the decoder takes in at position t, and the one it writes)."""
    if len(read) != len(written):
        raise ValueError(f"{len(read)} tokens read but {len(written)} written")
    return [f"reads {safe_label(r)} → writes {safe_label(w)}" for r, w in zip(read, written)]


def _rows_reached(z: np.ndarray, step: int | None) -> np.ndarray:
    """``z`` (T, ...) as floats with the rows from ``step`` on (0-based: not yet reached) set to NaN."""
    z = np.array(z, dtype=np.float32)
    if step is not None:
        if not 1 <= step <= z.shape[0]:
            raise ValueError(f"step {step} is outside 1..{z.shape[0]}")
        z[step:] = np.nan
    return z


def mark_step(fig: go.Figure, step: int, n_cols: int) -> go.Figure:
    """Grey behind the empty (not yet reached) rows and an outline round row ``step`` (1-based), in axis
    positions, which categorical and numeric axes share."""
    row = step - 1
    return fig.update_layout(
        plot_bgcolor=NOT_YET,
        shapes=[
            dict(
                type="rect",
                xref="x",
                yref="y",
                x0=-0.5,
                x1=n_cols - 0.5,
                y0=row - 0.5,
                y1=row + 0.5,
                line=dict(color=SELECTED_COLOUR, width=4),
                fillcolor="rgba(0, 0, 0, 0)",
            )
        ],
    )


def mask_heatmap(
    mask: np.ndarray,
    tokens: list[str],
    title: str,
    step: int | None = None,
    row_labels: list[str] | None = None,
) -> go.Figure:
    """The additive causal mask (T, T): 0 where a position may look, −∞ where it may not (the future).

    ``step`` (1-based) draws the whole matrix with only the first ``step`` rows filled, the rest grey (not
    reached yet), and outlines row ``step``; ``row_labels`` (escaped, e.g. :func:`step_labels`) name the rows.

    Raises:
        ValueError: if the mask is not square or does not match the tokens.
    """
    mask = np.asarray(mask, dtype=np.float64)
    if mask.ndim != 2 or mask.shape != (len(tokens), len(tokens)):
        raise ValueError(f"mask {mask.shape} does not match {len(tokens)} tokens")
    labels = token_labels(tokens)
    positions = np.arange(len(tokens))
    cells = mask_cells(mask, positions, positions, texttemplate="%{text}", textfont=dict(size=14))
    fig = figure(cells)
    if step is not None:
        z = _rows_reached(np.isneginf(mask), step)
        text = np.where(np.isneginf(mask), MINUS_INF, "0")
        text[step:] = ""
        fig = figure(dict(cells.to_plotly_json(), z=z, text=text))
    fig.update_xaxes(title=dict(text="Keys (position looked at) →"), **array_ticks(labels), side="bottom")
    rows = labels if row_labels is None else row_labels
    fig.update_yaxes(
        title=dict(text=STEP_AXIS if row_labels is not None else "Queries (position looking) ↓"),
        **array_ticks(rows),
        autorange="reversed",
    )
    size = int(np.clip(22 * len(tokens) + 180, 420, 900))  # as attention_heatmap: the two sit side by side
    fig.update_layout(chart_layout(title, size, plot_bgcolor=WHITE))
    return fig if step is None else mark_step(fig, step, len(tokens))


def step_heatmap(
    weights: np.ndarray, row_labels: list[str], key_tokens: list[str], step: int, title: str, x_title: str
) -> go.Figure:
    """Attention weights (T, S) of a decoding step-through: every row drawn, the rows from ``step`` on
    empty on grey (not reached yet), row ``step`` (1-based) outlined, rows named by :func:`step_labels`."""
    weights = np.asarray(weights)
    if weights.ndim != 2 or weights.shape[0] != len(row_labels):
        raise ValueError(f"weights {weights.shape} do not match {len(row_labels)} row labels")
    fig = attention_heatmap(_rows_reached(weights, step), row_labels, key_tokens, title=title)
    rows = [f"{i}: {label}" for i, label in enumerate(row_labels)]  # labels are escaped already
    spec = fig.to_plotly_json()
    # the default template is added when plotly JSON is read: not part of the figure built
    layout = {k: v for k, v in spec["layout"].items() if k != "template"}
    fig = figure(dict(spec["data"][0], y=rows), layout)
    fig.update_yaxes(title=dict(text=STEP_AXIS), **array_ticks(row_labels, rows))
    fig.update_xaxes(title=dict(text=x_title), tickangle=0)  # characters: upright
    # as tall as the mask beside or above it, whatever the input's length: rows keep one height
    fig.update_layout(height=int(np.clip(22 * len(row_labels) + 180, 420, 900)))
    return mark_step(fig, step, weights.shape[1])


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
