"""Figures for the Vision Transformer pages: images with their patch grid, patch mosaics, attention overlays.

Images travel as compact PNG data URIs (``go.Image(source=...)``); the numbers a student reads (attention,
similarity, probabilities) travel as plain heatmap or bar data. Colours, scales and the axes of a picture
are :mod:`viz.figures.style`'s (viridis for magnitudes, Okabe-Ito for categories). No torch, no streamlit.
"""

from __future__ import annotations

import base64
import html
import io
import unicodedata

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from viz.figures.style import (
    BLUE,
    CATEGORY,
    DIVERGING,
    HEAT_COLORSCALE,
    OVERLAY_COLORSCALE,
    QKV_COLOURS,
    SELECTED_COLOUR,
    array_ticks,
    category,
    chart_layout,
    figure,
    font,
    grid_layout,
    picture_panel,
    pixel_axes,
    title_pixel_panels,
)

GRID_COLOUR = "rgba(255, 255, 255, 0.85)"
GRID_HALO = "rgba(0, 0, 0, 0.45)"
#: Patch numbers: dark on a pale square, readable over any picture.
NUMBER_COLOUR, NUMBER_BACKGROUND = "#1B1F24", "rgba(255, 255, 255, 0.6)"
#: The query patch or token outlined on an attention map: the queries' colour, apart from the warm scale.
QUERY_OUTLINE = QKV_COLOURS["q"]


