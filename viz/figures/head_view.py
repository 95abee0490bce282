"""A BertViz-style head view: tokens in two columns, a line from each query to the keys it attends to.

Each head has its own colour at full strength (:data:`HEAD_COLOURS`, twelve told apart); the weight sets
a line's opacity and width, never its colour. The legend has one chip per head: a click hides or shows the
head, a double click shows it alone. Hovering a token lists the keys it attends to most (left) or the
queries that attend to it most (right), head by head; choosing one token keeps only its lines.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.figures.labels import token_labels
from viz.figures.style import (
    BLACK,
    BLUE,
    GREEN,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    VERMILLION,
    chart_layout,
    figure,
    font,
)

#: Twelve colours strong on white and apart from one another: Okabe-Ito without its yellow, then five
#: more chosen to differ from them (brown, wine, violet, magenta, leaf green). Beyond twelve heads they
#: repeat.
HEAD_COLOURS = (
    BLUE,
    VERMILLION,
    GREEN,
    PURPLE,
    ORANGE,
    SKY_BLUE,
    BLACK,
    "#8C564B",
    "#882255",
    "#7570B3",
    "#E7298A",
    "#66A61E",
)
#: Weights are drawn in these bands: [lower edge, next edge) -> (opacity, width in px).
WEIGHT_EDGES = (0.1, 0.2, 0.4, 0.6)
LINE_STYLES = ((0.25, 1.0), (0.45, 1.8), (0.65, 3.0), (0.85, 4.5), (1.0, 6.0))
#: Tokens are written this far from the line ends (in the chart's x units: queries at 0, keys at 1).
LABEL_GAP = 0.03
#: Per token and head, the strongest weights named in its hover box.
HOVER_TOP = 3


def head_colour(head: int) -> str:
    """The colour of 0-based ``head``."""
    return HEAD_COLOURS[head % len(HEAD_COLOURS)]


def _hover_lines(attention: np.ndarray, heads: list[int], labels: list[str], axis: int) -> list[str]:
    """Per token, its strongest links in each head: the keys it attends to (``axis`` 1, a query) or the
    queries that attend to it (``axis`` 0, a key)."""
    texts = []
    for i in range(attention.shape[1]):
        lines = []
        for h in heads:
            row = attention[h, i] if axis == 1 else attention[h, :, i]
            top = np.argsort(-row, kind="stable")[:HOVER_TOP]  # ties in token order
            pairs = ", ".join(f"{labels[j]} {row[j]:.2f}" for j in top)
            lines.append(f"<span style='color:{head_colour(h)}'>■</span> head {h + 1}: {pairs}")
        texts.append("<br>".join(lines))
    return texts


def head_view(
    attention: np.ndarray,
    tokens: list[str],
    heads: list[int] | None = None,
    token: int | None = None,
    min_weight: float = 0.05,
    top_k: int = 4,
    title: str = "Head view",
) -> go.Figure:
    """Lines from queries (left) to keys (right) for the chosen heads of one layer.

    Args:
        attention: (H, T, T) one layer's weights.
        heads: 0-based heads to draw (default: all), each in its colour, each a legend chip.
        token: if given, only the lines leaving this query.
        min_weight, top_k: per query and head, draw at most ``top_k`` lines of weight >= ``min_weight``
            (keeps long inputs light: BertViz draws every one of H * T^2 lines).
    """
    attention = np.asarray(attention)
    n_heads, n, _ = attention.shape
    if n != len(tokens):
        raise ValueError(f"{len(tokens)} tokens for attention over {n} positions")
    heads = list(range(n_heads)) if heads is None else [h for h in heads if 0 <= h < n_heads]
    queries = range(n) if token is None else [token]
    data = []
    for h in heads:
        colour = head_colour(h)
        segments: list[list[float | None]] = [[] for _ in LINE_STYLES]
        ys: list[list[float | None]] = [[] for _ in LINE_STYLES]
        for i in queries:
            row = attention[h, i]
            for j in np.argsort(row)[::-1][:top_k]:
                w = float(row[j])
                if w < min_weight:
                    break
                band = int(np.searchsorted(WEIGHT_EDGES, w, side="right"))
                segments[band] += [0.0, 1.0, None]
                ys[band] += [-i, -float(j), None]
        # the legend chip: a thick line at full strength, whatever the weights
        data.append(
            dict(
                type="scatter",
                mode="lines",
                x=[None],
                y=[None],
                line=dict(color=colour, width=8),
                name=f"head {h + 1}",
                legendgroup=f"h{h}",
                hoverinfo="skip",
            )
        )
        for band, (opacity, width) in enumerate(LINE_STYLES):
            if segments[band]:
                data.append(
                    dict(
                        type="scatter",
                        mode="lines",
                        x=segments[band],
                        y=ys[band],
                        hoverinfo="skip",
                        line=dict(color=colour, width=width),
                        opacity=opacity,
                        name=f"head {h + 1}",
                        legendgroup=f"h{h}",
                        showlegend=False,
                    )
                )
    labels = token_labels(tokens)
    positions = -np.arange(n, dtype=float)
    for x, anchor, side, axis in ((-LABEL_GAP, "left", "query", 1), (1 + LABEL_GAP, "right", "key", 0)):
        verb = "attends most to" if axis == 1 else "is attended to most by"
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
                hovertext=_hover_lines(attention, heads, labels, axis),
                hovertemplate=f"{side} %{{customdata}}: %{{text}} {verb}<br>%{{hovertext}}<extra></extra>",
                textfont=font("tick"),
            )
        )
    layout = chart_layout(
        f"{title}: queries (left) attend to keys (right); thicker, stronger line = larger weight",
        int(np.clip(26 * n + 160, 320, 6400)),
        top=70,
        xaxis=dict(visible=False, range=[-0.5, 1.5]),
        yaxis=dict(visible=False, range=[positions[-1] - 1, 1]),
        legend=dict(
            title=dict(text="heads (click to hide or show)"),
            orientation="h",
            y=-0.02,
            yanchor="top",
            itemwidth=40,
        ),
        hovermode="closest",
    )
    return figure(dict(data=data, layout=layout))
