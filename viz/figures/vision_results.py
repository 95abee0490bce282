"""Charts of the course's vision results: ImageNet accuracy against FLOPs, throughput or parameters, COCO
detection AP, and the ViT sizes.

Families are told apart by colour (the first categories of :mod:`viz.figures.style`) and by marker shape, so the charts read without colour too.
Model names come from the typed tables (not from users) and are escaped all the same. No torch, no streamlit.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from viz.figures.style import BLACK, CATEGORY, chart_layout, figure, font


def _esc(text: str) -> str:
    """Plotly reads a little HTML in labels: escape it (the names are ours, but stay literal text anyway)."""
    return html.escape(str(text), quote=False)


FAMILY_COLOURS = CATEGORY[:4]
FAMILY_SYMBOLS = ["circle", "diamond", "square", "triangle-up"]
FAMILY_PATTERNS = ["", "/", ".", "x"]


def _by_family(table: pd.DataFrame, families: list[str]):
    """(family, its rows, colour, marker symbol, bar pattern) for each of ``families`` with rows in ``table``."""
    for k, family in enumerate(families):
        part = table[table["family"] == family]
        if not part.empty:
            i = k % len(FAMILY_COLOURS)  # four colours, symbols and patterns
            yield family, part, FAMILY_COLOURS[i], FAMILY_SYMBOLS[i], FAMILY_PATTERNS[i]


def _points(part: pd.DataFrame, x: str, y: str, names: str, family: str, colour: str, symbol: str, **more):
    """One family's models as labelled markers (names escaped, the family named in the hover box)."""
    return go.Scatter(
        x=part[x],
        y=part[y],
        name=family,
        text=[_esc(m) for m in part[names]],
        textposition="top center",
        textfont=font("cell"),
        marker=dict(color=colour, symbol=symbol, size=11, line=dict(color="white", width=1)),
        **more,
    )


def _layout(title: str, height: int, legend_y: float, **more) -> dict:
    return chart_layout(
        title, height, legend=dict(title=dict(text="family"), orientation="h", y=legend_y), **more
    )


