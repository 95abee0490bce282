"""Real-browser check that every page is served by the app alone: no CDN, font service or icon service is
asked for anything (a classroom network may have no internet, and the README promises none is needed)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from tests.browser.marks import BROWSER

pytestmark = BROWSER

APP = Path(__file__).resolve().parents[2] / "navigation.py"
URL_PATHS = ["", *re.findall(r'url_path="([^"]+)"', APP.read_text())]


def test_every_page_requests_nothing_from_outside_the_apps_server(app_url, new_page):
    assert len(URL_PATHS) >= 12
    page = new_page()
    outside = []
    page.on(
        "request",
        lambda request: (
            urlsplit(request.url).netloc != urlsplit(app_url).netloc
            and outside.append((page.url, request.url))
        ),
    )
    for path in URL_PATHS:
        page.goto(f"{app_url}/{path}", timeout=120_000)
        page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=120_000)
        page.wait_for_timeout(500)  # let the run start before waiting for it to end
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=120_000)
        page.wait_for_timeout(1000)  # charts, fonts and icons fetched after the run
        assert page.locator('[data-testid="stException"]').count() == 0, path
    assert outside == []
