"""Train an encoder-decoder Transformer on a generated task, seeded and reproducible.

    nice -n 10 python -m viz.training.train --task reverse --preset small --steps 4000 --seed 0 \
        --out assets/seq2seq/reverse.safetensors

The same :func:`train` runs the page's live training (with a stop flag, a time limit and a callback).
Cross-entropy with teacher forcing; Adam (beta2 = 0.98, as in the paper) with a linear warm-up and a cosine
decay; exact match measured by greedy decoding on held-out examples.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import shlex
import sys
import time
from collections.abc import Callable

import torch
from torch.nn import functional as F

from viz.core.config import fields_from
from viz.core.device import get_device
from viz.models.seq2seq.checkpoint import save_seq2seq
from viz.models.seq2seq.config import TRANSFORMER_PRESETS
from viz.models.seq2seq.model import Transformer
from viz.tasks import Task, get_task
from viz.training.data import encode_batch, held_out_set, sample_batch
from viz.training.schedule import warmup_cosine


@dataclasses.dataclass(frozen=True)
class TrainSettings:
    """Everything that determines a training run (with the code, and the thread count for bit-equality)."""

    task: str = "reverse"
    preset: str = "small"
    max_input_len: int | None = None  # shorter inputs than the task's maximum (reverse, sort)
    steps: int = 4000
    batch_size: int = 64
    lr: float = 2e-3  # peak learning rate
    warmup: int = 200
    seed: int = 0
    eval_every: int = 250
    eval_size: int = 200  # held-out examples in each periodic evaluation
    max_seconds: float | None = None  # stop after this long (live training)

    def __post_init__(self) -> None:
        if self.preset not in TRANSFORMER_PRESETS:
            raise ValueError(f"unknown preset {self.preset!r}; choose one of {sorted(TRANSFORMER_PRESETS)}")
        for name in ("steps", "batch_size", "eval_every", "eval_size"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        get_task(self.task, self.max_input_len)  # validates the task and the length


@dataclasses.dataclass(frozen=True)
class Progress:
    """One point of the training curve."""

    step: int
    steps: int
    loss: float  # mean training cross-entropy since the previous point
    accuracy: float | None  # held-out exact match in [0, 1] when evaluated at this step
    seconds: float  # since training started


@dataclasses.dataclass
class TrainResult:
    model: Transformer
    task: Task
    settings: TrainSettings
    history: list[Progress]
    seconds: float
    stopped: bool  # by the stop flag or the time limit, before ``steps``

    @property
    def final_accuracy(self) -> float | None:
        evaluated = [p.accuracy for p in self.history if p.accuracy is not None]
        return evaluated[-1] if evaluated else None


def learning_rate(step: int, settings: TrainSettings) -> float:
    """Linear warm-up to ``lr`` over ``warmup`` steps, then cosine decay to a tenth of it at ``steps``."""
    return warmup_cosine(step, settings.lr, settings.warmup, settings.steps, floor=0.1)


def build_model(settings: TrainSettings) -> tuple[Transformer, Task]:
    task = get_task(settings.task, settings.max_input_len)
    config = TRANSFORMER_PRESETS[settings.preset].with_vocab(len(task.vocab))
    return Transformer(config), task


@torch.no_grad()
def exact_match(model: Transformer, task: Task, pairs: list[tuple[str, str]], batch_size: int = 256) -> float:
    """Share of ``pairs`` whose greedy output equals the target exactly (end marker included)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    vocab = task.vocab
    correct = 0
    for i in range(0, len(pairs), batch_size):
        chunk = pairs[i : i + batch_size]
        batch = encode_batch(task, [p[0] for p in chunk], [p[1] for p in chunk], device)
        out = model.greedy_decode(batch.src, vocab.bos_id, vocab.eos_id, task.max_output_len + 1)
        for row, (_, target) in zip(out.tolist(), chunk):
            finished = vocab.eos_id in row
            correct += finished and vocab.decode(row) == target
    model.train(was_training)
    return correct / max(1, len(pairs))


