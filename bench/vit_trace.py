"""``viz.trace_image`` plus attention rollout on the bundled shapes ViT, on the CPU (target: median <= 50 ms).

Each run traces a new generated shape end to end: read the array, crop and resize, forward pass, the
gradients of the top class with respect to every layer's attention (for gradient rollout), everything
moved to numpy, then the rollout map with the default settings and with max fusion and 90% discarded.
Usage: python bench/vit_trace.py [--runs 100] [--threads N]
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
from bench_helpers import shapes_to_time  # noqa: E402

from viz import trace_image  # noqa: E402


def main() -> None:
    images = shapes_to_time(
        4242, "torch threads (0: torch's default)", lambda image: trace_image(image).rollout_map()
    )
    full, forward_only = [], []
    for image in images:
        start = time.perf_counter()
        trace = trace_image(image)
        trace.rollout_map()
        trace.rollout_map("max", 0.9)
        trace.gradient_rollout_map()
        full.append((time.perf_counter() - start) * 1e3)
        start = time.perf_counter()
        trace_image(image, gradients=False).rollout_map()
        forward_only.append((time.perf_counter() - start) * 1e3)
    config = trace.attentions.shape
    print(f"bundled shapes ViT: attentions {config}, torch threads {torch.get_num_threads()}, device cpu")
    print(
        f"trace_image + rollout (mean, max/90% discard) + gradient rollout: median {statistics.median(full):.1f} ms, "
        f"p90 {np.percentile(full, 90):.1f} ms over {len(full)} images (target: median <= 50 ms)"
    )
    print(f"trace_image without gradients + rollout: median {statistics.median(forward_only):.1f} ms")


if __name__ == "__main__":
    main()
