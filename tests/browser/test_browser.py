"""Real-browser check: the attention page, driven through Debian's Chromium with Playwright."""

from __future__ import annotations

from tests.browser.marks import BROWSER
from tests.browser.serve import milliseconds_left

pytestmark = BROWSER

SENTENCE = "Purple elephants dance quietly"
TOKENS = ["purple", "elephants", "dance", "quietly"]  # MiniLM's tokenizer lowercases
BUDGET_S = 60.0

#: Returns the tick labels of the first plotly heatmap whose tick labels include every wanted token, else null.
_HEATMAP_WITH_TOKENS = """
(tokens) => {
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const isHeatmap = Array.isArray(plot.data) ? plot.data.some(t => t.type === 'heatmap')
                                               : plot.querySelector('.heatmaplayer .hm') !== null;
    if (!isHeatmap) continue;
    const labels = Array.from(plot.querySelectorAll('.xtick text, .ytick text'), e => e.textContent.trim());
    if (tokens.every(t => labels.includes(t))) return labels;
  }
  return null;
}
"""


def test_attention_page_shows_heatmap_of_typed_sentence(app_url, new_page):
    left_ms = milliseconds_left(BUDGET_S)

    page = new_page()
    page.goto(f"{app_url}/attention", timeout=left_ms())
    box = page.get_by_role("textbox", name="Type a sentence", exact=True)
    box.wait_for(state="visible", timeout=left_ms())
    assert box.input_value().strip(), "the text area should start with a default sentence"
    box.fill(SENTENCE)
    box.press("Control+Enter")  # Streamlit commits a text_area on Ctrl+Enter (or blur)

    labels = page.wait_for_function(_HEATMAP_WITH_TOKENS, arg=TOKENS, timeout=left_ms()).json_value()
    for token in TOKENS:
        assert token in labels, f"{token!r} missing from heatmap tick labels {labels}"
    # Let the rerun finish before looking for errors (the status widget shows while it runs).
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=left_ms())
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, "Streamlit exception on the page:\n" + "\n".join(
        exceptions.all_inner_texts()
    )
