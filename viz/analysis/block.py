"""What the inside of a block says: active feed-forward units, the units that fire most for which token, the
residual stream's norms and how much each sub-layer adds, and where a block's parameters sit.

Pure numpy on the arrays of :class:`viz.trace.block.BlockInsideTrace` (L = layers, T = tokens, F = d_ff).
"""

from __future__ import annotations

import numpy as np

from viz.core.config import attention_params, norm_params

#: What "active" means for a hidden unit: its activation is above 0. For ReLU that is exactly the units
#: that pass anything on (the rest are 0). GELU(x) = x * Phi(x) is above 0 exactly when x > 0 as well; below
#: 0 it is small and negative (at least -0.17), so "active" there means "passes its input on, mostly".
ACTIVE_THRESHOLD = 0.0


def active_units(activation: np.ndarray, threshold: float = ACTIVE_THRESHOLD) -> np.ndarray:
    """How many hidden units are active (activation > ``threshold``) per token: (..., T, F) -> (..., T)."""
    return (np.asarray(activation) > threshold).sum(axis=-1)


def active_fraction(activation: np.ndarray, threshold: float = ACTIVE_THRESHOLD) -> np.ndarray:
    """The share of the d_ff units active per token: (..., T, F) -> (..., T) in [0, 1]."""
    activation = np.asarray(activation)
    return active_units(activation, threshold) / activation.shape[-1]


def top_units(activation: np.ndarray, k: int = 12) -> np.ndarray:
    """The ``k`` hidden units whose largest activation over the tokens is highest, strongest first.

    Args:
        activation: (T, F) one layer's activations.
    Returns:
        (k,) unit indices (ties in index order); with the (k, T) ``activation[:, units].T`` they make the
        "neurons x tokens" view.
    """
    activation = np.asarray(activation)
    if activation.ndim != 2:
        raise ValueError(f"activation must be (T, F), got shape {activation.shape}")
    peak = activation.max(axis=0)
    k = min(int(k), peak.size)
    return np.lexsort((np.arange(peak.size), -peak))[:k]


def top_units_per_token(activation: np.ndarray, k: int = 5) -> np.ndarray:
    """(T, F) -> (T, k): each token's ``k`` most active units, strongest first (ties in index order)."""
    activation = np.asarray(activation)
    k = min(int(k), activation.shape[-1])
    order = np.argsort(-activation, axis=-1, kind="stable")
    return order[:, :k]


def norms(vectors: np.ndarray) -> np.ndarray:
    """Euclidean norm of each vector over the last axis: (..., d) -> (...)."""
    return np.linalg.norm(np.asarray(vectors, dtype=np.float64), axis=-1)


def stream_norms(trace) -> dict[str, np.ndarray]:
    """Per layer and token (L, T), the norm of each vector on the residual path of a block trace, in the
    order the block computes them."""
    return {
        "block input": norms(trace.block_input),
        "attention output": norms(trace.attention_output),
        "after attention + residual": norms(trace.attention_residual),
        "after the first LayerNorm" if trace.norm_position == "post" else "FFN input (LayerNorm)": norms(
            trace.ffn_input
        ),
        "FFN output": norms(trace.ffn_output),
        "after FFN + residual": norms(trace.ffn_residual),
        "block output": norms(trace.block_output),
    }


def residual_in(trace, sublayer: str) -> np.ndarray:
    """(L, T, d) the vector a sub-layer's output is added to: the block input for attention; for the FFN its
    own input after the first LayerNorm (post-LN) or the stream after attention (pre-LN)."""
    if sublayer == "attention":
        return trace.block_input
    if sublayer == "ffn":
        return trace.ffn_input if trace.norm_position == "post" else trace.attention_residual
    raise ValueError(f"sublayer must be 'attention' or 'ffn', got {sublayer!r}")


def sublayer_share(trace, sublayer: str) -> np.ndarray:
    """(L, T) how much a sub-layer adds: ||sub-layer output|| / ||the residual it is added to||."""
    out = trace.attention_output if sublayer == "attention" else trace.ffn_output
    base = norms(residual_in(trace, sublayer))
    return norms(out) / np.maximum(base, 1e-12)


def parameter_split(d_model: int, d_ff: int, qkv_bias: bool = True) -> dict[str, int]:
    """One block's parameters by part, by formula: W^Q, W^K, W^V, W^O with biases; W_1 (d_model x d_ff + b_1);
    W_2 (d_ff x d_model + b_2); the two LayerNorms' gains and biases."""
    return {
        "attention": attention_params(d_model, qkv_bias),
        "W1": d_model * d_ff + d_ff,
        "W2": d_ff * d_model + d_model,
        "norms": 2 * norm_params(d_model),
    }


#: The paper's base model (Vaswani et al. 2017, Table 3), for the sizes beside a live model's.
PAPER_BASE = {"N": 6, "h": 8, "d_model": 512, "d_ff": 2048}


def ffn_share(parameters: dict[str, int]) -> float:
    """The feed-forward network's share of a block's parameters (W1 + W2 over all)."""
    total = sum(parameters.values())
    return (parameters["W1"] + parameters["W2"]) / total if total else 0.0


def layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray, eps: float) -> tuple[np.ndarray, ...]:
    """LayerNorm over the last axis in numpy: (mean, variance, normalised, output)."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=-1)
    variance = x.var(axis=-1)
    normalised = (x - mean[..., None]) / np.sqrt(variance[..., None] + eps)
    return mean, variance, normalised, normalised * gain + bias


def showcase(trace) -> tuple[int, int]:
    """A (0-based) layer and token where something visible happens: the token and layer where the FFN adds
    the most to its residual, among the tokens that are words or numbers (not markers, not punctuation) when there
    are any."""
    share = sublayer_share(trace, "ffn")
    candidates = [
        i
        for i, t in enumerate(trace.tokens)
        if any(c.isalnum() for c in t) and not (t.startswith(("[", "<")) and len(t) > 1)
    ]
    columns = candidates or list(range(len(trace.tokens)))
    sub = share[:, columns]
    layer, j = np.unravel_index(int(np.argmax(sub)), sub.shape)
    return int(layer), int(columns[j])
