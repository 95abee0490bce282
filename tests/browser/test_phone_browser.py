"""Attention heatmaps on a phone (390 x 844) in Chromium: no plotly chart is narrower than 300 px (a wide one
keeps 600 px and scrolls sideways in its own box) and no chart title is clipped (its box lies within the chart)."""

from __future__ import annotations

from tests.browser.marks import BROWSER

pytestmark = BROWSER

_CHARTS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')].map(plot => {
  const r = plot.getBoundingClientRect(), title = plot.querySelector('.gtitle');
  const t = title ? title.getBoundingClientRect() : null;
  return {width: r.width, title: title ? title.textContent : '',
          inside: !t || (t.left >= r.left - 1 && t.right <= r.right + 1)};
})"""


def test_attention_charts_keep_a_readable_width_and_whole_titles(app_url, new_page):
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{app_url}/attention", timeout=120_000)
    page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=120_000)
    page.wait_for_timeout(2000)
    charts = page.evaluate(_CHARTS)
    assert len(charts) >= 2, charts
    for chart in charts:
        assert chart["width"] >= 300, chart
        assert chart["inside"], chart
