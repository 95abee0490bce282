"""Evaluate a ViT checkpoint on freshly generated, held-out shapes: accuracy and the rollout pointing game.

    python -m viz.vision_training.evaluate_vit [--model assets/shapes-vit] [--n 2000] [--seed 20240605]

The pointing game: for every image whose shape covers at most 25% of it, the attention rollout of the
[CLS] row (mean over heads, nothing discarded; the [CLS] column dropped and the rest renormalised) is
spread evenly over each patch's pixels, and the share that falls on the shape's own mask is averaged.
A map that ignores the image (uniform) scores the shapes' mean coverage; that baseline is printed too.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import torch

from viz.analysis.rollout import attention_rollout
from viz.analysis.vision import cls_map, mass_inside, patch_coverage
from viz.data.shapes import CLASSES, make_shapes
from viz.models.vit import VisionTransformer
from viz.vision_training.batches import to_tensor

#: The held-out seed: training draws from other seeds (see train_vit.TRAIN_SEED_OFFSET).
EVAL_SEED = 20240605
MAX_COVERAGE = 0.25


@dataclasses.dataclass(frozen=True)
class Evaluation:
    n_images: int
    accuracy: float
    per_class_accuracy: dict[str, float]
    pointing_game: float  # mean rollout mass inside the mask, shapes covering <= 25%
    pointing_game_n: int  # images in the pointing game
    uniform_baseline: float  # the same measure for a uniform map: the mean coverage
    pointing_share_above_half: float  # share of images with more than half the mass inside


@torch.inference_mode()
def evaluate(
    model: VisionTransformer, images: np.ndarray, masks: np.ndarray, labels: np.ndarray, batch_size: int = 250
) -> Evaluation:
    """Accuracy and pointing game of ``model`` on the given shapes (images (n, S, S, 3) uint8)."""
    config = model.config
    device = next(model.parameters()).device
    predictions, scores, baselines = [], [], []
    for start in range(0, len(images), batch_size):
        x = model.normalize(to_tensor(images[start : start + batch_size]).to(device))
        out = model(x)
        predictions.append(out.logits.argmax(-1).cpu().numpy())
        attentions = out.attentions.transpose(0, 1).double().cpu().numpy()  # (B, L, H, T, T)
        for i, att in enumerate(attentions):
            mask = masks[start + i]
            if mask.mean() > MAX_COVERAGE:
                continue
            coverage = patch_coverage(mask, config.patch_size)
            heat = cls_map(attention_rollout(att), (config.grid_size, config.grid_size))
            scores.append(mass_inside(heat, coverage))
            baselines.append(float(mask.mean()))
    predicted = np.concatenate(predictions)
    correct = predicted == labels
    per_class = {
        name: float(correct[labels == c].mean()) for c, name in enumerate(CLASSES) if (labels == c).any()
    }
    scores_arr = np.array(scores)
    return Evaluation(
        n_images=len(labels),
        accuracy=float(correct.mean()),
        per_class_accuracy=per_class,
        pointing_game=float(scores_arr.mean()) if scores else float("nan"),
        pointing_game_n=len(scores),
        uniform_baseline=float(np.mean(baselines)) if baselines else float("nan"),
        pointing_share_above_half=float((scores_arr > 0.5).mean()) if scores else float("nan"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="shapes-vit", help="'shapes-vit' or a ViT checkpoint folder")
    parser.add_argument("--n", type=int, default=2000, help="held-out images (default 2000)")
    parser.add_argument("--seed", type=int, default=EVAL_SEED)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    from viz.models.vit_registry import load_vision_model

    model = load_vision_model(args.model)
    if model.config.labels != CLASSES:
        print(f"{args.model} is not a shapes model (its classes are not {CLASSES})", file=sys.stderr)
        return 2
    start = time.perf_counter()
    images, masks, labels = make_shapes(args.n, seed=args.seed, size=model.config.image_size)
    result = evaluate(model, images, masks, labels)
    elapsed = time.perf_counter() - start
    print(
        f"model: {Path(str(args.model))}  ({model.config.n_params():,} parameters, "
        f"{model.config.image_size} px, {model.config.grid_size} x {model.config.grid_size} patches)"
    )
    print(f"held-out shapes: {result.n_images} (seed {args.seed}, never used in training)")
    print(f"held-out accuracy: {result.accuracy:.2%} (target >= 95%)")
    print("per class: " + ", ".join(f"{k} {v:.1%}" for k, v in result.per_class_accuracy.items()))
    print(
        f"pointing game: {result.pointing_game:.1%} of the [CLS] rollout mass inside the shape's mask, mean over "
        f"{result.pointing_game_n} images with shapes covering <= 25% (target >= 60%)"
    )
    print(
        f"  a uniform map would score {result.uniform_baseline:.1%}; "
        f"{result.pointing_share_above_half:.1%} of the images have more than half the mass inside"
    )
    print(f"evaluated in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
