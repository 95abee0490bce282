"""The bundled English language model (assets/gpt2-kjv): an ordinary GPT-2 folder, read by the same loader
as any other, equal to transformers' GPT2LMHeadModel and GPT2TokenizerFast, and writing English words."""

from __future__ import annotations

import json
import re

import pytest
import torch

from viz.core.registry import ASSETS
from viz.models.gpt2.registry import load_bpe_tokenizer, load_causal_model

FOLDER = ASSETS / "gpt2-kjv"
pytestmark = pytest.mark.skipif(not (FOLDER / "config.json").is_file(), reason="assets/gpt2-kjv is absent")
transformers = pytest.importorskip("transformers")

SENTENCES = [
    "In the beginning God created the heaven and the earth.",
    "And the LORD said unto Moses,\nGo down.",
    "  Two spaces, a tab\tand unicode: héllo ✓ <|endoftext|> 2026",
]


@pytest.fixture(scope="module")
def bundled():
    return load_causal_model(FOLDER)


def test_folder_is_a_small_gpt2_with_a_bpe_tokenizer(bundled):
    config = bundled.model.config
    assert bundled.chars is None and bundled.tokenizer is not None
    assert (config.n_layers, config.d_model, config.n_heads, config.vocab_size) == (4, 256, 4, 4096)
    assert 2_000_000 < config.n_params < 8_000_000
    assert (FOLDER / "model.safetensors").stat().st_size < 20 * 2**20
    record = json.loads((FOLDER / "viz_training.json").read_text(encoding="utf-8"))
    assert record["command"].startswith("python -m viz.training.train_lm") and record["seed"] == 0


def test_tokenizer_equals_transformers(bundled):
    fast = transformers.GPT2TokenizerFast.from_pretrained(FOLDER)
    auto = transformers.AutoTokenizer.from_pretrained(FOLDER)
    ours = load_bpe_tokenizer(FOLDER)
    for sentence in SENTENCES:
        ids = ours.encode(sentence).ids
        assert fast(sentence)["input_ids"] == ids == auto(sentence)["input_ids"]
        assert bundled.tokenizer.encode(sentence).ids == ids
        assert ours.decode(ids, skip_special_tokens=False) == sentence
    assert fast.eos_token == "<|endoftext|>" and fast.eos_token_id == ours.token_to_id("<|endoftext|>")


def test_matches_gpt2lmheadmodel(bundled):
    reference = transformers.GPT2LMHeadModel.from_pretrained(FOLDER, attn_implementation="eager").eval()
    ids = torch.tensor([bundled.tokenizer.encode(s).ids[:40] for s in SENTENCES[:2]][0:1])
    long = torch.randint(0, bundled.model.config.vocab_size, (2, bundled.model.config.n_positions))
    for batch in (ids, long):
        with torch.no_grad():
            theirs = reference(batch, output_attentions=True, output_hidden_states=True)
            ours = bundled.model(batch)
        assert (ours.logits - theirs.logits).abs().max() < 1e-4
        for trace, attention in zip(ours.traces, theirs.attentions, strict=True):
            assert (trace.weights - attention).abs().max() < 1e-4
            assert torch.all(trace.weights.triu(1) == 0)


def test_greedy_continuation_is_english_words(bundled):
    tokenizer, model = bundled.tokenizer, bundled.model
    prompt = "And the LORD said unto"
    new = model.generate_greedy(torch.tensor([tokenizer.encode(prompt).ids]), 30)
    text = tokenizer.decode(new)
    words = re.findall(r"[^\W\d_]+", text)
    assert len(words) >= 10, text
    assert re.fullmatch(r"[A-Za-z ,.;:!?'()\n-]+", text), text  # letters and punctuation only
    vocabulary = tokenizer.get_vocab()
    whole = [w for w in words if "Ġ" + w in vocabulary or w in vocabulary]
    assert len(whole) >= 0.9 * len(words), (text, sorted(set(words) - set(whole)))
