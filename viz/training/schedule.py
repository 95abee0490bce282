"""The learning-rate schedule every training script shares: a linear warm-up, then a cosine decay."""

from __future__ import annotations

import math


def warmup_cosine(step: int, peak: float, warmup: int, total: int, floor: float = 0.0) -> float:
    """The learning rate at 0-based ``step`` of ``total``.

    Rises linearly to ``peak`` over the first ``warmup`` steps, then follows half a cosine down to
    ``floor * peak`` at step ``total``.
    """
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    cosine = 0.5 * (1 + math.cos(math.pi * progress))
    return peak * cosine if floor == 0 else peak * (floor + (1 - floor) * cosine)


def set_lr(optimizer, lr: float) -> None:
    """Give every parameter group of ``optimizer`` the learning rate ``lr``."""
    for group in optimizer.param_groups:
        group["lr"] = lr
