"""Time for the page's live training to reach 90% held-out exact match on reversal (inputs of <= 8 letters).

Runs the page's own path (the process-wide TrainingQueue, its thread limit, the page's default settings:
tiny preset, 1500 steps, evaluation every 50 steps on 200 held-out examples) and prints the first step and
wall-clock time at which held-out exact match reached 90%, then the final model's exact match on 1000 fresh
held-out examples. Prints the load average first: other work on the machine slows training.

Usage: python bench/train_to_90.py [--seed 0] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viz.tasks import get_task  # noqa: E402
from viz.training.data import held_out_set  # noqa: E402
from viz.training.live import MAX_SECONDS, TrainingQueue, default_threads  # noqa: E402
from viz.training.train import TrainSettings, exact_match  # noqa: E402

TARGET = 0.90


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=default_threads())
    args = parser.parse_args()
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores; "
        f"training threads: {args.threads}"
    )
    settings = TrainSettings(
        task="reverse",
        preset="tiny",
        max_input_len=8,
        steps=1500,
        seed=args.seed,
        eval_every=50,
        eval_size=200,
        max_seconds=MAX_SECONDS,
    )  # the page's defaults
    queue = TrainingQueue(threads=args.threads)
    start = time.perf_counter()
    run = queue.submit(settings)
    view = queue.wait(run, timeout=MAX_SECONDS + 60)
    wall = time.perf_counter() - start
    hit = next((p for p in view.history if p.accuracy is not None and p.accuracy >= TARGET), None)
    if hit is None:
        print(
            f"did NOT reach {TARGET:.0%} in {view.step} steps ({view.seconds:.1f} s); best "
            f"{max(p.accuracy or 0 for p in view.history):.1%}"
        )
    else:
        print(
            f"reached {hit.accuracy:.1%} held-out exact match (>= {TARGET:.0%}) at step {hit.step}, "
            f"{hit.seconds:.1f} s of training"
        )
    task = get_task("reverse", 8)
    final = exact_match(queue.model(run), task, held_out_set(task, 1000, seed=99))
    print(
        f"finished {view.status} after {view.step} steps, {view.seconds:.1f} s training ({wall:.1f} s wall); "
        f"final exact match on 1000 fresh held-out inputs: {final:.1%}"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
