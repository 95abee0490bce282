"""Real-browser check of the drawing pad on the ViT attention page: a star drawn with the mouse is classified
and its attention drawn; it is repainted after a switch of source; more strokes change the prediction and Undo
brings the first one back exactly; Clear empties the sheet and the page. Also: the pad's type is
classroom-sized (larger in presenter mode) and a finger draws on it instead of scrolling the page."""

from __future__ import annotations

import json
import math

from tests.browser.marks import BROWSER
from tests.browser.serve import PLOTLY_DRAWN, milliseconds_left, plotly_function

pytestmark = BROWSER

BUDGET_S = 150.0
VIEWPORT = {"width": 1366, "height": 768}

#: The prediction chart's bars as one JSON string (labels and probabilities), or null while there is none.
_PREDICTION = plotly_function("""
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    if (!titleOf(plot).startsWith('Prediction')) continue;
    const bars = plot.data.find(t => t.type === 'bar');
    if (!bars) continue;
    const values = v => (v && v.bdata) ? rowsOf(v).flat() : Array.from(v);
    return JSON.stringify([values(bars.x), values(bars.y)]);
  }
  return null;
""")

_NO_PREDICTION = plotly_function("""
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  return !plots.some(p => titleOf(p).startsWith('Prediction'));
""")

#: The prediction chart's top-left corner in the viewport, or null while there is none.
_PREDICTION_CORNER = plotly_function("""
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    if (!titleOf(plot).startsWith('Prediction')) continue;
    const rect = plot.getBoundingClientRect();
    return [rect.left, rect.top];
  }
  return null;
""")

#: The pad's look: the canvas's touch-action and size, and the smallest type of its labels and buttons.
_PAD_STYLE = """(canvas) => {
  const root = canvas.getRootNode();
  const sizes = Array.from(root.querySelectorAll('legend, label, button, .status'))
    .map(e => parseFloat(getComputedStyle(e).fontSize));
  const rect = canvas.getBoundingClientRect();
  return [getComputedStyle(canvas).touchAction, rect.width, rect.height, Math.min(...sizes)];
}"""


#: The share of the canvas's pixels that are not white paper.
_INKED = """(canvas) => {
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i] + pixels[i + 1] + pixels[i + 2] < 600) inked++;
  return inked / (pixels.length / 4);
}"""


def star_points(box: dict, turns: int = 11) -> list[tuple[float, float]]:
    """A five-pointed star inscribed in the canvas's box, closed (11 corners), in page coordinates."""
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    outer = 0.42 * box["width"]
    return [
        (
            cx + (outer if i % 2 == 0 else 0.4 * outer) * math.cos(math.pi / 2 + i * math.pi / 5),
            cy - (outer if i % 2 == 0 else 0.4 * outer) * math.sin(math.pi / 2 + i * math.pi / 5),
        )
        for i in range(turns)
    ]


def stroke(page, points) -> None:
    """Press the mouse at the first point, move through the others, release at the last."""
    page.mouse.move(*points[0])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(x, y, steps=6)
    page.mouse.up()


