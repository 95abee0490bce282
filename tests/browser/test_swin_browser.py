"""Real-browser check of the Swin page: upload a picture, see its shifted-window mask and window attention,
click a token to query it; a bad file gets a message, not a traceback."""

from __future__ import annotations

from tests.browser.marks import BROWSER
from tests.browser.serve import give_file, milliseconds_left, plotly_function, upload_shape

pytestmark = BROWSER

BUDGET_S = 120.0

#: [title, the mask's shape, the number of masked (-inf) cells, the sums of the attention chart's weight maps]
_SWIN_CHARTS = plotly_function(
    """
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  const titled = (start) => plots.find(p => titleOf(p).startsWith(start));
  const mask = titled('The mask of window');
  const attention = titled(queryTitle);
  if (!mask || !attention) return null;
  const z = rowsOf(mask.data[0].z);
  const sums = attention.data.filter(t => t.type === 'heatmap' && String(t.hovertemplate).includes('weight'))
    .map(t => rowsOf(t.z).flat().filter(v => v !== null && !Number.isNaN(v)).reduce((a, b) => a + b, 0));
  return [titleOf(mask), [z.length, z[0].length], z.flat().filter(v => v === 1).length, sums];
""",
    "queryTitle",
)


def test_upload_shows_mask_and_window_attention(app_url, new_page):
    left_ms = milliseconds_left(BUDGET_S)

    page = new_page(viewport={"width": 1400, "height": 7000})
    upload_shape(page, f"{app_url}/swin", "cross", 5, left_ms)
    title, shape, masked, sums = page.wait_for_function(
        _SWIN_CHARTS, arg="Token (row 16, column 16)", timeout=left_ms()
    ).json_value()
    assert title.startswith("The mask of window 16")
    assert shape == [16, 16] and masked == 16 * 16 - 4 * 16  # four regions of 4 tokens: 64 cells allowed
    assert len(sums) == 3 and all(abs(s - 1.0) < 1e-3 for s in sums)  # mean + 2 heads, each row sums to 1
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=left_ms())
    assert page.locator('[data-testid="stException"]').count() == 0

    row = page.get_by_label("Query token row")  # set the query through its widget, as a student would
    row.fill("2")
    row.press("Enter")
    page.wait_for_function(_SWIN_CHARTS, arg="Token (row 2, column 16)", timeout=left_ms())

    give_file(page, "notes.png", b"these are lecture notes, not a picture\n" * 10, left_ms())
    page.get_by_text("not an image", exact=False).wait_for(timeout=left_ms())
    assert page.locator('[data-testid="stException"]').count() == 0
