"""Widgets bound to the URL, and the shared widgets of the text pages.

Every page keeps its state in the address (``bind="query-params"``), so a shared link reopens the same view.
A link is typed by anyone, so what it holds is untrusted: a bound widget is made by one of the ``bound_*``
functions here (never by ``st.slider(..., bind=URL)`` directly), which check the widget's value in the URL
and in ``st.session_state`` *before* the widget exists (:func:`_prepare`):

- a number is clamped into the widget's range and rounded to its step; an empty, non-numeric or non-finite
  one (``nan``, ``inf``, ``1e309``) falls back to the default;
- an option the widget does not offer is dropped (a single choice falls back to its default), repeats are
  dropped, and a multiple choice is capped at its ``max_selections``;
- text is cut to ``max_chars``;
- of a single-valued widget's key repeated in the URL, the last value counts.

A URL value that Streamlit would not read back as exactly that clean value is replaced in the address by the
clean value (or removed, when it is the default) and, for that one run, the widget takes the clean value from
``st.session_state`` instead of the URL (it is created unbound: Streamlit reads the URL of a first run
before any code can correct it). The value the widget returns is cleaned once more, so a page never sees a
value outside its widget's range or options.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from viz.figures.labels import visible

URL = "query-params"


# -- the one place where URL and session values are checked ----------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """What a bound widget accepts: ``clean`` turns any value into one it accepts (its default when there
    is none), ``parse`` reads the URL's strings (``None`` when they say nothing usable), ``dump`` writes a
    clean value as the strings Streamlit reads back as it, ``accepts`` says whether URL strings already are
    such a clean value."""

    default: Any
    clean: Callable[[Any], Any]
    parse: Callable[[list[str]], Any]
    dump: Callable[[Any], list[str]]
    accepts: Callable[[list[str]], bool]


def _prepare(key: str, spec: _Spec) -> str | None:
    """Check ``key``'s value in the URL and in the session before its widget is created; the ``bind``
    option the widget gets in this run."""
    if key in st.query_params:
        raw = st.query_params.get_all(key)
        if spec.accepts(raw):
            return URL  # Streamlit reads it as it is
        value = spec.clean(spec.parse(raw))
        try:
            if value == spec.default:
                del st.query_params[key]
            else:
                st.query_params[key] = spec.dump(value)
        except StreamlitAPIException:  # already bound to the widget (a history step): unbinding clears it
            pass
        st.session_state[key] = value
        return None
    if key in st.session_state:
        value = st.session_state[key]
        clean = spec.clean(value)
        if not _same(clean, value):
            st.session_state[key] = clean
    return URL


def _same(a: Any, b: Any) -> bool:
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # noqa: BLE001 - arrays and other odd values: not the same
        return False


def _bound(widget: Callable, key: str, spec: _Spec, *args, **kwargs):
    """``widget(*args, key=key, bind=...)`` after :func:`_prepare`, its value cleaned."""
    bind = _prepare(key, spec)
    return spec.clean(widget(*args, key=key, bind=bind, **kwargs))


def _single(raw: list[str]) -> str | None:
    return raw[-1] if raw else None


# -- numbers ------------------------------------------------------------------------------------------------


def _number_spec(low: float, high: float, step: float, default: float, integer: bool) -> _Spec:
    def clean(value) -> float:
        if isinstance(value, bool) or value is None:
            return fallback
        try:
            x = float(value)
        except (TypeError, ValueError, OverflowError):
            return fallback
        if not math.isfinite(x):
            return fallback
        x = min(max(x, low), high)
        x = low + round((x - low) / step) * step
        if x > high + 1e-9 * step:
            x -= step
        return int(round(x)) if integer else round(x, 10)

    def parse(raw: list[str]):
        text = _single(raw)
        try:
            return float(text) if text is not None else None
        except (ValueError, OverflowError):
            return None

    def accepts(raw: list[str]) -> bool:
        x = parse(raw)
        return len(raw) == 1 and x is not None and math.isfinite(x) and abs(clean(x) - x) <= 1e-9 * step

    fallback = default
    fallback = clean(default)  # a default off the grid or out of range (a range that moved) is cleaned too
    return _Spec(fallback, clean, parse, lambda v: [str(v)], accepts)


def bound_slider(
    label: str, low: float, high: float, default: float, step: float = 1, *, key: str, where=None, **kwargs
):
    """``st.slider`` of one number bound to the URL; ints when ``low``, ``high`` and ``step`` are ints."""
    integer = all(isinstance(v, int) for v in (low, high, step))
    spec = _number_spec(low, high, step, default, integer)
    return _bound((where or st).slider, key, spec, label, low, high, spec.default, step, **kwargs)


def bound_number(label: str, low: int, high: int, default: int, *, key: str, where=None, **kwargs) -> int:
    """``st.number_input`` of a whole number in ``[low, high]``, bound to the URL."""
    spec = _number_spec(low, high, 1, default, integer=True)
    return _bound((where or st).number_input, key, spec, label, low, high, spec.default, 1, **kwargs)


# -- choices ------------------------------------------------------------------------------------------------


def _labels(options: Sequence, format_func: Callable) -> dict[str, int]:
    """Each option's label (how the URL names it) -> its position; the first of repeated labels wins."""
    labels: dict[str, int] = {}
    for i, option in enumerate(options):
        labels.setdefault(str(format_func(option)), i)
    return labels


