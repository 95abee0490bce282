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
    batch = len(sources)
    src = torch.full((batch, max(map(len, src_ids))), vocab.pad_id, dtype=torch.long)
    width = max(map(len, tgt_ids)) + 1
    tgt_in = torch.full((batch, width), vocab.pad_id, dtype=torch.long)
    tgt_out = torch.full((batch, width), vocab.pad_id, dtype=torch.long)
    for i, (s, t) in enumerate(zip(src_ids, tgt_ids)):
        src[i, : len(s)] = torch.tensor(s)
        tgt_in[i, : len(t) + 1] = torch.tensor([vocab.bos_id] + t)
        tgt_out[i, : len(t) + 1] = torch.tensor(t + [vocab.eos_id])
    return Batch(sources, targets, src.to(device), tgt_in.to(device), tgt_out.to(device))


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
