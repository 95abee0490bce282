"""Task checkpoints: one safetensors file, tied weights stored once, metadata back as written."""

from __future__ import annotations

import pytest
import torch
from safetensors.torch import load_file

from viz.models.seq2seq.checkpoint import load_seq2seq, read_metadata, save_seq2seq
from viz.models.seq2seq.config import TransformerConfig
from viz.models.seq2seq.model import Transformer

CONFIG = TransformerConfig(
    vocab_size=12, d_model=16, n_layers=1, n_heads=2, d_ff=32, dropout=0.0, n_positions=20
)


def test_round_trip(tmp_path):
    torch.manual_seed(0)
    model = Transformer(CONFIG).eval()
    path = tmp_path / "m.safetensors"
    save_seq2seq(path, model, {"task": "reverse", "seed": 3})
    stored = load_file(str(path))
    assert "src_embed.embedding.weight" in stored and "output.weight" not in stored  # tied: stored once
    loaded, meta = load_seq2seq(path)
    assert meta["config"] == CONFIG and meta["task"] == "reverse" and meta["seed"] == 3
    assert loaded.output.weight is loaded.src_embed.embedding.weight
    src, tgt = torch.tensor([[3, 4, 5]]), torch.tensor([[1, 6]])
    torch.testing.assert_close(loaded(src, tgt).logits, model(src, tgt).logits)


def test_not_a_task_checkpoint(tmp_path):
    from safetensors.torch import save_file

    save_file({"x": torch.zeros(1)}, str(tmp_path / "x.safetensors"))
    with pytest.raises(ValueError, match="not a viz task checkpoint"):
        read_metadata(tmp_path / "x.safetensors")
