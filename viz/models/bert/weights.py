"""A model's learned matrices as CPU numpy arrays in the papers' orientation (x @ W)."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np

from viz.models.bert.registry import load_text_model


@dataclasses.dataclass(frozen=True, eq=False)
class AttentionWeights:
    """One layer's projections, written so that q = x @ w_q + b_q (shapes (d_model, d_model))."""

    w_q: np.ndarray
    b_q: np.ndarray
    w_k: np.ndarray
    b_k: np.ndarray
    w_v: np.ndarray
    b_v: np.ndarray
    w_o: np.ndarray
    b_o: np.ndarray
    n_heads: int

    @property
    def d_head(self) -> int:
        return self.w_q.shape[1] // self.n_heads

    def head(self, head: int) -> dict[str, np.ndarray]:
        """Head ``head``'s slices: W^Q_i, W^K_i, W^V_i (d_model, d_head) and their biases (d_head,)."""
        cols = slice(head * self.d_head, (head + 1) * self.d_head)
        return {
            "w_q": self.w_q[:, cols],
            "b_q": self.b_q[cols],
            "w_k": self.w_k[:, cols],
            "b_k": self.b_k[cols],
            "w_v": self.w_v[:, cols],
            "b_v": self.b_v[cols],
        }


def _numpy(linear) -> tuple[np.ndarray, np.ndarray]:
    # nn.Linear stores (out, in) and computes x @ W^T; the papers write x @ W with W (in, out).
    return linear.weight.detach().float().cpu().numpy().T, linear.bias.detach().float().cpu().numpy()


@functools.lru_cache(maxsize=4)
def attention_weights(model: str | Path = "minilm") -> tuple[AttentionWeights, ...]:
    """Every layer's W^Q, W^K, W^V, W^O of a text model, read-only, loaded once."""
    encoder, _, _ = load_text_model(model)
    layers = []
    for block in encoder.layers:  # ALBERT's layers share one block: its weights, once per layer
        mha = block.attention
        parts = {}
        for name in ("q", "k", "v", "o"):
            w, b = _numpy(getattr(mha, f"w_{name}"))
            w.flags.writeable = b.flags.writeable = False
            parts[f"w_{name}"], parts[f"b_{name}"] = w, b
        layers.append(AttentionWeights(n_heads=mha.n_heads, **parts))
    return tuple(layers)


@functools.lru_cache(maxsize=4)
def position_embedding_table(model: str | Path = "minilm") -> np.ndarray:
    """The learned position embeddings (max_positions, E) of a BERT-style model, row t for the t-th token (RoBERTa's
    rows before padding_idx + 1, which no token uses, are left out)."""
    encoder, _, _ = load_text_model(model)
    offset = encoder.config.position_offset
    table = encoder.embeddings.position.weight[offset:].detach().float().cpu().numpy()
    table.flags.writeable = False
    return table
