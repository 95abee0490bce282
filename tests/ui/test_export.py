"""CSV export: tables keep repeated tokens apart and carry every number."""

from __future__ import annotations

import contextlib

import numpy as np

from viz.analysis.tables import attention_table
from viz.ui import export
from viz.ui.export import to_frame


def test_to_frame_labels_unique():
    frame = to_frame(np.eye(2), ["the", "the"], ["a", "a"])
    assert list(frame.index) == ["0:the", "1:the"] and list(frame.columns) == ["0:a", "1:a"]
    assert to_frame([{"a": 1}]).to_dict("records") == [{"a": 1}]


def test_attention_table_round_trips():
    att = np.random.default_rng(0).random((2, 3, 4, 4))
    table = attention_table(att, list("wxyz"))
    assert len(table) == att.size
    row = table[
        (table["layer"] == 2) & (table["head"] == 3) & (table["query"] == 1) & (table["key"] == 0)
    ].iloc[0]
    assert row.weight == att[1, 2, 1, 0] and row.query_token == "x" and row.key_token == "w"
    single = attention_table(att[1], list("wxyz"), layers=[5])
    assert set(single.layer) == {5} and len(single) == att[1].size


class _RecordingStreamlit:
    """Stands in for streamlit inside viz.ui.export: records the chart and the buttons' arguments."""

    def __init__(self):
        self.charts, self.buttons = [], {}

    def vega_lite_chart(self, **kwargs):
        self.charts.append(kwargs)

    def download_button(self, label, data, **kwargs):
        self.buttons[label] = (data, kwargs)

    def container(self, **kwargs):
        return contextlib.nullcontext()


def test_vega_chart_offers_png_and_csv_built_only_on_click(monkeypatch):
    fake = _RecordingStreamlit()
    monkeypatch.setattr(export, "st", fake)
    drawn = []

    def png() -> bytes:
        drawn.append(True)
        return b"\x89PNG..."

    spec = {"mark": "point"}
    export.vega_chart(
        spec,
        "timeline",
        png=png,
        data=[{"date": "2017-06", "name": "Transformer"}],
        filename="milestones",
        alt="a timeline",
    )
    assert fake.charts == [{"spec": spec, "key": "timeline", "width": "stretch", "alt": "a timeline"}]
    assert not drawn  # the PNG is drawn only when its button is clicked
    make_png, png_options = fake.buttons["Download the chart (PNG)"]
    assert png_options["file_name"] == "milestones.png" and png_options["mime"] == "image/png"
    assert make_png() == b"\x89PNG..." and drawn
    make_csv, csv_options = fake.buttons["Download the data (CSV)"]
    assert csv_options["file_name"] == "milestones.csv"
    assert make_csv().splitlines() == ["date,name", "2017-06,Transformer"]


def test_vega_chart_without_data_has_only_the_png_button(monkeypatch):
    fake = _RecordingStreamlit()
    monkeypatch.setattr(export, "st", fake)
    export.vega_chart({"mark": "point"}, "k", png=lambda: b"")
    assert list(fake.buttons) == ["Download the chart (PNG)"]


def test_csv_cells_a_spreadsheet_would_run_are_neutralised():
    import pandas as pd

    table = pd.DataFrame(
        {"label": ["=cmd|' /C calc'!A0", "+1", "@SUM(A1)", "-2+3", "sport", "\tx"], "si": [0.5] * 6}
    )
    lines = export.csv_text(table).splitlines()
    assert lines[1] == "'=cmd|' /C calc'!A0,0.5" and lines[2] == "'+1,0.5" and lines[3] == "'@SUM(A1),0.5"
    assert lines[4] == "'-2+3,0.5" and lines[5] == "sport,0.5"
    assert not any(line.startswith(("=", "+", "@")) for line in lines)
    negative = export.csv_text(pd.DataFrame({"=a": [-1.5]}, index=["-b"]))
    assert negative.splitlines() == [",'=a", "'-b,-1.5"]  # numbers stay numbers; row and column names do not


def test_a_table_keeps_its_row_names():
    import pandas as pd

    per_class = pd.DataFrame({"sport": [0.4, 0.9]}, index=pd.Index(["embeddings", "block 1"], name="layer"))
    assert export.csv_text(per_class).splitlines() == ["layer,sport", "embeddings,0.4", "block 1,0.9"]
    plain = pd.DataFrame({"a": [1, 2]})
    assert export.csv_text(plain).splitlines() == ["a", "1", "2"]
