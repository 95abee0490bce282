"""What every model family's configuration shares, without torch: the checks of ``__post_init__`` and the
parameter counts of the parts the families have in common.

A config counts its parameters by formula (``n_params``), so the paper's 63M-parameter base model or
ViT-Huge is never allocated just to be counted; each family's tests check the formula against a model
built on the ``meta`` device.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

#: The feed-forward non-linearities, as Hugging Face configs name them (:mod:`viz.layers.feed_forward`).
ACTIVATIONS = frozenset({"gelu", "relu", "gelu_new", "gelu_pytorch_tanh"})


def check_positive(config: object, names: Iterable[str], allow_zero: bool = False) -> None:
    """Raise ValueError naming the first of ``names`` that is not a positive number (or not >= 0)."""
    for name in names:
        value = getattr(config, name)
        if value < 0 or (value == 0 and not allow_zero):
            raise ValueError(f"{name} must be {'>= 0' if allow_zero else 'positive'}, got {value}")


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


class StackConfig:
    """What the config of every stack of transformer blocks has, for the frozen dataclasses that derive from
    it: ``d_model``, ``n_layers``, ``n_heads``, ``d_ff`` and ``activation`` fields, and d_head = d_model / H."""

    d_model: int
    n_layers: int
    n_heads: int
    d_ff: int
    activation: str

    @property
    def d_head(self) -> int:
        """d_k = d_v = d_model / h, the width of one head."""
        return self.d_model // self.n_heads

    def __post_init__(self) -> None:
        """Raise ValueError for a size that is not positive (the stack's, and the vocabulary, positions, image
        and patch sizes of the configs that have them), heads that do not split d_model, an unknown
        activation or a dropout outside [0, 1)."""
        sizes = ("vocab_size", "n_positions", "image_size", "patch_size", "n_channels")
        check_positive(
            self, ("d_model", "n_layers", "n_heads", "d_ff", *(s for s in sizes if hasattr(self, s)))
        )
        check_heads(self.d_model, self.n_heads)
        check_activation(self.activation)
        check_dropout(getattr(self, "dropout", 0.0))


def fields_from(source: object, cls: type, **overrides: object) -> dict[str, object]:
    """The values ``source`` (command-line arguments, another dataclass) holds for the fields of the
    dataclass ``cls``, by name, with ``overrides`` on top: ``cls(**fields_from(args, cls))``."""
    names = {f.name for f in dataclasses.fields(cls)}
    values = {name: getattr(source, name) for name in names if hasattr(source, name)}
    return {**values, **overrides}
