"""Shared by the model and page tests: tiny configs, random weights large enough that attention is peaked,
transformers reference models, and parameter counts of a module built on the ``meta`` device."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import torch

from viz.models.swin.config import SwinConfig
from viz.models.vit.config import ViTConfig

#: Class names that are HTML: a page must show them escaped.
HTML_LABELS = ("<b>bold</b>", "plain", "<img src=x onerror=alert(1)>")

#: A two-block ViT on 32 px images: a 4 x 4 grid of 8 px patches, no head.
TINY_VIT = ViTConfig(image_size=32, patch_size=8, d_model=32, n_layers=2, n_heads=4, d_ff=64)
#: A two-stage Swin on 32 px images: 8 x 8 tokens of 4 px in 4 x 4 windows, then 4 x 4 tokens; no head.
TINY_SWIN = SwinConfig(
    image_size=32, patch_size=4, embed_dim=8, depths=(2, 2), n_heads=(2, 2), window_size=4, mlp_ratio=2.0
)


def with_head(config, labels: tuple[str, ...]):
    """``config`` with a classification head over ``labels``."""
    return dataclasses.replace(config, n_classes=len(labels), labels=labels)


def spread_weights(model: torch.nn.Module, std: float = 0.3, keep: str | None = None) -> torch.nn.Module:
    """Draw every parameter from N(0, std^2) in place, but those whose name contains ``keep`` (the norms,
    say), so that attention is far from uniform and a comparison with it means something."""
    with torch.no_grad():
        for name, param in model.named_parameters():
            if keep is None or keep not in name:
                param.normal_(0, std)
    return model


def random_model(build: Callable, config, seed: int = 0, std: float = 0.3, keep: str | None = None):
    """``build(config)`` in eval mode, seeded with ``seed``, its weights spread by :func:`spread_weights`."""
    torch.manual_seed(seed)
    return spread_weights(build(config).eval(), std, keep)


def random_reference(model_class, config, seed: int, keep: str):
    """A transformers model on eager attention (so that it returns its weights), with spread weights."""
    config._attn_implementation = "eager"
    return random_model(model_class, config, seed, keep=keep)


def assert_head_matches(ours, out, ref, num_labels: int | None) -> None:
    """Our model ``ours`` (its output ``out``) against the transformers output ``ref``: with a classification head
    over ``num_labels`` classes the same logits; without one (None) the same last hidden state and pooled output,
    and no logits."""
    if num_labels is not None:
        assert out.logits.shape == ref.logits.shape
        torch.testing.assert_close(out.logits, ref.logits, atol=1e-4, rtol=1e-4)
        assert ours.config.n_classes == num_labels
    else:
        torch.testing.assert_close(out.last_hidden_state, ref.last_hidden_state, atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(out.pooled, ref.pooler_output, atol=1e-4, rtol=1e-4)
        assert out.logits is None


def parameters_on_meta(build: Callable, config) -> int:
    """How many parameters ``build(config)`` has, built on the meta device (nothing is allocated)."""
    with torch.device("meta"):
        module = build(config)
    return sum(p.numel() for p in module.parameters())


#: Class names as real ImageNet checkpoints carry them in ``config.json`` (``id2label``, keys strings of ints).
IMAGENET_STYLE_LABELS = ("tench, Tinca tinca", "goldfish, Carassius auratus", "tabby, tabby cat")


def write_id2label(folder, labels: tuple[str, ...]) -> None:
    """Replace the ``id2label`` / ``label2id`` of ``folder/config.json`` (as transformers writes them)."""
    import json
    from pathlib import Path

    path = Path(folder) / "config.json"
    raw = json.loads(path.read_text())
    raw["id2label"] = {str(i): name for i, name in enumerate(labels)}
    raw["label2id"] = {name: i for i, name in enumerate(labels)}
    path.write_text(json.dumps(raw))
