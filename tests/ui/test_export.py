"""CSV export: tables keep repeated tokens apart and carry every number."""
from __future__ import annotations

import numpy as np

from viz.analysis.tables import attention_table
from viz.ui.export import to_frame


def test_to_frame_labels_unique():
    frame = to_frame(np.eye(2), ["the", "the"], ["a", "a"])
    assert list(frame.index) == ["0:the", "1:the"] and list(frame.columns) == ["0:a", "1:a"]
    assert to_frame([{"a": 1}]).to_dict("records") == [{"a": 1}]


def test_attention_table_round_trips():
    att = np.random.default_rng(0).random((2, 3, 4, 4))
    table = attention_table(att, list("wxyz"))
    assert len(table) == att.size
    row = table[(table["layer"] == 2) & (table["head"] == 3) & (table["query"] == 1) & (table["key"] == 0)].iloc[0]
    assert row.weight == att[1, 2, 1, 0] and row.query_token == "x" and row.key_token == "w"
    single = attention_table(att[1], list("wxyz"), layers=[5])
    assert set(single.layer) == {5} and len(single) == att[1].size
