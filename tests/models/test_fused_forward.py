"""Every family's forward with ``trace=False`` (the fused kernel, used in training and evaluation) gives the
same numbers as the traced path, and keeps no traces."""

from __future__ import annotations

import pytest
import torch

from viz.models.bert.config import EncoderConfig
from viz.models.bert.model import BertEncoder
from viz.models.gpt2.config import GPT2Config
from viz.models.gpt2.model import GPT2
from viz.models.seq2seq.config import TransformerConfig
from viz.models.seq2seq.model import Transformer
from viz.models.swin.config import SwinConfig
from viz.models.swin.model import SwinTransformer
from viz.models.vit.config import ViTConfig
from viz.models.vit.model import VisionTransformer


def _bert():
    model = BertEncoder(
        EncoderConfig(vocab_size=50, d_model=32, n_layers=2, n_heads=4, d_ff=64, n_positions=16)
    )
    ids = torch.randint(1, 50, (2, 9))
    mask = torch.ones_like(ids)
    mask[0, 6:] = 0
    return model, (ids,), {"attention_mask": mask}


def _seq2seq():
    config = TransformerConfig(
        vocab_size=30, d_model=32, n_layers=2, n_heads=4, d_ff=64, dropout=0.0, n_positions=20
    )
    src = torch.randint(3, 30, (2, 7))
    src[0, 5:] = 0  # padding
    return Transformer(config), (src, torch.randint(3, 30, (2, 6))), {}


def _gpt2():
    config = GPT2Config(
        vocab_size=40, n_positions=16, d_model=32, n_layers=2, n_heads=4, d_ff=64, scale_by_layer=True
    )
    return GPT2(config), (torch.randint(0, 40, (2, 10)),), {}


def _vit():
    config = ViTConfig(image_size=32, patch_size=8, d_model=32, n_layers=2, n_heads=4, d_ff=64, n_classes=5)
    return VisionTransformer(config), (torch.randn(2, 3, 32, 32),), {}


def _swin():
    config = SwinConfig(
        image_size=32, patch_size=2, embed_dim=16, depths=(2, 2), n_heads=(2, 4), window_size=4, n_classes=5
    )
    return SwinTransformer(config), (torch.randn(2, 3, 32, 32),), {}


FAMILIES = {"bert": _bert, "seq2seq": _seq2seq, "gpt2": _gpt2, "vit": _vit, "swin": _swin}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_fused_forward_equals_traced_forward(family):
    torch.manual_seed(0)
    model, args, kwargs = FAMILIES[family]()
    model.eval()
    for p in model.parameters():  # non-trivial biases and norms, so a skipped part cannot hide
        torch.nn.init.normal_(p, std=0.3)
    with torch.no_grad():
        traced = model(*args, **kwargs)
        fused = model(*args, **kwargs, trace=False)
    if family == "seq2seq":
        assert traced.cross_traces and not fused.cross_traces and not fused.encoder_traces
        pairs = [(fused.logits, traced.logits)] + list(zip(fused.decoder_hidden, traced.decoder_hidden))
    else:
        assert traced.traces and not fused.traces
        pairs = [(fused.logits, traced.logits)] if fused.logits is not None else []
        if family != "swin":
            pairs += list(zip(fused.hidden_states, traced.hidden_states))
    assert pairs
    for got, expected in pairs:
        torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
