"""Held-out exact-match accuracy of the bundled checkpoints, printed per task.

    python -m viz.training.evaluate --n 2000 --seed 12345

The held-out examples are drawn fresh with ``--seed`` from the tenth of each task that training never
sees (see :mod:`viz.tasks`). Exact match: the whole greedy output, end marker included, equals the target.
"""

from __future__ import annotations

import argparse
import time

import torch

from viz.models.gpt2.registry import CHAR_REVERSE, load_causal_model
from viz.models.seq2seq.registry import checkpoint_path, load_task_model
from viz.tasks import get_task
from viz.training.data import held_out_set
from viz.training.train import exact_match
from viz.training.train_causal import exact_match as causal_exact_match

#: The issue's targets: reverse and sort >= 99 %, dates >= 97 %.
TARGETS = {"reverse": 0.99, "sort": 0.99, "date": 0.97}


def evaluate_task(task: str, n: int, seed: int) -> tuple[float, int]:
    """(exact match, number of distinct held-out examples) of the bundled model of ``task``."""
    model, _ = load_task_model(task)
    pairs = held_out_set(get_task(task), n, seed)
    return exact_match(model, get_task(task), pairs), len(pairs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", nargs="+", default=list(TARGETS), choices=list(TARGETS))
    parser.add_argument("--n", type=int, default=2000, help="held-out examples per task")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--causal-n",
        type=int,
        default=500,
        help="held-out reversals for the decoder-only model (0 = skip); decoded one by one",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    failed = False
    for task in args.tasks:
        start = time.perf_counter()
        accuracy, n = evaluate_task(task, args.n, args.seed)
        ok = accuracy >= TARGETS[task]
        failed |= not ok
        print(
            f"{task:8s} held-out exact match {accuracy:7.2%} on {n} examples (seed {args.seed}); "
            f"target >= {TARGETS[task]:.0%}: {'met' if ok else 'NOT met'}  [{checkpoint_path(task).name}, "
            f"{time.perf_counter() - start:.1f} s]",
            flush=True,
        )
    if args.causal_n:
        start = time.perf_counter()
        loaded = load_causal_model(CHAR_REVERSE)
        pairs = held_out_set(get_task("reverse"), args.causal_n, args.seed)
        accuracy = causal_exact_match(loaded.model, loaded.vocab, pairs)
        print(
            f"decoder-only reverse held-out exact match {accuracy:7.2%} on {len(pairs)} examples (seed "
            f"{args.seed}); no target  [{CHAR_REVERSE.name}, {time.perf_counter() - start:.1f} s]"
        )
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
