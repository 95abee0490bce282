"""A decoder-only causal language model (GPT-2, Radford et al. 2019) built from the same parts.

    x = wte(tokens) + wpe(positions)
    block: x = x + MaskedSelfAttention(LN_1(x));  x = x + FFN(LN_2(x))     (pre-LayerNorm, no cross-attention)
    logits = LN_f(x) wte^T                                                  (output tied to the embedding)

Weight-compatible with Hugging Face ``GPT2LMHeadModel`` folders (config.json + model.safetensors): see
:mod:`viz.models.gpt2.checkpoint`.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from viz.layers.attention import causal_mask, padding_mask
from viz.layers.blocks import PreNormBlock, run_stack, run_stack_traced
from viz.layers.outputs import ModelOutput
from viz.models.gpt2.config import GPT2Config


@dataclasses.dataclass(frozen=True, kw_only=True)
class GPT2Output(ModelOutput):
    """The logits, the residual stream after each block and every block's attention trace (weights zero
    above the diagonal)."""


class GPT2(nn.Module):
    """Decoder-only causal transformer with GPT-2's layout."""

    def __init__(self, config: GPT2Config) -> None:
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.d_model)
        self.wpe = nn.Embedding(config.n_positions, config.d_model)
        self.dropout = nn.Dropout(config.dropout)
        self.blocks = PreNormBlock.stack(config)
        if config.scale_by_layer:  # scale_attn_by_inverse_layer_idx: block i also divides its scores by i + 1
            for i, block in enumerate(self.blocks):
                block.attention.score_divisor *= i + 1
        self.norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        # Tied (GPT-2's default): the output layer is the token embedding, transposed; else its own matrix.
        self.lm_head = (
            None if config.tied_output else nn.Linear(config.d_model, config.vocab_size, bias=False)
        )
        for name, p in self.named_parameters():  # GPT-2's initialisation
            if p.dim() > 1:
                nn.init.normal_(p, std=0.02)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        trace: bool = True,
        inside: bool = False,
    ) -> GPT2Output:
        """input_ids (B, T) -> logits (B, T, vocab); position t sees positions <= t only.

        Args:
            attention_mask: optional (B, T), 1 = token, 0 = padding (padding keys are hidden).
            trace: keep every block's attention trace (False: the fused kernel, no traces).
            inside: also keep everything inside each block (``blocks``: residual sums, LayerNorm
                statistics, the FFN's hidden units).
        """
        n = input_ids.shape[1]
        if n > self.config.n_positions:
            raise ValueError(f"{n} tokens exceed the model's {self.config.n_positions} positions")
        allowed = causal_mask(n, device=input_ids.device)
        if attention_mask is not None:
            allowed = allowed & padding_mask(attention_mask)
        positions = torch.arange(n, device=input_ids.device)[None]
        x = self.dropout(self.wte(input_ids) + self.wpe(positions))
        if inside:
            x, hidden, blocks = run_stack_traced(self.blocks, x, allowed)
            traces = [b.attention for b in blocks]
        else:
            x, hidden, traces = run_stack(self.blocks, x, allowed, trace)
            blocks = []
        output_weight = self.wte.weight if self.lm_head is None else self.lm_head.weight
        logits = self.norm(x) @ output_weight.T
        return GPT2Output(
            logits=logits, hidden_states=tuple(hidden), traces=tuple(traces), blocks=tuple(blocks)
        )

    def next_logits(
        self, new_ids: torch.Tensor, past: list | None = None
    ) -> tuple[torch.Tensor, list[tuple[torch.Tensor, torch.Tensor]]]:
        """The next-token logits after ``new_ids`` (1, T_new), the earlier positions read from ``past`` (each
        block's keys and values, as this returns them): writing one token costs one position's work.

        Returns:
            ``(logits (vocab,) of the last position, the keys and values so far)``.
        """
        start = 0 if past is None else past[0][0].shape[2]
        n = start + new_ids.shape[1]
        if n > self.config.n_positions:
            raise ValueError(f"{n} tokens exceed the model's {self.config.n_positions} positions")
        positions = torch.arange(start, n, device=new_ids.device)[None]
        x = self.wte(new_ids) + self.wpe(positions)
        kept = []
        for i, block in enumerate(self.blocks):
            x, kv = block.forward_cached(x, None if past is None else past[i])
            kept.append(kv)
        output_weight = self.wte.weight if self.lm_head is None else self.lm_head.weight
        return self.norm(x[0, -1]) @ output_weight.T, kept

    @torch.no_grad()
    def generate_greedy(
        self, input_ids: torch.Tensor, max_new_tokens: int, stop_id: int | None = None
    ) -> list[int]:
        """Greedy continuation of one sequence (1, T); returns the new ids (stop id included when reached)."""
        ids = input_ids
        new: list[int] = []
        for _ in range(max_new_tokens):
            if ids.shape[1] >= self.config.n_positions:
                break
            token = int(self(ids, trace=False).logits[0, -1].argmax())
            new.append(token)
            if token == stop_id:
                break
            ids = torch.cat([ids, torch.tensor([[token]], device=ids.device)], dim=1)
        return new
