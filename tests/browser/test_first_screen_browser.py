"""The first chart of every page of navigation.py is on the first screen of a projector (1366 x 768): each
page is opened as a link, and the top edge of its first plotly chart (the Vega-Lite timeline on Home) lies
above the bottom of the window, with the page scrolled to the top."""

from __future__ import annotations

import re

import pytest

from tests.browser.marks import BROWSER
from tests.browser.serve import REPO_ROOT

pytestmark = BROWSER

SCREEN = {"width": 1366, "height": 768}
#: Pages that draw no chart at all (the model library is a list of models).
NO_CHART = {"models"}
PAGES = [""] + re.findall(r'url_path="([^"]+)"', (REPO_ROOT / "navigation.py").read_text())
CHART = '[data-testid="stPlotlyChart"], [data-testid="stVegaLiteChart"]'


def test_every_page_of_the_navigation_is_listed():
    assert len(PAGES) >= 13 and "attention" in PAGES and "encoder-decoder" in PAGES


@pytest.mark.parametrize("url_path", PAGES, ids=[p or "home" for p in PAGES])
def test_first_chart_is_on_the_first_screen(app_url, new_page, url_path):
    page = new_page(viewport=SCREEN)
    page.goto(f"{app_url}/{url_path}", timeout=120_000)
    if url_path in NO_CHART:
        page.locator("h1").first.wait_for(timeout=120_000)
        return
    first = page.locator(CHART).first
    first.wait_for(timeout=120_000)
    page.wait_for_timeout(1500)  # the widgets and notes above it settle (an expander, a caption)
    top = page.evaluate(
        """(css) => {
          const main = document.querySelector('[data-testid="stMain"]');
          if (main) main.scrollTop = 0;
          window.scrollTo(0, 0);
          return document.querySelector(css).getBoundingClientRect().top;
        }""",
        CHART,
    )
    print(f"first chart of /{url_path}: top edge at {top:.0f} px")
    assert top < SCREEN["height"], f"/{url_path}: the first chart starts at {top:.0f} px, below the screen"
