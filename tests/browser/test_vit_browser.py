"""Real-browser check of the ViT attention page: upload a picture, see the rollout overlay; a bomb is refused."""

from __future__ import annotations

import numpy as np
import pytest

from tests.browser.serve import (
    chromium_available,
    give_file,
    launch_chromium,
    milliseconds_left,
    plotly_function,
    screenshot_on_failure,
    streamlit_server,
    upload_own_image,
)
from tests.data.image_cases import png_bomb
from viz.data.shapes import CLASSES, make_shape

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not chromium_available(), reason="needs /usr/bin/chromium and the playwright Python package"
    ),
]

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


def test_upload_shows_rollout_overlay_and_bad_file_gets_a_message(tmp_path):
    from playwright.sync_api import sync_playwright

    left_ms = milliseconds_left(BUDGET_S)

    star = make_shape(np.random.default_rng(3), label=CLASSES.index("star")).image
    with streamlit_server() as base, sync_playwright() as playwright:
        context = launch_chromium(playwright, viewport={"width": 1400, "height": 3000})
        page = context.new_page()
        try:
            with screenshot_on_failure(page, tmp_path / "vit_failure.png"):
                page.goto(f"{base}/vit-attention", timeout=left_ms())
                upload_own_image(page, "my star.png", star, left_ms())
                # The rollout is the last section, below the fold of the page's scroll container: bring it into view.
                page.get_by_text(
                    "Attention rollout: through all the layers at once"
                ).scroll_into_view_if_needed(timeout=left_ms())
                page.mouse.wheel(0, 2000)
                title, n_patches, total, _ = page.wait_for_function(
                    _ROLLOUT_OVERLAY, timeout=left_ms()
                ).json_value()
                assert title.startswith("Attention rollout (mean of heads")
                assert n_patches == 64
                assert abs(total - 1.0) < 1e-3
                page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=left_ms())
                assert page.locator('[data-testid="stException"]').count() == 0

                give_file(page, "bomb.png", png_bomb(), left_ms())
                page.get_by_text("refused before decoding", exact=False).wait_for(timeout=left_ms())
                assert page.locator('[data-testid="stException"]').count() == 0
                page.wait_for_function(_NO_ROLLOUT, timeout=left_ms())  # the refused file replaced the charts
        finally:
            context.close()
