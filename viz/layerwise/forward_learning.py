"""Layer-wise (forward) learning against end-to-end backpropagation, on scikit-learn's digits.

End-to-end: an MLP of ``n_layers`` hidden layers and a classifier, trained together by backpropagation.
Layer-wise (greedy, Belilovsky et al. 2019): hidden layer k is trained with its own auxiliary linear
classifier while layers 1..k-1 stay frozen; then it is frozen and layer k + 1 is added. The last
auxiliary classifier is the network's output.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from viz.analysis.separation import separation_index
from viz.core.runtime import inference_slot


@dataclasses.dataclass(frozen=True)
class ForwardConfig:
    n_layers: int = 3
    width: int = 64
    epochs_per_stage: int = 15
    batch_size: int = 128
    lr: float = 3e-3
    seed: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.n_layers <= 6 or not 4 <= self.width <= 512 or self.epochs_per_stage < 1:
            raise ValueError("n_layers in 1..6, width in 4..512 and at least one epoch per stage")


@dataclasses.dataclass(frozen=True)
class ForwardResult:
    method: str  # "end-to-end" or "layer-wise"
    test_accuracy: float
    si_per_layer: list[float]  # input, then after each hidden layer (test set)
    loss_curve: list[float]  # mean training loss per epoch (all stages concatenated)


def load_digits_split(seed: int = 0, test_share: float = 0.3):
    """scikit-learn's 8 x 8 digits (installed offline), scaled to [0, 1], split into train and test."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    return train_test_split(x, digits.target, test_size=test_share, random_state=seed, stratify=digits.target)


def _block(d_in: int, width: int) -> nn.Module:
    return nn.Sequential(nn.Linear(d_in, width), nn.ReLU())


def _epochs(modules: list[nn.Module], params, x, y, epochs, cfg, gen, on_epoch) -> list[float]:
    opt = torch.optim.Adam(params, lr=cfg.lr)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen)
        total = 0.0
        for start in range(0, len(x), cfg.batch_size):
            idx = order[start : start + cfg.batch_size]
            h = x[idx]
            for m in modules:
                h = m(h)
            loss = nn.functional.cross_entropy(h, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        losses.append(total / len(x))
        on_epoch()
    return losses


def _evaluate(blocks: list[nn.Module], head: nn.Module, x_test, y_test) -> tuple[float, list[float]]:
    with torch.no_grad():
        h = x_test
        feats = [h.numpy()]
        for b in blocks:
            h = b(h)
            feats.append(h.numpy())
        accuracy = float((head(h).argmax(1) == y_test).float().mean())
    labels = y_test.numpy()
    return accuracy, [separation_index(f, labels, device="cpu") for f in feats]


def train_both(
    cfg: ForwardConfig = ForwardConfig(), progress: Callable[[float, str], None] | None = None
) -> tuple[ForwardResult, ForwardResult]:
    """Train the same architecture end to end and layer by layer; ``progress(share, message)`` is called
    after every epoch. Deterministic for a given ``cfg.seed``. Runs on the CPU, on one thread: these
    matrices are tiny (a few seconds in all)."""
    # One slot of the thread policy: these tiny matrices gain nothing from more threads.
    with inference_slot():
        return _train_both(cfg, progress)


def _train_both(cfg: ForwardConfig, progress) -> tuple[ForwardResult, ForwardResult]:
    x_train, x_test, y_train, y_test = (torch.as_tensor(a) for a in load_digits_split(cfg.seed))
    y_train, y_test = y_train.long(), y_test.long()
    d_in, n_classes = x_train.shape[1], 10
    total_epochs = cfg.epochs_per_stage * cfg.n_layers * 2
    done = [0]

    def tick(stage: str):
        def step():
            done[0] += 1
            if progress:
                progress(done[0] / total_epochs, stage)

        return step

    # End to end: all layers and the classifier, cfg.n_layers * epochs_per_stage epochs (same budget).
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    blocks = [_block(d_in if i == 0 else cfg.width, cfg.width) for i in range(cfg.n_layers)]
    head = nn.Linear(cfg.width, n_classes)
    params = [p for m in blocks + [head] for p in m.parameters()]
    losses_e2e = _epochs(
        blocks + [head],
        params,
        x_train,
        y_train,
        cfg.epochs_per_stage * cfg.n_layers,
        cfg,
        gen,
        tick("end-to-end backpropagation"),
    )
    acc_e2e, si_e2e = _evaluate(blocks, head, x_test, y_test)

    # Layer-wise: stage k trains block k and its auxiliary classifier on the frozen output of blocks < k.
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    frozen: list[nn.Module] = []
    losses_lw: list[float] = []
    head = None
    for k in range(cfg.n_layers):
        block = _block(d_in if k == 0 else cfg.width, cfg.width)
        head = nn.Linear(cfg.width, n_classes)
        params = list(block.parameters()) + list(head.parameters())
        losses_lw += _epochs(
            frozen + [block, head],
            params,
            x_train,
            y_train,
            cfg.epochs_per_stage,
            cfg,
            gen,
            tick(f"layer-wise: training layer {k + 1} with its auxiliary classifier"),
        )
        block.requires_grad_(False)
        frozen.append(block)
    acc_lw, si_lw = _evaluate(frozen, head, x_test, y_test)
    return (
        ForwardResult("end-to-end", acc_e2e, si_e2e, losses_e2e),
        ForwardResult("layer-wise", acc_lw, si_lw, losses_lw),
    )
