"""Charts for layer-wise analysis: SI curves with the jumps marked, PCA scatter per layer, training curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from viz.figures.labels import safe_label
from viz.figures.style import CATEGORY, ORANGE, array_ticks, category, chart_layout, figure

SYMBOLS = ["circle", "square", "diamond", "cross", "x", "triangle-up", "star", "hexagon"]


def si_curves(table: pd.DataFrame, jumps: list[int], title: str) -> go.Figure:
    """Every measure column of :func:`viz.analysis.layer_tables.layer_separation` against the layer."""
    layers = [safe_label(str(n), 20, spaces=False) for n in table["layer"]]  # "block 1", not "block␣1"
    data = []
    for i, column in enumerate(c for c in table.columns if c != "layer"):
        data.append(
            dict(
                type="scatter",
                mode="lines+markers",
                name=column,
                x=list(range(len(layers))),
                y=table[column].to_numpy(dtype=float),
                line=dict(color=category(i)),
                marker=dict(symbol=SYMBOLS[i % len(SYMBOLS)], size=8),
                hovertemplate=f"{column}<br>%{{y:.3f}}<extra></extra>",
            )
        )
    shapes = [
        dict(
            type="rect",
            xref="x",
            yref="paper",
            x0=j - 1,
            x1=j,
            y0=0,
            y1=1,
            fillcolor=ORANGE,
            opacity=0.15,
            line=dict(width=0),
        )
        for j in jumps
    ]
    annotations = [
        dict(
            x=j - 0.5,
            y=1.02,
            xref="x",
            yref="paper",
            text="SI jump",
            showarrow=False,
            font=dict(color="#B85C00"),
        )
        for j in jumps
    ]
    layout = chart_layout(
        title,
        420,
        top=60,
        shapes=shapes,
        annotations=annotations,
        xaxis=dict(title=dict(text="layer"), **array_ticks(layers)),
        yaxis=dict(title=dict(text="index (0 to 1)"), range=[0, 1.05]),
    )
    return figure(dict(data=data, layout=layout))


def pca_scatter(
    coords: np.ndarray, labels, explained: np.ndarray, title: str, hover: list[str] | None = None
) -> go.Figure:
    """Points in the plane of the first two principal components, one colour and symbol per class."""
    labels = np.asarray(labels)
    data = []
    for i, label in enumerate(np.unique(labels)):
        mask = labels == label
        trace = dict(
            type="scatter",
            mode="markers",
            name=safe_label(str(label), 30),
            x=coords[mask, 0],
            y=coords[mask, 1],
            marker=dict(
                color=category(i), size=7, opacity=0.8, symbol=SYMBOLS[(i // len(CATEGORY)) % len(SYMBOLS)]
            ),
        )
        if hover is not None:
            trace["text"] = [safe_label(h, 60) for h, m in zip(hover, mask) if m]
            trace["hovertemplate"] = "%{text}<extra>" + safe_label(str(label), 30) + "</extra>"
        data.append(trace)
    layout = chart_layout(
        title,
        460,
        top=60,
        xaxis=dict(title=dict(text=f"principal component 1 ({explained[0]:.0%} of variance)")),
        yaxis=dict(title=dict(text=f"principal component 2 ({explained[1]:.0%} of variance)")),
        legend=dict(title=dict(text="class")),
    )
    return figure(dict(data=data, layout=layout))
