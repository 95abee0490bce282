"""Presenter mode: large type, the sidebar out of the way, a keyboard-driven step-through per page."""

from __future__ import annotations

import streamlit as st

from viz.ui.lessons import lesson_for

QUERY_KEY = "present"

# Our own fixed stylesheet (no user text): larger type for a projector.
PRESENTER_CSS = """
<style>
  html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
  [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.2rem; }
  h1 { font-size: 3rem !important; }
  h2, h3 { font-size: 2rem !important; }
  [data-testid="stWidgetLabel"] p { font-size: 1.1rem; }
  /* no downloads in front of a class: the charts keep their PNG button in the toolbar */
  [data-testid="stDownloadButton"] { display: none; }
</style>
"""


def presenter_requested() -> bool:
    """Whether the address asks for presenter mode (?present=1), read before the page is configured."""
    return st.query_params.get(QUERY_KEY, "") in ("1", "true", "on")


def presenter_toggle() -> bool:
    """The sidebar switch; it writes ?present=1 into the address so the mode survives page changes."""
    on = st.sidebar.toggle(
        "Presenter mode",
        value=presenter_requested(),
        key="presenter_toggle",
        help="Large type, sidebar hidden, and a step-through of the page's explanation. "
        "Clickers' PageDown / PageUp step through it.",
    )
    if on != presenter_requested():
        if on:
            st.query_params[QUERY_KEY] = "1"
        else:
            st.query_params.pop(QUERY_KEY, None)
    return on


def step_through(url_path: str) -> None:
    """The current page's lesson as numbered steps with Previous / Next (PageUp / PageDown)."""
    steps = lesson_for(url_path)
    if not steps:
        return
    st.html(PRESENTER_CSS)
    key = f"lesson_step_{url_path or 'home'}"
    step = min(st.session_state.get(key, 0), len(steps) - 1)
    with st.container(border=True):
        st.markdown(f"**Step {step + 1} of {len(steps)}.** {steps[step]}")
        with st.container(horizontal=True):  # each button as wide as its label and its key hint
            if st.button(
                "Previous",
                key=f"{key}_prev",
                shortcut="PageUp",
                disabled=step == 0,
                icon=":material/arrow_back:",
                width="content",
            ):
                st.session_state[key] = step - 1
                st.rerun()
            if st.button(
                "Next",
                key=f"{key}_next",
                shortcut="PageDown",
                disabled=step == len(steps) - 1,
                icon=":material/arrow_forward:",
                width="content",
            ):
                st.session_state[key] = step + 1
                st.rerun()
