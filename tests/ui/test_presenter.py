"""Presenter mode: steps from the address, clicker keys, a lesson for every page."""

from __future__ import annotations

import re
from pathlib import Path

from tests.pages.helpers import APP, assert_no_exception
from viz.ui.lessons import LESSONS, lesson_for


def test_steps_advance_and_follow_pages():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["present"] = "1"
    at.run()
    assert_no_exception(at)
    assert at.markdown[0].value.startswith("**Step 1 of 4.**")
    next_button = at.button(key="lesson_step_home_next")
    assert next_button.proto.shortcut.lower() == "pagedown"
    next_button.click().run()
    assert at.markdown[0].value.startswith("**Step 2 of 4.**")
    at.button(key="lesson_step_home_prev").click().run()
    assert at.markdown[0].value.startswith("**Step 1 of 4.**")
    at.switch_page("app_pages/positional.py").run()
    assert at.markdown[0].value.startswith(f"**Step 1 of {len(LESSONS['positional'])}.**")


def test_off_by_default():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not any(m.value.startswith("**Step") for m in at.markdown)
    at.sidebar.toggle(key="presenter_toggle").set_value(True).run()
    assert at.query_params.get("present") in ("1", ["1"])


def test_every_registered_page_has_a_lesson():
    paths = re.findall(r'url_path="([^"]+)"', Path(APP).read_text())
    for path in [""] + paths:
        assert lesson_for(path), f"page {path or 'home'} has no presenter steps"


def test_every_step_points_at_something_and_the_page_draws_it():
    """Each step names what it describes; the step's script is on the page with the step's selectors."""
    from streamlit.testing.v1 import AppTest

    from viz.ui.presenter import target_selectors

    for path, steps in LESSONS.items():
        for step in steps:
            assert step.targets, (path, step.text)
            for selector in target_selectors(step):
                assert re.fullmatch(r"(#|\.st-key-)[a-z0-9_-]+", selector), (path, selector)
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["present"] = "1"
    at.switch_page("app_pages/attention.py").run()
    assert_no_exception(at)
    scripts = [
        h.proto.body for h in at.get("html") if "<script>" in h.proto.body and "vizPresenter" in h.proto.body
    ]
    assert len(scripts) == 1 and '[".st-key-sentence"]' in scripts[0]
    at.button(key="lesson_step_attention_next").click().run()
    scripts = [h.proto.body for h in at.get("html") if "vizPresenter" in h.proto.body]
    assert len(scripts) == 1 and '[".st-key-grid"]' in scripts[0]
