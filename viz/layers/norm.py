"""Layer normalisation (Ba et al. 2016) written out, so that its statistics can be shown.

LN(x) = gain * (x - mean(x)) / sqrt(var(x) + eps) + bias, the mean and the (biased) variance taken over the
d_model features of each position separately, as ``torch.nn.LayerNorm`` does.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn


@dataclasses.dataclass(frozen=True)
class LayerNormTrace:
    """One LayerNorm call at every position (B = batch, T = positions)."""

    input: torch.Tensor  # (B, T, d_model)  what was normalised
    mean: torch.Tensor  # (B, T)  mean over the features of each position
    variance: torch.Tensor  # (B, T)  biased variance over the features (divided by d_model)
    normalised: torch.Tensor  # (B, T, d_model)  (x - mean) / sqrt(variance + eps), before gain and bias
    gain: torch.Tensor  # (d_model,)  the learned scale (gamma, LayerNorm.weight)
    bias: torch.Tensor  # (d_model,)  the learned shift (beta)
    output: torch.Tensor  # (B, T, d_model)  gain * normalised + bias


def traced_layer_norm(norm: nn.LayerNorm, x: torch.Tensor) -> tuple[torch.Tensor, LayerNormTrace]:
    """``norm(x)`` with its statistics; the output is ``norm(x)`` itself (the fused kernel's numbers).

    Raises:
        ValueError: for a LayerNorm over more than the last axis, or without gain and bias.
    """
    if len(norm.normalized_shape) != 1 or norm.weight is None or norm.bias is None:
        raise ValueError("only a LayerNorm over the last axis with a gain and a bias is traced")
    mean = x.mean(dim=-1)
    variance = x.var(dim=-1, unbiased=False)
    normalised = (x - mean[..., None]) / torch.sqrt(variance[..., None] + norm.eps)
    output = norm(x)
    return output, LayerNormTrace(x, mean, variance, normalised, norm.weight, norm.bias, output)
