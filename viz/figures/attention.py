"""Attention heatmaps: one head enlarged, and every head of a layer as a grid of small maps.

Rows are queries (the token attending), columns are keys (the token attended to). Axes are indexed by
position, with the token as tick text, so repeated tokens keep their own row and column.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.figures.labels import token_labels
from viz.figures.style import (
    TYPE_SCALE,
    array_ticks,
    attention_colorscale,
    chart_layout,
    figure,
    font,
    grid_layout,
    panel_axes,
    panel_title,
)

ROW_AXIS = "Queries (token attending) ↓"
COLUMN_AXIS = "Keys (token attended to) →"
#: Above this many tokens the grid sends weights quantised to 8 bits (payload), the enlarged head never.
GRID_FLOAT_TOKENS = 48
#: The model view's thumbnails are pooled to at most this many rows and columns.
MODEL_VIEW_MAX_TOKENS = 64
#: The width a grid of panels gets at 1366 x 768 (the wide page's main column beside the sidebar).
GRID_WIDTH_PX = 900
#: The smallest panel (px a side) whose token ticks stay readable at the type scale: grids take fewer
#: heads per row rather than smaller type.
MIN_PANEL_PX = 280
#: The room one tick label needs along its axis (its type size and a little space).
TICK_PITCH_PX = TYPE_SCALE["tick"] + 2


def _check(weights: np.ndarray, ndim: int, name: str) -> np.ndarray:
    weights = np.asarray(weights)
    if weights.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {weights.shape}")
    return weights


def grid_columns(n_panels: int, width_px: int = GRID_WIDTH_PX, min_panel_px: int = MIN_PANEL_PX) -> int:
    """Panels per row of a grid ``width_px`` wide such that each is at least ``min_panel_px`` wide."""
    return max(1, min(n_panels, width_px // min_panel_px))


def readable_step(n_tokens: int, panel_px: float) -> int:
    """Label every step-th token so that tick labels of the type scale never overlap on a panel_px axis."""
    return max(1, int(np.ceil(n_tokens * TICK_PITCH_PX / max(panel_px, 1.0))))


def _axis_categories(labels: list[str]) -> list[str]:
    """Unique category names "position: token" (so repeated tokens keep their own row and column)."""
    return [f"{i}: {label}" for i, label in enumerate(labels)]


def _token_axis(title: str, categories: list[str], labels: list[str], step: int, **more) -> dict:
    """A categorical axis of "position: token" categories, every ``step``-th one ticked with its token."""
    ticks = array_ticks(labels[::step], categories[::step])
    return dict(title=dict(text=title), type="category", **ticks, **more)


def attention_heatmap(
    weights: np.ndarray,
    query_tokens: list[str],
    key_tokens: list[str] | None = None,
    title: str = "Attention weights",
    contrast: str = "linear",
) -> go.Figure:
    """One head's (T_q, T_k) weights with exact values on hover; ``contrast`` ("linear", "sqrt", "log")
    changes only how weights map to colour (:func:`viz.figures.style.attention_colorscale`).

    Axes are categorical with one "position: token" category per row and column: the hover names both
    tokens without a per-cell label array, and the tick text shows the token alone.

    Raises:
        ValueError: if the weights' shape does not match the token lists.
    """
    weights = _check(weights, 2, "weights").astype(np.float32)
    key_tokens = query_tokens if key_tokens is None else key_tokens
    if weights.shape != (len(query_tokens), len(key_tokens)):
        raise ValueError(
            f"weights {weights.shape} do not match {len(query_tokens)} x {len(key_tokens)} tokens"
        )
    q_labels, k_labels = token_labels(query_tokens), token_labels(key_tokens)
    q_cats, k_cats = _axis_categories(q_labels), _axis_categories(k_labels)
    trace = dict(
        type="heatmap",
        z=weights,
        x=k_cats,
        y=q_cats,
        colorscale=attention_colorscale(contrast),
        zmin=0.0,
        zmax=1.0,
        colorbar=dict(title=dict(text="weight" if contrast == "linear" else f"weight ({contrast} colour)")),
        hovertemplate="query %{y}<br>key %{x}<br>weight %{z:.4f}<extra></extra>",
    )
    size = int(np.clip(22 * max(len(query_tokens), len(key_tokens)) + 180, 420, 900))
    plot_px = size - 160  # the height left to the cells
    step_q, step_k = readable_step(len(query_tokens), plot_px), readable_step(len(key_tokens), plot_px)
    layout = chart_layout(
        title,
        size,
        xaxis=_token_axis(COLUMN_AXIS, k_cats, k_labels, step_k, tickangle=-60),
        yaxis=_token_axis(ROW_AXIS, q_cats, q_labels, step_q, autorange="reversed"),
    )
    return figure(dict(data=[trace], layout=layout))


def block_pool(weights: np.ndarray, max_size: int) -> tuple[np.ndarray, int]:
    """Shrink (..., T, T) attention to at most max_size per side: block b's row = the mean over its queries
    of the attention given to each key block (so rows still sum to 1). Returns (pooled, block size)."""
    n = weights.shape[-1]
    block = int(np.ceil(n / max_size))
    if block == 1:
        return weights, 1
    pad = (-n) % block
    w = np.pad(weights, [(0, 0)] * (weights.ndim - 2) + [(0, pad), (0, pad)])
    m = w.shape[-1] // block
    w = w.reshape(*w.shape[:-2], m, block, m, block).sum(axis=-1)  # attention into each key block
    counts = np.minimum(block, n - np.arange(m) * block)  # real queries per block (the last may be short)
    return w.sum(axis=-2) / counts[:, None], block


def panel_grid(
    panels: np.ndarray,
    tokens: list[str],
    titles: list[str],
    title: str,
    n_cols: int,
    panel_height: int = 300,
    show_ticks: bool = True,
    contrast: str = "linear",
) -> go.Figure:
    """(P, T, T) attention maps as P small heatmaps sharing one colour scale, laid out n_cols wide.

    Tick labels are of the type scale (:data:`viz.figures.style.TYPE_SCALE`); on a panel too small for
    every token, every second (third, ...) one is labelled, so none overlap."""
    panels = _check(panels, 3, "panels")
    n_panels, n_tokens, _ = panels.shape
    if panels.shape[1:] != (len(tokens), len(tokens)):
        raise ValueError(f"weights {panels.shape} do not match {len(tokens)} tokens")
    n_rows = int(np.ceil(n_panels / n_cols))
    layout, refs = grid_layout(n_panels, n_cols)
    quantised = n_tokens > GRID_FLOAT_TOKENS or n_panels > 16
    labels = token_labels(tokens)
    panel_px = min(panel_height, GRID_WIDTH_PX / n_cols) * 0.9  # the panel less its share of the gaps
    step = readable_step(n_tokens, panel_px)
    ticks = dict(
        showticklabels=True,
        **array_ticks(labels[::step], list(range(0, n_tokens, step))),
        tickfont=font("tick"),
    )
    colorscale = attention_colorscale(contrast)
    data, annotations = [], []
    for p, (xref, yref) in enumerate(refs):
        if quantised:  # 1 byte per weight instead of 4: many or large maps stay under a megabyte
            z, zmax, fmt = np.rint(panels[p] * 255).astype(np.uint8), 255, "%{z}/255"
        else:
            z, zmax, fmt = panels[p].astype(np.float32), 1.0, "%{z:.3f}"
        data.append(
            dict(
                type="heatmap",
                z=z,
                zmin=0,
                zmax=zmax,
                colorscale=colorscale,
                showscale=p == 0,
                xaxis=xref,
                yaxis=yref,
                colorbar=dict(title=dict(text="weight"), tickvals=[0, zmax], ticktext=["0", "1"]),
                hovertemplate=f"{titles[p]}<br>query %{{y}} → key %{{x}}<br>weight {fmt}<extra></extra>",
            )
        )
        x_axis, y_axis = panel_axes(layout, (xref, yref))
        annotations.append(panel_title(titles[p], x_axis, y_axis, size=TYPE_SCALE["annotation"]))
        if show_ticks and p % n_cols == 0:
            y_axis.update(ticks)
        if show_ticks and (p // n_cols == n_rows - 1 or p + n_cols >= n_panels):
            x_axis.update(ticks, tickangle=-60)
    title = f"{title} (rows = queries attending, columns = keys attended to)"
    layout.update(chart_layout(title, panel_height * n_rows + 120, top=70, annotations=annotations))
    return figure(dict(data=data, layout=layout))


def heads_grid(
    weights: np.ndarray, tokens: list[str], title: str, n_cols: int | None = None, contrast: str = "linear"
) -> go.Figure:
    """Every head of one layer: (H, T, T) weights as H small heatmaps, ``n_cols`` per row (by default as
    many as fit at :data:`MIN_PANEL_PX` a panel: 3 on a 1366-px screen)."""
    weights = _check(weights, 3, "weights")
    n_heads = weights.shape[0]
    n_cols = grid_columns(n_heads) if n_cols is None else n_cols
    titles = [f"head {h + 1}" for h in range(n_heads)]
    return panel_grid(weights, tokens, titles, title, n_cols, contrast=contrast)


def model_view(attentions: np.ndarray, tokens: list[str], contrast: str = "linear") -> go.Figure:
    """All layers x all heads: (L, H, T, T) as an L-row, H-column grid of thumbnails (weights sent as 8 bits)."""
    attentions = _check(attentions, 4, "attentions")
    n_layers, n_heads = attentions.shape[:2]
    pooled, block = block_pool(attentions, MODEL_VIEW_MAX_TOKENS)
    titles = [f"L{layer + 1} H{h + 1}" for layer in range(n_layers) for h in range(n_heads)]
    title = "Model view: every layer (rows) and head (columns)"
    if block > 1:  # thumbnails of 120 px cannot show more cells anyway; this keeps the page light
        title += f", thumbnails pooled over blocks of {block} tokens"
        tokens = [f"{tokens[i]}…" for i in range(0, len(tokens), block)]
    return panel_grid(
        pooled.reshape(n_layers * n_heads, *pooled.shape[2:]),
        tokens,
        titles,
        title,
        n_heads,
        panel_height=120,
        show_ticks=False,
        contrast=contrast,
    )
