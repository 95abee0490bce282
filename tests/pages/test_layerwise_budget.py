"""A teacher's CSV that would hold the server for minutes is refused before the encoder runs, with a message."""

from __future__ import annotations

import pytest

from tests.pages.helpers import assert_no_exception, open_page
from viz.models.bert.model import BertEncoder


def test_a_csv_over_the_token_budget_gets_a_message_and_runs_no_model(monkeypatch):
    at = open_page("app_pages/layerwise.py", timeout=300)
    monkeypatch.setattr(BertEncoder, "forward", lambda *a, **k: pytest.fail("the encoder ran"))
    rows = ["text,label"] + [f"{'many words here ' * 60},{'ab'[i % 2]}" for i in range(400)]  # ~980 KB
    at.segmented_control(key="lw_view").set_value("Your CSV").run()
    at.file_uploader(key="lw_csv").upload("big.csv", "\n".join(rows).encode(), "text/csv").run()
    assert_no_exception(at)
    assert any("tokens; one analysis runs at most 40,000" in e.value for e in at.error)
