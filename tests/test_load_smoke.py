"""A short, bounded load run (bench/load_test.py's harness): 3 students for about 20 s on a fresh server.

Real Streamlit sessions over the websocket protocol: each student opens the app, types new sentences on a
text page and uploads pictures (some of them bad files) on a vision page. Asserts zero errors (no exception
element, no compile error, no closed connection, no timeout, every bad file refused with a message) and
that every student got answers. Latency is not asserted here (the machine running CI may be busy);
bench/load_test.py measures it. Skipped only when the server cannot start.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.browser.serve import streamlit_server
from tools.loadtest.runner import LoadConfig, format_report, run_load
from tools.loadtest.student import BAD_UPLOAD, OPEN, SENTENCE, UPLOAD, VISION_PAGES


def vision_pages_listed() -> bool:
    from pathlib import Path

    app = (Path(__file__).resolve().parents[1] / "navigation.py").read_text()
    return any(f'url_path="{page}"' in app for page in VISION_PAGES)


def test_three_students_get_answers_without_errors():
    cfg = LoadConfig.short(students=3, duration=20.0, seed=8, max_actions=12, bad_share=0.3)
    try:
        server = streamlit_server(timeout=90)
        base_url = server.__enter__()
    except RuntimeError as err:
        pytest.skip(f"the Streamlit server did not start: {err}")
    try:
        report = asyncio.run(asyncio.wait_for(run_load(base_url, cfg, log=lambda _: None), timeout=240))
    finally:
        server.__exit__(None, None, None)
    summary = format_report(report)
    assert not report.errors, summary
    assert len(report.logs) == 3
    for log in report.logs:
        kinds = {a.kind for a in log.actions if a.ok}
        assert OPEN in kinds, summary
        assert log.answered() >= 2, summary  # a page change and at least one sentence or upload
        assert SENTENCE in kinds, summary  # the first round of every student is a text round
    if vision_pages_listed():  # uploads need a vision page in the navigation
        assert any(a.kind in (UPLOAD, BAD_UPLOAD) and a.ok for a in report.actions), summary
    assert report.max_active == 3, summary
