"""What every model family's configuration shares, without torch: the checks of ``__post_init__`` and the
parameter counts of the parts the families have in common.

A config counts its parameters by formula (``n_params``), so the paper's 63M-parameter base model or
ViT-Huge is never allocated just to be counted; each family's tests check the formula against a model
built on the ``meta`` device.
"""

from __future__ import annotations

from collections.abc import Iterable

#: The feed-forward non-linearities, as Hugging Face configs name them (:mod:`viz.layers.feed_forward`).
ACTIVATIONS = frozenset({"gelu", "relu", "gelu_new", "gelu_pytorch_tanh"})


def check_positive(config: object, names: Iterable[str]) -> None:
    """Raise ValueError naming the first of ``names`` that is not a positive number."""
    for name in names:
        if getattr(config, name) <= 0:
            raise ValueError(f"{name} must be positive, got {getattr(config, name)}")


def check_heads(d_model: int, n_heads: int) -> None:
    """Raise ValueError unless d_model splits evenly into n_heads heads of d_head = d_model / n_heads."""
    if d_model % n_heads:
        raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")


def check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation {activation!r} is not one of {sorted(ACTIVATIONS)}")


def check_dropout(dropout: float) -> None:
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")


def attention_params(d_model: int, qkv_bias: bool = True) -> int:
    """W^Q, W^K, W^V, W^O (d_model x d_model each), the biases of W^O and, with ``qkv_bias``, of the others."""
    return 4 * d_model * d_model + (3 * qkv_bias + 1) * d_model


def ffn_params(d_model: int, d_ff: int) -> int:
    """W_1 (d_model x d_ff) + b_1, W_2 (d_ff x d_model) + b_2."""
    return d_model * d_ff + d_ff + d_ff * d_model + d_model


def norm_params(d_model: int) -> int:
    """A LayerNorm's gain and bias."""
    return 2 * d_model


def block_params(d_model: int, d_ff: int, qkv_bias: bool = True) -> int:
    """One encoder block: self-attention, the feed-forward network and their two LayerNorms."""
    return attention_params(d_model, qkv_bias) + ffn_params(d_model, d_ff) + 2 * norm_params(d_model)
