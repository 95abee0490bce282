"""The seeded initialisation both bundled vision models start from (the original JAX ViT's recipe).

Xavier-uniform linear layers, a LeCun-normal patch projection, small random positions, a zero [CLS] token
and classifier, zero biases, LayerNorms at identity. (A plain N(0, 0.02) on every weight, right for
d_model = 768, leaves a 64-wide model's attention uniform for hundreds of steps: queries and keys start too
small to learn from each other.)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

#: A parameter's name -> its initial value (drawn from the generator), for the positional parameters.
PositionInit = Callable[[str, torch.Tensor, torch.Generator], torch.Tensor]


def small_normal(name: str, param: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """N(0, 0.02), clipped at two standard deviations."""
    return torch.randn(param.shape, generator=generator).clamp_(-2, 2) * 0.02


def warm_start(model: nn.Module, start: nn.Module) -> list[str]:
    """Copy ``start``'s parameters into ``model`` wherever name and shape agree; a classifier with more
    classes than ``start``'s keeps its new rows as initialised (its first rows copied). Returns the names
    that were not copied whole."""
    own, old = dict(model.named_parameters()), dict(start.named_parameters())
    partial = []
    with torch.no_grad():
        for name, param in own.items():
            source = old.get(name)
            if source is None:
                partial.append(name)
            elif source.shape == param.shape:
                param.copy_(source)
            elif source.shape[1:] == param.shape[1:] and source.shape[0] < param.shape[0]:
                param[: source.shape[0]].copy_(source)
                partial.append(name)
            else:
                partial.append(name)
    return partial


def init_weights(
    model: nn.Module, seed: int, is_position: Callable[[str], bool], position: PositionInit = small_normal
) -> None:
    """Initialise every parameter of ``model`` from ``seed`` alone (the global RNG is not used).

    Args:
        is_position: which parameters are positional (learned positions, relative position biases).
        position: their initial values.
    """
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("bias"):
                param.zero_()
            elif "norm" in name:
                param.fill_(1.0)
            elif name.startswith("classifier") or name.endswith("cls_token"):
                param.zero_()
            elif is_position(name):
                param.copy_(position(name, param, generator))
            elif name.endswith("projection.weight"):  # the patch embedding, (D, C, P, P)
                fan_in = param[0].numel()
                param.copy_(torch.randn(param.shape, generator=generator).clamp_(-2, 2) / math.sqrt(fan_in))
            else:  # (out, in) linear weights
                bound = math.sqrt(6.0 / (param.shape[0] + param.shape[1]))
                param.copy_((torch.rand(param.shape, generator=generator) * 2 - 1) * bound)
