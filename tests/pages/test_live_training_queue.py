"""The encoder-decoder page's live training when the server's queue is full: a message, never a traceback."""

from __future__ import annotations

from tests.pages.helpers import assert_no_exception, open_page
from viz.training.live import TrainingQueue
from viz.ui import live_training

PAGE = "app_pages/seq2seq.py"


def test_a_full_queue_says_so_and_starts_nothing(monkeypatch):
    full = TrainingQueue(threads=1, max_waiting=0)  # nothing running, and no room to wait
    monkeypatch.setattr(live_training, "training_queue", lambda: full)
    at = open_page(PAGE)
    at.session_state["s2s_tab"] = "Train your own"
    at.run()
    at.button(key="train_start").click().run()
    assert_no_exception(at)
    assert any("training queue is full" in w.value for w in at.warning)
    assert full.counts() == (0, 0) and live_training.RUN_KEY not in at.session_state