def settled(page, left_ms) -> None:
    """Wait until the app has finished its rerun and drawn its charts (if any)."""
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=left_ms())
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_star_drawn_with_the_mouse_is_classified_undo_restores_and_clear_empties(
    app_url, new_page, tmp_path
):
    left_ms = milliseconds_left(BUDGET_S)
    page = new_page(viewport=VIEWPORT)
    page.goto(f"{app_url}/vit-attention", timeout=left_ms())
    page.get_by_text("Draw it", exact=True).click(timeout=left_ms())
    canvas = page.locator("canvas.paper")
    canvas.wait_for(timeout=left_ms())
    page.get_by_text("Draw a shape on the pad", exact=False).wait_for(timeout=left_ms())
    assert page.evaluate(_NO_PREDICTION)
    assert "vision_source=Draw" in page.url  # the source is in the address

    touch_action, width, height, smallest_type = canvas.evaluate(_PAD_STYLE)
    assert touch_action == "none"  # a finger draws, it does not scroll the page
    assert 300 <= width <= 400 and abs(width - height) < 1  # a square sheet
    assert smallest_type >= 14

    canvas.scroll_into_view_if_needed(timeout=left_ms())
    box = canvas.bounding_box()
    stroke(page, star_points(box))
    page.get_by_text("your drawing on the pad", exact=False).wait_for(timeout=left_ms())
    assert page.get_by_text("1 stroke: sent to the model.").count() == 1
    first = page.wait_for_function(_PREDICTION, timeout=left_ms()).json_value()
    page.wait_for_function(PLOTLY_DRAWN, timeout=left_ms())
    settled(page, left_ms)
    assert page.get_by_text("320 x 320 pixels as read", exact=False).count() == 1  # the canvas, as drawn
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 3  # prediction, heads, patch, ...
    left, top = page.evaluate(_PREDICTION_CORNER)
    box = canvas.bounding_box()
    assert left > box["x"] + box["width"] and top < box["y"] + box["height"]  # beside the pad, not below
    page.screenshot(path=str(tmp_path / "drawn_star.png"))
    inked = canvas.evaluate(_INKED)
    assert 0.05 < inked < 0.5, inked

    # Away to a generated shape and back: the pad is drawn anew with the last drawing on it, still traced.
    page.get_by_text("Generated shape", exact=True).click(timeout=left_ms())
    page.get_by_text("Image: generated ", exact=False).first.wait_for(timeout=left_ms())
    page.get_by_text("Draw it", exact=True).click(timeout=left_ms())
    page.get_by_text("Your last drawing: draw on, or clear it.").wait_for(timeout=left_ms())
    assert abs(canvas.evaluate(_INKED) - inked) < 0.01
    page.wait_for_function(f"() => ({_PREDICTION})() === {json.dumps(first)}", timeout=left_ms())
    settled(page, left_ms)

    # Three heavy bars across the star: another picture, another prediction.
    box = canvas.bounding_box()
    for row in range(3):
        y = box["y"] + box["height"] * (0.2 + 0.3 * row)
        stroke(page, [(box["x"] + 0.05 * box["width"], y), (box["x"] + 0.95 * box["width"], y + 20)])
    page.get_by_text("3 strokes: sent to the model.").wait_for(timeout=left_ms())
    page.wait_for_function(f"() => ({_PREDICTION})() !== {json.dumps(first)}", timeout=left_ms())
    settled(page, left_ms)

    # Undo three times: the very same pixels as the star (repainted from the PNG it was sent as), so the very
    # same prediction.
    for _ in range(3):
        page.get_by_role("button", name="Undo the last stroke").click(timeout=left_ms())
    page.wait_for_function(f"() => ({_PREDICTION})() === {json.dumps(first)}", timeout=left_ms())
    settled(page, left_ms)

    page.get_by_role("button", name="Clear the drawing pad").click(timeout=left_ms())
    page.get_by_text("Draw a shape on the pad", exact=False).wait_for(timeout=left_ms())
    page.wait_for_function(_NO_PREDICTION, timeout=left_ms())
    settled(page, left_ms)
    assert page.get_by_text("The pad is empty.").count() == 1
    assert canvas.evaluate(_INKED) == 0
    assert page.get_by_text("your drawing on the pad", exact=False).count() == 0


def test_a_finger_draws_on_a_phone_without_scrolling_the_page(app_url, new_page):
    """A touch stroke (Chromium's own touch events, turned into pointer events as on a phone) reaches the
    model, and the page does not move under the finger."""
    left_ms = milliseconds_left(BUDGET_S)
    page = new_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page.goto(f"{app_url}/vit-attention?vision_source=Draw+it", timeout=left_ms())
    canvas = page.locator("canvas.paper")
    canvas.wait_for(timeout=left_ms())
    canvas.scroll_into_view_if_needed(timeout=left_ms())
    settled(page, left_ms)
    box = canvas.bounding_box()
    assert box["width"] <= 390  # the sheet fits the phone
    scrolled = page.evaluate(_SCROLL)

    touch = page.context.new_cdp_session(page)
    points = star_points(box)
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [_touch(*points[0])]})
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        for step in range(1, 7):
            t = step / 6
            point = _touch(x0 + t * (x1 - x0), y0 + t * (y1 - y0))
            touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

    page.get_by_text("your drawing on the pad", exact=False).wait_for(timeout=left_ms())
    assert page.get_by_text("1 stroke: sent to the model.").count() == 1
    page.wait_for_function(_PREDICTION, timeout=left_ms())
    assert page.evaluate(_SCROLL) == scrolled  # the finger drew; it did not scroll


def test_in_presenter_mode_the_pad_has_the_projectors_type(app_url, new_page):
    left_ms = milliseconds_left(BUDGET_S)
    page = new_page(viewport=VIEWPORT)
    page.goto(f"{app_url}/vit-attention?present=1&vision_source=Draw+it", timeout=left_ms())
    canvas = page.locator("canvas.paper")
    canvas.wait_for(timeout=left_ms())
    settled(page, left_ms)
    _, width, _, smallest_type = canvas.evaluate(_PAD_STYLE)
    assert smallest_type >= 20 and width >= 300


#: How far the window and Streamlit's scroll container are scrolled.
_SCROLL = """() => {
  const main = document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
  return [window.scrollY, main.scrollTop];
}"""


def _touch(x: float, y: float) -> dict:
    return {"x": x, "y": y, "radiusX": 4, "radiusY": 4, "force": 1, "id": 1}
