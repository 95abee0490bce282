"""viz.figures.spec.Figure against plotly's own Figure: the same calls give the same JSON."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from viz.figures.spec import Figure, check_figure, sent, streamlit_figure
from viz.figures.style import (
    ATTENTION_COLORSCALE,
    DIVERGING,
    HEAT_COLORSCALE,
    OVERLAY_COLORSCALE,
    attention_colorscale,
    grid_layout,
)


def as_json(fig) -> dict:
    return json.loads(pio.to_json(fig.to_dict(), validate=False))


def both(data=None, layout=None):
    return Figure(data, layout), go.Figure(data, layout)


def test_a_heatmap_with_a_layout_is_plotlys_figure():
    z = np.arange(12, dtype=np.float32).reshape(3, 4)
    layout = dict(title=dict(text="t"), height=300, xaxis=dict(title=dict(text="keys")))
    ours, theirs = both([dict(type="heatmap", z=z, colorscale=DIVERGING, text=[["a"] * 4] * 3)], layout)
    assert as_json(ours) == as_json(theirs)
    # numeric arrays travel as base64 typed arrays, as plotly sends them
    assert set(ours.to_dict()["data"][0]["z"]) >= {"dtype", "bdata"}


def test_the_default_template_is_streamlits_as_plotly_adds_it():
    ours, theirs = both([dict(type="bar", x=[1, 2], y=[3, 4])])
    assert as_json(ours)["layout"]["template"] == as_json(theirs)["layout"]["template"]
    assert as_json(ours)["layout"]["template"]["layout"]["colorway"]  # Streamlit's placeholders


def test_updates_merge_as_plotlys_do():
    ours, theirs = both(
        dict(data=[dict(type="scatter", x=[0, 1], y=[1, 0])], layout=dict(title=dict(text="a")))
    )
    for fig in (ours, theirs):
        fig.update_layout(title=dict(font=dict(size=20)), height=250)
        fig.update_layout(dict(legend=dict(orientation="h")), showlegend=True)
        fig.update_xaxes(title=dict(text="x"), range=[0, 2])
        fig.update_yaxes(autorange="reversed")
        fig.update_yaxes(title=dict(text="y"))
        fig.add_trace(go.Bar(x=[0, 1], y=[2, 3], name="bars"))
        fig.add_shape(type="rect", x0=0, x1=1, y0=0, y1=1, line=dict(color="red"))
        fig.add_annotation(text="note", x=0.5, y=0.5, showarrow=False)
    assert as_json(ours) == as_json(theirs)
    assert ours.layout.title.text == "a" and ours.layout.title.font.size == 20  # read through plotly


def test_axis_updates_reach_every_axis_of_a_hand_laid_grid():
    axes, refs = grid_layout(4, 2)
    data = [dict(type="heatmap", z=[[1, 2]], xaxis=x, yaxis=y) for x, y in refs]
    ours, theirs = both(data, dict(axes))
    for fig in (ours, theirs):
        fig.update_xaxes(showticklabels=False)
        fig.update_yaxes(autorange="reversed")
    assert as_json(ours) == as_json(theirs)
    assert sum(k.startswith("yaxis") for k in as_json(ours)["layout"]) == 4


def test_none_leaves_a_property_out_as_in_plotly():
    traces = [dict(type="bar", x=[1], y=[1], name=None)]
    ours, theirs = both(traces, dict(title=dict(text="t"), xaxis=dict(title=None, range=[0, 2]), yaxis=None))
    assert as_json(ours) == as_json(theirs)
    assert "name" not in as_json(ours)["data"][0] and "title" not in as_json(ours)["layout"]["xaxis"]
    assert "title" not in as_json(ours.update_layout(title=None))["layout"]  # an update with None removes


def test_the_figure_given_is_never_changed_by_building():
    layout = dict(title=dict(text="t"), shapes=[dict(type="line", x0=0, x1=1, y0=0, y1=1)])
    fig = Figure([dict(type="bar", x=[1], y=[1])], layout)
    fig.update_layout(title=dict(text="changed")).add_shape(type="rect", x0=0, x1=1, y0=0, y1=1)
    fig.to_dict()
    assert layout == dict(title=dict(text="t"), shapes=[dict(type="line", x0=0, x1=1, y0=0, y1=1)])


@pytest.mark.parametrize(
    "scale",
    [
        ATTENTION_COLORSCALE,
        HEAT_COLORSCALE,
        DIVERGING,
        OVERLAY_COLORSCALE,
        attention_colorscale("sqrt"),
        attention_colorscale("log"),
    ],
)
def test_the_written_out_colour_scales_are_plotlys(scale):
    check_figure(Figure([dict(type="heatmap", z=[[0, 1]], colorscale=scale)]))


def test_check_figure_refuses_what_plotly_would_change_or_reject():
    with pytest.raises(ValueError, match="colorscale"):
        check_figure(Figure([dict(type="heatmap", z=[[0, 1]], colorscale="Blues")]))  # a name plotly expands
    with pytest.raises(ValueError, match="title"):
        check_figure(Figure([dict(type="bar", y=[1])], dict(xaxis=dict(title="x"))))  # plotly nests it
    with pytest.raises(ValueError):
        check_figure(Figure([dict(type="bar", y=[1], colour="red")]))  # not a property


def test_streamlit_gets_the_dict_without_a_rebuild():
    fig = Figure([dict(type="bar", x=[1, 2], y=np.array([3.0, 4.0]))], dict(height=200))
    prepared = streamlit_figure(fig)
    from plotly.tools import return_figure_from_figure_or_data

    assert return_figure_from_figure_or_data(prepared, validate_figure=True) == sent(fig)
