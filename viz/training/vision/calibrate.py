"""Calibrate a bundled vision model's confidence: one temperature T, fitted on held-out drawn images, so that
softmax(logits / T) says how often the model is right (Guo et al. 2017, "On calibration of modern neural
networks"). Written into the folder's ``config.json`` (``viz_logit_temperature``); the app's traces divide
by it. Argmax, and so accuracy, does not change.

    python -m viz.training.vision.calibrate --model assets/shapes-vit

Prints the expected calibration error (15 equal-width confidence bins) before and after, on the fitting
images and on a second, unseen set.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from viz.core.hf_config import CALIBRATION_KEY
from viz.data.drawn import make_drawn_set
from viz.training.vision.batches import to_tensor

FIT_SEED, CHECK_SEED = 31_337, 31_338


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """Mean negative log-likelihood of ``labels`` under softmax(logits / temperature)."""
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(labels)), labels].mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The T in [0.05, 20] that minimises the NLL: a log-spaced grid, then a finer one around its best."""
    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 121))
    best = grid[int(np.argmin([nll(logits, labels, t) for t in grid]))]
    fine = best * np.exp(np.linspace(-0.06, 0.06, 61))
    return float(fine[int(np.argmin([nll(logits, labels, t) for t in fine]))])


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, n_bins: int = 15) -> float:
    """Sum over confidence bins of (share of images in the bin) x |accuracy - mean confidence|."""
    confidence, prediction = probs.max(axis=1), probs.argmax(axis=1)
    correct = prediction == labels
    edges = np.linspace(0, 1, n_bins + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            error += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(error)


@torch.inference_mode()
def model_logits(model, images: np.ndarray, batch_size: int = 250) -> np.ndarray:
    out = [
        model(model.normalize(to_tensor(images[i : i + batch_size]))).logits
        for i in range(0, len(images), batch_size)
    ]
    return torch.cat(out).float().numpy()


def write_temperature(folder: Path, temperature: float) -> None:
    path = folder / "config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config[CALIBRATION_KEY] = round(float(temperature), 4)
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, required=True, help="a shapes ViT or Swin folder")
    parser.add_argument("--n", type=int, default=1800, help="images to fit on (and as many to check)")
    parser.add_argument("--dry-run", action="store_true", help="print, do not write config.json")
    args = parser.parse_args(argv)
    from viz.training.vision.evaluate import load_model

    model = load_model(str(args.model))
    rows = []
    fitted = None
    for name, seed in (("fit", FIT_SEED), ("check", CHECK_SEED)):
        images, _, labels = make_drawn_set(args.n, seed)
        logits = model_logits(model, images)  # raw: the temperature is applied by the traces
        if fitted is None:
            fitted = fit_temperature(logits, labels)
        accuracy = float((logits.argmax(1) == labels).mean())
        before = expected_calibration_error(_softmax(logits), labels)
        after = expected_calibration_error(_softmax(logits / fitted), labels)
        rows.append(
            f"{name} set (seed {seed}, {args.n} images): accuracy {accuracy:.1%}, NLL {nll(logits, labels, 1):.3f} -> "
            f"{nll(logits, labels, fitted):.3f}, ECE {before:.3f} -> {after:.3f}"
        )
    print(f"temperature T = {fitted:.4f}")
    print("\n".join(rows))
    if not args.dry_run:
        write_temperature(args.model, fitted)
        print(f"wrote {CALIBRATION_KEY} = {fitted:.4f} into {args.model / 'config.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
