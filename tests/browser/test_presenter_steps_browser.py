"""Presenter mode in Chromium at 1366 x 768: each step scrolls the element it describes into view and outlines
it in the accent colour; PageDown moves to the next step's element, PageUp back, and the step box stays on
screen above it."""

from __future__ import annotations

from tests.browser.marks import BROWSER

pytestmark = BROWSER

#: The element the page points at (``<body data-viz-target>``): its selector, where it is and its outline.
_POINTED = """() => {
  const selector = document.body.dataset.vizTarget;
  const target = selector && document.querySelector(selector);
  if (!target) return null;
  const r = target.getBoundingClientRect(), style = getComputedStyle(target);
  const box = document.querySelector('.st-key-presenter_steps').getBoundingClientRect();
  return {selector, top: r.top, bottom: r.bottom, height: innerHeight, outline: style.outlineStyle,
          colour: style.outlineColor, width: parseFloat(style.outlineWidth), box_top: box.top,
          box_bottom: box.bottom};
}"""
ACCENT = "rgb(0, 114, 178)"  # the theme's primaryColor, #0072B2


def pointed_at(page, selector: str) -> dict:
    page.wait_for_function(
        """(selector) => {
          const t = document.body.dataset.vizTarget === selector && document.querySelector(selector);
          if (!t) return false;
          const r = t.getBoundingClientRect();
          return r.top >= 0 && r.top < innerHeight;
        }""",
        arg=selector,
        timeout=60_000,
    )
    return page.evaluate(_POINTED)


def assert_outlined_in_view(seen: dict) -> None:
    assert seen["outline"] == "solid" and seen["colour"] == ACCENT and seen["width"] >= 3, seen
    assert seen["box_bottom"] <= seen["top"] < seen["height"], seen  # below the step box, on screen
    assert 0 <= seen["box_top"] < 100, seen  # the step box is still at the top


def test_page_down_scrolls_to_and_outlines_each_steps_element(app_url, new_page):
    page = new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{app_url}/attention?present=1", timeout=120_000)
    page.get_by_text("Step 1 of").wait_for(timeout=120_000)
    assert_outlined_in_view(pointed_at(page, ".st-key-sentence"))
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=120_000)
    page.mouse.click(1300, 200)  # the keys go to the page, not a text box
    page.keyboard.press("PageDown")
    page.get_by_text("Step 2 of").wait_for(timeout=60_000)
    grid = pointed_at(page, ".st-key-grid")
    assert_outlined_in_view(grid)
    assert page.evaluate(
        "() => getComputedStyle(document.querySelector('.st-key-sentence')).outlineStyle"
    ) in ("none", ""), "the previous step's element keeps no outline"
    page.keyboard.press("PageDown")
    page.get_by_text("Step 3 of").wait_for(timeout=60_000)
    enlarged = pointed_at(page, ".st-key-enlarged")
    assert_outlined_in_view(enlarged)
    page.keyboard.press("PageUp")
    page.get_by_text("Step 2 of").wait_for(timeout=60_000)
    assert_outlined_in_view(pointed_at(page, ".st-key-grid"))


def test_a_step_whose_chart_is_in_another_view_points_at_the_views_control(app_url, new_page):
    page = new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{app_url}/positional?present=1", timeout=120_000)
    page.get_by_text("Step 1 of").wait_for(timeout=120_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=120_000)
    page.mouse.click(1300, 200)
    page.keyboard.press("PageDown")
    page.get_by_text("Step 2 of").wait_for(timeout=60_000)
    assert_outlined_in_view(pointed_at(page, ".st-key-pe_matrix"))  # the sinusoid view is open
    page.keyboard.press("PageDown")
    page.get_by_text("Step 3 of").wait_for(timeout=60_000)
    assert_outlined_in_view(pointed_at(page, ".st-key-pe_view"))  # similarity is another view: its control