def accuracy_scatter(
    table: pd.DataFrame,
    x: str,
    x_title: str,
    title: str,
    families: list[str],
    log_x: bool = False,
    labels: bool = True,
    highlight: str | None = None,
) -> go.Figure:
    """ImageNet top-1 against one cost column, one trace per family; models of one line joined by a thin line.

    Args:
        table: columns model, family, architecture, ``x`` and top1 (see :mod:`viz.data.vision_results`).
        families: the family order (fixes each family's colour and marker).
        highlight: an architecture to ring (e.g. "Swin").
    """
    fig = figure()
    for family, part, colour, symbol, _ in _by_family(table, families):
        for _, line in part.groupby("architecture", sort=False):
            if len(line) > 1:
                ordered = line.sort_values(x)
                fig.add_trace(
                    go.Scatter(
                        x=ordered[x],
                        y=ordered["top1"],
                        mode="lines",
                        showlegend=False,
                        line=dict(color=colour, width=1),
                        hoverinfo="skip",
                    )
                )
        fig.add_trace(
            _points(
                part,
                x,
                "top1",
                "model",
                family,
                colour,
                symbol,
                mode="markers+text" if labels else "markers",
                customdata=np.stack([part["params_m"], part["flops_b"], part["throughput"]], axis=-1),
                hovertemplate=(
                    "%{text}<br>top-1 %{y:.1f}%<br>%{customdata[0]}M parameters, %{customdata[1]}B FLOPs, "
                    "%{customdata[2]} images/s<extra>" + _esc(family) + "</extra>"
                ),
            )
        )
    if highlight:
        part = table[table["architecture"] == highlight]
        fig.add_trace(
            go.Scatter(
                x=part[x],
                y=part["top1"],
                mode="markers",
                name=f"{_esc(highlight)} (ringed)",
                marker=dict(symbol="circle-open", size=22, color=BLACK, line=dict(width=2)),
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(title=dict(text=x_title), type="log" if log_x else "linear")
    fig.update_yaxes(title=dict(text="ImageNet top-1 accuracy (%)"))
    return fig.update_layout(_layout(title, 520, -0.15))


def coco_bars(
    table: pd.DataFrame, metric: str, metric_title: str, title: str, families: list[str]
) -> go.Figure:
    """One COCO metric per detector, best on top, coloured and patterned by family; missing ones left out.

    A value the table marks as doubtful for this metric (column ``doubtful``: metrics printed as in the
    source but very likely wrong there) is drawn faded, its number followed by "(?)", and explained in a
    note under the chart."""
    shown = table[table[metric].notna()].sort_values(metric)
    doubtful = _doubtful(shown, metric)
    fig = figure()
    for family, part, colour, _, pattern in _by_family(shown, families):
        fig.add_trace(
            go.Bar(
                x=part[metric],
                y=[_esc(m) for m in part["method"]],
                orientation="h",
                name=family,
                marker=dict(
                    color=colour,
                    pattern=dict(shape=pattern),
                    opacity=[0.35 if m in doubtful else 1.0 for m in part["method"]],
                ),
                text=[
                    f"{v:g}{' (?)' if m in doubtful else ''}" for v, m in zip(part[metric], part["method"])
                ],
                textposition="outside",
                hovertemplate=f"%{{y}}<br>{metric_title} %{{x}}<extra>{_esc(family)}</extra>",
            )
        )
    fig.update_xaxes(title=dict(text=metric_title), rangemode="tozero")
    fig.update_yaxes(
        title=dict(text="detector"),
        type="category",
        categoryorder="array",
        categoryarray=[_esc(m) for m in shown["method"]],
    )
    fig.update_layout(_layout(title, max(380, 26 * len(shown) + 160), -0.08, barmode="overlay"))
    if doubtful:
        fig.add_annotation(
            text=_esc(
                f"(?) {', '.join(sorted(doubtful))}: {metric_title} as the course table prints it; "
                "its small- and large-object APs look swapped there (small-object AP is never far above large)."
            ),
            xref="paper",
            yref="paper",
            x=0,
            y=1.0,
            yanchor="bottom",
            xanchor="left",
            showarrow=False,
            align="left",
        )
    return fig


def _doubtful(table: pd.DataFrame, metric: str) -> set[str]:
    """The methods whose ``metric`` the table marks as doubtful."""
    if "doubtful" not in table.columns:
        return set()
    return {m for m, d in zip(table["method"], table["doubtful"]) if metric in (d or ())}


def coco_scatter(table: pd.DataFrame, x: str, x_title: str, title: str, families: list[str]) -> go.Figure:
    """COCO AP against a cost column (GFLOPs, parameters or FPS) for the detectors that report it."""
    shown = table[table[x].notna()]
    fig = figure()
    for family, part, colour, symbol, _ in _by_family(shown, families):
        hover = f"%{{text}}<br>AP %{{y}}<br>{x_title} %{{x}}<extra>{_esc(family)}</extra>"
        fig.add_trace(
            _points(part, x, "ap", "method", family, colour, symbol, mode="markers+text", hovertemplate=hover)
        )
    fig.update_xaxes(title=dict(text=x_title))
    fig.update_yaxes(title=dict(text="COCO 2017 val AP"))
    return fig.update_layout(_layout(title, 480, -0.15))


def vit_sizes_figure(table: pd.DataFrame, title: str) -> go.Figure:
    """Parameters of ViT-Base, -Large and -Huge as bars, with layers, width and heads in the hover."""
    fig = figure(
        go.Bar(
            x=table["model"],
            y=table["params_m"],
            marker_color=FAMILY_COLOURS[0],
            text=[f"{v:g}M" for v in table["params_m"]],
            textposition="outside",
            customdata=np.stack(
                [table["layers"], table["hidden_size"], table["mlp_size"], table["heads"]], axis=-1
            ),
            hovertemplate=(
                "%{x}: %{y}M parameters<br>%{customdata[0]} layers, D = %{customdata[1]}, MLP "
                "%{customdata[2]}, %{customdata[3]} heads<extra></extra>"
            ),
        )
    )
    fig.update_xaxes(title=dict(text="model"))
    fig.update_yaxes(title=dict(text="parameters (millions)"), rangemode="tozero")
    return fig.update_layout(chart_layout(title, 360))
