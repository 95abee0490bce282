"""Real-browser checks of the landing page in Chromium: the milestones timeline drawn by Vega-Lite (one point per
milestone in its field's colour, every name printed, each point's hover text naming its own milestone and month
in any time zone and on a narrow screen), nothing fetched from outside the app's server, and plotly.js fetched
in the background only after the timeline is drawn, then reused by the next page."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import pytest

from tests.browser.marks import BROWSER
from tests.browser.serve import PLOTLY_DRAWN
from viz.data.milestones import MILESTONES
from viz.figures.timeline import FIELD_COLOURS
from viz.ui.warmup import plotly_chunk

pytestmark = BROWSER

CHART = '[data-testid="stVegaLiteChart"]'
POINTS = f"{CHART} g.mark-symbol.role-mark path"

#: Installed before the page loads: records when the timeline's marks first appear (performance.now() time).
_RECORD_DRAWN = """
new MutationObserver((_, observer) => {
  if (document.querySelector('[data-testid="stVegaLiteChart"] svg.marks, [data-testid="stVegaLiteChart"] canvas.marks')) {
    window.__timelineDrawnAt = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""
_FETCHES = (
    "(chunk) => performance.getEntriesByType('resource').filter(e => e.name.endsWith('/' + chunk))"
    ".map(e => e.startTime)"
)


def test_landing_page_draws_the_milestones_timeline_from_the_apps_server_only(app_url, new_page):
    page = new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(f"{app_url}/", timeout=60_000)
    page.wait_for_selector(f"{CHART} svg.marks", timeout=60_000)
    points = page.locator(POINTS)
    assert points.count() == len(MILESTONES)
    fills = sorted(points.nth(i).get_attribute("fill") for i in range(points.count()))
    assert fills == sorted(FIELD_COLOURS[m[3]] for m in MILESTONES)
    texts = page.locator(f"{CHART} g.mark-text text").all_text_contents()
    assert all(m[1] in texts for m in MILESTONES) and "Date" in texts
    spoken = [points.nth(i).get_attribute("aria-label") for i in range(points.count())]
    assert "ViT, October 2020, Vision: " + next(m[2] for m in MILESTONES if m[1] == "ViT") in spoken
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_timeout(1000)  # the favicon and late requests
    assert hosts == {urlsplit(app_url).netloc}, hosts  # no CDN, no font or icon service


@pytest.mark.parametrize("timezone, width", [("America/Los_Angeles", 1400), ("Asia/Tokyo", 420)])
def test_every_point_hovers_its_own_milestone_and_month(app_url, new_page, timezone, width):
    expected = {name: date.fromisoformat(f"{d}-01").strftime("%b %Y") for d, name, _, _ in MILESTONES}
    page = new_page(timezone_id=timezone, viewport={"width": width, "height": 900})
    page.goto(f"{app_url}/", timeout=60_000)
    page.wait_for_selector(f"{CHART} svg.marks", timeout=60_000)
    ticks = page.locator(f"{CHART} g.role-axis-label text").all_text_contents()
    assert ticks[0] == "Jan 2017" and ticks[-1] == "Jan 2022"  # whole years, in any time zone
    points = page.locator(POINTS)
    seen = {}
    for i in range(points.count()):
        points.nth(i).hover()  # fails if a name drawn over the point takes the pointer
        tooltip = page.locator("#vg-tooltip-element.visible")
        tooltip.wait_for(timeout=10_000)
        lines = [line.strip() for line in tooltip.inner_text().splitlines() if line.strip()]
        name, month = lines[lines.index("Milestone") + 1], lines[lines.index("Date") + 1]
        seen[name] = month
        page.mouse.move(0, 0)
        tooltip.wait_for(state="hidden", timeout=10_000)
    assert seen == expected


def test_plotly_is_fetched_after_the_timeline_is_drawn_and_reused_by_the_next_page(app_url, new_page):
    chunk = plotly_chunk()
    assert chunk is not None
    page = new_page()
    page.add_init_script(_RECORD_DRAWN)
    page.goto(f"{app_url}/", timeout=60_000)
    page.wait_for_selector(f"{CHART} svg.marks", timeout=60_000)
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0  # no plotly chart here...
    page.wait_for_function(f"() => ({_FETCHES})({chunk!r}).length === 1", timeout=30_000)  # ...yet
    (started,) = page.evaluate(_FETCHES, chunk)
    assert started >= page.evaluate("window.__timelineDrawnAt")  # only once the timeline was drawn
    page.get_by_role("link", name="Attention heatmaps").first.click()  # the sidebar, always visible
    page.wait_for_function(PLOTLY_DRAWN, timeout=60_000)
    assert len(page.evaluate(_FETCHES, chunk)) == 1  # the next page's charts used the module in memory
    assert page.locator('[data-testid="stException"]').count() == 0
