"""What a model's forward returns: one frozen dataclass, never a tuple.

Every family's ``forward`` returns a ``<Family>Output``; the single-stack families (BERT, GPT-2, ViT)
derive it from :class:`ModelOutput`, whose three fields mean the same everywhere.
"""

from __future__ import annotations

import dataclasses

import torch

from viz.layers.attention import AttentionTrace
from viz.layers.blocks import BlockTrace


@dataclasses.dataclass(frozen=True, kw_only=True)
class ModelOutput:
    """The residual stream, every block's attention trace and, for a model with a head, its logits."""

    hidden_states: tuple[torch.Tensor, ...]  # n_layers + 1 tensors (B, T, d_model); [0] = the embeddings
    traces: tuple[AttentionTrace, ...]  # one per block; empty when the model ran with trace=False
    logits: torch.Tensor | None = None  # (B, ..., n_outputs), None for a model without a head
    blocks: tuple[BlockTrace, ...] = ()  # inside each block; only when the model ran with inside=True

    @property
    def attentions(self) -> torch.Tensor:
        """(n_layers, B, H, T, T) softmax weights of every block.

        Raises:
            ValueError: if the model ran with ``trace=False`` (the fused kernel keeps no weights).
        """
        if not self.traces:
            raise ValueError("no attention weights: the model ran with trace=False")
        return torch.stack([t.weights for t in self.traces])
