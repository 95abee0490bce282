"""A BertViz-style head view: tokens in two columns, a line from each query to the keys it attends to.

Line opacity grows with the weight; each head has its own colour. Choosing one token keeps only its lines.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.figures.labels import token_labels
from viz.figures.style import CATEGORY, MORE_CATEGORY, chart_layout, figure

HEAD_COLOURS = (*CATEGORY, *MORE_CATEGORY)  # 16 heads told apart
OPACITY_LEVELS = (0.15, 0.35, 0.6, 0.9)  # weights in [min, .1), [.1, .3), [.3, .6), [.6, 1]
_EDGES = (0.1, 0.3, 0.6)


def head_view(
    attention: np.ndarray,
    tokens: list[str],
    heads: list[int],
    token: int | None = None,
    min_weight: float = 0.02,
    top_k: int = 6,
    title: str = "Head view",
) -> go.Figure:
    """Lines from queries (left) to keys (right) for the chosen heads of one layer.

    Args:
        attention: (H, T, T) one layer's weights.
        heads: 0-based heads to draw, each in its colour.
        token: if given, only the lines leaving this query.
        min_weight, top_k: per query and head, draw at most ``top_k`` lines of weight >= ``min_weight``
            (keeps long inputs light: BertViz draws every one of H * T^2 lines).
    """
    attention = np.asarray(attention)
    n_heads, n, _ = attention.shape
    if n != len(tokens):
        raise ValueError(f"{len(tokens)} tokens for attention over {n} positions")
    queries = range(n) if token is None else [token]
    data = []
    for h in heads:
        segments: list[list[float | None]] = [[] for _ in OPACITY_LEVELS]
        ys: list[list[float | None]] = [[] for _ in OPACITY_LEVELS]
        for i in queries:
            row = attention[h, i]
            for j in np.argsort(row)[::-1][:top_k]:
                w = float(row[j])
                if w < min_weight:
                    break
                level = int(np.searchsorted(_EDGES, w, side="right"))
                segments[level] += [0.0, 1.0, None]
                ys[level] += [-i, -float(j), None]
        for level, opacity in enumerate(OPACITY_LEVELS):
            if segments[level]:
                data.append(
                    dict(
                        type="scatter",
                        mode="lines",
                        x=segments[level],
                        y=ys[level],
                        hoverinfo="skip",
                        line=dict(color=HEAD_COLOURS[h % len(HEAD_COLOURS)], width=2),
                        opacity=opacity,
                        name=f"head {h + 1}",
                        legendgroup=f"h{h}",
                        showlegend=level == next(i for i, s in enumerate(segments) if s),
                    )
                )
    labels = token_labels(tokens)
    positions = -np.arange(n, dtype=float)
    for x, anchor, side in ((0.0, "left", "query"), (1.0, "right", "key")):
        data.append(
            dict(
                type="scatter",
                mode="text",
                x=[x] * n,
                y=positions,
                text=labels,
                textposition=f"middle {anchor}",
                showlegend=False,
                customdata=list(range(n)),
                hovertemplate=f"{side} %{{customdata}}: %{{text}}<extra></extra>",
                textfont=dict(size=12),
            )
        )
    layout = chart_layout(
        f"{title}: queries (left) attend to keys (right); darker line = larger weight",
        int(np.clip(24 * n + 120, 300, 6400)),
        top=60,
        xaxis=dict(visible=False, range=[-0.45, 1.45]),
        yaxis=dict(visible=False, range=[positions[-1] - 1, 1]),
        legend=dict(title=dict(text="heads"), orientation="h", y=-0.02),
    )
    return figure(dict(data=data, layout=layout))