def _position(options: Sequence, value) -> int | None:
    for i, option in enumerate(options):
        if _same(option, value):
            return i
    return None


def _choice_spec(options: Sequence, default, format_func: Callable) -> _Spec:
    options = list(options)
    labels = _labels(options, format_func)

    def clean(value):
        i = _position(options, value)
        return options[i] if i is not None else default

    def parse(raw: list[str]):
        text = _single(raw)
        return options[labels[text]] if text in labels else None

    def dump(value) -> list[str]:
        return [str(format_func(value))]

    def accepts(raw: list[str]) -> bool:
        return len(raw) == 1 and raw[0] in labels

    return _Spec(default, clean, parse, dump, accepts)


def _index_of(options: Sequence, default, index: int | None) -> int:
    if default is not None:
        i = _position(options, default)
        if i is not None:
            return i
    return index if index is not None and 0 <= index < len(options) else 0


def _bound_index_choice(widget_name: str):
    """A bound ``st.<widget_name>`` (selectbox, radio) that takes ``options`` and an ``index``."""

    def bound(
        label: str,
        options: Sequence,
        *,
        key: str,
        index: int = 0,
        format_func: Callable = str,
        where=None,
        **kwargs,
    ):
        options = list(options)
        index = _index_of(options, None, index)
        spec = _choice_spec(options, options[index], format_func)
        widget = getattr(where or st, widget_name)
        return _bound(widget, key, spec, label, options, index=index, format_func=format_func, **kwargs)

    bound.__name__ = f"bound_{widget_name}"
    bound.__doc__ = (
        f"``st.{widget_name}`` bound to the URL (which names the option by its label, as Streamlit writes it); "
        "``options[index]`` by default."
    )
    return bound


bound_selectbox = _bound_index_choice("selectbox")
bound_radio = _bound_index_choice("radio")


def bound_segmented(
    label: str,
    options: Sequence,
    default=None,
    *,
    key: str,
    format_func: Callable = str,
    where=None,
    **kwargs,
):
    """A required ``st.segmented_control`` (never None) bound to the URL; ``default`` or the first option."""
    options = list(options)
    default = options[_index_of(options, default, 0)]
    spec = _choice_spec(options, default, format_func)
    return _bound(
        (where or st).segmented_control,
        key,
        spec,
        label,
        options,
        default=default,
        format_func=format_func,
        required=True,
        **kwargs,
    )


def bound_select_slider(
    label: str, options: Sequence, default, *, key: str, format_func: Callable = str, where=None, **kwargs
):
    """``st.select_slider`` of one option, bound to the URL."""
    options = list(options)
    default = options[_index_of(options, default, 0)]
    spec = _choice_spec(options, default, format_func)
    return _bound(
        (where or st).select_slider, key, spec, label, options, default, format_func=format_func, **kwargs
    )


def _many_spec(options: Sequence, default: Sequence, max_selections: int, format_func: Callable) -> _Spec:
    options = list(options)
    labels = _labels(options, format_func)

    def clean(value) -> list:
        if value is None or isinstance(value, str) or not hasattr(value, "__iter__"):
            return list(fallback)
        positions: list[int] = []
        for item in value:
            i = _position(options, item)
            if i is not None and i not in positions:
                positions.append(i)
        return [options[i] for i in positions[:max_selections]]

    def parse(raw: list[str]) -> list:
        return [options[labels[text]] for text in raw if text in labels]

    def dump(value) -> list[str]:
        return [str(format_func(v)) for v in value] or [""]

    def accepts(raw: list[str]) -> bool:
        return raw == dump(clean(parse(raw)))

    fallback: list = []
    fallback = clean(default)
    return _Spec(fallback, clean, parse, dump, accepts)


def bound_multiselect(
    label: str,
    options: Sequence,
    default: Sequence,
    *,
    key: str,
    max_selections: int,
    format_func: Callable = str,
    where=None,
    **kwargs,
) -> list:
    """``st.multiselect`` bound to the URL, with at most ``max_selections`` options (each one chosen adds to
    what every rerun sends, so a link must not be able to choose them all)."""
    spec = _many_spec(options, default, max_selections, format_func)
    return _bound(
        (where or st).multiselect,
        key,
        spec,
        label,
        list(options),
        default=spec.default,
        max_selections=max_selections,
        format_func=format_func,
        **kwargs,
    )


