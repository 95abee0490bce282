"""Figures for the Swin page: windows over the image, the cyclic shift, the mask of one window with its
regions, the relative position index and bias, window attention per head, the feature-map pyramid and the
cost of attention.

Images travel as PNG data URIs; numbers a student reads travel as heatmap or line data. Colours and scales
are :mod:`viz.figures.style`'s: categories Okabe-Ito (plus a grey for the ninth region), magnitudes viridis,
signed values a blue-red diverging scale. No torch, no streamlit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from viz.figures.matrices import mask_cells
from viz.figures.style import (
    BLUE,
    CATEGORY,
    DIVERGING,
    GREY,
    HEAT_COLORSCALE,
    ORANGE,
    OVERLAY_COLORSCALE,
    VERMILLION,
    WHITE,
    bottom_left,
    category,
    chart_layout,
    figure,
    font,
    grid_layout,
    panel_axes,
    panel_title,
    picture_panel,
    pixel_axes,
    rgba,
    title_pixel_panels,
)
from viz.figures.vision import QUERY_OUTLINE, cell_heatmap, greyed, grid_lines, image_layer, outline

#: The nine regions of a shifted window: the categories, then grey.
REGION_COLOURS = (*CATEGORY, GREY)
PATCH_LINE = "rgba(255, 255, 255, 0.55)"
WINDOW_LINE = WHITE


def window_edges(length: int, window: int, shift: int) -> list[int]:
    """Token positions of the window borders along one axis (0 and ``length`` included)."""
    inner = range(shift if shift else window, length, window)
    return sorted({0, length, *inner})


#: Up to this many tokens a side, each token is labelled with its region (cells of 40 px or more).
TOKENS_LABELLED_EACH = 8


def _region_centres(labels: np.ndarray, unit: float) -> tuple[list[float], list[float], list[str]]:
    """(y, x, label) at the centre of each connected patch of equal labels on a (n, n) grid."""
    n_rows, n_cols = labels.shape
    seen = np.zeros(labels.shape, dtype=bool)
    ys, xs, texts = [], [], []
    for r0 in range(n_rows):
        for c0 in range(n_cols):
            if seen[r0, c0]:
                continue
            seen[r0, c0] = True
            stack, cells = [(r0, c0)], []
            while stack:  # flood fill over the 4 neighbours
                r, c = stack.pop()
                cells.append((r, c))
                for rr, cc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                    if 0 <= rr < n_rows and 0 <= cc < n_cols and not seen[rr, cc]:
                        if labels[rr, cc] == labels[r0, c0]:
                            seen[rr, cc] = True
                            stack.append((rr, cc))
            rs, cs = np.array(cells).T
            ys.append((rs.mean() + 0.5) * unit)
            xs.append((cs.mean() + 0.5) * unit)
            texts.append(str(labels[r0, c0]))
    return ys, xs, texts


def _window_map(
    pixels: np.ndarray, tokens: int, window: int, shift: int, tint: dict, title: str, labels=None
) -> go.Figure:
    """The image, a tint per token (``tint``: the settings of a heatmap over the token grid), the token grid
    (thin lines), the window borders at ``shift`` (thick lines) and, if given, ``labels`` on the tokens."""
    size = pixels.shape[0]
    unit = size / tokens
    grid = [i * unit for i in range(tokens + 1)]
    edges = [e * unit for e in window_edges(tokens, window, shift)]
    data = [
        image_layer(pixels),
        cell_heatmap(unit=unit, **tint),
        grid_lines(grid, grid, PATCH_LINE, 1),
        grid_lines(edges, edges, WINDOW_LINE, 4),
    ]
    if labels is not None:
        if tokens <= TOKENS_LABELLED_EACH:
            rows, cols = np.mgrid[0:tokens, 0:tokens]
            ys, xs, texts = ((rows + 0.5) * unit).ravel(), ((cols + 0.5) * unit).ravel(), labels.ravel()
        else:  # cells too small for a label each at the type scale: one label at the centre of each region
            ys, xs, texts = _region_centres(np.asarray(labels), unit)
        data.append(
            dict(
                type="scatter",
                x=xs,
                y=ys,
                mode="text",
                text=texts,
                hoverinfo="skip",
                showlegend=False,
                textfont=font("cell", color="white"),
            )
        )
    fig = figure(data)
    pixel_axes(fig, size, size)
    return fig.update_layout(chart_layout(title, 420))


def window_partition_figure(
    pixels: np.ndarray, tokens: int, window: int, shift: int, ids: np.ndarray, title: str
) -> go.Figure:
    """The image with its token grid (thin lines) and the window partition (thick lines, tinted windows).

    Args:
        pixels: (S, S, 3) uint8, what the model reads.
        tokens: tokens per side of the block's grid (S / token side in pixels).
        window: M. shift: 0 for the regular partition, M // 2 for the shifted one.
        ids: (tokens, tokens) window id of each token (see :func:`viz.analysis.swin.window_ids`).
    """
    per_row = int(ids[0].max()) + 1
    rows, cols = np.mgrid[0:tokens, 0:tokens]
    colour = ((ids // per_row) % 2) * 2 + (ids % per_row) % 2  # 4 colours, neighbouring windows differ
    c = CATEGORY
    scale = [[0, c[0]], [0.33, c[0]], [0.34, c[1]], [0.66, c[1]], [0.67, c[2]], [0.99, c[2]], [1.0, c[3]]]
    tint = dict(
        z=colour,
        zmin=0,
        zmax=3,
        opacity=0.35,
        colorscale=scale,
        showscale=False,
        customdata=np.stack([rows + 1, cols + 1, ids + 1], axis=-1),
        hovertemplate="token row %{customdata[0]}, column %{customdata[1]}<br>window %{customdata[2]}"
        "<extra></extra>",
    )
    return _window_map(pixels, tokens, window, shift, tint, title)


def region_figure(
    pixels: np.ndarray,
    tokens: int,
    window: int,
    shift: int,
    regions: np.ndarray,
    region_names: tuple[str, ...],
    title: str,
    origin: tuple[np.ndarray, np.ndarray] | None = None,
) -> go.Figure:
    """Each token tinted and labelled by its region, with window borders at ``shift``.

    Args:
        regions: (tokens, tokens) region index 0-8 of each token as drawn.
        origin: optional (rows, cols) each drawn token came from (after a cyclic shift), for the hover text.
    """
    scale = []
    for k, colour in enumerate(REGION_COLOURS):
        scale += [[k / 9, colour], [(k + 1) / 9, colour]]
    rows, cols = np.mgrid[0:tokens, 0:tokens]
    from_rows, from_cols = origin if origin is not None else (rows, cols)
    names = np.asarray(region_names)[regions]
    tint = dict(
        z=regions + 0.5,
        zmin=0,
        zmax=9,
        colorscale=scale,
        opacity=0.45,
        showscale=False,
        customdata=np.stack(
            [rows + 1, cols + 1, np.asarray(from_rows) + 1, np.asarray(from_cols) + 1], axis=-1
        ),
        text=names,
        hovertemplate="token row %{customdata[0]}, column %{customdata[1]}<br>region %{text}"
        "<br>came from row %{customdata[2]}, column %{customdata[3]}<extra></extra>",
    )
    return _window_map(pixels, tokens, window, shift, tint, title, labels=names if tokens <= 28 else None)


def _cell_labels(window: int, regions: list[str] | None = None) -> list[str]:
    labels = []
    for q in range(window * window):
        r, c = divmod(q, window)
        labels.append(f"{q + 1} ({r + 1},{c + 1})" + (f" {regions[q]}" if regions else ""))
    return labels


def mask_figure(mask: np.ndarray, regions: list[str], title: str) -> go.Figure:
    """One window's additive mask (Q, Q): 0 where query and key share a region, −∞ elsewhere.

    Ticks name each token of the window: its number, (row, column) inside the window and region.
    """
    mask = np.asarray(mask, dtype=np.float64)
    q = mask.shape[0]
    if mask.shape != (q, q) or len(regions) != q:
        raise ValueError(f"mask {mask.shape} does not match {len(regions)} region labels")
    window = int(round(q**0.5))
    labels = _cell_labels(window, regions)
    fig = figure(mask_cells(mask, labels, labels, texttemplate="%{text}" if q <= 16 else None))
    _token_matrix_layout(fig, title, q, " and its region")
    fig.update_layout(plot_bgcolor=WHITE)
    return fig


def relative_index_figure(index: np.ndarray, title: str) -> go.Figure:
    """The (Q, Q) relative position index: for query i and key j, the row of the bias table they read."""
    index = np.asarray(index)
    q = index.shape[0]
    window = int(round(q**0.5))
    labels = _cell_labels(window)
    y, x = np.divmod(np.arange(q), window)
    dy, dx = y[:, None] - y[None, :], x[:, None] - x[None, :]
    fig = figure(
        go.Heatmap(
            z=index,
            x=labels,
            y=labels,
            colorscale=HEAT_COLORSCALE,
            colorbar=dict(title=dict(text="table row")),
            customdata=np.stack([dy, dx], axis=-1),
            text=index.astype(str),
            texttemplate="%{text}" if q <= 16 else None,
            textfont=font("cell"),
            hovertemplate="query %{y}, key %{x}<br>offset dy=%{customdata[0]}, dx=%{customdata[1]}"
            "<br>bias table row %{z}<extra></extra>",
        )
    )
    _token_matrix_layout(fig, title, q)
    return fig


def _token_matrix_layout(fig: go.Figure, title: str, q: int, suffix: str = "") -> None:
    """Axes of a (Q, Q) matrix over a window's tokens: keys across, queries down, labelled by (row, column)."""
    fig.update_xaxes(
        title=dict(text=f"keys: token of the window (row, column){suffix} →"),
        tickangle=-60,
        type="category",
        tickfont=font("tick"),
    )
    fig.update_yaxes(
        title=dict(text=f"queries: token of the window (row, column){suffix} ↓"),
        autorange="reversed",
        type="category",
        tickfont=font("tick"),
    )
    fig.update_layout(chart_layout(title, int(np.clip(34 * q + 260, 420, 1000))))


