"""The type scale of every chart: font sizes by role, read from the back row of a classroom (nothing under
:data:`FONT_FLOOR` px at 1366 x 768, :data:`PRESENTER_SCALE` times larger in presenter mode), titles wrapped at
words, and :func:`apply_type_scale`, which sizes every text of a figure as it is sent.

Imports nothing of viz: both the figures' style (:mod:`viz.figures.style`) and the figure spec
(:mod:`viz.figures.spec`) use it.
"""

from __future__ import annotations

#: The type scale of every chart, in px at 1366 x 768 (readable from the back row: nothing under
#: :data:`FONT_FLOOR`). :func:`apply_type_scale` gives every text of a figure its size from here when it is
#: sent, and multiplies every size by :data:`PRESENTER_SCALE` in presenter mode.
TYPE_SCALE = {
    "text": 14,  # the figure's default: hover labels, text traces, anything not named below
    "tick": 14,  # tick labels
    "cell": 14,  # numbers and labels written in cells (heatmap annotations, mask and index tables)
    "annotation": 14,  # notes and panel titles
    "legend": 14,
    "axis_title": 15,
    "title": 18,
}
FONT_FLOOR = 14
PRESENTER_SCALE = 1.6
#: How much wider the main column is in presenter mode (the sidebar hidden) at 1366 px.
PRESENTER_WIDTH_GAIN = 1.44
#: Characters per line before a chart title wraps (about a full-width chart at the title size).
TITLE_WRAP = 80


def font(kind: str = "text", **more) -> dict:
    """A font entry of the type scale: ``font("cell")`` -> ``{"size": 14}``, plus ``more`` (e.g. a colour)."""
    return dict(size=TYPE_SCALE[kind], **more)


def wrap_title(text: str, width: int = TITLE_WRAP) -> str:
    """``text`` with ``<br>`` at word boundaries so no line is longer than ``width`` characters (a longer
    word stays whole); text that already holds ``<br>`` is left as it is."""
    if len(text) <= width or "<br>" in text:
        return text
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "<br>".join([*lines, line])


def _is_axis(key: str) -> bool:
    return key[:5] in ("xaxis", "yaxis") and key[5:].isdigit() or key in ("xaxis", "yaxis")


def _size(entry: dict, key: str, kind: str) -> None:
    """Give ``entry[key]`` (a font dict) the type scale's size for ``kind`` unless it has one."""
    entry.setdefault(key, {}).setdefault("size", TYPE_SCALE[kind])


def _scale_fonts(value, factor: float) -> None:
    """Multiply the size of every font entry (keys ending in "font") in ``value``, in place."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("font") and isinstance(item, dict) and isinstance(item.get("size"), int | float):
                item["size"] = round(item["size"] * factor, 1)
            if key != "template":
                _scale_fonts(item, factor)
    elif isinstance(value, list):
        for item in value:
            _scale_fonts(item, factor)


def apply_type_scale(spec: dict, factor: float = 1.0) -> dict:
    """Give every text of a figure dict (``{"data", "layout"}``) a size from :data:`TYPE_SCALE` where it
    names none, then multiply every size by ``factor`` (:data:`PRESENTER_SCALE` in presenter mode); a long
    title wraps (:func:`wrap_title`) and the top margin grows to hold its lines. Changes ``spec`` in place
    and returns it.

    Sizes a figure sets itself are kept (and scaled): the chart-standards test checks that none is under
    :data:`FONT_FLOOR`. Without an explicit size plotly (and Streamlit's theme) would draw 12 px.
    """
    layout = spec.setdefault("layout", {})
    _size(layout, "font", "text")
    _size(layout.setdefault("hoverlabel", {}), "font", "text")
    legend = layout.setdefault("legend", {})
    _size(legend, "font", "legend")
    if "title" in legend:
        _size(legend["title"], "font", "legend")
    title = layout.setdefault("title", {})
    _size(title, "font", "title")
    if isinstance(title.get("text"), str):
        text = title["text"]
        if factor != 1.0:  # presenter mode: larger type, the sidebar hidden (charts ~1.44x wider)
            lines = text.split("<br>")
            width = max(len(line) for line in lines) if len(lines) > 1 else TITLE_WRAP
            text = wrap_title(" ".join(lines), max(20, int(width * PRESENTER_WIDTH_GAIN / factor)))
        title["text"] = wrap_title(text)
    for key, axis in layout.items():
        if _is_axis(key) and isinstance(axis, dict):
            _size(axis, "tickfont", "tick")
            if isinstance(axis.get("title"), dict):
                _size(axis["title"], "font", "axis_title")
    for note in layout.get("annotations", []):
        _size(note, "font", "annotation")
    for trace in spec.get("data", []):
        if "text" in trace or "texttemplate" in trace:
            _size(trace, "textfont", "cell")
        for holder in (trace, trace.get("marker")):
            if isinstance(holder, dict) and "colorscale" in holder:
                bar = holder.setdefault("colorbar", {})
                _size(bar, "tickfont", "tick")
                _size(bar.setdefault("title", {}), "font", "axis_title")
    if factor != 1.0:  # presenter mode: the same chart zoomed, its text and height alike
        _scale_fonts({"data": spec.get("data", []), "layout": layout}, factor)
        if isinstance(layout.get("height"), int | float):
            layout["height"] = int(layout["height"] * factor)
        if isinstance(layout.get("margin", {}).get("b"), int | float):
            layout["margin"]["b"] = int(layout["margin"]["b"] * factor)
    n_lines = title.get("text", "").count("<br>") + 1 if isinstance(title.get("text"), str) else 1
    if title.get("text"):
        needed = int(n_lines * title["font"]["size"] * 1.35 + 20)
        top = layout.setdefault("margin", {}).get("t")
        if top is None or top < needed:
            layout["margin"]["t"] = max(top or 0, needed)
    return spec
