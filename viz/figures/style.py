"""The one style every figure uses: colours, colour scales, shared axis texts, the slim layout of a titled
chart, the axes of a picture and the hand-laid grid of small panels.

Colours are Okabe and Ito's eight, readable with the common colour-vision deficiencies. Categories (heads,
classes, families, fields, stages, regions) take them in the order of :data:`CATEGORY`: blue, vermillion,
bluish green, reddish purple, orange, sky blue, black, yellow. Two orders were in use before this module;
the one of the text pages (attention heads, layer-wise charts, the vision results and the timeline) is kept,
as its first two colours differ most. The ViT and Swin figures had orange second: there the mean-distance
chart's heads, the window tints, the stage squares and the regions of a shifted window change colour, and
line charts swap black and yellow. No data changes. Attention is drawn in one sequential scale everywhere
(:data:`ATTENTION_COLORSCALE`, with a contrast option for long inputs: :func:`attention_colorscale`), other
magnitudes in viridis, signed values on a blue-red scale centred at 0 (only where 0 means something).

Import-light on purpose (no plotly, no numpy): the favicon (:mod:`viz.ui.icon`) takes its blue from here
before any page has loaded plotly.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

# the type scale has its own module (spec.py uses it when a figure is sent); every figure takes it from here
from viz.figures.typescale import FONT_FLOOR as FONT_FLOOR
from viz.figures.typescale import PRESENTER_SCALE as PRESENTER_SCALE
from viz.figures.typescale import PRESENTER_WIDTH_GAIN as PRESENTER_WIDTH_GAIN
from viz.figures.typescale import TITLE_WRAP as TITLE_WRAP
from viz.figures.typescale import TYPE_SCALE as TYPE_SCALE
from viz.figures.typescale import apply_type_scale as apply_type_scale
from viz.figures.typescale import font as font
from viz.figures.typescale import wrap_title as wrap_title

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from viz.figures.spec import Figure

# Okabe-Ito, by name
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#009E73"  # bluish green
PURPLE = "#CC79A7"  # reddish purple
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLACK = "#000000"
YELLOW = "#F0E442"
#: Okabe-Ito in the order categories take it.
CATEGORY = (BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY_BLUE, BLACK, YELLOW)
#: Paul Tol's muted colours, after :data:`CATEGORY` where more than eight categories need telling apart.
MORE_CATEGORY = ("#882255", "#117733", "#999933", "#6699CC", "#AA4499", "#44AA99", "#DDCC77", "#332288")
GREY = "#999999"  # a ninth, neutral category
WHITE = "#FFFFFF"
SELECTED_COLOUR = ORANGE  # the chosen patch, token or query outlined on a picture
#: One fixed colour each for queries, keys and values in every figure (the Illustrated Transformer's habit).
QKV_COLOURS = {"q": BLUE, "k": VERMILLION, "v": GREEN}

# The colour scales are written out (plotly's "Blues", "Viridis" and "RdBu_r"): figures are built without
# plotly's validation (:func:`figure`), which is what turns a scale's name into its colours.
#: Attention weights everywhere (text and images, 0 to 1) and other matrices that are never negative: one
#: sequential scale, white (no attention) through yellow and orange to dark red (ColorBrewer's YlOrRd). It
#: reads as a heatmap on white and, over a greyed picture (:data:`OVERLAY_COLORSCALE`), no photograph's
#: colours can hide it.
ATTENTION_COLORSCALE = [
    [0.0, "rgb(255,255,255)"],
    [0.1, "rgb(255,255,204)"],
    [0.2125, "rgb(255,237,160)"],
    [0.325, "rgb(254,217,118)"],
    [0.4375, "rgb(254,178,76)"],
    [0.55, "rgb(253,141,60)"],
    [0.6625, "rgb(252,78,42)"],
    [0.775, "rgb(227,26,28)"],
    [0.8875, "rgb(189,0,38)"],
    [1.0, "rgb(128,0,38)"],
]
#: Magnitudes: pixel values, similarities, attention on images.
HEAT_COLORSCALE = [
    [0.0, "#440154"],
    [0.1111111111111111, "#482878"],
    [0.2222222222222222, "#3e4989"],
    [0.3333333333333333, "#31688e"],
    [0.4444444444444444, "#26828e"],
    [0.5555555555555556, "#1f9e89"],
    [0.6666666666666666, "#35b779"],
    [0.7777777777777778, "#6ece58"],
    [0.8888888888888888, "#b5de2b"],
    [1.0, "#fde725"],
]
#: :data:`ATTENTION_COLORSCALE` whose low end is transparent, drawn over a greyed picture
#: (:func:`viz.figures.vision.greyed`): weak attention leaves the picture visible, strong attention covers it.
OVERLAY_COLORSCALE = [
    [0.0, "rgba(255,255,204,0.0)"],
    [0.2, "rgba(254,217,118,0.45)"],
    [0.4, "rgba(254,178,76,0.65)"],
    [0.6, "rgba(252,78,42,0.78)"],
    [0.8, "rgba(227,26,28,0.86)"],
    [1.0, "rgba(128,0,38,0.92)"],
]
#: Signed values: blue negative, red positive.
DIVERGING = [
    [0.0, "rgb(5,48,97)"],
    [0.1, "rgb(33,102,172)"],
    [0.2, "rgb(67,147,195)"],
    [0.3, "rgb(146,197,222)"],
    [0.4, "rgb(209,229,240)"],
    [0.5, "rgb(247,247,247)"],
    [0.6, "rgb(253,219,199)"],
    [0.7, "rgb(244,165,130)"],
    [0.8, "rgb(214,96,77)"],
    [0.9, "rgb(178,24,43)"],
    [1.0, "rgb(103,0,31)"],
]
#: An additive mask drawn as 0 (white) or 1 (dark grey: −∞, the key hidden).
MASK_COLORSCALE = [[0.0, WHITE], [0.5, WHITE], [0.5, "#56595E"], [1.0, "#56595E"]]


#: How attention weights map to colour: "linear" (the weight), "sqrt" or "log" (small weights of long
#: inputs made visible). The hover always shows the true weight: only the colour scale's stops move.
CONTRASTS = ("linear", "sqrt", "log")
_LOG_EPS = 0.01  # "log" maps w in [0, 1] to log(1 + w / eps) / log(1 + 1 / eps)


def _colour_stops(scale: list) -> tuple[list[float], list[tuple[float, ...]]]:
    positions, colours = [], []
    for position, colour in scale:
        positions.append(float(position))
        if colour.startswith("#"):
            colours.append((*rgb(colour), 1.0))
        else:
            parts = [float(v) for v in colour[colour.index("(") + 1 : -1].split(",")]
            colours.append(tuple(parts) if len(parts) == 4 else (*parts, 1.0))
    return positions, colours


def _colour_at(scale: list, p: float) -> str:
    """The colour of ``scale`` at position ``p`` in [0, 1] (linear in RGB between stops)."""
    positions, colours = _colour_stops(scale)
    k = max(0, min(len(positions) - 2, next((i for i, x in enumerate(positions) if x >= p), 1) - 1))
    t = (p - positions[k]) / (positions[k + 1] - positions[k]) if positions[k + 1] > positions[k] else 0.0
    t = min(1.0, max(0.0, t))
    mixed = [a + (b - a) * t for a, b in zip(colours[k], colours[k + 1])]
    r, g, b, alpha = (round(mixed[0]), round(mixed[1]), round(mixed[2]), round(mixed[3], 3))
    return f"rgba({r},{g},{b},{alpha})" if alpha < 1 else f"rgb({r},{g},{b})"


def contrast_inverse(contrast: str, p: float) -> float:
    """The weight (0 to 1) that ``contrast`` draws at position ``p`` of the colour scale."""
    if contrast == "sqrt":
        return p * p
    if contrast == "log":
        return _LOG_EPS * ((1 + 1 / _LOG_EPS) ** p - 1)
    return p


def attention_colorscale(contrast: str = "linear", scale: list | None = None, n_stops: int = 24) -> list:
    """:data:`ATTENTION_COLORSCALE` (or ``scale``) with its colours moved so that weight w gets the colour of
    sqrt(w) ("sqrt") or of log(1 + w / 0.01) / log(101) ("log"); "linear" is the scale itself.

    The data stay the true weights (hover and colour bar ticks read them); only the stops move.

    Raises:
        ValueError: for a contrast not in :data:`CONTRASTS`.
    """
    scale = ATTENTION_COLORSCALE if scale is None else scale
    if contrast not in CONTRASTS:
        raise ValueError(f"contrast {contrast!r} is not one of {', '.join(CONTRASTS)}")
    if contrast == "linear":
        return scale
    stops = []
    for k in range(n_stops + 1):
        p = k / n_stops
        stops.append([round(contrast_inverse(contrast, p), 6), _colour_at(scale, p)])
    stops[-1][0] = 1.0
    return stops


def robust_range(values, low: float = 1.0, high: float = 99.0) -> tuple[float, float]:
    """The ``low``-th and ``high``-th percentiles of ``values`` (finite ones): a colour range that one
    outlier cannot flatten. Falls back to the full range where the percentiles coincide."""
    import numpy as np

    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = (float(v) for v in np.percentile(finite, [low, high]))
    if hi <= lo:
        lo, hi = float(finite.min()), float(finite.max())
    return lo, (hi if hi > lo else lo + 1.0)


MINUS_INF = "−∞"
X_PIXELS, Y_PIXELS = "x (pixels)", "y (pixels)"


def category(k: int) -> str:
    """The colour of category ``k`` (0-based), cycling through :data:`CATEGORY`."""
    return CATEGORY[k % len(CATEGORY)]


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """``"#0072B2"`` -> ``(0, 114, 178)``."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return r, g, b


