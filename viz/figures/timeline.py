"""The timeline of transformer milestones as an interactive chart."""
from __future__ import annotations

import html

import plotly.graph_objects as go

FIELD_COLOURS = {"NLP": "#0072B2", "Vision": "#D55E00"}  # Okabe-Ito: colour-blind safe


def timeline_figure(milestones: list[tuple[str, str, str, str]]) -> go.Figure:
    """Milestones as labelled points on a date axis, alternating above and below, coloured by field."""
    fig = go.Figure()
    for field, colour in FIELD_COLOURS.items():
        rows = [(i, m) for i, m in enumerate(milestones) if m[3] == field]
        fig.add_trace(
            go.Scatter(
                x=[m[0] + "-01" for _, m in rows],
                y=[(1 if i % 2 == 0 else -1) * (1 + 0.35 * (i % 3)) for i, _ in rows],
                mode="markers+text",
                marker=dict(size=16, color=colour, line=dict(width=1, color="white")),
                text=[html.escape(m[1]) for _, m in rows],
                textposition="top center",
                customdata=[html.escape(m[2]) for _, m in rows],
                hovertemplate="<b>%{text}</b> (%{x|%b %Y})<br>%{customdata}<extra></extra>",
                name=field,
            )
        )
    fig.add_hline(y=0, line=dict(color="#888", width=2))
    fig.update_yaxes(visible=False, range=[-2.2, 2.4])
    fig.update_xaxes(title="Date", dtick="M6", tickformat="%b %Y")
    fig.update_layout(title="Key milestones of the transformer (hover a point for what it showed)",
                      height=380, margin=dict(l=10, r=10, t=60, b=10), legend_title="Field")
    return fig
