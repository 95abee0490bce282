"""The course's tables as the source prints them: a dash for a value not reported, never "None" or "nan"."""

from __future__ import annotations

from viz.data import vision_results as vr
from viz.ui.vision_results_views import coco_frame, course_table


def test_missing_values_are_dashes_and_whole_numbers_whole():
    frame = coco_frame().rename(columns=vr.COCO_COLUMNS)
    assert frame.isna().any().any()  # the COCO table has values not reported
    html = course_table(frame).to_html()
    assert "–" in html and "None" not in html and "nan" not in html
    rendered = course_table(frame.head(1)).data  # the data themselves stay numbers, for sorting
    assert rendered["AP"].dtype.kind == "f"
    epochs = next(v for v in frame["Epochs"] if v == v)
    assert f">{epochs:.0f}<" in course_table(frame).to_html()
