"""Charts of the inside of a block: the feed-forward network's expansion and activation, the units that fire
for which token, the residual stream's norms, LayerNorm's statistics, post-LN against pre-LN.

Signed vectors (a token's d_model numbers, the d_ff hidden units) are strips on the diverging scale centred at
0, each strip scaled to its own largest magnitude (the values a strip holds are in its hover); counts and
ratios are bars; norms are lines. The next-token bars are :func:`viz.figures.seq2seq.next_token_bars`.
"""

from __future__ import annotations

import numpy as np

from viz.figures.labels import safe_label, token_labels
from viz.figures.spec import Figure
from viz.figures.style import (
    ATTENTION_COLORSCALE,
    BLUE,
    DIVERGING,
    GREY,
    ORANGE,
    VERMILLION,
    array_ticks,
    chart_layout,
    figure,
    margin,
)


def _scale(values: np.ndarray) -> float:
    """A strip's colour range: the 99th percentile of its magnitudes (a few outlier features, such as
    MiniLM's, would otherwise leave every other cell white); the outliers saturate."""
    magnitudes = np.abs(np.asarray(values, dtype=np.float64)).ravel()
    if not magnitudes.size:
        return 1.0
    peak = float(np.percentile(magnitudes, 99)) if magnitudes.size > 50 else float(magnitudes.max())
    return peak if peak > 0 else (float(magnitudes.max()) or 1.0)


def vector_strips(rows: list[tuple[str, np.ndarray]], title: str, height_per_row: int = 96) -> Figure:
    """Vectors as one-row heatmaps stacked top to bottom, each labelled with its name and width.

    Args:
        rows: (name, vector) pairs; the vectors may differ in length (d_model and d_ff).
    Raises:
        ValueError: for no rows or a vector that is not 1-D.
    """
    if not rows:
        raise ValueError("no vectors to draw")
    n = len(rows)
    gap = 0.32 / n  # of each row's slot: the room for its label above the strip
    layout = chart_layout(title, 60 + height_per_row * n, top=60, bottom=30)
    traces, notes = [], []
    for i, (name, vector) in enumerate(rows):
        vector = np.asarray(vector, dtype=np.float32)
        if vector.ndim != 1:
            raise ValueError(f"{name}: a vector must be 1-D, got shape {vector.shape}")
        suffix = "" if i == 0 else str(i + 1)
        top = 1 - i / n
        bottom = top - 1 / n + gap
        layout[f"xaxis{suffix}"] = dict(
            domain=[0, 1], anchor=f"y{suffix}", showticklabels=i == n - 1, showgrid=False, zeroline=False
        )
        layout[f"yaxis{suffix}"] = dict(
            domain=[bottom, top - gap * 0.9], anchor=f"x{suffix}", showticklabels=False, showgrid=False
        )
        peak = _scale(vector)
        traces.append(
            dict(
                type="heatmap",
                z=vector[None, :],
                x=np.linspace(0, 1, vector.size, endpoint=False) + 0.5 / vector.size,
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
                colorscale=DIVERGING,
                zmin=-peak,
                zmax=peak,
                showscale=False,
                customdata=np.arange(vector.size)[None, :],
                hovertemplate=f"{safe_label(name, 60, spaces=False)}<br>unit %{{customdata}}: %{{z:.3f}}<extra></extra>",
            )
        )
        notes.append(
            dict(
                text=f"{safe_label(name, 90, spaces=False)}  ·  {vector.size} numbers, |max| "
                f"{float(np.abs(vector).max()) if vector.size else 0.0:.3g}",
                xref="paper",
                yref="paper",
                x=0,
                y=top - gap * 0.9,
                xanchor="left",
                yanchor="bottom",
                showarrow=False,
            )
        )
        layout[f"xaxis{suffix}"]["range"] = [0, 1]
    layout[f"xaxis{'' if n == 1 else n}"].update(
        tickvals=[0, 0.5, 1], ticktext=["first unit", "", "last unit"]
    )
    layout["annotations"] = notes
    return figure(traces, layout)


def token_bars(
    tokens: list[str],
    values: np.ndarray,
    selected: int | None,
    title: str,
    y_title: str,
    percent_of: int | None = None,
) -> Figure:
    """One bar per token (the selected one in orange); ``percent_of`` writes each bar as a share of it."""
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (len(tokens),):
        raise ValueError(f"{values.shape[0] if values.ndim else 0} values for {len(tokens)} tokens")
    labels = token_labels(tokens)
    colours = [ORANGE if i == selected else BLUE for i in range(len(tokens))]
    text = [f"{v / percent_of:.0%}" for v in values] if percent_of else [f"{v:.3g}" for v in values]
    fig = figure(
        dict(
            type="bar",
            x=list(range(len(tokens))),
            y=values,
            marker=dict(color=colours),
            text=text,
            textposition="outside",
            cliponaxis=False,
            customdata=labels,
            hovertemplate="%{customdata}: %{y:.4g}<extra></extra>",
        )
    )
    fig.update_xaxes(title=dict(text="Token (orange = the one shown above)"), **array_ticks(labels))
    top = float(values.max()) if values.size else 1.0
    fig.update_yaxes(title=dict(text=y_title), range=[min(0.0, float(values.min())) * 1.15, top * 1.18 or 1])
    return fig.update_layout(chart_layout(title, 340))


