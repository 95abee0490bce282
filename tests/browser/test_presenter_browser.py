"""Presenter mode in Chromium at 1366 x 768: the step buttons show their whole labels, PageDown and PageUp step
through the lesson, and no download button is drawn."""

from __future__ import annotations

from tests.browser.marks import BROWSER

pytestmark = BROWSER

#: Whether any text inside a button is cut (an ellipsis or a clipped label: scrollWidth over clientWidth).
_CUT = """(label) => {
  const button = [...document.querySelectorAll('button')].find(b => b.innerText.includes(label));
  if (!button) return 'missing';
  const cut = [button, ...button.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1);
  return cut ? 'cut: ' + button.innerText : 'whole';
}"""


def test_step_buttons_keys_and_no_downloads(app_url, new_page):
    page = new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{app_url}/attention?present=1", timeout=120_000)
    page.get_by_text("Step 1 of").wait_for(timeout=120_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=120_000)
    for label in ("Previous", "Next"):
        assert page.evaluate(_CUT, label) == "whole"
    assert page.locator('[data-testid="stDownloadButton"]:visible').count() == 0
    page.mouse.click(700, 60)  # the keys go to the page, not a text box
    page.keyboard.press("PageDown")
    page.get_by_text("Step 2 of").wait_for(timeout=60_000)
    page.keyboard.press("PageUp")
    page.get_by_text("Step 1 of").wait_for(timeout=60_000)