def rgba(hex_colour: str, alpha: float) -> str:
    """A hex colour with transparency, as plotly reads it."""
    r, g, b = rgb(hex_colour)
    return f"rgba({r}, {g}, {b}, {alpha})"


def figure(data=None, layout: dict | None = None) -> Figure:
    """A figure of ``data`` (traces, or a dict of data and layout) and ``layout``, as plain JSON
    (:class:`viz.figures.spec.Figure`: plotly's object model cost most of a rerun's time)."""
    from viz.figures.spec import Figure

    return Figure(data, layout)


def margin(top: int = 50, bottom: int = 10) -> dict:
    """The slim margins of every chart (room above for the title)."""
    return dict(l=10, r=10, t=top, b=bottom)


def chart_layout(title: str, height: int, top: int = 50, bottom: int = 10, **more) -> dict:
    """A chart's layout: its title, height and slim margins, plus ``more`` layout entries."""
    for empty in [k for k in ("annotations", "shapes") if k in more and not more[k]]:
        del more[empty]  # as plotly stores a figure without any
    return dict(title=dict(text=title), height=height, margin=margin(top, bottom), **more)


def array_ticks(ticktext: list, tickvals: list | None = None) -> dict:
    """Ticks written out: ``ticktext`` at ``tickvals`` (by default at 0, 1, 2, ...)."""
    return dict(
        tickmode="array",
        tickvals=list(range(len(ticktext))) if tickvals is None else tickvals,
        ticktext=ticktext,
    )