def bound_pills(
    label: str,
    options: Sequence,
    default: Sequence,
    *,
    key: str,
    format_func: Callable = str,
    where=None,
    **kwargs,
) -> list:
    """``st.pills`` choosing any of ``options`` (few, so no cap beyond them), bound to the URL."""
    spec = _many_spec(options, default, len(options), format_func)
    return _bound(
        (where or st).pills,
        key,
        spec,
        label,
        list(options),
        selection_mode="multi",
        default=spec.default,
        format_func=format_func,
        **kwargs,
    )


# -- switches and text --------------------------------------------------------------------------------------


def bound_tabs(labels: Sequence[str], *, key: str, where=None) -> Sequence:
    """``st.tabs`` whose open tab is in the URL and whose content runs only when open: draw a tab's content
    under ``if tab.open:`` (a hidden tab's charts cost the server and the browser nothing)."""
    labels = list(labels)
    spec = _choice_spec(labels, labels[0], str)
    bind = _prepare(key, spec)
    return (where or st).tabs(labels, key=key, bind=bind, on_change="rerun", default=labels[0])


def bound_toggle(label: str, default: bool, *, key: str, where=None, **kwargs) -> bool:
    """``st.toggle`` bound to the URL (``true`` / ``false``)."""

    def clean(value) -> bool:
        return value if isinstance(value, bool) else default

    def parse(raw: list[str]):
        text = (_single(raw) or "").lower()
        return {"true": True, "false": False}.get(text)

    spec = _Spec(
        default,
        clean,
        parse,
        lambda v: ["true" if v else "false"],
        lambda raw: len(raw) == 1 and raw[0].lower() in ("true", "false"),
    )
    return _bound((where or st).toggle, key, spec, label, value=default, **kwargs)


def bound_text_area(label: str, default: str, *, key: str, max_chars: int, where=None, **kwargs) -> str:
    """``st.text_area`` bound to the URL, cut to ``max_chars`` characters (a link can hold any length)."""

    def clean(value) -> str:
        return value[:max_chars] if isinstance(value, str) else default

    spec = _Spec(
        default, clean, _single, lambda v: [v], lambda raw: len(raw) == 1 and len(raw[0]) <= max_chars
    )
    return _bound((where or st).text_area, key, spec, label, value=default, max_chars=max_chars, **kwargs)


def bound_text_input(label: str, default: str, *, key: str, max_chars: int, where=None, **kwargs) -> str:
    """``st.text_input`` bound to the URL, cut to ``max_chars`` characters (a link can hold any length)."""

    def clean(value) -> str:
        return value[:max_chars] if isinstance(value, str) else default

    spec = _Spec(
        default, clean, _single, lambda v: [v], lambda raw: len(raw) == 1 and len(raw[0]) <= max_chars
    )
    return _bound((where or st).text_input, key, spec, label, value=default, max_chars=max_chars, **kwargs)


# -- the text pages' shared widgets -------------------------------------------------------------------------


def layer_head(
    n_layers: int, n_heads: int, prefix: str = "", default: tuple[int, int] = (1, 1)
) -> tuple[int, int]:
    """1-based layer and head sliders side by side, at ``default`` unless the address or the user chose."""
    left, right = st.columns(2)
    layer = bound_slider(
        "Layer",
        1,
        n_layers,
        default[0],
        key=f"{prefix}layer",
        where=left,
        help="Layer 1 reads the embeddings; the last layer gives the final representation.",
    )
    head = bound_slider("Head", 1, n_heads, default[1], key=f"{prefix}head", where=right)
    return layer, head


def token_choice(tokens: list[str], label: str = "Query token", key: str = "token", default: int = 1) -> int:
    """A 0-based token position, chosen by '<position>: <token>' (a new, shorter sentence: the default)."""
    return bound_selectbox(
        label,
        range(len(tokens)),
        index=min(default, len(tokens) - 1),
        key=key,
        format_func=lambda i: f"{i}: {visible(tokens[i])}",
    )


def choice(label: str, names: dict[str, str], key: str) -> str:
    """One of ``names`` (option -> what the button says), as horizontal radio buttons."""
    return bound_radio(label, list(names), key=key, horizontal=True, format_func=names.__getitem__)


def next_page(page: str, label: str) -> None:
    """The link on to the page that follows."""
    st.page_link(page, label=label, icon=":material/arrow_forward:")


def section(label: str, options: list[str], key: str) -> str:
    """Which part of a page to show (one at a time keeps each rerun quick)."""
    return bound_segmented(label, options, options[0], key=key)
