"""Presenter mode: large type, the sidebar out of the way, a keyboard-driven step-through per page whose
every step scrolls to and outlines what it describes; and the app's own stylesheet, on every page."""

from __future__ import annotations

import json

import streamlit as st

from viz.figures.style import BLUE as ACCENT  # the accent colour: Okabe-Ito blue, written in style.py only
from viz.ui.lessons import Step, lesson_for

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
  /* the step box stays on screen, under the app's header, while the page scrolls to what a step describes */
  [data-testid="stLayoutWrapper"]:has(> .st-key-presenter_steps) {
    position: sticky; top: 3.75rem; z-index: 990; background: #FFFFFF;
  }
</style>
"""

# The app's own fixed stylesheet, on every page: less empty space above the title, so that a page's first
# chart is on the first screen of a projector (1366 x 768); on a phone, columns stack and a chart keeps a
# readable width (at least 600 px, scrolled sideways inside its own box) instead of shrinking to slivers.
APP_CSS = """
<style>
  [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
  @media (max-width: 640px) {
    [data-testid="stMainBlockContainer"] { padding-left: 0.75rem; padding-right: 0.75rem; }
    [data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
    [data-testid="stColumn"] { min-width: 100% !important; flex: 1 1 100% !important; }
    [data-testid="stPlotlyChart"] { overflow-x: auto; overflow-y: hidden; }
    [data-testid="stPlotlyChart"] > div { min-width: 600px; }
  }
</style>
"""

#: Scrolls to the first of a step's targets that the page shows (waiting up to 20 s for the page to draw
#: it) and outlines it in the theme's accent colour. The outline is a style rule for the target's selector,
#: which the next step replaces (a class on the element would not last: Streamlit redraws its elements'
#: classes), and ``<body data-viz-target>`` names the selector pointed at. Our own constant: what is filled
#: in is a JSON list of this module's CSS selectors and the step's name (page and number).
_POINT_SCRIPT = """<script>
(() => {
  const selectors = %s, step = %s;
  const state = (window.__vizPresenter = window.__vizPresenter || {});
  state.step = step;
  const started = Date.now();
  const point = () => {
    if (state.step !== step) return;  // a newer step took over
    const selector = selectors.find(s => document.querySelector(s));
    if (!selector) {
      if (Date.now() - started < 20000) setTimeout(point, 200);
      return;
    }
    let style = document.getElementById('viz-presenter-outline');
    if (!style) {
      style = document.createElement('style');
      style.id = 'viz-presenter-outline';
      document.head.appendChild(style);
    }
    const box = document.querySelector('.st-key-presenter_steps');
    const margin = (box ? box.getBoundingClientRect().bottom : 60) + 16;
    style.textContent = selector + ' { outline: 4px solid %s !important; outline-offset: 6px; ' +
      'border-radius: 8px; scroll-margin-top: ' + margin + 'px; }';
    document.body.dataset.vizTarget = selector;
    requestAnimationFrame(() => document.querySelector(selector).scrollIntoView({block: 'start'}));
  };
  point();
})();
</script>"""


def presenter_requested() -> bool:
    """Whether the address asks for presenter mode (?present=1), read before the page is configured."""
    return st.query_params.get(QUERY_KEY, "") in ("1", "true", "on")


def presenter_toggle() -> bool:
    """The sidebar switch; it writes ?present=1 into the address so the mode survives page changes. Also
    adds the app's stylesheet (:data:`APP_CSS`): navigation.py calls this on every page."""
    st.html(APP_CSS)
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


def target_selectors(step: Step) -> list[str]:
    """The CSS selectors of a step's targets: ``#anchor`` as it is, a key as Streamlit's ``.st-key-<key>``."""
    return [t if t.startswith("#") else f".st-key-{t}" for t in step.targets]


def point_at(step: Step, name: str) -> None:
    """Scroll to and outline what ``step`` (called ``name``) describes: a script that waits for the page to
    draw it."""
    script = _POINT_SCRIPT % (json.dumps(target_selectors(step)), json.dumps(name), ACCENT)
    st.html(script, width="content", unsafe_allow_javascript=True)


def step_through(url_path: str) -> None:
    """The current page's lesson as numbered steps with Previous / Next (PageUp / PageDown), in a box that
    stays under the header while each step scrolls to and outlines its element."""
    steps = lesson_for(url_path)
    if not steps:
        return
    st.html(PRESENTER_CSS)
    key = f"lesson_step_{url_path or 'home'}"
    step = min(st.session_state.get(key, 0), len(steps) - 1)
    with st.container(border=True, key="presenter_steps"):
        # the buttons (each as wide as its label and its key hint) beside the step's text: one short box
        with st.container(horizontal=True, vertical_alignment="center"):
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
            st.markdown(f"**Step {step + 1} of {len(steps)}.** {steps[step].text}")
        point_at(steps[step], f"{key}_{step}")