def pixel_axes(
    fig: go.Figure, width: float | None, height: float | None, x: dict | None = None, y: dict | None = None
) -> None:
    """The axes of a picture: square pixels, y downwards, no grid lines, titled x and y in pixels.

    ``width`` and ``height`` fix the ranges (None: as the data); ``x`` and ``y`` are more settings of each
    axis, e.g. its own title and ticks.
    """
    plain = dict(constrain="domain", showgrid=False, zeroline=False)
    x_range = {} if width is None else dict(range=[0, width])
    y_range = dict(autorange="reversed") if height is None else dict(range=[height, 0])
    fig.update_xaxes(**{"title": dict(text=X_PIXELS), **x_range, **plain, **(x or {})})
    fig.update_yaxes(**{"title": dict(text=Y_PIXELS), **y_range, "scaleanchor": "x", **plain, **(y or {})})


def grid_layout(n_panels: int, n_cols: int, gap: float = 0.025) -> tuple[dict, list[tuple[str, str]]]:
    """Axes for a grid of panels laid out by hand (make_subplots costs ~20x more per rerun).

    Returns the layout entries (xaxisN / yaxisN with their domains) and each panel's (xref, yref) pair.
    """
    n_rows = math.ceil(n_panels / n_cols)
    layout: dict = {}
    refs = []
    for p in range(n_panels):
        row, col = divmod(p, n_cols)
        i = axis_suffix(p)
        layout[f"xaxis{i}"] = dict(
            domain=[col / n_cols + gap / 2, (col + 1) / n_cols - gap / 2],
            anchor=f"y{i}",
            showticklabels=False,
        )
        layout[f"yaxis{i}"] = dict(
            domain=[1 - (row + 1) / n_rows + gap, 1 - row / n_rows - gap * 1.5],
            anchor=f"x{i}",
            autorange="reversed",
            showticklabels=False,
        )
        refs.append((f"x{i}", f"y{i}"))
    return layout, refs


