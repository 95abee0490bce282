"""Attention heatmaps: one head enlarged, and every head of a layer as a grid of small maps.

Rows are queries (the token attending), columns are keys (the token attended to). Axes are indexed by
position, with the token as tick text, so repeated tokens keep their own row and column.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.figures.labels import token_labels

COLORSCALE = "Blues"
ROW_AXIS = "Queries (token attending) ↓"
COLUMN_AXIS = "Keys (token attended to) →"
#: Above this many tokens the grid sends weights quantised to 8 bits (payload), the enlarged head never.
GRID_FLOAT_TOKENS = 48


def _check(weights: np.ndarray, ndim: int, name: str) -> np.ndarray:
    weights = np.asarray(weights)
    if weights.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {weights.shape}")
    return weights


def _tick_step(n_tokens: int, max_ticks: int = 64) -> int:
    return max(1, int(np.ceil(n_tokens / max_ticks)))


def attention_heatmap(
    weights: np.ndarray,
    query_tokens: list[str],
    key_tokens: list[str] | None = None,
    title: str = "Attention weights",
) -> go.Figure:
    """One head's (T_q, T_k) weights with exact values on hover.

    Raises:
        ValueError: if the weights' shape does not match the token lists.
    """
    weights = _check(weights, 2, "weights").astype(np.float32)
    key_tokens = query_tokens if key_tokens is None else key_tokens
    if weights.shape != (len(query_tokens), len(key_tokens)):
        raise ValueError(f"weights {weights.shape} do not match {len(query_tokens)} x {len(key_tokens)} tokens")
    q_labels, k_labels = token_labels(query_tokens), token_labels(key_tokens)
    # customdata[i, j] = (query label, key label) so hover names the tokens, not just positions.
    custom = np.dstack(np.broadcast_arrays(np.array(q_labels, dtype=object)[:, None],
                                           np.array(k_labels, dtype=object)[None, :]))
    fig = go.Figure(
        go.Heatmap(
            z=weights,
            x=np.arange(len(key_tokens)),
            y=np.arange(len(query_tokens)),
            customdata=custom,
            colorscale=COLORSCALE,
            zmin=0.0,
            zmax=1.0,
            colorbar=dict(title="weight"),
            hovertemplate="query %{y}: %{customdata[0]}<br>key %{x}: %{customdata[1]}"
            "<br>weight %{z:.4f}<extra></extra>",
        )
    )
    step_q, step_k = _tick_step(len(query_tokens)), _tick_step(len(key_tokens))
    fig.update_xaxes(title=COLUMN_AXIS, tickmode="array", tickvals=list(range(0, len(k_labels), step_k)),
                     ticktext=k_labels[::step_k], tickangle=-60, side="bottom")
    fig.update_yaxes(title=ROW_AXIS, tickmode="array", tickvals=list(range(0, len(q_labels), step_q)),
                     ticktext=q_labels[::step_q], autorange="reversed")
    size = int(np.clip(22 * max(len(query_tokens), len(key_tokens)) + 180, 420, 900))
    fig.update_layout(title=title, height=size, margin=dict(l=10, r=10, t=50, b=10))
    return fig


def grid_layout(n_panels: int, n_cols: int, gap: float = 0.025) -> tuple[dict, list[tuple[str, str]]]:
    """Axes for a grid of panels laid out by hand (make_subplots costs ~20x more per rerun).

    Returns the layout entries (xaxisN / yaxisN with their domains) and each panel's (xref, yref) pair.
    """
    n_rows = int(np.ceil(n_panels / n_cols))
    layout: dict = {}
    refs = []
    for p in range(n_panels):
        row, col = divmod(p, n_cols)
        i = "" if p == 0 else str(p + 1)
        layout[f"xaxis{i}"] = dict(domain=[col / n_cols + gap / 2, (col + 1) / n_cols - gap / 2],
                                   anchor=f"y{i}", showticklabels=False)
        layout[f"yaxis{i}"] = dict(domain=[1 - (row + 1) / n_rows + gap, 1 - row / n_rows - gap * 1.5],
                                   anchor=f"x{i}", autorange="reversed", showticklabels=False)
        refs.append((f"x{i}", f"y{i}"))
    return layout, refs


def panel_grid(panels: np.ndarray, tokens: list[str], titles: list[str], title: str, n_cols: int,
               panel_height: int = 230, show_ticks: bool = True) -> go.Figure:
    """(P, T, T) attention maps as P small heatmaps sharing one colour scale, laid out n_cols wide."""
    panels = _check(panels, 3, "panels")
    n_panels, n_tokens, _ = panels.shape
    if panels.shape[1:] != (len(tokens), len(tokens)):
        raise ValueError(f"weights {panels.shape} do not match {len(tokens)} tokens")
    n_rows = int(np.ceil(n_panels / n_cols))
    layout, refs = grid_layout(n_panels, n_cols)
    quantised = n_tokens > GRID_FLOAT_TOKENS or n_panels > 16
    labels = token_labels(tokens)
    step = _tick_step(n_tokens, 24)
    ticks = dict(showticklabels=True, tickmode="array", tickvals=list(range(0, n_tokens, step)),
                 ticktext=labels[::step], tickfont=dict(size=8))
    data, annotations = [], []
    for p, (xref, yref) in enumerate(refs):
        if quantised:  # 1 byte per weight instead of 4: many or large maps stay under a megabyte
            z, zmax, fmt = np.rint(panels[p] * 255).astype(np.uint8), 255, "%{z}/255"
        else:
            z, zmax, fmt = panels[p].astype(np.float32), 1.0, "%{z:.3f}"
        data.append(dict(
            type="heatmap", z=z, zmin=0, zmax=zmax, colorscale=COLORSCALE, showscale=p == 0, xaxis=xref,
            yaxis=yref, colorbar=dict(title=dict(text="weight"), tickvals=[0, zmax], ticktext=["0", "1"]),
            hovertemplate=f"{titles[p]}<br>query %{{y}} → key %{{x}}<br>weight {fmt}<extra></extra>",
        ))
        x_axis, y_axis = layout["xaxis" + xref[1:]], layout["yaxis" + yref[1:]]
        annotations.append(dict(text=titles[p], xref="paper", yref="paper", showarrow=False, font=dict(size=10),
                                x=sum(x_axis["domain"]) / 2, y=y_axis["domain"][1], yanchor="bottom"))
        if show_ticks and p % n_cols == 0:
            y_axis.update(ticks)
        if show_ticks and (p // n_cols == n_rows - 1 or p + n_cols >= n_panels):
            x_axis.update(ticks, tickangle=-60)
    layout.update(
        title=dict(text=f"{title} (rows = queries attending, columns = keys attended to)"),
        annotations=annotations, height=panel_height * n_rows + 120, margin=dict(l=10, r=10, t=70, b=10),
    )
    return go.Figure(dict(data=data, layout=layout))


def heads_grid(weights: np.ndarray, tokens: list[str], title: str, n_cols: int = 4) -> go.Figure:
    """Every head of one layer: (H, T, T) weights as H small heatmaps."""
    weights = _check(weights, 3, "weights")
    return panel_grid(weights, tokens, [f"head {h + 1}" for h in range(weights.shape[0])], title, n_cols)


def model_view(attentions: np.ndarray, tokens: list[str]) -> go.Figure:
    """All layers x all heads: (L, H, T, T) as an L-row, H-column grid of thumbnails (weights sent as 8 bits)."""
    attentions = _check(attentions, 4, "attentions")
    n_layers, n_heads = attentions.shape[:2]
    titles = [f"L{l + 1} H{h + 1}" for l in range(n_layers) for h in range(n_heads)]
    return panel_grid(attentions.reshape(n_layers * n_heads, *attentions.shape[2:]), tokens, titles,
                      "Model view: every layer (rows) and head (columns)", n_heads, panel_height=120,
                      show_ticks=False)
