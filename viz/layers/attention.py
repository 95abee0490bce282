"""Multi-head attention written out by hand, returning everything it computed.

Vaswani et al. (2017), section 3.2:
    Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V
    MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W^O,  head_i = Attention(X W_i^Q, X W_i^K, X W_i^V)

Written out by hand (``trace=True``, the default) the call returns every intermediate: the queries, keys and
values, the raw, scaled and masked scores, the softmax weights and each head's output. When nothing asks for
the trace (training, evaluation), ``trace=False`` runs PyTorch's fused
``torch.nn.functional.scaled_dot_product_attention`` instead, as timm's ``fused_attn`` does: the same numbers
(the tests hold the two paths within 1e-5) without keeping the T x T matrices, but it never yields the weights.
"""

from __future__ import annotations

import dataclasses
import math

import torch
from torch import nn
from torch.nn import functional as F


@dataclasses.dataclass(frozen=True)
class AttentionTrace:
    """Every intermediate of one multi-head attention call.

    Shapes use B = batch, H = heads, T_q = queries, T_k = keys, d_head = d_model / H.
    """

    queries: torch.Tensor  # (B, H, T_q, d_head), after W^Q, split into heads
    keys: torch.Tensor  # (B, H, T_k, d_head)
    values: torch.Tensor  # (B, H, T_k, d_head)
    scores: torch.Tensor  # (B, H, T_q, T_k)  raw Q K^T
    scaled_scores: torch.Tensor  # (B, H, T_q, T_k)  Q K^T / sqrt(d_head) (the module's score_divisor)
    mask: torch.Tensor | None  # (B or 1, 1, T_q or 1, T_k) additive: 0 where allowed, -inf where masked
    masked_scores: torch.Tensor  # (B, H, T_q, T_k)  scaled scores + mask
    weights: torch.Tensor  # (B, H, T_q, T_k)  softmax over keys; rows sum to 1
    head_outputs: torch.Tensor  # (B, H, T_q, d_head)  weights @ values
    concat: torch.Tensor  # (B, T_q, d_model)  heads concatenated, before W^O
    output: torch.Tensor  # (B, T_q, d_model)  after W^O


def padding_mask(attention_mask: torch.Tensor) -> torch.Tensor:
    """Boolean mask (B, 1, 1, T): True where a key is a real token, False for padding.

    Args:
        attention_mask: (B, T) with 1 for real tokens and 0 for padding (the tokenizers' convention).
    """
    return attention_mask.bool()[:, None, None, :]


def causal_mask(
    n_queries: int, n_keys: int | None = None, device: torch.device | None = None
) -> torch.Tensor:
    """Boolean mask (1, 1, T_q, T_k): True on and below the diagonal (a query sees itself and the past)."""
    n_keys = n_queries if n_keys is None else n_keys
    allowed = torch.ones(n_queries, n_keys, dtype=torch.bool, device=device).tril(diagonal=n_keys - n_queries)
    return allowed[None, None]


