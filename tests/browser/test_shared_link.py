"""A teacher's shared link reopens exactly the same view: sentence, page section and options from the URL."""

from __future__ import annotations

from urllib.parse import urlencode

from tests.browser.marks import BROWSER

pytestmark = BROWSER

SENTENCE = "Purple elephants dance quietly"

_CHART_TITLED = """
([part, tokens]) => {
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const title = plot.querySelector('.gtitle');
    if (!title || !title.textContent.includes(part)) continue;
    const labels = Array.from(plot.querySelectorAll('.xtick text, .ytick text'), e => e.textContent.trim());
    if (tokens.every(t => labels.includes(t))) return title.textContent;
  }
  return null;
}
"""


def test_shared_link_opens_the_same_view(app_url, new_page):
    query = urlencode({"sentence": SENTENCE, "mh_view": "Rollout", "ro_fusion": "max"})
    page = new_page()
    page.goto(f"{app_url}/multihead?{query}", timeout=60_000)
    title = page.wait_for_function(
        _CHART_TITLED,
        arg=["Rollout through 6 layers (max)", ["purple", "elephants", "quietly"]],
        timeout=60_000,
    ).json_value()
    assert "(max)" in title
    box = page.get_by_role("textbox", name="Type a sentence", exact=True)
    assert box.input_value() == SENTENCE
    # the page keeps the state in its address: changing a widget updates the link to share
    page.get_by_text("Head view", exact=True).first.click()
    page.wait_for_function("() => location.search.includes('mh_view=Head')", timeout=30_000)
    assert "sentence=Purple" in page.url
    assert page.locator('[data-testid="stException"]').count() == 0
