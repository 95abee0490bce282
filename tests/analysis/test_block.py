"""The block analysis on hand-made arrays (counts we can do in our heads) and on a real trace."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from viz.analysis.block import (
    active_fraction,
    active_units,
    ffn_share,
    layer_norm,
    norms,
    parameter_split,
    residual_in,
    showcase,
    stream_norms,
    sublayer_share,
    top_units,
    top_units_per_token,
)


def test_active_units_count_positive_activations():
    act = np.array([[0.0, 1.0, -0.1, 2.0], [0.5, 0.5, 0.5, 0.0]])
    assert active_units(act).tolist() == [2, 3]
    assert active_fraction(act).tolist() == [0.5, 0.75]
    assert active_units(act[None]).shape == (1, 2)


def test_top_units_orders_by_peak_then_index():
    act = np.array([[0.0, 3.0, 1.0, 3.0], [5.0, 0.0, 1.0, 0.0]])  # peaks 5, 3, 1, 3
    assert top_units(act, 3).tolist() == [0, 1, 3]
    assert top_units(act, 10).tolist() == [0, 1, 3, 2]
    assert top_units_per_token(act, 2).tolist() == [[1, 3], [0, 2]]
    with pytest.raises(ValueError, match="T, F"):
        top_units(act[None])


def _post_trace():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 4))
    attn = rng.normal(size=(2, 3, 4))
    ffn_in = rng.normal(size=(2, 3, 4))
    ffn_out = rng.normal(size=(2, 3, 4)) * 0.1
    return SimpleNamespace(
        norm_position="post",
        tokens=["[CLS]", "a", "[SEP]"],
        block_input=x,
        attention_output=attn,
        attention_residual=x + attn,
        ffn_input=ffn_in,
        ffn_output=ffn_out,
        ffn_residual=ffn_in + ffn_out,
        block_output=rng.normal(size=(2, 3, 4)),
    )


def test_sublayer_share_is_the_ratio_of_norms():
    t = _post_trace()
    np.testing.assert_allclose(
        sublayer_share(t, "attention"), np.linalg.norm(t.attention_output, axis=-1) / norms(t.block_input)
    )
    np.testing.assert_allclose(sublayer_share(t, "ffn"), norms(t.ffn_output) / norms(t.ffn_input))
    pre = SimpleNamespace(**{**vars(t), "norm_position": "pre"})
    assert residual_in(pre, "ffn") is pre.attention_residual
    with pytest.raises(ValueError, match="sublayer"):
        residual_in(t, "norm")
    assert list(stream_norms(t))[0] == "block input" and len(stream_norms(t)) == 7
    layer, token = showcase(t)
    assert token == 1  # the only token that is not a marker
    assert 0 <= layer < 2


def test_layer_norm_matches_torch():
    x = np.random.default_rng(1).normal(3.0, 2.0, size=(5, 8))
    gain, bias = np.linspace(0.5, 2, 8), np.linspace(-1, 1, 8)
    norm = torch.nn.LayerNorm(8, eps=1e-5)
    with torch.no_grad():
        norm.weight.copy_(torch.tensor(gain))
        norm.bias.copy_(torch.tensor(bias))
        expected = norm(torch.tensor(x, dtype=torch.float32)).numpy()
    mean, var, normalised, out = layer_norm(x, gain, bias, 1e-5)
    np.testing.assert_allclose(out, expected, atol=1e-5)
    np.testing.assert_allclose(normalised.mean(-1), 0, atol=1e-12)
    np.testing.assert_allclose(mean, x.mean(-1))
    assert var.shape == (5,)


def test_parameter_split_of_the_paper_base_model():
    split = parameter_split(512, 2048)
    assert split["W1"] == 512 * 2048 + 2048 and split["W2"] == 2048 * 512 + 512
    assert split["attention"] == 4 * 512 * 512 + 4 * 512
    assert 0.66 < ffn_share(split) < 0.67  # the FFN holds two thirds of a block
