"""``viz.trace_swin`` on the bundled shapes Swin, on the CPU (target: median <= 50 ms).

Each run traces a new generated shape end to end: read the array, crop and resize, the forward pass with
every block's windows, masks and attention, everything moved to numpy. Also timed: the forward pass alone,
and the analysis the page runs on top (the mask of the corner window, one token's window attention per head).
Prints what else was running on the machine (other python -m viz processes, load average).
Usage: python bench/swin_trace.py [--runs 100] [--threads N]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("VIZ_DEVICE", "cpu")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from bench_helpers import machine_state, shapes_to_time  # noqa: E402

from viz import trace_swin  # noqa: E402
from viz.analysis import swin as an  # noqa: E402
from viz.models.swin.registry import load_swin_model  # noqa: E402


def main() -> None:
    images = shapes_to_time(4243, "torch threads (0: the thread policy's)", trace_swin)
    model = load_swin_model()
    full, forward, analysis = [], [], []
    for image in images:
        start = time.perf_counter()
        trace = trace_swin(image)
        full.append((time.perf_counter() - start) * 1e3)
        start = time.perf_counter()
        block = next(b for b in trace.blocks if b.shift)
        an.window_mask(block.allowed, block.regions, block.allowed.shape[0] - 1, block.padded, block.window)
        geometry = (block.weights, block.allowed, block.resolution, block.padded, block.window, block.shift)
        for head in [None, *range(block.n_heads)]:
            an.patch_window_attention(*geometry, 15, 15, head)
        analysis.append((time.perf_counter() - start) * 1e3)
        pixels = torch.tensor(image).permute(2, 0, 1)[None].float().div(255)
        start = time.perf_counter()
        with torch.inference_mode():
            model(model.normalize(pixels))
        forward.append((time.perf_counter() - start) * 1e3)
    config = model.config
    print(
        f"bundled shapes Swin: {config.n_params:,} parameters, {config.image_size} px, {len(trace.blocks)} "
        f"blocks, {config.window_size} x {config.window_size} windows; torch threads "
        f"{torch.get_num_threads()}, device cpu"
    )
    print(
        f"trace_swin (read, crop, forward with traces, to numpy): median {statistics.median(full):.1f} ms, "
        f"p90 {np.percentile(full, 90):.1f} ms over {len(full)} images (target: median <= 50 ms)"
    )
    print(
        f"forward pass alone: median {statistics.median(forward):.1f} ms; page analysis of one block "
        f"(corner mask + one token's attention, every head): median {statistics.median(analysis):.2f} ms"
    )
    print(machine_state())


if __name__ == "__main__":
    main()