def train(
    settings: TrainSettings,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    device: torch.device | None = None,
    on_step: Callable[[int, float], None] | None = None,
) -> TrainResult:
    """Train a fresh model; call ``on_progress`` every ``eval_every`` steps (and at the end).

    ``on_step(step, seconds)`` is called after every optimiser step (cheap: for progress bars).

    ``should_stop`` is polled between steps; training also stops after ``settings.max_seconds``.
    """
    device = get_device() if device is None else device
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    model, task = build_model(settings)
    model.to(device).train()
    # foreach: one call per step for all tensors (bit-equal to the per-tensor loop on CPU, and faster)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=settings.lr, betas=(0.9, 0.98), eps=1e-9, foreach=True
    )
    eval_pairs = held_out_set(task, settings.eval_size, seed=settings.seed + 1)
    history: list[Progress] = []
    start = time.perf_counter()
    losses: list[float] = []
    stopped = False
    step = 0
    for step in range(1, settings.steps + 1):
        if should_stop is not None and should_stop():
            stopped, step = True, step - 1
            break
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step - 1, settings)
        batch = sample_batch(task, rng, settings.batch_size, "train", device)
        logits = model(batch.src, batch.tgt_in, trace=False).logits
        loss = F.cross_entropy(logits.flatten(0, 1), batch.tgt_out.flatten(), ignore_index=task.vocab.pad_id)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        elapsed = time.perf_counter() - start
        if on_step is not None:
            on_step(step, elapsed)
        out_of_time = settings.max_seconds is not None and elapsed >= settings.max_seconds
        if step % settings.eval_every == 0 or step == settings.steps or out_of_time:
            point = Progress(
                step,
                settings.steps,
                sum(losses) / len(losses),
                exact_match(model, task, eval_pairs),
                time.perf_counter() - start,
            )
            losses = []
            history.append(point)
            if on_progress is not None:
                on_progress(point)
        if out_of_time:
            stopped = step < settings.steps
            break
    if not history or history[-1].step != step:  # stopped between evaluations: close the curve
        point = Progress(
            step,
            settings.steps,
            sum(losses) / len(losses) if losses else float("nan"),
            exact_match(model, task, eval_pairs),
            time.perf_counter() - start,
        )
        history.append(point)
        if on_progress is not None:
            on_progress(point)
    model.eval()
    return TrainResult(model, task, settings, history, time.perf_counter() - start, stopped)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", required=True, choices=["reverse", "sort", "date"])
    parser.add_argument("--preset", default="small", choices=sorted(TRANSFORMER_PRESETS))
    parser.add_argument("--max-input-len", type=int, default=None)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (bit-equal results per count)")
    parser.add_argument("--out", default=None, help="where to write the .safetensors checkpoint")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    settings = TrainSettings(**fields_from(args, TrainSettings))

    def report(p: Progress) -> None:
        print(
            f"step {p.step:6d}/{p.steps}  loss {p.loss:.4f}  held-out exact match {p.accuracy:.3f}  "
            f"{p.seconds:7.1f} s",
            flush=True,
        )

    result = train(settings, on_progress=report, device=torch.device("cpu"))
    print(
        f"trained {result.task.name} ({settings.preset}, {result.model.config.n_params:,} parameters) "
        f"in {result.seconds:.1f} s"
    )
    if args.out:
        command = "python -m viz.training.train " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
        save_seq2seq(
            args.out,
            result.model.cpu(),
            {
                "task": result.task.name,
                "max_input_len": result.task.max_input_len,
                "vocab": result.task.chars,
                "settings": dataclasses.asdict(settings),
                "threads": args.threads,
                "command": command,
                "train_seconds": round(result.seconds, 1),
                "final_eval_exact_match": result.final_accuracy,
                "torch": torch.__version__,
            },
        )
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
