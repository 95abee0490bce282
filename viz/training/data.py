"""Batches of task examples as padded tensors."""

from __future__ import annotations

import dataclasses
import random

import torch

from viz.tasks import Task


@dataclasses.dataclass(frozen=True)
class Batch:
    """B examples. S = longest source, T = longest target + 1 (the start or end marker)."""

    sources: list[str]
    targets: list[str]
    src: torch.Tensor  # (B, S) source ids, padded
    tgt_in: torch.Tensor  # (B, T) <s> + target, padded: what the decoder reads
    tgt_out: torch.Tensor  # (B, T) target + </s>, padded: what it must predict


def encode_batch(
    task: Task, sources: list[str], targets: list[str], device: torch.device | str = "cpu"
) -> Batch:
    vocab = task.vocab
    src_ids = [vocab.encode(s) for s in sources]
    tgt_ids = [vocab.encode(t) for t in targets]
    pad = vocab.pad_id
    src_width, width = max(map(len, src_ids)), max(map(len, tgt_ids)) + 1
    # Padded Python lists, then one tensor each: a tensor per row costs more than the model step.
    src = [s + [pad] * (src_width - len(s)) for s in src_ids]
    tgt_in = [[vocab.bos_id] + t + [pad] * (width - 1 - len(t)) for t in tgt_ids]
    tgt_out = [t + [vocab.eos_id] + [pad] * (width - 1 - len(t)) for t in tgt_ids]
    tensors = (torch.tensor(rows, dtype=torch.long, device=device) for rows in (src, tgt_in, tgt_out))
    return Batch(sources, targets, *tensors)


def sample_batch(
    task: Task, rng: random.Random, batch_size: int, split: str = "train", device: torch.device | str = "cpu"
) -> Batch:
    pairs = [task.sample(rng, split) for _ in range(batch_size)]
    return encode_batch(task, [p[0] for p in pairs], [p[1] for p in pairs], device)


def held_out_set(task: Task, n: int, seed: int) -> list[tuple[str, str]]:
    """``n`` distinct held-out examples drawn with their own seed (fewer if the held-out part is smaller)."""
    rng = random.Random(f"held-out:{task.name}:{task.max_input_len}:{seed}")
    pairs: dict[str, str] = {}
    for _ in range(50 * n):
        source, target = task.sample(rng, "held_out")
        pairs.setdefault(source, target)
        if len(pairs) == n:
            break
    return list(pairs.items())