def bias_heads_figure(grids: np.ndarray, title: str, n_cols: int = 4) -> go.Figure:
    """The learned bias B[dy, dx] per head, (H, 2M - 1, 2M - 1), on one blue-red scale centred at 0."""
    grids = np.asarray(grids, dtype=np.float32)
    n_heads, side, _ = grids.shape
    window = (side + 1) // 2
    offsets = list(range(-(window - 1), window))
    n_cols = min(n_cols, n_heads)
    layout, refs = grid_layout(n_heads, n_cols, gap=0.04)
    bound = float(np.abs(grids).max()) or 1.0
    data, annotations = [], []
    for h, (xref, yref) in enumerate(refs):
        data.append(
            dict(
                type="heatmap",
                z=grids[h],
                x=offsets,
                y=offsets,
                zmin=-bound,
                zmax=bound,
                colorscale=DIVERGING,
                showscale=h == 0,
                xaxis=xref,
                yaxis=yref,
                colorbar=dict(title=dict(text="bias")),
                hovertemplate=f"head {h + 1}<br>dy=%{{y}}, dx=%{{x}}<br>bias %{{z:.3f}}<extra></extra>",
            )
        )
        x_axis, y_axis = panel_axes(layout, (xref, yref))
        x_axis.update(showticklabels=True)
        y_axis.update(showticklabels=True, scaleanchor=xref)
        if h == bottom_left(n_heads, n_cols):  # the axes named once, on the panel that starts the last row
            x_axis.update(title=dict(text="dx (query − key column)"))
            y_axis.update(title=dict(text="dy (query − key row)"))
        annotations.append(panel_title(f"head {h + 1}", x_axis, y_axis))
    n_rows = int(np.ceil(n_heads / n_cols))
    layout.update(chart_layout(title, 300 * n_rows + 100, top=70, annotations=annotations))
    return figure(dict(data=data, layout=layout))


