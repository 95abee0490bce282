"""How a bundled vision model does on photographed hand drawings from the second renderer.

    python -m viz.evaluation.report --model shapes-vit --n 900 --seed 7 [--threads 2] [--json FILE]

Accuracy overall (the nine labels balanced), on the shapes alone, by size band, filled vs outlined and by
background kind; the share of shape-free images answered "none of these" (0 for a model with eight labels,
which cannot say it); for a ViT the pointing game (the share of the [CLS] attention rollout that falls on the
shape's silhouette, each patch's mass spread over its pixels, with the uniform map's score beside it); and
what the model answers on the fixed drawings. Every image goes through the app's upload path
(:mod:`viz.evaluation.renderer`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from viz.analysis.rollout import attention_rollout
from viz.analysis.vision import cls_map, mass_inside, patch_coverage
from viz.data.shapes import LABELS
from viz.evaluation.renderer import (
    BACKGROUND_KINDS,
    BAND_NAMES,
    NONE,
    NONE_KINDS,
    STYLES,
    EvalSample,
    evaluation_set,
    fixed_drawings,
)
from viz.models.vit.model import VisionTransformer
from viz.training.vision.batches import to_tensor
from viz.training.vision.evaluate import load_model

DEFAULT_SEED = 7  # the tests draw from other seeds


@torch.inference_mode()
def predict(model, images: np.ndarray, masks: np.ndarray, batch_size: int = 150):
    """Predictions (n,), confidences (n,) and, for a ViT, the pointing score of every image (NaN where the
    mask is empty; None for other models)."""
    is_vit = isinstance(model, VisionTransformer)
    predictions, confidences, pointing = [], [], []
    for start in range(0, len(images), batch_size):
        out = model(model.normalize(to_tensor(images[start : start + batch_size])), trace=is_vit)
        probabilities = torch.softmax(out.logits.float(), dim=-1)
        confidence, predicted = probabilities.max(dim=-1)
        predictions.append(predicted.numpy())
        confidences.append(confidence.numpy())
        if not is_vit:
            continue
        config = model.config
        grid = (config.grid_size, config.grid_size)
        attentions = out.attentions.transpose(0, 1).double().numpy()  # (B, L, H, T, T)
        for att, mask in zip(attentions, masks[start : start + batch_size]):
            if not mask.any():
                pointing.append(float("nan"))
                continue
            heat = cls_map(attention_rollout(att), grid, n_prefix=config.n_prefix_tokens)
            pointing.append(mass_inside(heat, patch_coverage(mask, config.patch_size)))
    return (np.concatenate(predictions), np.concatenate(confidences), np.array(pointing) if is_vit else None)


def _share(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else float("nan")


def evaluate_samples(model, samples: list[EvalSample]) -> dict:
    """The numbers for one model on ``samples`` as a plain dict (see :func:`format_report` for the keys)."""
    names = tuple(model.config.class_names)
    if names not in (LABELS, LABELS[:NONE]):
        raise ValueError(f"the model's labels {names} are not the shapes' ({', '.join(LABELS)})")
    images = np.stack([s.model_input for s in samples])
    masks = np.stack([s.mask for s in samples])
    labels = np.array([s.label for s in samples])
    predicted, confidence, pointing = predict(model, images, masks)
    correct = predicted == labels
    shapes = labels != NONE
    bands = np.array([s.band for s in samples])
    styles = np.array([s.style for s in samples])
    kinds = np.array([s.background for s in samples])
    areas = masks.reshape(len(samples), -1).mean(axis=1)

    def grouped(values, keys, names, where):
        out = {}
        for name in names:
            chosen = where & (keys == name)
            if chosen.any():
                out[name] = {"n": int(chosen.sum()), "accuracy": _share(correct[chosen])}
        return out

    result = {
        "n": len(samples),
        "n_labels": len(model.config.class_names),
        "labels": list(model.config.class_names),
        "accuracy": _share(correct),
        "n_shapes": int(shapes.sum()),
        "shape_accuracy": _share(correct[shapes]),
        "n_none": int((~shapes).sum()),
        "none_answered_none": _share(predicted[~shapes] == NONE),
        "shapes_answered_none": _share(predicted[shapes] == NONE),
        "by_class": {
            LABELS[c]: {"n": int((labels == c).sum()), "accuracy": _share(correct[labels == c])}
            for c in range(len(LABELS))
            if (labels == c).any()
        },
        "by_band": grouped(correct, bands, BAND_NAMES, shapes),
        "by_style": grouped(correct, styles, STYLES, shapes),
        "by_background": grouped(correct, kinds, BACKGROUND_KINDS, shapes),
        "none_by_kind": {
            kind: {
                "n": int(((kinds == kind) & ~shapes).sum()),
                "answered_none": _share(predicted[(kinds == kind) & ~shapes] == NONE),
                "most_common": LABELS[int(np.bincount(predicted[(kinds == kind) & ~shapes]).argmax())],
            }
            for kind in NONE_KINDS
            if ((kinds == kind) & ~shapes).any()
        },
        "mean_confidence_correct": _share(confidence[correct]),
        "mean_confidence_wrong": _share(confidence[~correct]),
        "answers": {LABELS[c]: int((predicted == c).sum()) for c in range(len(LABELS))},
    }
    if pointing is not None:
        result["pointing"] = {
            "mean": _share(pointing[shapes]),
            "uniform": _share(areas[shapes]),
            "above_half": _share(pointing[shapes] > 0.5),
            "by_band": {
                name: {
                    "n": int((shapes & (bands == name)).sum()),
                    "mean": _share(pointing[shapes & (bands == name)]),
                    "uniform": _share(areas[shapes & (bands == name)]),
                }
                for name in BAND_NAMES
                if (shapes & (bands == name)).any()
            },
            "by_style": {
                name: _share(pointing[shapes & (styles == name)])
                for name in STYLES
                if (shapes & (styles == name)).any()
            },
        }
    return result


def fixed_predictions(model) -> list[dict]:
    """What the model answers on each fixed drawing: name, true label, answer, confidence, pointing."""
    drawings = fixed_drawings()
    images = np.stack([s.model_input for _, s in drawings])
    masks = np.stack([s.mask for _, s in drawings])
    predicted, confidence, pointing = predict(model, images, masks)
    return [
        {
            "name": name,
            "label": LABELS[sample.label],
            "answer": LABELS[int(p)],
            "confidence": float(c),
            "pointing": None if pointing is None or np.isnan(pointing[i]) else float(pointing[i]),
        }
        for i, ((name, sample), p, c) in enumerate(zip(drawings, predicted, confidence))
    ]


def evaluation_report(model_name: str, n: int = 900, seed: int = DEFAULT_SEED, fixed: bool = True) -> dict:
    """Render ``n`` images from ``seed``, run the model on them (and on the fixed drawings): the numbers."""
    model = load_model(model_name)
    start = time.perf_counter()
    samples = evaluation_set(n, seed)
    rendered = time.perf_counter()
    result = evaluate_samples(model, samples)
    result["model"] = model_name
    result["seed"] = seed
    if fixed:
        result["fixed"] = fixed_predictions(model)
    result["seconds_rendering"] = rendered - start
    result["seconds_total"] = time.perf_counter() - start
    return result


def format_report(result: dict) -> str:
    """The numbers as text, one idea a line."""

    def pct(x):
        return "  n/a" if x != x else f"{x:6.1%}"

    lines = [
        f"model: {result['model']} ({result['n_labels']} labels)   second renderer, seed {result['seed']}, "
        f"{result['n']} images ({result['n_shapes']} shapes, {result['n_none']} shape-free)",
        f"accuracy, all nine answers balanced: {pct(result['accuracy'])}   (bar >= 90%)",
        f"accuracy on the shapes alone:        {pct(result['shape_accuracy'])}",
        f"shape-free images answered 'none of these': {pct(result['none_answered_none'])}   (bar >= 85%)"
        + ("   [this model has no such answer]" if result["n_labels"] <= NONE else ""),
        f"shapes answered 'none of these':     {pct(result['shapes_answered_none'])}",
        "by size band (shapes):  "
        + "   ".join(f"{k} {pct(v['accuracy'])} (n={v['n']})" for k, v in result["by_band"].items())
        + "   (bar >= 80% each)",
        "by style (shapes):      "
        + "   ".join(f"{k} {pct(v['accuracy'])} (n={v['n']})" for k, v in result["by_style"].items()),
        "by background (shapes): "
        + "   ".join(f"{k} {pct(v['accuracy'])}" for k, v in result["by_background"].items()),
        "by class:               "
        + "   ".join(f"{k} {pct(v['accuracy'])}" for k, v in result["by_class"].items()),
        "shape-free, by kind:    "
        + "   ".join(
            f"{k} {pct(v['answered_none'])} (mostly '{v['most_common']}')"
            for k, v in result["none_by_kind"].items()
        ),
        "answers given:          " + ", ".join(f"{k} {v}" for k, v in result["answers"].items() if v),
        f"mean confidence: right {pct(result['mean_confidence_correct'])}, "
        f"wrong {pct(result['mean_confidence_wrong'])}",
    ]
    if "pointing" in result:
        p = result["pointing"]
        lines += [
            f"pointing game ([CLS] rollout mass inside the silhouette, shapes): {pct(p['mean'])}   "
            f"(uniform map {pct(p['uniform'])}; more than half inside: {pct(p['above_half'])})",
            "  by band: "
            + "   ".join(
                f"{k} {pct(v['mean'])} (uniform {pct(v['uniform'])})" for k, v in p["by_band"].items()
            ),
            "  by style: " + "   ".join(f"{k} {pct(v)}" for k, v in p["by_style"].items()),
        ]
    if "fixed" in result:
        lines.append("fixed drawings:")
        for f in result["fixed"]:
            mark = "ok " if f["label"] == f["answer"] else "   "
            where = "" if f["pointing"] is None else f"   pointing {f['pointing']:.0%}"
            lines.append(
                f"  {mark}{f['name']:<40} {f['label']:<14} -> {f['answer']:<14} {f['confidence']:.0%}{where}"
            )
    lines.append(f"rendered in {result['seconds_rendering']:.1f} s, {result['seconds_total']:.1f} s in all")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model", default="shapes-vit", help="'shapes-vit', 'shapes-swin' or a checkpoint folder"
    )
    parser.add_argument("--n", type=int, default=900, help="images (default 900: 100 per label)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    parser.add_argument("--json", default="", help="also write the numbers to this file, as JSON")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    result = evaluation_report(args.model, args.n, args.seed)
    print(format_report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
