"""The marks of every browser test module (``pytestmark = BROWSER``): selected by ``-m browser``, skipped
before any fixture starts a server where Debian's Chromium or Playwright is missing."""

from __future__ import annotations

import pytest

from tests.browser.serve import chromium_available

BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not chromium_available(), reason="needs /usr/bin/chromium and the playwright Python package"
    ),
]
