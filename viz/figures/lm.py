"""The decoder-only page's own charts: the prompt as tokens, the next-token distribution before and after
temperature / top-k / top-p, the logit lens and the heads' scores on the repeated random block.

Tokens are shown as the text they stand for, spaces and line breaks visible (``␣the``, ``⏎``), escaped.
"""

from __future__ import annotations

import numpy as np

from viz.figures.labels import safe_label
from viz.figures.style import (
    ATTENTION_COLORSCALE,
    BLUE,
    GREY,
    HEAT_COLORSCALE,
    ORANGE,
    VERMILLION,
    array_ticks,
    chart_layout,
    figure,
    rgba,
)

#: Tokens per row of a token strip (wider rows make the labels too small on a projector).
STRIP_COLUMNS = 12
#: Bars in the next-token chart.
N_BARS = 12


def token_strip(
    tokens: list[str],
    ids: list[int] | None,
    title: str,
    values: np.ndarray | None = None,
    n_prompt: int | None = None,
    mark: int | None = None,
    value_name: str = "weight",
    columns: int = STRIP_COLUMNS,
):
    """Tokens in reading order, ``columns`` per row, each box its text over its id.

    Without ``values``: the prompt's tokens pale blue, those written after it (from ``n_prompt`` on) pale
    orange. With ``values`` (T,) in [0, 1] (attention from one position): each box in the attention scale,
    its value under the token (NaN: no colour, no value).
    ``mark``: one token outlined (the one being written).
    """
    n = len(tokens)
    if n == 0:
        raise ValueError("no tokens to draw")
    rows = -(-n // columns)
    shape = (rows, columns)
    z = np.full(shape, np.nan)
    text = np.full(shape, "", dtype=object)
    hover = np.full(shape, "", dtype=object)
    for i, token in enumerate(tokens):
        r, c = divmod(i, columns)
        label = safe_label(token, max_len=12)
        id_text = f'<br><span style="color:#555">{ids[i]}</span>' if ids is not None else ""
        text[r, c] = label + id_text
        if values is not None and np.isfinite(values[i]):
            z[r, c] = float(values[i])
            text[r, c] += f"<br>{float(values[i]):.0%}"
            hover[r, c] = f"position {i}: {label}<br>{value_name} {float(values[i]):.4f}"
        elif values is None:
            z[r, c] = 0.0 if n_prompt is None or i < n_prompt else 1.0
            who = "prompt" if n_prompt is None or i < n_prompt else "written by the model"
            hover[r, c] = (
                f"position {i}: {label}" + (f", id {ids[i]}" if ids is not None else "") + f" ({who})"
            )
    if values is not None:
        colorscale, zmin, zmax = ATTENTION_COLORSCALE, 0.0, max(1e-9, float(np.nanmax(values)))
    else:
        colorscale, zmin, zmax = [[0.0, rgba(BLUE, 0.18)], [1.0, rgba(ORANGE, 0.35)]], 0.0, 1.0
    cells = dict(
        type="heatmap",
        z=z,
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        colorscale=colorscale,
        zmin=zmin,
        zmax=zmax,
        xgap=4,
        ygap=4,
        showscale=False,
    )
    # The texts in a trace of their own: white on the darkest attention colours, black elsewhere.
    dark = np.nan_to_num(z) > 0.6 * zmax if values is not None else np.zeros(shape, dtype=bool)
    where = [divmod(i, columns) for i in range(n)]
    words = dict(
        type="scatter",
        mode="text",
        x=[c for _, c in where],
        y=[r for r, _ in where],
        text=[text[r, c] for r, c in where],
        textfont=dict(color=["white" if dark[r, c] else "black" for r, c in where]),
        hoverinfo="skip",
        showlegend=False,
    )
    trace = cells
    shapes = []
    if mark is not None and 0 <= mark < n:
        r, c = divmod(mark, columns)
        shapes.append(
            dict(
                type="rect",
                x0=c - 0.5,
                x1=c + 0.5,
                y0=r - 0.5,
                y1=r + 0.5,
                line=dict(color=VERMILLION, width=4),
            )
        )
    layout = chart_layout(
        title,
        90 + 62 * rows,
        top=50,
        xaxis=dict(visible=False, range=[-0.5, columns - 0.5]),
        yaxis=dict(visible=False, autorange="reversed"),
        shapes=shapes,
    )
    return figure(dict(data=[trace, words], layout=layout))


def next_token_chart(
    names: list[str], before: np.ndarray, after: np.ndarray, greedy: int, sampled: int | None, title: str
):
    """The most likely next tokens: the pale bar is softmax(logits / temperature), the solid bar what is left
    after top-k and top-p, renormalised (what sampling draws from; 0 for a token they cut).

    Args:
        names: (N,) the tokens, most likely first.
        before, after: (N,) their probabilities before and after top-k / top-p.
        greedy: index in ``names`` of the most likely token (outlined orange: greedy decoding's choice).
        sampled: index of the token a seeded draw picked (labelled), None if it is not among the bars.
    """
    labels = [safe_label(t) for t in names]
    x = list(range(len(labels)))
    cut = [a <= 0 for a in after]
    solid = [GREY if c else BLUE for c in cut]
    text = ["cut" if c else f"{a:.1%}" for a, c in zip(after, cut)]
    outline = [ORANGE if i == greedy else "rgba(0,0,0,0)" for i in x]
    data = [
        dict(
            type="bar",
            x=x,
            y=[float(b) for b in before],
            name="softmax(logits / T)",
            marker=dict(color=rgba(GREY, 0.35)),
            customdata=labels,
            hovertemplate="%{customdata}: %{y:.2%} after temperature<extra></extra>",
        ),
        dict(
            type="bar",
            x=x,
            y=[float(a) for a in after],
            name="after top-k, top-p (sampled from)",
            marker=dict(color=solid, line=dict(color=outline, width=4)),
            width=0.55,
            text=text,
            textposition="outside",
            cliponaxis=False,
            customdata=labels,
            hovertemplate="%{customdata}: %{y:.2%} after top-k and top-p<extra></extra>",
        ),
    ]
    annotations = []
    if sampled is not None:
        top = max(float(before[sampled]), float(after[sampled]))
        annotations.append(
            dict(x=sampled, y=top, yshift=34, text="▼ sampled", showarrow=False, font=dict(color=VERMILLION))
        )
    peak = float(max(np.max(before), np.max(after)))
    layout = chart_layout(
        title,
        420,
        top=60,
        bottom=20,
        barmode="overlay",
        uniformtext=dict(minsize=14, mode="show"),
        legend=dict(orientation="h", y=1.0, x=1.0, xanchor="right", yanchor="bottom"),
        xaxis=dict(title=dict(text="Next token (orange outline: greedy's choice)"), **array_ticks(labels)),
        yaxis=dict(title=dict(text="Probability"), range=[0, min(1.25, peak * 1.3 + 0.02)], tickformat=".0%"),
        annotations=annotations,
    )
    return figure(dict(data=data, layout=layout))


def lens_heatmap(
    top_names: list[list[str]],
    top_probs: np.ndarray,
    hover_names: list[list[list[str]]],
    position_tokens: list[str],
    hits: np.ndarray,
    title: str,
):
    """The logit lens: one row per residual stream (the embeddings, then after each block), one column per
    position; each cell the stream's most likely next token, coloured by its probability (viridis).

    Args:
        top_names: (L + 1, P) the top-1 token of each cell.
        top_probs: (L + 1, P) its probability.
        hover_names: (L + 1, P, k) the top-k tokens with their probabilities, for the hover.
        position_tokens: (P,) the token at each position (the column heads).
        hits: (L + 1, P) True where the top-1 token is the token that really comes next (marked ✓).
    """
    n_rows, n_cols = np.shape(top_probs)
    rows = ["embeddings"] + [f"after block {i}" for i in range(1, n_rows)]
    text = [
        [safe_label(top_names[r][c], max_len=10) + (" ✓" if hits[r][c] else "") for c in range(n_cols)]
        for r in range(n_rows)
    ]
    hover = [
        [
            f"{rows[r]}, after {safe_label(position_tokens[c])}:<br>" + "<br>".join(hover_names[r][c])
            for c in range(n_cols)
        ]
        for r in range(n_rows)
    ]
    trace = dict(
        type="heatmap",
        z=np.asarray(top_probs, dtype=np.float32),
        text=text,
        texttemplate="%{text}",
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        colorscale=HEAT_COLORSCALE,
        zmin=0.0,
        zmax=1.0,
        xgap=2,
        ygap=2,
        colorbar=dict(title=dict(text="top-1<br>probability")),
    )
    layout = chart_layout(
        title,
        170 + 56 * n_rows,
        top=60,
        bottom=10,
        xaxis=dict(
            title=dict(text="After this token (the prompt's last positions)"),
            tickangle=-30,
            **array_ticks([safe_label(t, max_len=10) for t in position_tokens]),
        ),
        yaxis=dict(title=dict(text="Residual stream"), autorange="reversed", **array_ticks(rows)),
    )
    return figure(dict(data=[trace], layout=layout))


def head_scores_heatmap(scores: np.ndarray, title: str, baseline: float, zmax: float = 1.0):
    """(L, H) scores of every head, in viridis from 0 to ``zmax``, each cell its number; ``baseline`` (what a
    head spreading its weight evenly would score) is named in the colour bar."""
    scores = np.asarray(scores, dtype=np.float32)
    n_layers, n_heads = scores.shape
    trace = dict(
        type="heatmap",
        z=scores,
        text=[[f"{v:.2f}" for v in row] for row in scores],
        texttemplate="%{text}",
        colorscale=HEAT_COLORSCALE,
        zmin=0.0,
        zmax=zmax,
        xgap=2,
        ygap=2,
        colorbar=dict(title=dict(text=f"score<br>(even: {baseline:.2f})")),
        hovertemplate="layer %{y}, head %{x}: %{z:.3f}<extra></extra>",
    )
    layout = chart_layout(
        title,
        140 + 44 * n_layers,
        top=60,
        xaxis=dict(title=dict(text="Head"), **array_ticks([str(h + 1) for h in range(n_heads)])),
        yaxis=dict(
            title=dict(text="Layer"),
            autorange="reversed",
            **array_ticks([str(i + 1) for i in range(n_layers)]),
        ),
    )
    return figure(dict(data=[trace], layout=layout))
