"""Separation Index for N = 10,000 points of d = 384 (target <= 2 s on this machine's CPU), and its memory.

Memory: the peak extra resident memory of the process during the call (the block of distances is
O(N * block), never N x N; a full float32 N x N matrix would be 400 MB).
Usage: python bench/separation_index.py [--n 10000] [--d 384] [--block 1024]
"""

from __future__ import annotations

import argparse
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from viz import separation_index  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--d", type=int, default=384)
    parser.add_argument("--block", type=int, default=1024)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, args.n)
    features = (rng.normal(size=(args.n, args.d)) + 0.5 * rng.normal(size=(10, args.d))[labels]).astype(
        np.float32
    )
    separation_index(features[:500], labels[:500], device="cpu")  # warm up kernels
    base = rss_mb()
    peak = [base]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    start = time.perf_counter()
    si = separation_index(features, labels, block=args.block, device="cpu")
    elapsed = time.perf_counter() - start
    done.set()
    watcher.join()
    print(
        f"SI for N = {args.n:,}, d = {args.d} (block {args.block}, {torch.get_num_threads()} threads, CPU): "
        f"{elapsed:.2f} s (target <= 2 s), SI = {si:.3f}"
    )
    print(
        f"extra memory during the call: {peak[0] - base:.0f} MB "
        f"(a full N x N float32 distance matrix would be {args.n**2 * 4 / 2**20:.0f} MB)"
    )


if __name__ == "__main__":
    main()