def neurons_tokens(activation: np.ndarray, units: np.ndarray, tokens: list[str], title: str) -> Figure:
    """The "neurons x tokens" view: rows = hidden units (strongest first), columns = tokens, colour = the
    unit's activation at the token (diverging around 0: the units a GELU lets through are red).

    Args:
        activation: (T, F) one layer's activations; units: the (k,) rows to show.
    """
    activation = np.asarray(activation, dtype=np.float32)
    if activation.shape[0] != len(tokens):
        raise ValueError(f"activation has {activation.shape[0]} rows for {len(tokens)} tokens")
    z = activation[:, units].T  # (k, T)
    peak = _scale(z)
    labels = token_labels(tokens)
    fig = figure(
        dict(
            type="heatmap",
            z=z,
            colorscale=DIVERGING,
            zmin=-peak,
            zmax=peak,
            colorbar=dict(title=dict(text="activation")),
            customdata=np.array([labels] * len(units)),
            hovertemplate="unit %{y}<br>token %{customdata}: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title=dict(text="Token"), **array_ticks(labels), side="bottom")
    fig.update_yaxes(
        title=dict(text="Hidden unit (strongest first)"),
        **array_ticks([f"unit {u}" for u in units]),
        autorange="reversed",
    )
    return fig.update_layout(chart_layout(title, int(np.clip(30 * len(units) + 160, 360, 720))))


def same_weights_scatter(
    reference: np.ndarray, copied: np.ndarray, own: np.ndarray, i: str, j: str
) -> Figure:
    """Position j fed position i's FFN input: its output (y) against position i's (x) lies on the diagonal;
    position j's own output (grey) does not. Each point is one of the d_model output numbers."""
    reference, copied, own = (np.asarray(a, dtype=np.float32) for a in (reference, copied, own))
    gap = float(np.max(np.abs(copied - reference)))
    lo, hi = float(min(reference.min(), own.min())), float(max(reference.max(), own.max()))
    pad = 0.05 * (hi - lo or 1)
    fig = figure(
        [
            dict(
                type="scatter",
                x=[lo - pad, hi + pad],
                y=[lo - pad, hi + pad],
                mode="lines",
                line=dict(color=GREY, dash="dot"),
                name="same output (diagonal)",
                hoverinfo="skip",
            ),
            dict(
                type="scatter",
                x=reference,
                y=own,
                mode="markers",
                marker=dict(color=GREY, size=6, opacity=0.6),
                name=f"{j}'s own input",
            ),
            dict(
                type="scatter",
                x=reference,
                y=copied,
                mode="markers",
                marker=dict(color=VERMILLION, size=7),
                name=f"{j} fed {i}'s input",
            ),
        ]
    )
    fig.update_xaxes(title=dict(text=f"FFN output at {i}"))
    fig.update_yaxes(title=dict(text=f"FFN output at {j}"))
    title = f"Same weights at every position: {j} fed {i}'s vector gives {i}'s output (largest gap {gap:.1e})"
    return fig.update_layout(chart_layout(title, 420, legend=dict(orientation="h", y=-0.2)))


def stream_path(labels: list[str], values: np.ndarray, kinds: list[str], title: str) -> Figure:
    """One token's vector norm at each step of the residual path through the layers, as a line; the
    sub-layer outputs (``kinds`` "add") are bars beside it."""
    values = np.asarray(values, dtype=np.float64)
    x = list(range(len(labels)))
    stream = [i for i, k in enumerate(kinds) if k != "add"]
    adds = [i for i, k in enumerate(kinds) if k == "add"]
    fig = figure(
        [
            dict(
                type="bar",
                x=adds,
                y=values[adds],
                marker=dict(color=ORANGE),
                name="what a sub-layer adds (its output's norm)",
                hovertemplate="%{y:.3g}<extra></extra>",
            ),
            dict(
                type="scatter",
                x=stream,
                y=values[stream],
                mode="lines+markers",
                line=dict(color=BLUE),
                name="the residual stream's norm",
                hovertemplate="%{y:.3g}<extra></extra>",
            ),
        ]
    )
    fig.update_xaxes(
        title=dict(text="Step along the residual path"),
        **array_ticks([safe_label(s, 40, spaces=False) for s in labels], x),
        tickangle=-45,
    )
    fig.update_yaxes(title=dict(text="‖vector‖"), rangemode="tozero")
    layout = chart_layout(title, 470, bottom=10, legend=dict(orientation="h", y=1.0, yanchor="bottom"))
    layout["margin"] = margin(top=90, bottom=10)
    return fig.update_layout(layout)


def share_heatmap(share: np.ndarray, tokens: list[str], title: str, colour_title: str) -> Figure:
    """(L, T) how much a sub-layer adds (a ratio of norms, never negative): rows = layers, columns = tokens."""
    share = np.asarray(share, dtype=np.float32)
    labels = token_labels(tokens)
    fig = figure(
        dict(
            type="heatmap",
            z=share,
            colorscale=ATTENTION_COLORSCALE,
            zmin=0,
            colorbar=dict(title=dict(text=colour_title)),
            customdata=np.array([labels] * share.shape[0]),
            texttemplate="%{z:.2f}" if share.size <= 200 else None,
            hovertemplate="layer %{y}<br>%{customdata}: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title=dict(text="Token"), **array_ticks(labels), side="bottom")
    fig.update_yaxes(
        title=dict(text="Layer"),
        **array_ticks([f"{i + 1}" for i in range(share.shape[0])]),
        autorange="reversed",
    )
    return fig.update_layout(chart_layout(title, int(np.clip(45 * share.shape[0] + 170, 300, 600))))


def norm_statistics(
    tokens: list[str], mean: np.ndarray, variance: np.ndarray, selected: int, title: str
) -> Figure:
    """LayerNorm's input statistics per token, side by side: the mean and the variance over d_model."""
    labels = token_labels(tokens)
    colours = [ORANGE if i == selected else BLUE for i in range(len(tokens))]
    x = list(range(len(tokens)))
    fig = figure(
        [
            dict(
                type="bar",
                x=x,
                y=np.asarray(mean, dtype=np.float64),
                marker=dict(color=colours),
                customdata=labels,
                hovertemplate="%{customdata}: mean %{y:.4g}<extra></extra>",
                name="mean",
            ),
            dict(
                type="bar",
                x=x,
                y=np.asarray(variance, dtype=np.float64),
                marker=dict(color=colours),
                xaxis="x2",
                yaxis="y2",
                customdata=labels,
                hovertemplate="%{customdata}: variance %{y:.4g}<extra></extra>",
                name="variance",
            ),
        ],
        chart_layout(title, 360, showlegend=False),
    )
    fig.update_layout(
        xaxis=dict(domain=[0, 0.46], **array_ticks(labels)),
        xaxis2=dict(domain=[0.54, 1], anchor="y2", **array_ticks(labels)),
        yaxis=dict(title=dict(text="mean over d_model")),
        yaxis2=dict(anchor="x2", title=dict(text="variance over d_model"), rangemode="tozero"),
    )
    return fig


def post_pre_growth(series: list[tuple[str, np.ndarray, str]], title: str) -> Figure:
    """The residual stream's size entering each block and leaving the last, per model: RMS = ‖x‖ / √d_model
    averaged over the tokens, on a log axis. ``series``: (name, (L + 1,) values, colour)."""
    traces = []
    for name, values, colour in series:
        values = np.asarray(values, dtype=np.float64)
        traces.append(
            dict(
                type="scatter",
                x=[f"{i}" for i in range(len(values))],
                y=values,
                mode="lines+markers",
                name=safe_label(name, 60, spaces=False),
                line=dict(color=colour),
                hovertemplate="after %{x} blocks: RMS %{y:.3g}<extra></extra>",
            )
        )
    fig = figure(traces)
    everything = np.concatenate([np.asarray(v, dtype=np.float64).ravel() for _, v, _ in series])
    everything = everything[everything > 0]
    ticks = _one_two_five(float(everything.min()), float(everything.max())) if everything.size else []
    fig.update_xaxes(title=dict(text="Blocks passed (0 = the embeddings)"))
    fig.update_yaxes(
        title=dict(text="RMS of the residual stream"),
        type="log",
        **array_ticks([f"{t:g}" for t in ticks], ticks),
    )
    return fig.update_layout(chart_layout(title, 380, legend=dict(orientation="h", y=-0.25)))


def _one_two_five(low: float, high: float) -> list[float]:
    """Ticks 1, 2, 5, 10, 20, ... covering [low, high] (a log axis labels only these, at full size)."""
    start, stop = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
    ticks = [m * 10.0**e for e in range(start, stop + 1) for m in (1, 2, 5)]
    inside = [t for t in ticks if low / 2 <= t <= high * 2]
    return inside or ticks
