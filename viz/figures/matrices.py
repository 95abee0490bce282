"""Any matrix or vector as a titled chart, its shape written on it."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.figures.labels import token_labels
from viz.figures.style import (
    ATTENTION_COLORSCALE,
    BLUE,
    DIVERGING,
    HEAT_COLORSCALE,
    MASK_COLORSCALE,
    MINUS_INF,
    TITLE_WRAP,
    VERMILLION,
    array_ticks,
    category,
    chart_layout,
    figure,
    robust_range,
    wrap_title,
)

FONT_NUMBERS_MAX_CELLS = 120  # print the numbers in the cells when the matrix is this small


def shape_text(matrix: np.ndarray) -> str:
    return " × ".join(str(s) for s in np.shape(matrix))


def matrix_heatmap(
    matrix: np.ndarray,
    title: str,
    x_title: str,
    y_title: str,
    row_labels: list[str] | None = None,
    col_labels: list[str] | None = None,
    diverging: bool | None = True,
    height: int | None = None,
    decimals: int = 2,
    clip: bool = False,
    title_width: int = TITLE_WRAP,
) -> go.Figure:
    """A 2-D array as a heatmap titled ``"<title> (rows × cols)"``; small matrices show their numbers.

    Colours: ``diverging`` True, blue-red centred at 0 (signed values); False, the attention scale from 0;
    None, diverging only where the values take both signs, else a sequential scale (viridis) over their
    range. ``clip``: the colour range is the 1st to 99th percentile, so that one outlier cannot flatten the
    rest (the hover still shows every true value). Labels are escaped; rows run top to bottom as printed.
    """
    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim == 1:
        m = m[None, :]
    if m.ndim != 2:
        raise ValueError(f"expected a matrix, got shape {m.shape}")
    finite = m[np.isfinite(m)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if clip:
        low, high = robust_range(finite)
    sequential = diverging is None and low >= 0
    if diverging is None:
        diverging = not sequential
    bound = max(abs(low), abs(high)) if diverging or not sequential else high
    if sequential:
        colorscale, zmin, zmax = HEAT_COLORSCALE, low, (high if high > low else low + 1.0)
    elif diverging:
        colorscale, zmin, zmax = DIVERGING, -(bound or 1.0), bound or 1.0
    else:
        colorscale, zmin, zmax = ATTENTION_COLORSCALE, 0.0, bound or 1.0
    trace = dict(
        type="heatmap",
        z=m,
        colorscale=colorscale,
        zmin=zmin,
        zmax=zmax,
        hovertemplate=f"{y_title} %{{y}}<br>{x_title} %{{x}}<br>value %{{z:.4f}}<extra></extra>",
    )
    if clip:
        trace["colorbar"] = dict(title=dict(text="colours: 1st–99th<br>percentile"))
    if m.size <= FONT_NUMBERS_MAX_CELLS:
        trace["text"] = np.vectorize(lambda v: MINUS_INF if v == -np.inf else f"{v:.{decimals}f}")(m).tolist()
        trace["texttemplate"] = "%{text}"
    xaxis = dict(title=dict(text=x_title))
    yaxis = dict(title=dict(text=y_title), autorange="reversed")
    for axis, labels in ((xaxis, col_labels), (yaxis, row_labels)):
        if labels is not None:
            step = max(1, int(np.ceil(len(labels) / 48)))
            safe = token_labels(labels)
            axis.update(array_ticks(safe[::step], list(range(0, len(labels), step))))
    rows = m.shape[0]
    height = height or int(np.clip(30 * rows + 160, 220, 720))
    full_title = wrap_title(f"{title} ({shape_text(matrix)})", title_width)  # narrower in a half column
    layout = chart_layout(full_title, height, xaxis=xaxis, yaxis=yaxis)
    return figure(dict(data=[trace], layout=layout))


def vector_bars(
    values: np.ndarray,
    title: str,
    x_title: str,
    y_title: str,
    labels: list[str] | None = None,
    highlight: int | None = None,
    colour: str = BLUE,
) -> go.Figure:
    """A 1-D array as bars in ``colour`` (a query, key or value takes its own:
    :data:`viz.figures.style.QKV_COLOURS`); ``highlight`` colours one bar."""
    v = np.asarray(values, dtype=np.float64).ravel()
    x = token_labels(labels) if labels is not None else list(range(len(v)))
    colours = [colour] * len(v)
    if highlight is not None:
        colours[highlight] = VERMILLION
    fig = figure(
        dict(
            data=[
                dict(
                    type="bar",
                    x=list(range(len(v))),
                    y=v,
                    marker=dict(color=colours),
                    customdata=x,
                    hovertemplate="%{customdata}: %{y:.4f}<extra></extra>",
                )
            ],
            layout=chart_layout(
                f"{title} ({len(v)})",
                300,
                # a long vector keeps plotly's own numbered ticks
                xaxis=dict(title=dict(text=x_title), **(array_ticks(x) if len(v) <= 64 else {})),
                yaxis=dict(title=dict(text=y_title)),
            ),
        )
    )
    return fig


def line_chart(
    series: dict[str, tuple[np.ndarray, np.ndarray]],
    title: str,
    x_title: str,
    y_title: str,
    height: int = 360,
    x_names: list[str] | None = None,
    y_range: tuple[float, float] | None = None,
) -> go.Figure:
    """Several named (x, y) curves on one chart. ``x_names``: a name for each x = 0, 1, 2, ... (layers:
    whole ticks, never 0.5); ``y_range``: the y axis's fixed range (a share: 0 to 1, not cropped to the data)."""
    data = [
        dict(
            type="scatter",
            mode="lines+markers" if x_names else "lines",
            name=name,
            x=np.asarray(x),
            y=np.asarray(y, dtype=np.float64),
            line=dict(color=category(i)),
        )
        for i, (name, (x, y)) in enumerate(series.items())
    ]
    xaxis = dict(title=dict(text=x_title), **(array_ticks(x_names) if x_names else {}))
    yaxis = dict(title=dict(text=y_title), **(dict(range=list(y_range)) if y_range else {}))
    return figure(dict(data=data, layout=chart_layout(title, height, xaxis=xaxis, yaxis=yaxis)))


