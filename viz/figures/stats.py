"""Per-head statistics as a layer x head map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from viz.figures.style import HEAT_COLORSCALE, chart_layout, figure


def head_stat_map(
    stats: pd.DataFrame, statistic: str, description: str, name: str | None = None
) -> go.Figure:
    """A (layers x heads) heatmap of one statistic from :func:`viz.analysis.head_stats.head_statistics`,
    called ``name`` on the chart (by default the column's name); cells print two decimals."""
    name = name or statistic
    table = stats.pivot(index="layer", columns="head", values=statistic)
    z = table.to_numpy(dtype=np.float32)
    fig = figure(
        dict(
            data=[
                dict(
                    type="heatmap",
                    z=z,
                    x=list(table.columns),
                    y=list(table.index),
                    colorscale=HEAT_COLORSCALE,
                    text=[[f"{v:.2f}" for v in row] for row in z],  # not float32's 3.6199998855590820
                    texttemplate="%{text}",
                    colorbar=dict(title=dict(text=name)),
                    hovertemplate="layer %{y}, head %{x}<br>" + name + " %{z:.3f}<extra></extra>",
                )
            ],
            layout=chart_layout(
                f"{description} — every layer and head",
                80 + 48 * z.shape[0],
                xaxis=dict(title=dict(text="head"), dtick=1),
                yaxis=dict(title=dict(text="layer"), dtick=1, autorange="reversed"),
            ),
        )
    )
    return fig
