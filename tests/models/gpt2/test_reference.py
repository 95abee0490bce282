"""The decoder-only model against transformers.GPT2LMHeadModel on small random configs saved to folders."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch
from safetensors.torch import load_file

from tests.models.helpers import parameters_on_meta
from viz.models.gpt2.checkpoint import load_gpt2, map_gpt2_names, save_gpt2_folder, to_gpt2_names
from viz.models.gpt2.config import GPT2_PRESETS, GPT2Config
from viz.models.gpt2.model import GPT2

transformers = pytest.importorskip("transformers")


def reference(seed=0, **overrides):
    kwargs = dict(
        vocab_size=61, n_positions=40, n_embd=48, n_layer=3, n_head=4, bos_token_id=0, eos_token_id=0
    )
    kwargs.update(overrides)
    config = transformers.GPT2Config(**kwargs)
    config._attn_implementation = "eager"  # explicit weights, as ours
    torch.manual_seed(seed)
    model = transformers.GPT2LMHeadModel(config).eval()
    with torch.no_grad():  # make biases and norms non-trivial so a mix-up cannot hide
        for _name, p in model.named_parameters():
            if p.dim() == 1:
                p.add_(0.1 * torch.randn_like(p))
    return model


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        dict(activation_function="gelu"),
        dict(n_inner=80, n_head=6),
        dict(scale_attn_by_inverse_layer_idx=True),
        dict(reorder_and_upcast_attn=True, scale_attn_by_inverse_layer_idx=True),
        dict(tie_word_embeddings=False),
    ],
    ids=["plain", "gelu", "n_inner", "scaled by layer", "upcast", "untied head"],
)
def test_folder_matches_gpt2lmheadmodel(tmp_path, overrides):
    ref = reference(**overrides)
    ref.save_pretrained(tmp_path / "gpt2-tiny", safe_serialization=True)
    ours = load_gpt2(tmp_path / "gpt2-tiny")
    ids = torch.randint(0, 61, (2, 17), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = ref(ids, output_attentions=True)
    out = ours(ids)
    torch.testing.assert_close(out.logits, expected.logits, atol=1e-4, rtol=0)
    assert len(out.traces) == len(expected.attentions)
    for mine, theirs in zip(out.traces, expected.attentions):
        torch.testing.assert_close(mine.weights, theirs, atol=1e-4, rtol=0)
    upper = torch.triu(torch.ones(17, 17, dtype=torch.bool), diagonal=1)
    assert torch.all(out.attentions[..., upper] == 0.0)


def test_c_attn_is_split_and_transposed(tmp_path):
    ref = reference()
    # the layout of the original "gpt2" checkpoint: no "transformer." prefix, causal-mask buffers stored
    state = {k.removeprefix("transformer."): v for k, v in ref.state_dict().items()}
    state["h.1.attn.bias"] = torch.ones(1, 1, 40, 40).tril()
    state["h.1.attn.masked_bias"] = torch.tensor(-1e4)
    mapped = map_gpt2_names(state)
    # the tied output layer comes along under its own name; load_gpt2 drops it for a tied model
    assert set(mapped) - {"lm_head.weight"} == set(
        GPT2(GPT2Config.from_hf_dict(ref.config.to_dict())).state_dict()
    )
    d = 48
    c_attn = state["h.1.attn.c_attn.weight"]  # Conv1D: (in, 3 * out)
    assert c_attn.shape == (d, 3 * d)
    torch.testing.assert_close(mapped["blocks.1.attention.w_k.weight"], c_attn[:, d : 2 * d].T)
    torch.testing.assert_close(mapped["blocks.1.attention.w_v.bias"], state["h.1.attn.c_attn.bias"][2 * d :])
    torch.testing.assert_close(mapped["blocks.1.ffn.w_1.weight"], state["h.1.mlp.c_fc.weight"].T)


@pytest.mark.parametrize("tied", [True, False])
def test_our_folder_loads_in_transformers(tmp_path, tied):
    torch.manual_seed(3)
    config = GPT2Config(
        vocab_size=30, n_positions=20, d_model=32, n_layers=2, n_heads=4, d_ff=64, tied_output=tied
    )
    ours = GPT2(config).eval()
    save_gpt2_folder(ours, tmp_path / "ours")
    ref = transformers.GPT2LMHeadModel.from_pretrained(tmp_path / "ours", attn_implementation="eager").eval()
    ids = torch.randint(0, 30, (1, 12))
    with torch.no_grad():
        torch.testing.assert_close(ref(ids).logits, ours(ids).logits, atol=1e-4, rtol=0)
    assert set(load_file(str(tmp_path / "ours" / "model.safetensors"))) == set(to_gpt2_names(ours))


def test_unknown_tensor_and_unsupported_options_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unexpected tensor"):
        map_gpt2_names({"h.0.attn.rotary.weight": torch.zeros(1)})
    folder = tmp_path / "odd"
    folder.mkdir()
    config = GPT2Config(vocab_size=10, n_positions=8, d_model=8, n_layers=1, n_heads=2, d_ff=16).to_hf()
    (folder / "config.json").write_text(json.dumps({**config, "add_cross_attention": True}))
    with pytest.raises(ValueError, match="not supported"):
        load_gpt2(folder)
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "llama"}))
    with pytest.raises(ValueError, match="not GPT-2"):
        load_gpt2(folder)


@pytest.mark.parametrize("name", sorted(GPT2_PRESETS))
def test_decoder_presets_count_parameters(name):
    config = GPT2_PRESETS[name]
    assert parameters_on_meta(GPT2, config) == config.n_params
    if name == "gpt2":
        assert config.n_params == 124_439_808  # GPT-2 small
    untied = dataclasses.replace(config, tied_output=False)
    assert (
        parameters_on_meta(GPT2, untied)
        == untied.n_params
        == config.n_params + config.vocab_size * config.d_model
    )


def test_too_many_tokens_refused():
    model = GPT2(GPT2Config(vocab_size=10, n_positions=8, d_model=8, n_layers=1, n_heads=2, d_ff=16))
    with pytest.raises(ValueError, match="positions"):
        model(torch.zeros(1, 9, dtype=torch.long))