def window_attention_figure(
    pixels: np.ndarray,
    heats: np.ndarray,
    status: np.ndarray,
    panel_titles: list[str],
    selected: tuple[int, int],
    window_box: tuple[int, int, int, int] | None,
    title: str,
    n_cols: int = 4,
) -> go.Figure:
    """What one token attends to inside its window, one panel per head (and the mean).

    Args:
        heats: (P, h, w) weights on the keys of the query's window, NaN elsewhere.
        status: (h, w) 0 outside the window, 1 same region, 2 in the window but masked (weight 0).
        selected: (row, column), 0-based, of the query token.
        window_box: (row0, col0, row1, col1) in tokens of the query's window when it is one rectangle
            (regular windows), else None.
    """
    heats = np.asarray(heats, dtype=np.float32)
    n_panels, tokens, _ = heats.shape
    size = pixels.shape[0]
    unit = size / tokens
    n_cols = min(n_cols, n_panels)
    layout, refs = grid_layout(n_panels, n_cols, gap=0.03)
    background = image_layer(greyed(pixels))  # in grey under the coloured map, encoded once for all panels
    rows, cols = np.mgrid[0:tokens, 0:tokens]
    outside = np.where(status == 0, 1.0, np.nan)
    masked_r, masked_c = np.nonzero(status == 2)
    zmax = float(np.nanmax(heats)) if np.isfinite(heats).any() else 1.0
    data, annotations, shapes = [], [], []
    for p, (xref, yref) in enumerate(refs):
        data.append({**background, "xaxis": xref, "yaxis": yref})
        data.append(
            cell_heatmap(
                outside,
                unit,
                xaxis=xref,
                yaxis=yref,
                colorscale=[[0, "rgba(0,0,0,0.6)"], [1, "rgba(0,0,0,0.6)"]],
                showscale=False,
                hoverinfo="skip",
            )
        )
        data.append(
            cell_heatmap(
                heats[p],
                unit,
                xaxis=xref,
                yaxis=yref,
                zmin=0,
                zmax=zmax,
                colorscale=OVERLAY_COLORSCALE,
                showscale=p == 0,
                colorbar=dict(title=dict(text="weight")),
                customdata=np.stack([rows + 1, cols + 1], axis=-1),
                hovertemplate=f"{panel_titles[p]}<br>key row %{{customdata[0]}}, column "
                "%{customdata[1]}<br>weight %{z:.4f}<extra></extra>",
            )
        )
        if len(masked_r):
            data.append(
                dict(
                    type="scatter",
                    x=(masked_c + 0.5) * unit,
                    y=(masked_r + 0.5) * unit,
                    mode="markers",
                    xaxis=xref,
                    yaxis=yref,
                    marker=dict(symbol="x-thin", size=max(6, unit * 0.6), line=dict(color="white", width=2)),
                    name="masked: other region (weight 0)",
                    showlegend=p == 0,
                    hoverinfo="skip",
                )
            )
        r, c = selected
        panel = dict(xref=xref, yref=yref)
        shapes.append(outline(c * unit, r * unit, (c + 1) * unit, (r + 1) * unit, QUERY_OUTLINE, **panel))
        if window_box is not None:
            r0, c0, r1, c1 = window_box
            shapes.append(outline(c0 * unit, r0 * unit, c1 * unit, r1 * unit, "white", 2, "dot", **panel))
        annotations.append(picture_panel(layout, (xref, yref), size, size, panel_titles[p]))
    title_pixel_panels(layout, refs, n_cols)
    n_rows = int(np.ceil(n_panels / n_cols))
    layout.update(
        chart_layout(
            title,
            300 * n_rows + 120,
            top=70,
            annotations=annotations,
            shapes=shapes,
            legend=dict(orientation="h", y=-0.05),
        )
    )
    return figure(dict(data=data, layout=layout))


