"""Real-browser checks of the landing page in Chromium: the milestones timeline drawn by Vega-Lite (one point per
milestone in its field's colour, every name printed, the hover text saying what it showed), and plotly.js
fetched in the background afterwards and reused by the next page."""
from __future__ import annotations

import pytest

from tests.browser.serve import chromium_available, launch_chromium, screenshot_on_failure, streamlit_server
from viz.data.milestones import MILESTONES
from viz.figures.timeline import FIELD_COLOURS
from viz.ui.warmup import plotly_chunk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(),
                       reason="needs /usr/bin/chromium and the playwright Python package"),
]

CHART = '[data-testid="stVegaLiteChart"]'


def test_landing_page_draws_the_milestones_timeline(tmp_path):
    from playwright.sync_api import sync_playwright

    with streamlit_server() as base, sync_playwright() as playwright:
        context = launch_chromium(playwright)
        page = context.new_page()
        try:
            with screenshot_on_failure(page, tmp_path / "home_failure.png"):
                page.goto(f"{base}/", timeout=60_000)
                page.wait_for_selector(f"{CHART} svg.marks", timeout=60_000)
                points = page.locator(f"{CHART} g.mark-symbol.role-mark path")
                assert points.count() == len(MILESTONES)
                fills = sorted(points.nth(i).get_attribute("fill") for i in range(points.count()))
                assert fills == sorted(FIELD_COLOURS[m[3]] for m in MILESTONES)
                texts = page.locator(f"{CHART} g.mark-text text").all_text_contents()
                assert all(m[1] in texts for m in MILESTONES) and "Date" in texts

                spoken = [points.nth(i).get_attribute("aria-label") for i in range(points.count())]
                vit = spoken.index("ViT, October 2020, Vision: " + next(m[2] for m in MILESTONES if m[1] == "ViT"))
                points.nth(vit).hover()
                tooltip = page.locator("#vg-tooltip-element.visible")
                tooltip.wait_for(timeout=10_000)
                text = tooltip.inner_text()
                assert "Oct 2020" in text and "pure transformer on image patches" in text
                assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            context.close()


_FETCHES = "(chunk) => performance.getEntriesByType('resource').filter(e => e.name.endsWith('/' + chunk)).length"
_PLOTLY_DRAWN = """() => {
  const charts = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
  return charts.length > 0 && charts.every(chart => chart.querySelector('.main-svg') !== null);
}"""


def test_plotly_is_fetched_after_the_landing_page_and_reused_by_the_next(tmp_path):
    from playwright.sync_api import sync_playwright

    chunk = plotly_chunk()
    assert chunk is not None
    with streamlit_server() as base, sync_playwright() as playwright:
        context = launch_chromium(playwright)
        page = context.new_page()
        try:
            with screenshot_on_failure(page, tmp_path / "warmup_failure.png"):
                page.goto(f"{base}/", timeout=60_000)
                page.wait_for_selector(f"{CHART} svg.marks", timeout=60_000)
                assert page.locator('[data-testid="stPlotlyChart"]').count() == 0  # no plotly chart here...
                page.wait_for_function(f"() => ({_FETCHES})({chunk!r}) === 1", timeout=30_000)  # ...yet fetched
                page.get_by_role("link", name="Positional encodings").first.click()
                page.wait_for_function(_PLOTLY_DRAWN, timeout=60_000)
                assert page.evaluate(_FETCHES, chunk) == 1  # the next page's charts used the module already there
                assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            context.close()
