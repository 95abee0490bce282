"""Train the bundled tiny Swin on generated shapes, from a seed, on the CPU.

    nice -n 10 python -m viz.training.vision.train_swin --out assets/shapes-swin --seed 0 --threads 1

Every step draws a fresh batch of shapes (an endless dataset; ``--reuse N`` shows each batch N times under
random flips and quarter turns instead, which saves drawing time but, in our runs, taught less per step).
A curriculum starts on flat backgrounds and moves to all kinds over the first ``--curriculum`` steps: the
data is hard at first for any small model, and the bundled Swin, which averages its last tokens (no [CLS]),
stays at chance for longest. Validation images come from another seed, the evaluation script's from a
third. The checkpoint is a Hugging Face ``SwinForImageClassification`` folder (config.json,
preprocessor_config.json, model.safetensors).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch

from viz.core.config import fields_from
from viz.models.swin.checkpoint import save_swin
from viz.models.swin.config import SHAPES_SWIN, SwinConfig
from viz.models.swin.model import SwinTransformer
from viz.training.vision import loop
from viz.training.vision.batches import DATA, batch_stream, shape_batch, to_tensor, validation_set
from viz.training.vision.evaluate import evaluate
from viz.training.vision.init import init_weights, warm_start

SETTINGS = loop.LoopSettings(curriculum=2000)


def dihedral(images: torch.Tensor, k: int) -> torch.Tensor:
    """One of the 8 flips / quarter turns of (B, C, H, W) images: k in [0, 8)."""
    out = torch.rot90(images, k % 4, dims=(2, 3))
    return out.flip(3) if k >= 4 else out


def reused_batches(
    rng: np.random.Generator, settings: loop.LoopSettings, image_size: int, reuse: int
) -> Iterator[loop.Batch]:
    """A fresh batch every ``reuse`` steps; the steps between show it flipped or turned."""
    for step in range(settings.steps):
        if step % reuse == 0:
            images, masks, labels = shape_batch(
                rng, settings.batch_size, image_size, settings.easy_share(step)
            )
            pixels, masks, labels = to_tensor(images), torch.from_numpy(masks), torch.from_numpy(labels)
            yield pixels, masks, labels
        else:
            yield dihedral(pixels, int(rng.integers(8))), masks, labels  # masks unused: no pointing objective


def drawn_batches(seed: int, settings: loop.LoopSettings, reuse: int, rng: np.random.Generator):
    """The drawn stream (:mod:`viz.data.drawn`, drawn ahead in another process): a fresh batch every
    ``reuse`` steps, the steps between showing it flipped or turned (the classes keep their names)."""
    n_fresh = -(-settings.steps // reuse)
    stream = batch_stream(
        seed, n_fresh, settings.batch_size, 64, settings.easy_share, workers=1, data="drawn"
    )
    try:
        for images, masks, labels in stream:
            pixels, masks, labels = to_tensor(images), torch.from_numpy(masks), torch.from_numpy(labels)
            yield pixels, masks, labels
            for _ in range(reuse - 1):
                yield dihedral(pixels, int(rng.integers(8))), masks, labels
    finally:
        stream.close()


def is_position(name: str) -> bool:
    return name.endswith("position_bias.table") or name == "embeddings.position"


def decays(name: str, param: torch.Tensor) -> bool:
    """Weight decay on matrices, not on positions or the relative position bias."""
    return param.ndim >= 2 and "position" not in name


def train(
    config: SwinConfig,
    settings: loop.LoopSettings,
    seed: int,
    max_minutes: float,
    log=print,
    reuse: int = 1,
    data: str = "drawn",
    init_from: Path | None = None,
) -> SwinTransformer:
    """Train from ``seed`` (or from the Swin folder ``init_from``: what fits is copied) on ``data``."""
    torch.manual_seed(seed)
    model = SwinTransformer(config)
    init_weights(model, seed, is_position)
    if init_from is not None:
        from viz.models.swin.checkpoint import load_swin

        log(
            f"started from {init_from}; not copied whole: {', '.join(warm_start(model, load_swin(init_from)))}"
        )
    rng = np.random.default_rng(seed + loop.TRAIN_SEED_OFFSET)
    val_images, val_masks, val_labels = validation_set(
        data, settings.n_validation, loop.VALIDATION_SEED, config.image_size
    )

    def validate(model: SwinTransformer) -> str:
        return f"val accuracy {evaluate(model, val_images, val_masks, val_labels).accuracy:.1%}"

    if data == "drawn":
        batches = drawn_batches(seed + loop.TRAIN_SEED_OFFSET, settings, reuse, rng)
    else:
        batches = reused_batches(rng, settings, config.image_size, reuse)
    return loop.train_loop(model, settings, batches, decays, validate, max_minutes, log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    loop.add_arguments(parser, SETTINGS, out="assets/shapes-swin", threads=2, max_minutes=150.0)
    parser.add_argument("--reuse", type=int, default=1, help="steps per generated batch")
    parser.add_argument("--data", choices=DATA, default="drawn", help="the training images (default drawn)")
    parser.add_argument("--init-from", type=Path, default=None, help="a Swin folder to start from")
    loop.add_config_arguments(
        parser, SHAPES_SWIN, "--embed-dim --window --patch-size --depths --heads --mlp-ratio"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    sizes = dict(depths=tuple(args.depths), n_heads=tuple(args.n_heads))
    config = dataclasses.replace(SHAPES_SWIN, **fields_from(args, SwinConfig, **sizes))
    settings = loop.settings_from(args, SETTINGS)
    reuse = max(1, args.reuse)

    def run(log) -> SwinTransformer:
        return train(config, settings, args.seed, args.max_minutes, log, reuse, args.data, args.init_from)

    detail = f", a fresh batch every {reuse} steps"
    return loop.train_and_save(config.n_params, settings, args, run, save_swin, detail)


if __name__ == "__main__":
    sys.exit(main())
