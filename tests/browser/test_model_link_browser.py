"""The sidebar's model chooser in a real browser: a link names a model the library offers (a cached
repository or an operator's folder), the page opens on it, and choosing another writes it into the address."""

from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest

from tests.browser.marks import BROWSER
from tests.browser.serve import streamlit_server

pytestmark = BROWSER


@pytest.fixture(scope="module")
def library_server(tmp_path_factory):
    from tests.library.fake_hub import fake_hub
    from tests.library.repos import fill_cache, make_repos

    root = tmp_path_factory.mktemp("library")
    repos = make_repos(root / "repos")
    with fake_hub(repos) as hub:
        fill_cache(hub.url, root / "cache", ["lecturer/tiny-bert"])
    shelf = root / "shelf"
    shutil.copytree(repos["lecturer/tiny-bert"], shelf / "class-bert")
    env = {"HF_HUB_CACHE": str(root / "cache"), "VIZ_MODEL_DIRS": str(shelf), "VIZ_WARM_UP": "0"}
    with streamlit_server(env=env) as url:
        yield url


def _chosen(page) -> str:
    """The model the sidebar's chooser shows (its combobox's value)."""
    box = page.locator('[data-testid="stSidebar"] input[role="combobox"][aria-label="Text model"]').first
    box.wait_for(timeout=60_000)
    return box.input_value()


@pytest.mark.parametrize("model", ["lecturer/tiny-bert", "class-bert"])
def test_a_link_opens_the_model_it_names(library_server, new_page, model):
    page = new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{library_server}/attention?text_model={quote(model, safe='')}", timeout=60_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    assert model in _chosen(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    # the tiny model has 4 heads: the page runs it, not MiniLM (12)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.gtitle')].some(t => t.textContent.includes('all heads'))",
        timeout=60_000,
    )
    assert page.locator('text="Head 12"').count() == 0


def test_choosing_a_model_writes_it_into_the_address(library_server, new_page):
    page = new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{library_server}/attention", timeout=60_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    assert "all-MiniLM-L6-v2" in _chosen(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="class-bert").click()
    page.wait_for_function("() => location.search.includes('text_model=class-bert')", timeout=30_000)
    reopened = new_page(viewport={"width": 1366, "height": 768})
    reopened.goto(page.url, timeout=60_000)
    reopened.wait_for_selector(".js-plotly-plot", timeout=60_000)
    assert "class-bert" in _chosen(reopened)
