"""Real-browser check of the ViT attention page: upload a picture, see the rollout overlay; a bomb is refused."""

from __future__ import annotations

from tests.browser.marks import BROWSER
from tests.browser.serve import give_file, milliseconds_left, plotly_function, upload_shape
from tests.data.image_cases import png_bomb

pytestmark = BROWSER

BUDGET_S = 120.0

#: The rollout overlay: a plotly chart titled "Attention rollout ..." with an image and a heatmap whose
#: values sum to 1 (a distribution over the patches); returns [title, number of patches, sum] or null.
_ROLLOUT_OVERLAY = plotly_function("""
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const title = titleOf(plot);
    if (!title.startsWith('Attention rollout')) continue;
    const image = plot.data.find(t => t.type === 'image');
    const heat = plot.data.find(t => t.type === 'heatmap');
    if (!image || !heat) continue;
    const z = rowsOf(heat.z).flat();
    return [title, z.length, z.reduce((a, b) => a + b, 0), image.source.length];
  }
  return null;
""")

_NO_ROLLOUT = plotly_function("""
  return !Array.from(document.querySelectorAll('.js-plotly-plot')).some(p => titleOf(p).startsWith('Attention rollout'));
""")


def test_upload_shows_rollout_overlay_and_bad_file_gets_a_message(app_url, new_page):
    left_ms = milliseconds_left(BUDGET_S)

    page = new_page(viewport={"width": 1400, "height": 3000})
    upload_shape(page, f"{app_url}/vit-attention", "star", 3, left_ms)
    # The rollout is the last section, below the fold of the page's scroll container: bring it into view.
    page.get_by_text("Attention rollout: through all the layers at once").scroll_into_view_if_needed(
        timeout=left_ms()
    )
    page.mouse.wheel(0, 2000)
    title, n_patches, total, _ = page.wait_for_function(_ROLLOUT_OVERLAY, timeout=left_ms()).json_value()
    assert title.startswith("Attention rollout (mean of heads")
    assert n_patches == 256  # the bundled ViT's 16 x 16 patches of 4 pixels
    assert abs(total - 1.0) < 1e-3
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=left_ms())
    assert page.locator('[data-testid="stException"]').count() == 0

    give_file(page, "bomb.png", png_bomb(), left_ms())
    page.get_by_text("refused before decoding", exact=False).wait_for(timeout=left_ms())
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_function(_NO_ROLLOUT, timeout=left_ms())  # the refused file replaced the charts
