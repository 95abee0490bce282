"""The position-wise feed-forward network (Vaswani et al. 2017, section 3.3) and its non-linearities.

FFN(x) = act(x W_1 + b_1) W_2 + b_2, d_model -> d_ff -> d_model, the same weights at every position.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F


def activation_fn(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """The non-linearity a Hugging Face config names (``hidden_act`` / ``activation_function``).

    Raises:
        ValueError: for a name outside :data:`viz.core.config.ACTIVATIONS`.
    """
    if name == "gelu":
        return F.gelu
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return lambda x: F.gelu(x, approximate="tanh")
    if name == "relu":
        return F.relu
    raise ValueError(f"unknown activation {name!r}")


@dataclasses.dataclass(frozen=True)
class FeedForwardTrace:
    """What the position-wise FFN computed at every position (B = batch, T = positions)."""

    pre_activation: torch.Tensor  # (B, T, d_ff)  x W_1 + b_1, the expansion
    activation: torch.Tensor  # (B, T, d_ff)  act(x W_1 + b_1): GELU or ReLU of the above
    output: torch.Tensor  # (B, T, d_model)  act(...) W_2 + b_2, the projection back


class FeedForward(nn.Module):
    """Position-wise FFN(x) = act(x W_1 + b_1) W_2 + b_2, d_model -> d_ff -> d_model."""

    def __init__(self, d_model: int, d_ff: int, activation: str = "gelu") -> None:
        super().__init__()
        self.w_1 = nn.Linear(d_model, d_ff)
        self.w_2 = nn.Linear(d_ff, d_model)
        self.activation = activation_fn(activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., d_model) -> (..., d_model)."""
        return self.w_2(self.activation(self.w_1(x)))

    def forward_traced(self, x: torch.Tensor) -> tuple[torch.Tensor, FeedForwardTrace]:
        """The same FFN, keeping the expansion and the activation: (..., d_model) -> (output, trace)."""
        pre_activation = self.w_1(x)
        activated = self.activation(pre_activation)
        output = self.w_2(activated)
        return output, FeedForwardTrace(pre_activation, activated, output)
