"""Latency of ``viz.translate`` per output character, for each bundled task (greedy, warm caches).

Each call encodes the input once, decodes one token per step (the step's queries attend to cached decoder
inputs), then runs one teacher-forced pass to collect every attention map. Prints the median over runs of
the whole call and of the call divided by its decoding steps (characters written, </s> included).

Usage: python bench/decode_latency.py [--runs 50] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from viz.trace.seq2seq import translate  # noqa: E402

INPUTS = {"reverse": "encoderdecoder", "sort": "encoderdecoder", "date": "Monday, 30 November 2026"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; torch threads: {args.threads}")
    for task, text in INPUTS.items():
        trace = translate(text, task=task)  # loads the model
        for _ in range(5):
            translate(text, task=task)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            translate(text, task=task)
            times.append(time.perf_counter() - start)
        median = statistics.median(times) * 1e3
        print(
            f"{task:8s} {text!r} -> {trace.output_text!r}: {trace.n_steps} steps, median {median:.1f} ms per "
            f"call, {median / trace.n_steps:.2f} ms per output character (device {trace.device})"
        )


if __name__ == "__main__":
    main()
