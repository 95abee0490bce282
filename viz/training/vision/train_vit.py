"""Train the bundled tiny ViT on drawn shapes, from a seed, on the CPU.

    python -m viz.training.vision.train_vit --out vit --seed 0 --steps 4000 --workers 1

Every step draws a fresh batch of shapes (an endless dataset: nothing to overfit); the validation images
come from another seed, the evaluation script's from a third. The checkpoint is written as a Hugging Face
``ViTForImageClassification`` folder (config.json, preprocessor_config.json, model.safetensors), so
``transformers`` can open it too. ``--init-from`` starts from another ViT folder; one with a coarser patch
grid is resized to this one first (:func:`resized_patches`).

The loss is cross-entropy on the labels plus, with weight ``--pointing-weight``, the pointing objective of
:mod:`viz.training.vision.pointing`: the generator's masks ask the [CLS] attention rollout to fall on the
shape (attention supervision). ``--traced-batch`` limits it to that many images of each batch, which then
run with their attention traces; the rest go through the fused kernel. Trained on the labels alone
(``--pointing-weight 0``) the rollout stays spread over the outline and the background around it;
assets/README.md gives the bundled model's commands and both variants' figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import torch

from viz.core.config import fields_from
from viz.models.vit.checkpoint import save_vit
from viz.models.vit.config import SHAPES_VIT, ViTConfig
from viz.models.vit.model import VisionTransformer, resize_positions
from viz.training.vision import loop
from viz.training.vision.batches import DATA, batch_stream, to_tensor, validation_set
from viz.training.vision.evaluate import evaluate
from viz.training.vision.init import PositionInit, init_weights, warm_start
from viz.training.vision.pointing import pointing_loss

SETTINGS = loop.LoopSettings(curriculum=1500)
POINTING_WEIGHT = 0.5  # weight of the pointing objective (attention supervision; 0: labels only)


def sincos_2d(grid_h: int, grid_w: int, d_model: int, temperature: float = 10_000.0) -> torch.Tensor:
    """(grid_h * grid_w, d_model) 2-D sine-cosine position codes: a quarter of the dimensions each for
    sin(row), cos(row), sin(column), cos(column) at geometrically spaced frequencies (MAE, Beyer et al. 2022)."""
    if d_model % 4:
        raise ValueError(f"d_model={d_model} must be a multiple of 4 for 2-D sine-cosine positions")
    rows, cols = torch.meshgrid(
        torch.arange(grid_h, dtype=torch.float32), torch.arange(grid_w, dtype=torch.float32), indexing="ij"
    )
    omega = 1.0 / temperature ** (torch.arange(d_model // 4, dtype=torch.float32) / (d_model // 4))
    r = rows.reshape(-1, 1) * omega[None]
    c = cols.reshape(-1, 1) * omega[None]
    return torch.cat([r.sin(), r.cos(), c.sin(), c.cos()], dim=1)


def position_init(config: ViTConfig, sincos: bool) -> PositionInit:
    """N(0, 0.02) positions, or 2-D sine-cosine codes (and a zero row for [CLS]) with ``sincos``."""

    def init(name: str, param: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        if not sincos:
            return torch.randn(param.shape, generator=generator) * 0.02
        codes = sincos_2d(config.grid_size, config.grid_size, config.d_model)[None]
        return torch.cat([torch.zeros(1, 1, config.d_model), codes], dim=1)

    return init


def resized_patches(start: VisionTransformer, config: ViTConfig) -> VisionTransformer:
    """``start`` with its patch size brought down to ``config.patch_size`` (a divisor of it) at the same image
    size, as FlexiViT's resize does it for an input made ``f = P / p`` times larger:

    - each new p x p kernel is the sum of the old kernel's f x f blocks, so a patch of the image embeds as its
      f-times nearest-upsampled copy embedded by the old kernel;
    - the learned positions are resized bicubically to the finer grid (what the model itself does for a
      larger input, :func:`viz.models.vit.model.resize_positions`).

    The result reads a 64-pixel image as ``start`` reads the same image enlarged f times: a warm start for a
    finer patch grid. ``start`` is returned unchanged when the patch sizes agree."""
    old = start.config.patch_size
    if old == config.patch_size:
        return start
    if old % config.patch_size or start.config.image_size != config.image_size:
        raise ValueError(
            f"can resize patches of {old} only to a divisor of {old} at the same image size, "
            f"not to {config.patch_size} at {config.image_size}"
        )
    factor = old // config.patch_size
    resized = VisionTransformer(dataclasses.replace(start.config, patch_size=config.patch_size))
    resized.load_state_dict(
        {
            name: value
            for name, value in start.state_dict().items()
            if not name.endswith(("projection.weight", "embeddings.position"))
        },
        strict=False,
    )
    with torch.no_grad():
        kernel = start.embeddings.patch.projection.weight  # (D, C, P, P)
        d, c, _, _ = kernel.shape
        p = config.patch_size
        summed = kernel.reshape(d, c, p, factor, p, factor).sum(dim=(3, 5))
        resized.embeddings.patch.projection.weight.copy_(summed)
        n_prefix = start.config.n_positioned_prefix
        position = start.embeddings.position
        grid = (config.image_size // p,) * 2
        resized.embeddings.position.copy_(
            torch.cat([position[:, :n_prefix], resize_positions(position[:, n_prefix:], grid)], dim=1)
        )
    return resized


def decays(name: str, param: torch.Tensor) -> bool:
    """Weight decay on matrices only, and not on W^Q and W^K: shrinking them flattens every softmax, and
    sharp attention is what lets a head (and the rollout built from it) point at the shape."""
    if param.ndim < 2 or "position" in name or "cls" in name:
        return False
    return not (name.endswith("w_q.weight") or name.endswith("w_k.weight"))


def train(
    config: ViTConfig,
    settings: loop.LoopSettings,
    seed: int,
    max_minutes: float,
    log=print,
    workers: int = 1,
    pointing_weight: float = POINTING_WEIGHT,
    sincos_positions: bool = False,
    data: str = "drawn",
    init_from: Path | None = None,
) -> VisionTransformer:
    """Train from ``seed``; ``workers`` processes draw the batches ahead (0: drawn in this process).

    Args:
        data: "drawn" (:mod:`viz.data.drawn`, nine labels) or "shapes" (:mod:`viz.data.shapes`).
        init_from: a ViT folder to start from instead of the seeded initialisation (what fits is copied:
            every weight, and the classifier's rows for the classes both have).
    """
    torch.manual_seed(seed)
    model = VisionTransformer(config)
    init_weights(model, seed, lambda name: name.endswith("position"), position_init(config, sincos_positions))
    if init_from is not None:
        from viz.models.vit.checkpoint import load_vit

        start = resized_patches(load_vit(init_from), config)
        log(f"started from {init_from}; not copied whole: {', '.join(warm_start(model, start)) or 'none'}")
    stream = batch_stream(
        seed + loop.TRAIN_SEED_OFFSET,
        settings.steps,
        settings.batch_size,
        config.image_size,
        settings.easy_share,
        workers=workers,
        data=data,
    )
    batches = ((to_tensor(i), torch.from_numpy(m), torch.from_numpy(y)) for i, m, y in stream)
    val_images, val_masks, val_labels = validation_set(
        data, settings.n_validation, loop.VALIDATION_SEED, config.image_size
    )

    def validate(model: VisionTransformer) -> str:
        result = evaluate(model, val_images, val_masks, val_labels)
        return f"val accuracy {result.accuracy:.1%}  pointing game {result.pointing_game:.1%}"

    def pointing(out, masks: torch.Tensor) -> torch.Tensor:
        return pointing_weight * pointing_loss(out.attentions, masks, config.patch_size)

    try:
        return loop.train_loop(
            model,
            settings,
            batches,
            decays,
            validate,
            max_minutes,
            log,
            pointing if pointing_weight else None,
        )
    finally:
        stream.close()  # stops the drawing processes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    loop.add_arguments(parser, SETTINGS, out="assets/shapes-vit", threads=1, max_minutes=30.0)
    parser.add_argument(
        "--pointing-weight",
        type=float,
        default=POINTING_WEIGHT,
        help="weight of the pointing objective, -log(rollout mass inside the shape's mask) "
        "(attention supervision; 0 trains on the labels only)",
    )
    parser.add_argument(
        "--traced-batch",
        type=int,
        default=SETTINGS.traced_batch,
        help="images per step run with attention traces for the pointing objective (0: all; the rest go "
        "through the fused kernel)",
    )
    parser.add_argument("--sincos", action="store_true", help="start positions from 2-D sine-cosine codes")
    parser.add_argument("--data", choices=DATA, default="drawn", help="the training images (default drawn)")
    parser.add_argument(
        "--init-from",
        type=Path,
        default=None,
        help="a ViT folder to start from (a larger patch size is resized to --patch-size)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes drawing shapes ahead of training (0: draw in the training process)",
    )
    loop.add_config_arguments(
        parser, SHAPES_VIT, "--image-size --patch-size --d-model --layers --heads --d-ff"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    config = dataclasses.replace(SHAPES_VIT, **fields_from(args, ViTConfig))
    settings = loop.settings_from(args, SETTINGS)

    def run(log) -> VisionTransformer:
        return train(
            config,
            settings,
            args.seed,
            args.max_minutes,
            log,
            args.workers,
            args.pointing_weight,
            args.sincos,
            args.data,
            args.init_from,
        )

    return loop.train_and_save(config.n_params, settings, args, run, save_vit)


if __name__ == "__main__":
    sys.exit(main())
