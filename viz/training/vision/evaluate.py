"""Evaluate a vision checkpoint (ViT or Swin) on freshly generated, held-out shapes.

    python -m viz.training.vision.evaluate [--model shapes-vit | shapes-swin | FOLDER] [--n 2000] [--seed 20240605]

Both families: held-out accuracy, overall and per class. A ViT also plays the pointing game: for every image
whose shape covers at most 25% of it, the attention rollout of the [CLS] row (mean over heads, nothing
discarded; the [CLS] column dropped and the rest renormalised) is spread evenly over each patch's pixels,
and the share that falls on the shape's own mask is averaged; a map that ignores the image (uniform) scores
the shapes' mean coverage, printed too. A Swin reports the largest attention weight any query gave across
a shifted-window region border (it must be 0: the mask lets nothing cross).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from viz.analysis.rollout import attention_rollout
from viz.analysis.vision import cls_map, mass_inside, patch_coverage
from viz.data.drawn import make_drawn_set
from viz.data.shapes import CLASSES, LABELS, make_shapes
from viz.models.swin.model import SwinTransformer
from viz.models.vit.model import VisionTransformer
from viz.training.vision.batches import to_tensor

#: The held-out seed: training draws from other seeds (see loop.TRAIN_SEED_OFFSET, loop.VALIDATION_SEED).
EVAL_SEED = 20240605
MAX_COVERAGE = 0.25
NAN = float("nan")


@dataclasses.dataclass(frozen=True)
class Evaluation:
    n_images: int
    accuracy: float
    per_class_accuracy: dict[str, float]
    # ViT: the pointing game (NaN for a Swin)
    pointing_game: float = NAN  # mean rollout mass inside the mask, shapes covering <= 25%
    pointing_game_n: int = 0  # images in the pointing game
    uniform_baseline: float = NAN  # the same measure for a uniform map: the mean coverage
    pointing_share_above_half: float = NAN  # share of images with more than half the mass inside
    # Swin: the largest attention weight across a shifted-window region border (None for a ViT)
    masked_mass: float | None = None


def _pointing_scores(model: VisionTransformer, out, masks: np.ndarray) -> tuple[list[float], list[float]]:
    config = model.config
    scores, baselines = [], []
    attentions = out.attentions.transpose(0, 1).double().cpu().numpy()  # (B, L, H, T, T)
    for att, mask in zip(attentions, masks):
        if mask.mean() > MAX_COVERAGE or not mask.any():  # too large to tell, or no shape to point at
            continue
        grid = (config.grid_size, config.grid_size)
        heat = cls_map(attention_rollout(att), grid, n_prefix=config.n_prefix_tokens)
        scores.append(mass_inside(heat, patch_coverage(mask, config.patch_size)))
        baselines.append(float(mask.mean()))
    return scores, baselines


def _largest_masked_weight(out, device: torch.device) -> float:
    masked = 0.0
    for trace in out.traces:
        if trace.allowed is not None:  # weights (B, nW, H, Q, K); blocked (1, nW, 1, Q, K)
            blocked = ~trace.allowed.to(device)[None, :, None]
            masked = max(masked, float((trace.weights * blocked).max()))
    return masked


@torch.inference_mode()
def evaluate(
    model: VisionTransformer | SwinTransformer,
    images: np.ndarray,
    masks: np.ndarray,
    labels: np.ndarray,
    batch_size: int = 250,
) -> Evaluation:
    """Accuracy (and the pointing game of a ViT, the masked weight of a Swin) on images (n, S, S, 3) uint8."""
    is_vit = isinstance(model, VisionTransformer)
    device = next(model.parameters()).device
    predictions, scores, baselines, masked = [], [], [], 0.0
    for start in range(0, len(images), batch_size):
        out = model(model.normalize(to_tensor(images[start : start + batch_size]).to(device)))
        predictions.append(out.logits.argmax(-1).cpu().numpy())
        if is_vit:
            more_scores, more_baselines = _pointing_scores(model, out, masks[start : start + batch_size])
            scores += more_scores
            baselines += more_baselines
        else:
            masked = max(masked, _largest_masked_weight(out, device))
    correct = np.concatenate(predictions) == labels
    per_class = {
        name: float(correct[labels == c].mean()) for c, name in enumerate(LABELS) if (labels == c).any()
    }
    common = dict(n_images=len(labels), accuracy=float(correct.mean()), per_class_accuracy=per_class)
    if not is_vit:
        return Evaluation(**common, masked_mass=masked)
    scores_arr = np.array(scores)
    return Evaluation(
        **common,
        pointing_game=float(scores_arr.mean()) if scores else NAN,
        pointing_game_n=len(scores),
        uniform_baseline=float(np.mean(baselines)) if baselines else NAN,
        pointing_share_above_half=float((scores_arr > 0.5).mean()) if scores else NAN,
    )


def load_model(model: str) -> VisionTransformer | SwinTransformer:
    """A bundled name or a folder, opened by the registry of the family its config.json names."""
    from viz.models.swin.registry import SWIN_MODELS, load_swin_model
    from viz.models.vit.registry import load_vision_model

    is_swin = model in SWIN_MODELS or (
        Path(model, "config.json").is_file()
        and json.loads(Path(model, "config.json").read_text(encoding="utf-8")).get("model_type") == "swin"
    )
    return load_swin_model(model, device="cpu") if is_swin else load_vision_model(model)


def report(model_name: str, model: VisionTransformer | SwinTransformer, result: Evaluation, seed: int) -> str:
    config = model.config
    if isinstance(model, SwinTransformer):
        stages = " -> ".join(f"{s.height}x{s.width}x{s.channels}" for s in config.stages())
        about = f"{config.window_size} x {config.window_size} windows, stages {stages}"
    else:
        about = f"{config.grid_size} x {config.grid_size} patches"
    lines = [
        f"model: {Path(model_name)}  ({config.n_params:,} parameters, {config.image_size} px, {about})",
        f"held-out shapes: {result.n_images} (seed {seed}, never used in training)",
        f"held-out accuracy: {result.accuracy:.2%} (target >= 95%)",
        "per class: " + ", ".join(f"{k} {v:.1%}" for k, v in result.per_class_accuracy.items()),
    ]
    if result.masked_mass is not None:
        lines.append(
            f"largest attention weight across a shifted-window region border: {result.masked_mass:.1e} (must be 0)"
        )
    else:
        lines += [
            f"pointing game: {result.pointing_game:.1%} of the [CLS] rollout mass inside the shape's mask, mean "
            f"over {result.pointing_game_n} images with shapes covering <= 25% (target >= 60%)",
            f"  a uniform map would score {result.uniform_baseline:.1%}; "
            f"{result.pointing_share_above_half:.1%} of the images have more than half the mass inside",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model", default="shapes-vit", help="'shapes-vit', 'shapes-swin' or a checkpoint folder"
    )
    parser.add_argument("--n", type=int, default=2000, help="held-out images (default 2000)")
    parser.add_argument("--seed", type=int, default=EVAL_SEED)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument(
        "--data", choices=("drawn", "shapes"), default="drawn", help="drawn (viz.data.drawn) or shapes"
    )
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    model = load_model(args.model)
    if model.config.labels[: len(CLASSES)] != CLASSES:
        print(f"{args.model} is not a shapes model (its classes are not {CLASSES})", file=sys.stderr)
        return 2
    start = time.perf_counter()
    if args.data == "drawn":
        images, masks, labels = make_drawn_set(args.n, seed=args.seed)
    else:
        images, masks, labels = make_shapes(args.n, seed=args.seed, size=model.config.image_size)
    result = evaluate(model, images, masks, labels)
    print(report(args.model, model, result, args.seed))
    print(f"evaluated in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
