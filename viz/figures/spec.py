"""A figure as plotly.js reads it: a list of trace dicts and a layout dict, with the few plotly methods the
figures of this package use.

plotly's object model (``plotly.graph_objects.Figure``) checks and copies every property as it is set, and
again when the figure is sent (``to_dict`` deep-copies it). On a classroom server that was most of a
rerun's time: a page draws up to 16 charts on every rerun, and the JSON that reaches the browser is the
same either way. So the figures here are built as plain JSON, as BertViz and the Annotated Transformer draw
theirs, and plotly's object model is used only where it checks: the test suite sets ``VIZ_CHECK_FIGURES=1``
and every chart drawn is compared with what plotly's validation makes of it (:func:`check_figure`).

Properties are written as plotly stores them: nested dicts (``title=dict(text=...)``, never
``title_text``), colour scales as lists of stops (:mod:`viz.figures.style`), no empty lists.
"""

from __future__ import annotations

import functools
import json
import os
import re
from typing import Any

#: Set to 1 (the test suite does) to check every chart shown against plotly's validation.
ENV_CHECK_FIGURES = "VIZ_CHECK_FIGURES"

_AXIS = {"x": re.compile(r"xaxis\d*$"), "y": re.compile(r"yaxis\d*$")}
_FIGURE_KEYS = {"data", "layout"}


def _as_dict(trace) -> dict:
    """A trace given as a dict or as a plotly trace object (``go.Heatmap(...)``), as a dict of its own."""
    return _merge({}, trace if isinstance(trace, dict) else trace.to_plotly_json())


def _merge(into: dict, update: dict) -> dict:
    """plotly's update: dicts merge key by key, None removes, anything else (lists included) replaces."""
    for key, value in update.items():
        if value is None:
            into.pop(key, None)
        elif isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = _copy(value)
    return into