def additive_mask(allowed: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Turn a boolean 'may attend' mask into the additive form: 0 where allowed, -inf elsewhere."""
    zeros = torch.zeros(allowed.shape, dtype=dtype, device=allowed.device)
    return zeros.masked_fill(~allowed, float("-inf"))


class MultiHeadAttention(nn.Module):
    """Multi-head attention with projections W^Q, W^K, W^V (d_model -> d_model) and W^O.

    Args:
        d_model: width of the token vectors.
        n_heads: number of heads h; each head works in d_head = d_model / h dimensions.
        bias: whether the four projections carry a bias (BERT, ViT and GPT-2 do).
    """

    def __init__(self, d_model: int, n_heads: int, bias: bool = True) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.d_model = d_model
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        #: the scores are divided by this: sqrt(d_head), as the paper (a model may divide by more: GPT-2's
        #: scale_attn_by_inverse_layer_idx also divides block i's scores by i + 1)
        self.score_divisor = math.sqrt(self.d_head)
        self.w_q = nn.Linear(d_model, d_model, bias=bias)
        self.w_k = nn.Linear(d_model, d_model, bias=bias)
        self.w_v = nn.Linear(d_model, d_model, bias=bias)
        self.w_o = nn.Linear(d_model, d_model, bias=bias)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, d_model) -> (B, H, T, d_head)."""
        batch, length, _ = x.shape
        return x.view(batch, length, self.n_heads, self.d_head).transpose(1, 2)

    def forward(
        self,
        x: torch.Tensor,
        context: torch.Tensor | None = None,
        allowed: torch.Tensor | None = None,
        bias: torch.Tensor | None = None,
        trace: bool = True,
    ) -> tuple[torch.Tensor, AttentionTrace | None]:
        """Attend from ``x`` to ``context`` (self-attention when ``context`` is None).

        Args:
            x: (B, T_q, d_model) the sequence that asks (queries).
            context: (B, T_k, d_model) the sequence attended to (keys and values); cross-attention
                passes the encoder output here.
            allowed: boolean mask broadcastable to (B, H, T_q, T_k); True where a query may attend
                to a key. Combine :func:`padding_mask` and :func:`causal_mask` with ``&``.
            bias: additive scores broadcastable to (B, H, T_q, T_k), added to the scaled scores before
                the mask (Swin's relative position bias); the trace's ``masked_scores`` include it.
            trace: return every intermediate (the hand-written path); False runs the fused kernel and
                returns None in place of the trace.

        Returns:
            ``(output, trace)`` where output is (B, T_q, d_model).
        """
        context = x if context is None else context
        q = self.split_heads(self.w_q(x))  # (B, H, T_q, d_head)
        k = self.split_heads(self.w_k(context))  # (B, H, T_k, d_head)
        v = self.split_heads(self.w_v(context))  # (B, H, T_k, d_head)
        if not trace:
            return self._fused(q, k, v, allowed, bias), None

        scores = q @ k.transpose(-2, -1)  # (B, H, T_q, T_k)
        scaled = scores / self.score_divisor
        biased = scaled if bias is None else scaled + bias
        mask = None if allowed is None else additive_mask(allowed, scaled.dtype)
        masked = biased if mask is None else biased + mask
        weights = torch.softmax(masked, dim=-1)
        if mask is not None:
            # A query with every key masked has no distribution; give it zeros, not NaN.
            weights = torch.nan_to_num(weights, nan=0.0)
        heads = weights @ v  # (B, H, T_q, d_head)
        concat = self.merge_heads(heads)
        output = self.w_o(concat)
        trace = AttentionTrace(
            q, k, v, scores, scaled, mask, masked, weights, heads, concat, output
        )  # field order
        return output, trace

    def forward_cached(
        self, x: torch.Tensor, past: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Causal self-attention of new positions over the keys and values kept from earlier ones and their
        own: the incremental path of a decoder writing one token at a time (fused kernel, no trace).

        Args:
            x: (B, T_new, d_model) the new positions.
            past: the (keys, values) (B, H, T_past, d_head) this layer computed for the earlier positions.

        Returns:
            ``(output (B, T_new, d_model), (keys, values))`` with the new positions' keys and values appended.
        """
        q = self.split_heads(self.w_q(x))
        k = self.split_heads(self.w_k(x))
        v = self.split_heads(self.w_v(x))
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        n_new, n_all = q.shape[2], k.shape[2]
        # new position i (absolute n_all - n_new + i) may read keys 0 .. n_all - n_new + i
        allowed = torch.ones(n_new, n_all, dtype=torch.bool, device=x.device).tril(n_all - n_new)
        heads = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, scale=1.0 / self.score_divisor)
        return self.w_o(self.merge_heads(heads)), (k, v)

    def merge_heads(self, heads: torch.Tensor) -> torch.Tensor:
        """(B, H, T, d_head) -> (B, T, d_model): Concat(head_1, ..., head_h)."""
        batch, _, length, _ = heads.shape
        return heads.transpose(1, 2).reshape(batch, length, self.d_model)

    def _fused(
        self,
        q: torch.Tensor,
        k: torch.Tensor,
        v: torch.Tensor,
        allowed: torch.Tensor | None,
        bias: torch.Tensor | None,
    ) -> torch.Tensor:
        """The same attention through the fused kernel: no weights kept, no trace."""
        attn_mask = allowed
        if bias is not None:
            attn_mask = bias if allowed is None else bias + additive_mask(allowed, q.dtype)
            attn_mask = attn_mask.to(q.dtype)
        heads = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, scale=1.0 / self.score_divisor)
        if allowed is not None:
            heads = torch.nan_to_num(heads, nan=0.0)  # a query that may see no key gets zeros, as above
        return self.w_o(self.merge_heads(heads))
