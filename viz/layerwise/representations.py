"""Sentence representations after every layer of a text encoder, for layer-wise analysis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from viz.models.bert.registry import load_text_model
from viz.models.bert.tokenizer import tokenize
from viz.trace.common import device_of, model_call

POOLINGS = ("mean", "cls")
#: The most tokens (all texts together, each cut at ``max_tokens``) one layer-wise analysis may run through
#: the encoder: about 10 s of one core, so that one teacher's CSV cannot hold the server for minutes.
MAX_TOKENS_TOTAL = 40_000


class TooManyTokensError(ValueError):
    """The texts would take more tokens than :data:`MAX_TOKENS_TOTAL`; the message says so for the page."""


def count_tokens(texts: list[str], model: str | Path = "minilm", max_tokens: int = 128) -> int:
    """The tokens ``texts`` take in the encoder, each cut as :func:`sentence_representations` cuts it, checked
    against :data:`MAX_TOKENS_TOTAL` before any model runs (tokenizing is fast; the encoder is not).

    Raises:
        TooManyTokensError: over the budget.
    """
    _, tokenizer, limit = load_text_model(model)
    total = sum(len(tokenize(tokenizer, t, min(max_tokens, limit)).ids) for t in texts)
    if total > MAX_TOKENS_TOTAL:
        raise TooManyTokensError(
            f"These {len(texts):,} texts come to {total:,} tokens; one analysis runs at most "
            f"{MAX_TOKENS_TOTAL:,} through the encoder (about {MAX_TOKENS_TOTAL // len(texts):,} tokens a text "
            "for this many texts). Use fewer or shorter texts."
        )
    return total


def sentence_representations(
    texts: list[str],
    model: str | Path = "minilm",
    pooling: str = "mean",
    max_tokens: int = 128,
    batch_size: int = 32,
) -> np.ndarray:
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
    count_tokens(texts, model, max_tokens)
    encoder, tokenizer, limit = load_text_model(model)
    device = device_of(encoder)
    out = []
    for start in range(0, len(texts), batch_size):
        ids = [tokenize(tokenizer, t, min(max_tokens, limit)).ids for t in texts[start : start + batch_size]]
        width = max(len(i) for i in ids)
        input_ids = torch.zeros((len(ids), width), dtype=torch.long, device=device)
        mask = torch.zeros_like(input_ids)
        for row, seq in enumerate(ids):
            input_ids[row, : len(seq)] = torch.tensor(seq, device=device)
            mask[row, : len(seq)] = 1
        with model_call():  # hidden states only: the fused kernel, no attention traces
            hidden = torch.stack(
                encoder(input_ids, attention_mask=mask, trace=False).hidden_states
            )  # (L+1, B, T, d)
        if pooling == "cls":
            pooled = hidden[:, :, 0]
        else:
            weights = mask[None, :, :, None].to(hidden.dtype)
            pooled = (hidden * weights).sum(2) / weights.sum(2)
        out.append(pooled.float().cpu())
    return torch.cat(out, dim=1).numpy()


def shape_representations(
    n_images: int = 400, seed: int = 12345, model: str | Path = "shapes-vit", batch_size: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Held-out generated shapes through a ViT: ([CLS] per layer, mean of patch tokens per layer, labels).

    The two arrays are (L + 1, N, D): index 0 is the embeddings (with positions), then each block. The
    seed is far from the training seeds, so the images are new to the model.
    """
    from viz.data.shapes import make_shapes
    from viz.models.vit.registry import load_vision_model

    vit = load_vision_model(model)
    size = vit.config.image_size
    images, _, labels = make_shapes(n_images, seed, size=size)
    device = device_of(vit)
    cls, mean = [], []
    for start in range(0, n_images, batch_size):
        pixels = (
            torch.tensor(images[start : start + batch_size]).permute(0, 3, 1, 2).float().div(255.0).to(device)
        )
        with model_call():
            hidden = torch.stack(vit(vit.normalize(pixels), trace=False).hidden_states)  # (L+1, B, P+N, D)
        cls.append(hidden[:, :, 0].float().cpu())
        mean.append(hidden[:, :, vit.config.n_prefix_tokens :].mean(dim=2).float().cpu())  # the patches
    return torch.cat(cls, dim=1).numpy(), torch.cat(mean, dim=1).numpy(), labels


DATE_LABELS = ("month", "format family")


def date_format_family(template: str) -> str:
    """Group the date task's input templates into five families a class can name."""
    if "{Weekday}" in template or "{Wkd}" in template:
        return "with a weekday"
    if "{Month}" in template or "{Mon}" in template:
        return "month name first" if template.startswith("{Mon") else "day, then month name"
    return "numbers, year first" if template.startswith("{Y}") else "numbers, day first"


def date_representations(n: int = 480, seed: int = 777, label: str = "month") -> tuple[np.ndarray, list[str]]:
    """The bundled date model's encoder on ``n`` new dates: ((L + 1, n, d_model) mean over characters, labels).

    ``label`` is "month" (does the encoder gather the month, whatever the format?) or "format family".
    """
    import datetime as dt
    import random

    from viz.models.seq2seq.registry import load_task_model
    from viz.tasks import get_task
    from viz.tasks.dates import FORMATS, format_date, random_date

    if label not in DATE_LABELS:
        raise ValueError(f"label must be one of {DATE_LABELS}, got {label!r}")
    model, _ = load_task_model("date")
    vocab = get_task("date").vocab
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        date: dt.date = random_date(rng)
        template = FORMATS[i % len(FORMATS)]
        texts.append(format_date(date, template))
        labels.append(date.strftime("%B") if label == "month" else date_format_family(template))
    ids = [vocab.encode(t) for t in texts]
    width = max(len(i) for i in ids)
    device = device_of(model)
    src = torch.full((n, width), model.config.pad_id, dtype=torch.long, device=device)
    for row, seq in enumerate(ids):
        src[row, : len(seq)] = torch.tensor(seq, device=device)
    real = (src != model.config.pad_id)[None, :, :, None].float()
    with model_call():
        _, hidden, _ = model.encode(src, trace=False)
        pooled = (torch.stack(hidden) * real).sum(2) / real.sum(2)
    return pooled.float().cpu().numpy(), labels
