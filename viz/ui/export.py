"""Charts with their data: every figure can be saved as PNG (plotly's camera button, or a button under a
Vega-Lite chart) and its data as CSV."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from viz.figures.spec import Figure, check_figure, check_requested, streamlit_figure

if TYPE_CHECKING:
    import pandas as pd  # imported where a table is built: the landing page never pays for pandas

#: plotly options: the PNG button saves at twice the size for slides; no plotly logo, no external links.
PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def to_frame(data, row_labels: list[str] | None = None, col_labels: list[str] | None = None) -> pd.DataFrame:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return pd.DataFrame(data)
    array = np.atleast_2d(np.asarray(data))
    index = _unique(row_labels) if row_labels is not None else None
    columns = _unique(col_labels) if col_labels is not None else None
    return pd.DataFrame(array, index=index, columns=columns)


#: A spreadsheet reads a cell starting with one of these as a formula (CSV injection): such text cells are
#: written with a leading apostrophe, which spreadsheets show as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def csv_text(table, row_labels: list[str] | None = None, col_labels: list[str] | None = None) -> str:
    """``table`` (array, DataFrame or list of dicts) as CSV text that a spreadsheet opens safely.

    Text cells, row names and column names that a spreadsheet would read as a formula (``=cmd|...``) are
    neutralised; a DataFrame keeps its row names unless they are just 0, 1, 2, ...; an array keeps its row
    labels (or positions).
    """
    import pandas as pd

    frame = to_frame(table, row_labels, col_labels)
    if isinstance(table, pd.DataFrame | list):
        keep_index = not isinstance(frame.index, pd.RangeIndex)
    else:
        keep_index = True
    frame = frame.map(_as_text)
    frame.index = frame.index.map(_as_text)
    frame.columns = frame.columns.map(_as_text)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=keep_index)
    return buffer.getvalue()


def _unique(labels: list[str]) -> list[str]:
    """Position-prefixed labels, so repeated tokens stay distinct columns in the CSV."""
    return [f"{i}:{label}" for i, label in enumerate(labels)]


def chart(
    fig: Figure,
    key: str,
    data=None,
    row_labels=None,
    col_labels=None,
    filename: str | None = None,
    where=None,
    **selection,
) -> None:
    """Show ``fig`` (in the container or column ``where``, by default the page); with ``data`` (array,
    DataFrame, or a function returning one, called only on click), add a button that downloads it as CSV.
    ``selection``: ``on_select`` and ``selection_mode`` of ``st.plotly_chart``, for a chart the user clicks in.

    The one place a plotly chart is drawn. Figures are plain JSON (:mod:`viz.figures.spec`); with
    ``VIZ_CHECK_FIGURES=1`` (the test suite) each one is checked here to be exactly what plotly's
    validation would have made of it."""
    if check_requested():
        check_figure(fig)
    with where or contextlib.nullcontext():
        st.plotly_chart(streamlit_figure(fig, font_scale()), key=key, config=PLOTLY_CONFIG, **selection)
        if data is not None:
            csv_button(key, data, row_labels, col_labels, filename)


def font_scale() -> float:
    """How much larger chart text is drawn: :data:`viz.figures.style.PRESENTER_SCALE` in presenter mode
    (``?present=1``), else 1 (the type scale of :mod:`viz.figures.style` as it is)."""
    from viz.figures.style import PRESENTER_SCALE
    from viz.ui.presenter import presenter_requested

    return PRESENTER_SCALE if presenter_requested() else 1.0


def vega_chart(
    spec: dict,
    key: str,
    png: Callable[[], bytes],
    data=None,
    filename: str | None = None,
    alt: str | None = None,
) -> None:
    """Show a Vega-Lite ``spec``; Streamlit gives such charts no save button, so add one for a PNG drawn by
    ``png`` (called only on click), and with ``data`` one for the CSV, as under every plotly chart."""
    st.vega_lite_chart(spec=spec, key=key, width="stretch", alt=alt)
    with st.container(horizontal=True):
        _download(
            "Download the chart (PNG)", png, filename or key, "png", "image/png", key, ":material/image:"
        )
        if data is not None:
            csv_button(key, data, filename=filename)


def csv_button(key: str, data, row_labels=None, col_labels=None, filename: str | None = None) -> None:
    """A button that downloads ``data`` (or what ``data()`` returns, called only on click) as CSV."""

    def csv() -> str:  # built only when the button is clicked
        return csv_text(data() if callable(data) else data, row_labels, col_labels)

    _download("Download the data (CSV)", csv, filename or key, "csv", "text/csv", key, ":material/download:")


def _download(label: str, data: Callable, name: str, extension: str, mime: str, key: str, icon: str) -> None:
    """A download button for ``name.extension``, its content made by ``data()`` only when clicked; its key is
    ``<chart key>_<extension>``."""
    st.download_button(
        label,
        data,
        file_name=f"{name}.{extension}",
        mime=mime,
        key=f"{key}_{extension}",
        on_click="ignore",
        icon=icon,
    )
