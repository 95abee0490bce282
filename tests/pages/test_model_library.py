"""Every model page on a lecturer's Hugging Face cache (made by huggingface_hub from the fake hub): the
sidebar offers the found models of the page's family, bundled first, and runs the one chosen; links name
models by key; nothing a student types is read as a path; the library page lists and downloads."""

from __future__ import annotations

import os

import pytest

from tests.library.conftest import hub, lecturer_cache, repos  # noqa: F401 - the session fixtures
from tests.pages.helpers import APP, array, assert_no_exception, figure, open_page, plotly_figures, texts
from tests.pages.vision import ATTENTION, SWIN
from viz.library import loading
from viz.ui import models as chooser

ATTENTION_PAGE = "app_pages/attention.py"


@pytest.fixture
def lecturer(lecturer_cache):  # noqa: F811
    os.environ["HF_HUB_CACHE"] = str(lecturer_cache)  # tests/conftest.py restores the environment
    return lecturer_cache


def options(at, key: str) -> list[str]:
    return list(at.selectbox(key=key).options)


def test_text_pages_offer_and_run_the_cached_encoder(lecturer):
    at = open_page(ATTENTION_PAGE)
    assert options(at, "text_model") == ["all-MiniLM-L6-v2 (bundled)", "lecturer/tiny-bert"]
    at.selectbox(key="text_model").set_value("lecturer/tiny-bert").run()
    assert_no_exception(at)
    grid = figure(at, "all heads")
    assert "[CLS]" in str(grid) and len(plotly_figures(at)) >= 2
    assert at.slider(key="head").max == 4 and at.slider(key="layer").max == 2  # the tiny model's own sizes


def test_a_link_opens_the_model_it_names_and_a_hostile_one_falls_back(lecturer):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["text_model"] = "lecturer/tiny-bert"
    at.run().switch_page(ATTENTION_PAGE).run()
    at.query_params["text_model"] = "lecturer/tiny-bert"
    at.run()
    assert at.selectbox(key="text_model").value == "lecturer/tiny-bert"
    for hostile in ("/etc", "path", "path:/etc", "../../x", "folder:x"):
        at.query_params["text_model"] = hostile
        at.run()
        assert_no_exception(at)
        assert at.selectbox(key="text_model").value == "minilm"  # the bundled model, nothing else read
        assert not at.text_input  # no folder box: typed paths are off


def test_vision_pages_offer_and_run_the_cached_vit_and_swin(lecturer):
    at = open_page(ATTENTION)
    assert options(at, "vision_model") == ["shapes ViT (bundled)", "lecturer/tiny-vit"]
    at.selectbox(key="vision_model").set_value("lecturer/tiny-vit").run()
    assert_no_exception(at)
    assert "tabby, tabby cat" in str(plotly_figures(at))  # the checkpoint's own class names
    at = open_page(SWIN)
    at.selectbox(key="swin_model").set_value("lecturer/tiny-swin").run()
    assert_no_exception(at)
    assert plotly_figures(at)


def test_the_three_ways_panel_runs_the_cached_gpt2_with_its_prompt_as_text(lecturer):
    at = open_page("app_pages/seq2seq.py")
    at.session_state["s2s_tab"] = "Three ways to use a transformer"
    at.run()
    at.selectbox(key="decoder_model").set_value("lecturer/tiny-gpt2").run()
    assert_no_exception(at)
    codes = " ".join(c.value for c in at.code)
    assert "Ġ" not in codes and "lecturer/tiny-gpt2 continues the text" in " ".join(
        c.value for c in at.caption
    )
    assert figure(at, "Decoder-only, last layer")


def test_a_large_model_loads_in_the_background_with_a_progress_bar(lecturer, monkeypatch):
    monkeypatch.setattr(chooser, "SYNC_BYTES", 0)  # every model counts as large
    loading.forget()
    from viz.models.bert import registry

    registry.REGISTRY.cache_clear()
    at = open_page(ATTENTION_PAGE)
    at.selectbox(key="text_model").set_value("lecturer/tiny-bert").run()
    assert_no_exception(at)
    job = next(iter(loading._jobs.values()))
    assert loading.wait(job, 60) and job.state == "ready"
    at.run()
    assert_no_exception(at)
    assert figure(at, "all heads")


def test_the_library_page_lists_what_it_found_and_what_to_fetch(lecturer):
    at = open_page("app_pages/models.py")
    assert_no_exception(at)
    found = at.dataframe[0].value
    assert list(found["model"]) == [
        "all-MiniLM-L6-v2",
        "English GPT-2 (4.2M, King James Bible)",
        "character GPT-2 that reverses letters",
        "shapes ViT",
        "shapes Swin",
        "lecturer/tiny-bert",
        "lecturer/tiny-gpt2",
        "lecturer/tiny-swin",
        "lecturer/tiny-vit",
    ]
    assert str(lecturer) not in str(found) and "t5" in " ".join(c.value for c in at.caption)
    recommended = at.dataframe[1].value
    assert "google/vit-base-patch16-224" in list(recommended["repository"])
    assert "Downloads from this page are off" in at.info[0].value and not at.button


def test_the_download_button_fetches_into_the_cache(tmp_path, repos, monkeypatch):  # noqa: F811
    from huggingface_hub import constants

    from tests.library.fake_hub import fake_hub
    from viz.library import fetch

    os.environ.update(HF_HUB_CACHE=str(tmp_path), VIZ_ALLOW_DOWNLOADS="1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(fetch, "_jobs", {})
    # the fake hub serves a tiny ViT under the curated DeiT tiny's id
    with fake_hub({"facebook/deit-tiny-patch16-224": repos["lecturer/tiny-vit"]}) as server:
        os.environ["HF_ENDPOINT"] = server.url
        at = open_page("app_pages/models.py")
        at.button(key="fetch_deit-tiny").click().run()
        job = fetch.fetch_job("deit-tiny")
        deadline = __import__("time").monotonic() + 60
        while job.state == "running" and __import__("time").monotonic() < deadline:
            __import__("time").sleep(0.05)
        assert job.state == "done", job.error
    at.run()
    assert_no_exception(at)
    assert "facebook/deit-tiny-patch16-224" in list(at.dataframe[0].value["model"])
    at = open_page(ATTENTION)
    assert "facebook/deit-tiny-patch16-224" in options(at, "vision_model")
    assert "tabby" not in texts(at)


def test_a_large_vit_keeps_no_attention_gradients_per_image(lecturer, monkeypatch):
    from viz.ui import cache

    monkeypatch.setattr(cache, "LARGE_VIT_PARAMS", 0)  # the tiny ViT counts as large
    at = open_page(ATTENTION)
    at.selectbox(key="vision_model").set_value("lecturer/tiny-vit").run()
    assert_no_exception(at)
    gradient = figure(at, "Gradient rollout for the class")
    assert gradient["data"]  # drawn from a map computed on request
    from tests.pages.vision import default_shape

    folder = str(chooser.library().get("lecturer/tiny-vit", "vit").folder)
    trace = cache._large_image_trace(default_shape(), folder)
    assert trace.attention_gradients is None  # the cached trace holds no gradients


def test_the_layer_wise_page_measures_the_chosen_encoder(lecturer):
    at = open_page("app_pages/layerwise.py", timeout=300)
    at.selectbox(key="text_model").set_value("lecturer/tiny-bert").run()
    assert_no_exception(at)
    curves = figure(at, "Separation through the layers: lecturer/tiny-bert, mean pooling")
    assert len(array(curves["data"][0]["y"])) == 3  # the embeddings and the tiny model's 2 blocks
