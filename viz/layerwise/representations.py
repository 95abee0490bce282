"""Sentence representations after every layer of a text encoder, for layer-wise analysis."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from viz.models.registry import load_text_model
from viz.models.tokenizer import tokenize
from viz.runtime import inference_slot

POOLINGS = ("mean", "cls")


def sentence_representations(texts: list[str], model: str | Path = "minilm", pooling: str = "mean",
                             max_tokens: int = 128, batch_size: int = 32) -> np.ndarray:
    """(L + 1, N, d_model): each text's vector after the embeddings (index 0) and after every block.

    Args:
        pooling: "mean" averages the real tokens (as sentence-transformers does for all-MiniLM-L6-v2);
            "cls" takes the [CLS] token.
        max_tokens: longer texts are cut (classroom sentences are short).
    """
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    if not texts:
        raise ValueError("no texts")
    encoder, tokenizer, limit = load_text_model(model)
    device = next(encoder.parameters()).device
    out = []
    for start in range(0, len(texts), batch_size):
        ids = [tokenize(tokenizer, t, min(max_tokens, limit)).ids for t in texts[start:start + batch_size]]
        width = max(len(i) for i in ids)
        input_ids = torch.zeros((len(ids), width), dtype=torch.long, device=device)
        mask = torch.zeros_like(input_ids)
        for row, seq in enumerate(ids):
            input_ids[row, :len(seq)] = torch.tensor(seq, device=device)
            mask[row, :len(seq)] = 1
        with inference_slot(), torch.inference_mode():
            hidden = torch.stack(encoder(input_ids, attention_mask=mask).hidden_states)  # (L+1, B, T, d)
        if pooling == "cls":
            pooled = hidden[:, :, 0]
        else:
            weights = mask[None, :, :, None].to(hidden.dtype)
            pooled = (hidden * weights).sum(2) / weights.sum(2)
        out.append(pooled.float().cpu())
    return torch.cat(out, dim=1).numpy()
