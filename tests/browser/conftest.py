"""Shared by the browser tests: one Streamlit server for the whole test session, one headless Chromium for
this folder, and a fresh browser context (its own cache, cookies and storage) for every page a test opens;
when a test fails, a full-page screenshot of each of its pages is saved in its ``tmp_path``.

The server runs with the default environment; a test that needs other settings (``VIZ_PLOTLY_WARMUP=0``, say)
starts its own with ``streamlit_server(env=...)``. Chromium is closed once this folder's tests are done:
while Playwright's synchronous API is started, its event loop counts as running on this thread, and a later
test's ``asyncio.run`` (tests/test_load_smoke.py) would be refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.browser.serve import VIEWPORT, launch_browser, save_screenshot, streamlit_server

_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Note on the test item whether its body failed, for :func:`new_page` to take screenshots."""
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The base URL of the app, served by one ``streamlit run app.py`` for every test that asks."""
    with streamlit_server() as base:
        yield base


@pytest.fixture(scope="package")
def chromium() -> Iterator[object]:
    """One headless Chromium for the browser tests (each page gets its own context in it)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(request, chromium, tmp_path) -> Iterator[Callable[..., object]]:
    """``new_page(**options)``: a page in a new browser context (options go to ``browser.new_context``, e.g.
    ``viewport`` or ``timezone_id``), screenshotted if the test fails and closed when it ends."""
    contexts, pages = [], []

    def open_page(**options):
        options.setdefault("viewport", VIEWPORT)
        contexts.append(chromium.new_context(**options))
        pages.append(contexts[-1].new_page())
        return pages[-1]

    yield open_page
    try:
        if request.node.stash.get(_FAILED, False):
            for number, page in enumerate(pages):
                save_screenshot(page, tmp_path / f"failure_{number}.png")
    finally:
        for context in contexts:
            context.close()