def _copy(value):
    """A copy of the containers (dicts without their None entries, as plotly drops them; lists; tuples as
    lists); arrays and scalars are shared, never written to."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return value


def _default_template() -> dict:
    """The template plotly gives a figure that names none: ``plotly.io.templates.default`` now
    (Streamlit's own once ``st.plotly_chart`` is imported), as JSON."""
    import plotly.io as pio

    return _template(pio.templates.default)


@functools.cache
def _template(name: str) -> dict:
    import plotly.io as pio

    return json.loads(pio.to_json(pio.templates[name], validate=False, remove_uids=False))


class Figure:
    """``data`` (trace dicts) and ``layout`` (a dict), changed in place by the methods below, which behave
    as plotly's methods of the same names do on a figure without subplots or with hand-laid axes."""

    def __init__(self, data=None, layout: dict | None = None) -> None:
        if isinstance(data, dict) and data and set(data) <= _FIGURE_KEYS:  # a whole figure, as plotly takes
            data, layout = data.get("data"), {**data.get("layout", {}), **(layout or {})}
        if data is None:
            data = []
        elif isinstance(data, dict) or not isinstance(data, list | tuple):
            data = [data]  # one trace
        self._traces: list[dict] = [_as_dict(t) for t in data]
        self._layout: dict = _merge({}, layout or {})
        self._plotly = None  # the validated plotly figure, made when a test reads .data or .layout

    # building
    def update_layout(self, update: dict | None = None, **more) -> Figure:
        _merge(self._layout, {**(update or {}), **more})
        self._plotly = None
        return self

    def _update_axes(self, letter: str, update: dict | None, more: dict) -> Figure:
        names = [k for k in self._layout if _AXIS[letter].match(k)] or [f"{letter}axis"]
        for name in names:
            _merge(self._layout.setdefault(name, {}), {**(update or {}), **more})
        self._plotly = None
        return self

    def update_xaxes(self, update: dict | None = None, **more) -> Figure:
        return self._update_axes("x", update, more)

    def update_yaxes(self, update: dict | None = None, **more) -> Figure:
        return self._update_axes("y", update, more)

    def add_trace(self, trace) -> Figure:
        self._traces.append(_as_dict(trace))
        self._plotly = None
        return self

    def _append(self, key: str, item: dict) -> Figure:
        self._layout.setdefault(key, []).append(_copy(item))
        self._plotly = None
        return self

    def add_shape(self, shape: dict | None = None, **more) -> Figure:
        return self._append("shapes", {**(shape or {}), **more})

    def add_annotation(self, annotation: dict | None = None, **more) -> Figure:
        return self._append("annotations", {**(annotation or {}), **more})

    # reading
    def to_plotly_json(self) -> dict[str, Any]:
        """The figure as plotly's ``to_plotly_json`` gives it: arrays as arrays, the default template."""
        layout = (
            self._layout if "template" in self._layout else {**self._layout, "template": _default_template()}
        )
        return {"data": self._traces, "layout": layout}

    def to_dict(self) -> dict[str, Any]:
        """The figure as plotly's ``Figure.to_dict`` gives it (what ``st.plotly_chart`` sends): a copy in
        which numeric arrays are base64-encoded typed arrays."""
        from _plotly_utils.utils import convert_to_base64

        spec = {"data": _copy(self._traces), "layout": _copy(self._layout)}
        convert_to_base64(spec)  # in place, on the copy
        # the default template is shared, not copied: it holds no array, so nothing above or after writes to it
        spec["layout"].setdefault("template", _default_template())
        return spec

    def to_plotly(self):
        """The same figure as a validated ``plotly.graph_objects.Figure`` (raises on an invalid property)."""
        if self._plotly is None:
            import plotly.graph_objects as go

            self._plotly = go.Figure(self.to_plotly_json())
        return self._plotly

    @property
    def data(self):
        """The traces as plotly objects, to read (tests); building goes through the methods above."""
        return self.to_plotly().data

    @property
    def layout(self):
        """The layout as a plotly object, to read (tests); building goes through the methods above."""
        return self.to_plotly().layout


def check_requested() -> bool:
    return os.environ.get(ENV_CHECK_FIGURES, "") == "1"


def check_figure(fig: Figure) -> None:
    """Raise ``ValueError`` unless plotly's validation leaves ``fig`` exactly as it is (a misspelt
    property, or a value plotly would have changed, such as a named colour scale)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    spec = sent(fig)
    # compared as parsed JSON: numpy arrays as plotly encodes them, properties in any order
    as_built = json.loads(pio.to_json(spec, validate=False))
    validated = json.loads(pio.to_json(go.Figure(spec), validate=False))  # raises on an unknown property
    if validated != as_built:
        raise ValueError("plotly's validation changes this figure: " + _diff(as_built, validated))


def _diff(a, b, path: str = "") -> str:
    """The first place where two nested figure dicts differ, for the error message."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in {**a, **b}:
            if a.get(k) != b.get(k):
                return _diff(a.get(k), b.get(k), f"{path}.{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _diff(x, y, f"{path}[{i}]")
    return f"{path}: {str(a)[:120]} -> {str(b)[:120]}"


def sent(fig: Figure, font_scale: float = 1.0) -> dict[str, Any]:
    """What the browser receives for ``fig``: its :meth:`Figure.to_dict` with every text sized by the type
    scale (:func:`viz.figures.typescale.apply_type_scale`; ``font_scale`` times larger in presenter mode)."""
    from viz.figures.typescale import apply_type_scale

    return apply_type_scale(fig.to_dict(), font_scale)


def streamlit_figure(fig: Figure, font_scale: float = 1.0):
    """``fig`` as ``st.plotly_chart`` takes it without rebuilding it: a plotly ``BaseFigure`` whose
    ``to_dict`` is the figure dict (Streamlit sends what ``to_dict`` returns; a plain dict it would rebuild
    and validate, the cost this module avoids), as :func:`sent` makes it."""
    return _prepared_class()(sent(fig, font_scale))


@functools.cache
def _prepared_class():
    from plotly.basedatatypes import BaseFigure

    class Prepared(BaseFigure):
        """A figure dict ready to send; Streamlit reads it through ``to_dict`` only
        (``plotly.tools.return_figure_from_figure_or_data``)."""

        def __init__(self, spec: dict) -> None:  # BaseFigure's own state is never built
            object.__setattr__(self, "_spec", spec)

        def to_dict(self) -> dict:
            return self._spec

    return Prepared