def png_data_uri(pixels: np.ndarray) -> str:
    """(H, W, 3) uint8 -> a ``data:image/png;base64,...`` URI."""
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) uint8 image, got {pixels.shape} {pixels.dtype}")
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def greyed(pixels: np.ndarray, keep: float = 0.55) -> np.ndarray:
    """(H, W, 3) uint8 desaturated and dimmed: its luminance (Rec. 601), ``keep`` of it mixed with white.

    A map drawn over it in colour (:data:`viz.figures.style.OVERLAY_COLORSCALE`) is never hidden by the
    picture's own colours (a teal shape under a teal scale) and the picture stays readable under it."""
    pixels = np.asarray(pixels)
    luminance = pixels[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    grey = np.rint(keep * luminance + (1 - keep) * 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=-1)


def image_layer(pixels: np.ndarray, xaxis: str = "x", yaxis: str = "y", max_side: int | None = None) -> dict:
    """An image placed on pixel coordinates of ``pixels``; sent at most ``max_side`` pixels wide (a smaller
    copy, stretched back to the same coordinates) to keep grids of many panels light."""
    height, width = pixels.shape[:2]
    scale = 1.0
    if max_side and max(height, width) > max_side:
        scale = max(height, width) / max_side
        size = (max(1, round(width / scale)), max(1, round(height / scale)))
        pixels = np.asarray(Image.fromarray(pixels).resize(size, Image.BILINEAR))
        scale = width / size[0]
    return dict(
        type="image",
        source=png_data_uri(pixels),
        x0=0,
        y0=0,
        dx=scale,
        dy=scale,
        xaxis=xaxis,
        yaxis=yaxis,
        hoverinfo="skip",
    )


def cell_heatmap(z: np.ndarray, unit: float, **trace) -> dict:
    """A heatmap of one cell per patch or token over a picture: cell (i, j) covers pixels ``unit`` wide."""
    return dict(type="heatmap", z=z, x0=unit / 2, dx=unit, y0=unit / 2, dy=unit, **trace)


def grid_lines(
    xs, ys, colour: str, width: float, extent: tuple[float, float, float, float] | None = None
) -> dict:
    """One scatter trace drawing vertical lines at ``xs`` and horizontal lines at ``ys`` (None breaks the line
    between segments), spanning ``extent`` = (left, right, top, bottom), by default the box they bound."""
    xs, ys = list(xs), list(ys)
    x0, x1, y0, y1 = extent or (min(xs), max(xs), min(ys), max(ys))
    line_x, line_y = [], []
    for x in xs:
        line_x += [x, x, None]
        line_y += [y0, y1, None]
    for y in ys:
        line_x += [x0, x1, None]
        line_y += [y, y, None]
    return dict(
        type="scatter",
        x=line_x,
        y=line_y,
        mode="lines",
        line=dict(color=colour, width=width),
        hoverinfo="skip",
        showlegend=False,
    )


def _patch_grid(width: int, height: int, patch_size: int) -> dict:
    """Every patch border over a ``width`` x ``height`` picture."""
    xs, ys = range(0, width + 1, patch_size), range(0, height + 1, patch_size)
    return grid_lines(xs, ys, GRID_COLOUR, 1, extent=(0, width, 0, height))


def _patch_grid_halo(width: int, height: int, patch_size: int) -> dict:
    """A dark band under :func:`_patch_grid`'s white lines: the grid shows on white pictures and dark ones."""
    xs, ys = range(0, width + 1, patch_size), range(0, height + 1, patch_size)
    return grid_lines(xs, ys, GRID_HALO, 3, extent=(0, width, 0, height))


def outline(
    left: float,
    top: float,
    right: float,
    bottom: float,
    colour: str,
    width: float = 3,
    dash: str = "",
    **refs,
) -> dict:
    """A rectangle outline (a layout shape); ``refs``: the ``xref`` and ``yref`` of a panel, if in one."""
    line = dict(color=colour, width=width, dash=dash) if dash else dict(color=colour, width=width)
    return dict(type="rect", **refs, x0=left, y0=top, x1=right, y1=bottom, line=line)


def _picture(fig: go.Figure, width: int, height: int, title: str, height_px: int = 360) -> go.Figure:
    """Pixel axes and the standard layout of a single picture."""
    pixel_axes(fig, width, height)
    return fig.update_layout(chart_layout(title, height_px))


def image_with_crop(pixels: np.ndarray, box: tuple[int, int, int, int], title: str) -> go.Figure:
    """The input image with the square the model reads outlined."""
    height, width = pixels.shape[:2]
    fig = figure(image_layer(pixels))
    fig.add_shape(outline(*box, SELECTED_COLOUR))
    return _picture(fig, width, height, title)


def image_with_grid(pixels: np.ndarray, patch_size: int, title: str, numbered: bool = True) -> go.Figure:
    """The model's view with the patch grid drawn over it; hovering a patch names its index, row and column."""
    height, width = pixels.shape[:2]
    grid_h, grid_w = height // patch_size, width // patch_size
    fig = figure(
        [
            image_layer(pixels),
            _patch_grid_halo(width, height, patch_size),
            _patch_grid(width, height, patch_size),
        ]
    )
    centres = (np.arange(grid_w) + 0.5) * patch_size
    rows, cols = np.mgrid[0:grid_h, 0:grid_w]
    numbers = numbered and grid_w <= 16
    fig.add_trace(
        go.Scatter(
            x=np.tile(centres, grid_h),
            y=np.repeat((np.arange(grid_h) + 0.5) * patch_size, grid_w),
            mode="markers+text" if numbers else "markers",
            text=[str(i + 1) for i in range(grid_h * grid_w)],
            textfont=font("cell", color=NUMBER_COLOUR),
            marker=dict(
                symbol="square",
                size=22,
                color=NUMBER_BACKGROUND if numbers else "rgba(0,0,0,0)",
                line=dict(width=0),
            ),
            customdata=np.stack([rows.ravel() + 1, cols.ravel() + 1], axis=1),
            hovertemplate="patch %{text}: row %{customdata[0]}, column %{customdata[1]}<extra></extra>",
            showlegend=False,
        )
    )
    return _picture(fig, width, height, title)


def mosaic(tiles: np.ndarray, per_row: int, gap: int = 1, background: int = 255) -> np.ndarray:
    """(n, h, w, 3) uint8 tiles -> one (rows * (h + gap) - gap, per_row * (w + gap) - gap, 3) image."""
    n, h, w, _ = tiles.shape
    rows = int(np.ceil(n / per_row))
    out = np.full((rows * (h + gap) - gap, per_row * (w + gap) - gap, 3), background, dtype=np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, per_row)
        out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = tile
    return out


def patch_sequence(patches: np.ndarray, title: str, per_row: int = 16, scale: int = 1) -> go.Figure:
    """The patches, in reading order, laid out as a sequence of small pictures (wrapped every ``per_row``)."""
    patches = np.asarray(patches)
    n = patches.shape[0]
    if scale > 1:
        patches = patches.repeat(scale, axis=1).repeat(scale, axis=2)
    gap = max(2, patches.shape[1] // 8)
    # mid-grey gaps: the patches' edges stay visible on a white drawing and on a dark photograph alike
    image = mosaic(patches, per_row, gap=gap, background=128)
    step = patches.shape[1] + gap
    fig = figure(image_layer(image))
    first_of_row = list(range(0, n, per_row))
    across = range(min(per_row, n))
    pixel_axes(
        fig,
        image.shape[1],
        image.shape[0],
        x=dict(
            title=dict(text="position in the sequence (patch number)"),
            **array_ticks([str(k + 1) for k in across], [(k + 0.5) * step for k in across]),
        ),
        y=dict(
            title=dict(text="rows"),  # short: a long title on a two-row strip ran into the chart's title
            **array_ticks(
                [f"{i + 1}-{min(i + per_row, n)}" for i in first_of_row],
                [(k + 0.5) * step for k in range(len(first_of_row))],
            ),
        ),
    )
    return fig.update_layout(chart_layout(title, max(220, min(560, 60 + 40 * len(first_of_row)))))


def flattened_patches(patches: np.ndarray, patch_size: int, title: str, max_patches: int = 64) -> go.Figure:
    """Each patch flattened to P * P * C numbers, one row per patch (the matrix the projection multiplies)."""
    patches = np.asarray(patches, dtype=np.float32)
    shown = patches[:max_patches]
    n, length = shown.shape
    channels = length // patch_size**2
    colours = "RGB" if channels == 3 else "".join(f"c{i}" for i in range(channels))
    fig = figure(
        go.Heatmap(
            z=shown,
            x=np.arange(length),
            y=np.arange(1, n + 1),
            colorscale=HEAT_COLORSCALE,
            colorbar=dict(title=dict(text="value")),
            hovertemplate="patch %{y}, entry %{x}<br>value %{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(
        title=dict(
            text=f"entry of the flattened patch (pixel by pixel, {colours} per pixel): "
            f"{patch_size} x {patch_size} x {channels} = {length} numbers"
        )
    )
    fig.update_yaxes(title=dict(text="patch number"), autorange="reversed")
    return fig.update_layout(chart_layout(title, 380))


def filter_gallery(images: np.ndarray, ratios: np.ndarray, title: str, per_row: int = 7) -> go.Figure:
    """(k, P, P, C) filter images in [0, 1] as a mosaic; hover tells the component's share of variance."""
    images = np.asarray(images)
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    tiles = np.rint(images[..., :3] * 255).astype(np.uint8)
    scale = max(1, 48 // tiles.shape[1])
    tiles = tiles.repeat(scale, axis=1).repeat(scale, axis=2)
    gap = 4
    image = mosaic(tiles, per_row, gap=gap)
    step = tiles.shape[1] + gap
    k = len(tiles)
    fig = figure(image_layer(image))
    fig.add_trace(
        go.Scatter(
            x=[(i % per_row + 0.5) * step for i in range(k)],
            y=[(i // per_row + 0.5) * step for i in range(k)],
            mode="markers",
            marker=dict(color="rgba(0,0,0,0)", size=20),
            showlegend=False,
            text=[f"component {i + 1}: {r:.1%} of the variance" for i, r in enumerate(ratios)],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    pixel_axes(
        fig,
        image.shape[1],
        image.shape[0],
        x=dict(title=dict(text="principal component (left to right, then down)"), showticklabels=False),
        y=dict(title=dict(text=f"{per_row} per row"), showticklabels=False),
    )
    return fig.update_layout(chart_layout(title, 360))


def rgb_patch_map(rgb: np.ndarray, patch_size: int, title: str) -> go.Figure:
    """A (grid_h, grid_w, 3) map in [0, 1] blown up to pixel size, with the patch grid."""
    pixels = np.rint(np.asarray(rgb) * 255).astype(np.uint8).repeat(patch_size, 0).repeat(patch_size, 1)
    height, width = pixels.shape[:2]
    fig = figure(
        [
            image_layer(pixels),
            _patch_grid_halo(width, height, patch_size),
            _patch_grid(width, height, patch_size),
        ]
    )
    return _picture(fig, width, height, title)


def similarity_mosaic(similarity: np.ndarray, grid: tuple[int, int], title: str) -> go.Figure:
    """The ViT paper's figure: for every patch position, a small map of its embedding's cosine similarity
    to every other position's, laid out where the patch sits. (N, N) -> one heatmap of grid x grid maps."""
    grid_h, grid_w = grid
    n = grid_h * grid_w
    similarity = np.asarray(similarity, dtype=np.float32)
    if similarity.shape != (n, n):
        raise ValueError(f"similarity {similarity.shape} does not match a {grid_h} x {grid_w} grid")
    cell_h, cell_w = grid_h + 1, grid_w + 1  # one blank row and column between maps
    z = np.full((grid_h * cell_h - 1, grid_w * cell_w - 1), np.nan, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, grid_w)
        z[r * cell_h : r * cell_h + grid_h, c * cell_w : c * cell_w + grid_w] = similarity[i].reshape(
            grid_h, grid_w
        )
    fig = figure(
        go.Heatmap(
            z=z,
            colorscale=DIVERGING,  # a cosine: 0 (unrelated) is a real zero
            zmin=-1,
            zmax=1,
            colorbar=dict(title=dict(text="cosine<br>similarity")),
            hovertemplate="similarity %{z:.2f}<extra></extra>",
            hoverongaps=False,
        )
    )
    centres_x = [c * cell_w + (grid_w - 1) / 2 for c in range(grid_w)]
    centres_y = [r * cell_h + (grid_h - 1) / 2 for r in range(grid_h)]
    pixel_axes(  # cells, not pixels: the axes of a picture all the same
        fig,
        None,
        None,
        x=dict(
            title=dict(text="input patch column"),
            **array_ticks([str(c + 1) for c in range(grid_w)], centres_x),
        ),
        y=dict(
            title=dict(text="input patch row"), **array_ticks([str(r + 1) for r in range(grid_h)], centres_y)
        ),
    )
    return fig.update_layout(chart_layout(title, 620))


def _heat_trace(
    heat: np.ndarray,
    patch_size: int,
    zmax: float | None,
    opacity: float,
    show_scale: bool,
    xaxis: str = "x",
    yaxis: str = "y",
    label: str = "weight",
) -> dict:
    heat = np.asarray(heat, dtype=np.float32)
    grid_h, grid_w = heat.shape
    rows, cols = np.mgrid[1 : grid_h + 1, 1 : grid_w + 1]
    return cell_heatmap(
        heat,
        patch_size,
        zmin=0,
        zmax=float(heat.max()) if zmax is None else zmax,
        colorscale=OVERLAY_COLORSCALE,
        opacity=opacity,
        showscale=show_scale,
        colorbar=dict(title=dict(text=label)),
        xaxis=xaxis,
        yaxis=yaxis,
        zsmooth=False,
        customdata=np.stack([rows, cols], axis=-1),
        hovertemplate=f"patch row %{{customdata[0]}}, column %{{customdata[1]}}<br>{label} %{{z:.4f}}<extra></extra>",
    )


def attention_overlay(
    pixels: np.ndarray,
    heat: np.ndarray,
    patch_size: int,
    title: str,
    opacity: float = 1.0,
    selected: tuple[int, int] | None = None,
    label: str = "weight",
) -> go.Figure:
    """A (grid_h, grid_w) map over the image, one coloured square per patch (hover for the value).

    Args:
        selected: (row, column), 0-based, of a patch to outline (the query patch).
    """
    height, width = pixels.shape[:2]
    heat = np.asarray(heat)
    if heat.shape != (height // patch_size, width // patch_size):
        raise ValueError(
            f"map {heat.shape} does not fit a {height} x {width} image of {patch_size}-pixel patches"
        )
    background = image_layer(greyed(pixels))  # the map in colour over the picture in grey
    fig = figure([background, _heat_trace(heat, patch_size, None, opacity, True, label=label)])
    if selected is not None:
        r, c = selected
        fig.add_shape(
            outline(c * patch_size, r * patch_size, (c + 1) * patch_size, (r + 1) * patch_size, QUERY_OUTLINE)
        )
    return _picture(fig, width, height, title, 420)


def heads_overlay_grid(
    pixels: np.ndarray, heats: np.ndarray, patch_size: int, title: str, n_cols: int = 4, opacity: float = 1.0
) -> go.Figure:
    """One small overlay per head, (H, grid_h, grid_w) maps, each on its own colour scale (hover for values)."""
    heats = np.asarray(heats)
    n_heads = heats.shape[0]
    height, width = pixels.shape[:2]
    layout, refs = grid_layout(n_heads, n_cols, gap=0.02)
    background = image_layer(greyed(pixels), max_side=112)  # one small grey copy, shared by every panel
    data, annotations = [], []
    for h, (xref, yref) in enumerate(refs):
        data.append({**background, "xaxis": xref, "yaxis": yref})
        trace = _heat_trace(heats[h], patch_size, None, opacity, False, xref, yref)
        trace["hovertemplate"] = f"head {h + 1}<br>" + trace["hovertemplate"]
        data.append(trace)
        annotations.append(picture_panel(layout, (xref, yref), width, height, f"head {h + 1}"))
    title_pixel_panels(layout, refs, n_cols)
    annotations.append(
        dict(
            text="darker red = more attention (each head on its own scale; hover for the weight)",
            xref="paper",
            yref="paper",
            x=0.5,
            y=-0.02,
            showarrow=False,
            yanchor="top",
        )
    )
    n_rows = int(np.ceil(n_heads / n_cols))
    layout.update(chart_layout(title, 230 * n_rows + 110, top=60, bottom=40, annotations=annotations))
    return figure(dict(data=data, layout=layout))


def attention_distance_figure(distance: np.ndarray, title: str, unit: str = "pixels") -> go.Figure:
    """(L, H) mean attention distance: one point per head, layers along x (the ViT paper's fig. 7, right)."""
    distance = np.asarray(distance)
    n_layers, n_heads = distance.shape
    fig = figure()
    for h in range(n_heads):
        fig.add_trace(
            go.Scatter(
                x=np.arange(1, n_layers + 1),
                y=distance[:, h],
                mode="markers",
                name=f"head {h + 1}",
                marker=dict(color=category(h), size=9, symbol=h // len(CATEGORY)),
                hovertemplate=f"layer %{{x}}, head {h + 1}<br>mean distance %{{y:.1f}} {unit}<extra></extra>",
            )
        )
    fig.update_xaxes(title=dict(text="layer (network depth)"), dtick=1)
    fig.update_yaxes(title=dict(text=f"mean attention distance ({unit})"), rangemode="tozero")
    return fig.update_layout(chart_layout(title, 380, legend=dict(title=dict(text="head"))))


def class_label(name: str, max_len: int = 40) -> str:
    """A class name as chart text: control characters dropped, cut to ``max_len``, HTML-escaped
    (spaces stay spaces: "tabby cat", not a token's visible-space form)."""
    name = "".join(ch for ch in str(name) if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    if len(name) > max_len:
        name = name[: max_len - 1] + "…"
    return html.escape(name or "?", quote=False)


def top_k_figure(top: list[tuple[str, float]], title: str) -> go.Figure:
    """Horizontal bars of the top classes, best at the top; class names are escaped."""
    names = [class_label(name) for name, _ in top]
    probs = [p for _, p in top]
    fig = figure(
        go.Bar(
            x=probs,
            y=names,
            orientation="h",
            marker_color=BLUE,
            text=[f"{p:.1%}" for p in probs],
            textposition="auto",
            hovertemplate="%{y}: %{x:.2%}<extra></extra>",
        )
    )
    fig.update_xaxes(title=dict(text="probability"), range=[0, 1], tickformat=".0%")
    fig.update_yaxes(title=dict(text="class"), autorange="reversed")
    return fig.update_layout(chart_layout(title, 120 + 36 * len(top)))