def mask_cells(mask: np.ndarray, x, y, **more) -> go.Heatmap:
    """An additive mask as cells: white where it adds 0, dark grey where it adds −∞, the value on hover
    (``more``: e.g. whether and how to write the values in the cells)."""
    hidden = np.isneginf(np.asarray(mask, dtype=np.float64))
    return go.Heatmap(
        z=hidden.astype(np.uint8),
        x=x,
        y=y,
        zmin=0,
        zmax=1,
        colorscale=MASK_COLORSCALE,
        text=np.where(hidden, MINUS_INF, "0"),
        showscale=False,
        xgap=1,
        ygap=1,
        hovertemplate="query %{y} → key %{x}: mask %{text}<extra></extra>",
        **more,
    )


def mask_figure(
    mask: np.ndarray, tokens: list[str], title: str = "Mask added to the scaled scores"
) -> go.Figure:
    """The additive mask: 0 where a query may look, −∞ where it may not (shown in dark cells)."""
    mask = np.asarray(mask)
    blocked = np.isinf(mask).astype(np.uint8)
    labels = token_labels(tokens)
    text = np.where(blocked == 1, MINUS_INF, "0").tolist() if mask.size <= 1024 else None
    trace = dict(
        type="heatmap",
        z=blocked,
        zmin=0,
        zmax=1,
        showscale=False,
        colorscale=[[0, "#F2F5F9"], [1, "#1B1F24"]],
        text=text,
        texttemplate="%{text}" if text else None,
        hovertemplate="query %{y} → key %{x}<extra></extra>",
    )
    ticks = array_ticks(labels)
    layout = chart_layout(
        f"{title} ({shape_text(mask)})",
        int(np.clip(22 * len(labels) + 180, 260, 720)),
        xaxis=dict(title=dict(text="Keys (token attended to)"), **ticks),
        yaxis=dict(title=dict(text="Queries (token attending)"), autorange="reversed", **ticks),
    )
    return figure(dict(data=[trace], layout=layout))
