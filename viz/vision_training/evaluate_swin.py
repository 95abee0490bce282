"""Evaluate a Swin checkpoint on freshly generated, held-out shapes.

    python -m viz.vision_training.evaluate_swin [--model shapes-swin] [--n 2000] [--seed 20240605]

The held-out images come from a seed no training run draws from (the ViT's evaluation seed; training
streams use seed + 1000, validation 7000001). Also printed: how much of each patch's attention stays in its
own region in the shifted blocks (it must be all of it: the mask lets nothing cross) and the mean
attention entropy per stage, to show the windows at work.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import torch

from viz.data.shapes import CLASSES, make_shapes
from viz.models.swin import SwinTransformer
from viz.vision_training.batches import to_tensor
from viz.vision_training.evaluate_vit import EVAL_SEED


@dataclasses.dataclass(frozen=True)
class SwinEvaluation:
    n_images: int
    accuracy: float
    per_class_accuracy: dict[str, float]
    masked_mass: float  # largest attention weight any query gave to a key outside its region (should be 0)


@torch.inference_mode()
def evaluate_swin(
    model: SwinTransformer, images: np.ndarray, labels: np.ndarray, batch_size: int = 250
) -> SwinEvaluation:
    """Accuracy of ``model`` on ``images`` (n, S, S, 3) uint8 with ``labels`` (n,)."""
    device = next(model.parameters()).device
    predictions, masked = [], 0.0
    for start in range(0, len(images), batch_size):
        out = model(model.normalize(to_tensor(images[start : start + batch_size]).to(device)))
        predictions.append(out.logits.argmax(-1).cpu().numpy())
        for trace in out.traces:
            if trace.allowed is not None:  # weights (B, nW, H, Q, K); blocked (1, nW, 1, Q, K)
                blocked = ~trace.allowed.to(device)[None, :, None]
                masked = max(masked, float((trace.weights * blocked).max()))
    correct = np.concatenate(predictions) == labels
    per_class = {
        name: float(correct[labels == c].mean()) for c, name in enumerate(CLASSES) if (labels == c).any()
    }
    return SwinEvaluation(
        n_images=len(labels), accuracy=float(correct.mean()), per_class_accuracy=per_class, masked_mass=masked
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="shapes-swin", help="'shapes-swin' or a Swin checkpoint folder")
    parser.add_argument("--n", type=int, default=2000, help="held-out images (default 2000)")
    parser.add_argument("--seed", type=int, default=EVAL_SEED)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    from viz.models.swin_registry import load_swin_model

    model = load_swin_model(args.model, device="cpu")
    config = model.config
    if config.labels != CLASSES:
        print(f"{args.model} is not a shapes model (its classes are not {CLASSES})", file=sys.stderr)
        return 2
    start = time.perf_counter()
    images, _, labels = make_shapes(args.n, seed=args.seed, size=config.image_size)
    result = evaluate_swin(model, images, labels)
    elapsed = time.perf_counter() - start
    stages = " -> ".join(f"{s.height}x{s.width}x{s.channels}" for s in config.stages())
    print(
        f"model: {Path(str(args.model))}  ({config.n_params():,} parameters, {config.image_size} px, "
        f"{config.window_size} x {config.window_size} windows, stages {stages})"
    )
    print(f"held-out shapes: {result.n_images} (seed {args.seed}, never used in training)")
    print(f"held-out accuracy: {result.accuracy:.2%} (target >= 95%)")
    print("per class: " + ", ".join(f"{k} {v:.1%}" for k, v in result.per_class_accuracy.items()))
    print(
        f"largest attention weight across a shifted-window region border: {result.masked_mass:.1e} (must be "
        "0)"
    )
    print(f"evaluated in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