def axis_suffix(panel: int) -> str:
    """What follows "xaxis" and "yaxis" in the layout for 0-based panel ``panel``: "", "2", "3", ..."""
    return "" if panel == 0 else str(panel + 1)


def panel_axes(layout: dict, ref: tuple[str, str]) -> tuple[dict, dict]:
    """The x and y axis entries of :func:`grid_layout`'s ``layout`` for the panel at ``ref``."""
    xref, yref = ref
    return layout["xaxis" + xref[1:]], layout["yaxis" + yref[1:]]


def bottom_left(n_panels: int, n_cols: int) -> int:
    """The panel that starts the last row of a grid: the one whose axes carry the grid's axis titles."""
    return (math.ceil(n_panels / n_cols) - 1) * n_cols


def panel_title(text: str, x_axis: dict, y_axis: dict, size: int | None = None) -> dict:
    """An annotation naming a panel, centred above it."""
    note = dict(
        text=text,
        xref="paper",
        yref="paper",
        showarrow=False,
        x=sum(x_axis["domain"]) / 2,
        y=y_axis["domain"][1],
        yanchor="bottom",
    )
    if size is not None:
        note["font"] = dict(size=size)
    return note


def picture_panel(layout: dict, ref: tuple[str, str], width: float, height: float, title: str) -> dict:
    """Make panel ``ref`` of :func:`grid_layout` hold a ``width`` x ``height`` picture (square pixels, y
    downwards, no grid lines); returns the annotation naming it."""
    x_axis, y_axis = panel_axes(layout, ref)
    x_axis.update(range=[0, width], showgrid=False, zeroline=False)
    y_axis.update(range=[height, 0], autorange=False, scaleanchor=ref[0], showgrid=False, zeroline=False)
    return panel_title(title, x_axis, y_axis)


def title_pixel_panels(layout: dict, refs: list[tuple[str, str]], n_cols: int) -> None:
    """Name the pixel axes of a grid of pictures once, on the panel that starts its last row."""
    x_axis, y_axis = panel_axes(layout, refs[bottom_left(len(refs), n_cols)])
    x_axis["title"] = dict(text=X_PIXELS)
    y_axis["title"] = dict(text=Y_PIXELS)