def stage_maps_figure(maps: list[np.ndarray], titles: list[str], size: int, title: str) -> go.Figure:
    """Per stage, an (h, w, 3) map in [0, 1] blown up to ``size`` pixels: the stages side by side."""
    n = len(maps)
    layout, refs = grid_layout(n, n, gap=0.03)
    data, annotations = [], []
    for p, ((xref, yref), rgb) in enumerate(zip(refs, maps)):
        h = rgb.shape[0]
        scale = max(1, size // h)
        pixels = np.rint(np.clip(rgb, 0, 1) * 255).astype(np.uint8).repeat(scale, 0).repeat(scale, 1)
        data.append(image_layer(pixels, xref, yref))
        unit = pixels.shape[0] / h
        if h <= 32:
            grid = [i * unit for i in range(h + 1)]
            data.append({**grid_lines(grid, grid, "rgba(255,255,255,0.5)", 1), "xaxis": xref, "yaxis": yref})
        annotations.append(picture_panel(layout, (xref, yref), pixels.shape[1], pixels.shape[0], titles[p]))
        x_axis, y_axis = panel_axes(layout, (xref, yref))
        x_axis.update(title=dict(text="tokens →"))
        y_axis.update(title=dict(text="tokens ↓") if p == 0 else None)
    layout.update(chart_layout(title, 360, top=70, annotations=annotations))
    return figure(dict(data=data, layout=layout))


def pyramid_figure(table: pd.DataFrame, title: str) -> go.Figure:
    """The feature-map pyramid to scale: one square per stage, side = tokens per side, labelled h x w x C.

    ``table`` is :func:`viz.analysis.swin.stage_table`'s output.
    """
    sides = table["height"].to_numpy()
    gap = max(2.0, float(sides.max()) * 0.35)  # room for each stage's two-line label under small squares
    starts = np.concatenate([[0.0], np.cumsum(sides[:-1] + gap)])
    fig = figure()
    for k, (start, row) in enumerate(zip(starts, table.to_dict("records"))):
        side = float(row["height"])
        colour = category(k)
        fig.add_shape(
            type="rect",
            x0=start,
            x1=start + side,
            y0=0,
            y1=side,
            line=dict(color=colour, width=2),
            fillcolor=rgba(colour, 0.25),
        )
        fig.add_trace(
            go.Scatter(
                x=[start + side / 2],
                y=[side],
                mode="markers",
                marker=dict(color=colour, size=1),
                showlegend=False,
                hovertemplate=(
                    f"stage {row['stage']}<br>{row['height']} x {row['width']} tokens, "
                    f"C = {row['channels C']}"
                    f"<br>{row['downsampling (pixels per token)']} pixels per token, {row['heads']} heads, "
                    f"{row['blocks']} blocks<extra></extra>"
                ),
            )
        )
    top = float(sides.max()) * 1.1
    fig.update_xaxes(
        title=dict(text="stages, left to right (each square drawn to scale: tokens per side)"),
        tickmode="array",
        tickvals=list(starts + sides / 2),
        ticktext=[f"stage {r['stage']}<br>{r['feature map']}" for r in table.to_dict("records")],
        range=[-gap / 2, float(starts[-1] + sides[-1] + gap / 2)],
        showgrid=False,
        zeroline=False,
        constrain="domain",
    )
    # one token is as long on both axes (squares stay square), and the plot shrinks to fit rather than the
    # y axis running below zero
    fig.update_yaxes(
        title=dict(text="tokens per side"),
        range=[0, top],
        scaleanchor="x",
        scaleratio=1,
        constrain="domain",
        showgrid=True,
        zeroline=False,
    )
    return fig.update_layout(chart_layout(title, 380))


def cost_figure(
    table: pd.DataFrame,
    crossover_side: float,
    window: int,
    channels: int,
    marked_side: int | None,
    title: str,
) -> go.Figure:
    """ViT's global attention against Swin's window attention, FLOPs against image side, log scale.

    ``table`` is :func:`viz.analysis.swin.cost_table`'s output; the crossover (hw = M^2) is marked.
    """
    x = table["image side (px)"]
    fig = figure()
    for column, colour, dash, name in (
        ("ViT global MSA (GFLOPs)", BLUE, "solid", "ViT: 4hwC² + 2(hw)²C"),
        ("Swin window MSA (GFLOPs)", ORANGE, "dash", "Swin: 4hwC² + 2M²hwC"),
    ):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=table[column],
                mode="lines",
                name=name,
                line=dict(color=colour, width=3, dash=dash),
                customdata=np.stack([table["tokens hw"], table["ViT / Swin"]], axis=-1),
                hovertemplate=(
                    f"{name}<br>image %{{x}} px, %{{customdata[0]:,}} tokens<br>%{{y:.3g}} GFLOPs"
                    "<br>ViT / Swin = %{customdata[1]:.2f}<extra></extra>"
                ),
            )
        )
    fig.add_shape(  # a vertical line across the plot at the crossover
        type="line",
        x0=crossover_side,
        x1=crossover_side,
        xref="x",
        y0=0,
        y1=1,
        yref="y domain",
        line=dict(color=VERMILLION, width=2, dash="dot"),
    )
    fig.add_annotation(
        x=crossover_side,
        y=1,
        yref="paper",
        showarrow=False,
        xanchor="left",
        yanchor="top",
        text=f" crossover: hw = M² = {window * window} tokens<br> (image side {crossover_side:g} px)",
        font=dict(color=VERMILLION),
    )
    if marked_side is not None:
        row = table.iloc[int(np.argmin(np.abs(x.to_numpy() - marked_side)))]
        fig.add_trace(
            go.Scatter(
                x=[row["image side (px)"]] * 2,
                y=[row["ViT global MSA (GFLOPs)"], row["Swin window MSA (GFLOPs)"]],
                mode="markers",
                marker=dict(color=[BLUE, ORANGE], size=12, symbol=["circle", "diamond"]),
                name=f"{int(row['image side (px)'])} px: ViT / Swin = {row['ViT / Swin']:.1f}x",
                showlegend=True,
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(title=dict(text="image side (pixels; square images)"))
    fig.update_yaxes(
        title=dict(text=f"attention cost of one layer (GFLOPs, log scale; C = {channels})"),
        type="log",
        exponentformat="power",
    )
    return fig.update_layout(chart_layout(title, 440, legend=dict(orientation="h", y=-0.2)))
