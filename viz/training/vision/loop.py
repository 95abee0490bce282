"""The training loop both bundled vision models share: AdamW with decoupled weight decay, the warm-up +
cosine schedule, gradient clipping, a fresh batch of generated shapes every step, and a validation line
every ``eval_every`` steps. A family brings its model (initialised from the seed), its batches, which
parameters decay, and optionally a second loss on the model's output."""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from viz.core.config import fields_from
from viz.training.schedule import warmup_cosine

VALIDATION_SEED = 7_000_001
TRAIN_SEED_OFFSET = 1_000  # the training stream uses seed + this

#: pixels (B, 3, S, S) in [0, 1], the shapes' masks (B, S, S), labels (B,)
Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


@dataclasses.dataclass(frozen=True)
class LoopSettings:
    steps: int = 12000
    batch_size: int = 64
    lr: float = 1e-3
    warmup: int = 300
    weight_decay: float = 0.05
    eval_every: int = 500
    n_validation: int = 1000
    curriculum: int = (
        1500  # steps over which the share of flat backgrounds falls from 1 to 0 (then: all kinds)
    )
    #: images of each batch that run with their attention traces for the extra loss (0: all of them); the
    #: rest go through the fused kernel, several times faster at 256 patches
    traced_batch: int = 0

    def easy_share(self, step: int) -> float:
        """The share of flat (easy) backgrounds at ``step`` of the curriculum."""
        return max(0.0, 1.0 - step / self.curriculum) if self.curriculum else 0.0


def train_loop(
    model: nn.Module,
    settings: LoopSettings,
    batches: Iterable[Batch],
    decays: Callable[[str, nn.Parameter], bool],
    validate: Callable[[nn.Module], str],
    max_minutes: float,
    log: Callable[[str], None] = print,
    extra_loss: Callable[[object, torch.Tensor], torch.Tensor] | None = None,
) -> nn.Module:
    """Train ``model`` (already initialised) on ``batches``, one per step; return it frozen, in eval mode.

    Args:
        decays: which parameters get weight decay.
        validate: ``validate(model)`` -> the text of a validation line (the model is in eval mode).
        extra_loss: ``extra_loss(output, masks)`` added to the cross-entropy (the ViT's pointing objective);
            the first ``settings.traced_batch`` images (all when 0) then run with their attention traces and
            it is computed on them; everything else runs through the fused kernel.
    """
    params = list(model.named_parameters())
    groups = [
        {"params": [p for n, p in params if decays(n, p)], "weight_decay": settings.weight_decay},
        {"params": [p for n, p in params if not decays(n, p)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=settings.lr, betas=(0.9, 0.999))
    start = time.perf_counter()
    running = 0.0
    for step, (pixels, masks, labels) in enumerate(batches):
        if step >= settings.steps:
            break
        if (time.perf_counter() - start) / 60 > max_minutes:
            log(
                f"stopped at step {step}: the {max_minutes:g}-minute limit was reached (the result is not the "
                "seeded one; give more time or fewer steps)"
            )
            break
        for group in optimizer.param_groups:
            group["lr"] = warmup_cosine(step, settings.lr, settings.warmup, settings.steps)
        model.train()
        x = model.normalize(pixels)
        if extra_loss is None:
            out = model(x, trace=False)
            loss = total = F.cross_entropy(out.logits, labels)
        else:
            n_traced = settings.traced_batch or len(labels)  # the batch is shuffled: any n are a sample
            out = model(x[:n_traced], trace=True)
            logits = out.logits
            if n_traced < len(labels):
                logits = torch.cat([logits, model(x[n_traced:], trace=False).logits])
            loss = F.cross_entropy(logits, labels)
            total = loss + extra_loss(out, masks[:n_traced])
        optimizer.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        running = 0.98 * running + 0.02 * loss.item() if step else loss.item()
        if (step + 1) % 100 == 0 and (step + 1) % settings.eval_every:
            log(f"step {step + 1:5d}  loss {running:.3f}  {(time.perf_counter() - start) / 60:.1f} min")
        if (step + 1) % settings.eval_every == 0 or step + 1 == settings.steps:
            model.eval()
            line = validate(model)  # timed with the validation, as it always was
            log(
                f"step {step + 1:5d}  loss {running:.3f}  {line}  {(time.perf_counter() - start) / 60:.1f} min"
            )
    model.eval().requires_grad_(False)
    return model


def add_arguments(
    parser: argparse.ArgumentParser, settings: LoopSettings, out: str, threads: int, max_minutes: float
) -> None:
    """The command-line options both training scripts take."""
    parser.add_argument("--out", type=Path, default=Path(out))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=settings.steps)
    parser.add_argument("--batch-size", type=int, default=settings.batch_size)
    parser.add_argument("--lr", type=float, default=settings.lr)
    parser.add_argument("--warmup", type=int, default=settings.warmup)
    parser.add_argument("--eval-every", type=int, default=settings.eval_every)
    parser.add_argument(
        "--curriculum",
        type=int,
        default=settings.curriculum,
        help="steps over which flat backgrounds give way to all kinds (0: none)",
    )
    parser.add_argument("--threads", type=int, default=threads, help=f"torch threads (default {threads})")
    parser.add_argument("--max-minutes", type=float, default=max_minutes, help="stop early after this long")


#: Options named otherwise than the config field they set.
_FIELDS = {"--layers": "n_layers", "--heads": "n_heads", "--window": "window_size"}


def add_config_arguments(parser: argparse.ArgumentParser, preset: object, options: str) -> None:
    """One option per architecture field (``--d-model`` sets ``d_model``, ``--layers`` ``n_layers``),
    defaulting to ``preset``'s value; a tuple field (Swin's depths) takes one value per stage."""
    for option in options.split():
        field = _FIELDS.get(option, option[2:].replace("-", "_"))
        default = getattr(preset, field)
        if isinstance(default, tuple):
            parser.add_argument(option, dest=field, type=type(default[0]), nargs="+", default=list(default))
        else:
            parser.add_argument(option, dest=field, type=type(default), default=default)


def settings_from(args: argparse.Namespace, settings: LoopSettings) -> LoopSettings:
    """``settings`` with what :func:`add_arguments`' options set."""
    return dataclasses.replace(settings, **fields_from(args, LoopSettings))


def train_and_save(
    n_params: int,
    settings: LoopSettings,
    args: argparse.Namespace,
    train: Callable[[Callable[[str], None]], nn.Module],
    save: Callable[[nn.Module, Path], Path],
    detail: str = "",
) -> int:
    """The scripts' common ``main``: say what is trained, train, write the checkpoint folder, say where."""
    print(
        f"training {n_params:,} parameters for {settings.steps} steps of {settings.batch_size} "
        f"(seed {args.seed}, {args.threads} threads{detail})",
        flush=True,
    )
    start = time.perf_counter()
    model = train(lambda line: print(line, flush=True))
    save(model, args.out)
    size = (args.out / "model.safetensors").stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB) after {(time.perf_counter() - start) / 60:.1f} min")
    return 0
