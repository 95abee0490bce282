"""A shared link reopens the view it was copied from: the controls of the attention, encoder-decoder and ViT
pages are read back from the address (issue: every control in the address)."""

from __future__ import annotations

import pytest

from tests.pages.helpers import assert_no_exception, plotly_figures
from tests.pages.test_hostile_links import open_link


def titles(at) -> list[str]:
    return list(plotly_figures(at))


def test_attention_layer_and_head_come_from_the_link():
    at = open_link("app_pages/attention.py", {"layer": "4", "head": "7"})
    assert_no_exception(at)
    assert at.slider(key="layer").value == 4 and at.slider(key="head").value == 7
    assert any(t.startswith("Layer 4: all heads") for t in titles(at))
    assert any(t.startswith("Layer 4, head 7") for t in titles(at))


def test_encoder_decoder_decoding_settings_and_heads_come_from_the_link():
    link = {
        "s2s_strategy": "sample",
        "s2s_temperature": "0.5",
        "s2s_top_k": "3",
        "s2s_seed": "7",
        "s2s_dec_layer": "1",
        "s2s_dec_head": "head 2",
    }
    at = open_link("app_pages/seq2seq.py", link)
    assert_no_exception(at)
    assert at.radio(key="s2s_strategy").value == "sample"
    assert at.slider(key="s2s_temperature").value == pytest.approx(0.5)
    assert at.slider(key="s2s_top_k").value == 3 and at.number_input(key="s2s_seed").value == 7
    assert at.selectbox(key="s2s_dec_layer").value == 1 and at.selectbox(key="s2s_dec_head").value == "head 2"
    assert any("layer 1, head 2" in t for t in titles(at))
    assert any("sampled" in c.value or "sample" in c.value for c in at.caption)


def test_vit_rollout_and_patch_choices_come_from_the_link():
    link = {"vit_fusion": "max", "vit_discard": "0.5", "vit_patch_row": "2", "vit_patch_col": "3"}
    at = open_link("app_pages/vit_attention.py", link)
    assert_no_exception(at)
    assert at.radio(key="vit_fusion").value == "max" and at.slider(key="vit_discard").value == pytest.approx(
        0.5
    )
    assert at.number_input(key="vit_patch_row").value == 2 and at.number_input(key="vit_patch_col").value == 3
    assert any("max of heads, discard 50%" in t for t in titles(at))
    assert any(t.startswith("Patch (row 2, column 3)") for t in titles(at))
