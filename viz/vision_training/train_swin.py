"""Train the bundled tiny Swin on generated shapes, from a seed, on the CPU.

    nice -n 10 python -m viz.vision_training.train_swin --out assets/shapes-swin --seed 0 --threads 1

Every step draws a fresh batch of shapes (an endless dataset; ``--reuse N`` shows each batch N times under
random flips and quarter turns instead, which saves drawing time but, in our runs, taught less per step).
A curriculum starts on flat backgrounds and moves to all kinds over the first ``--curriculum`` steps: the
data is hard at first for any small model, and the bundled Swin, which averages its last tokens (no [CLS]),
stays at chance for longest. Validation images come from another seed, the evaluation script's from a
third. The same seed, step count, thread count and data code give the same weights. The checkpoint is a
Hugging Face ``SwinForImageClassification`` folder (config.json, preprocessor_config.json, model.safetensors).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from viz.data.shapes import make_shapes
from viz.models.swin import SwinTransformer
from viz.models.swin_checkpoint import save_swin
from viz.swin_config import SHAPES_SWIN, SwinConfig
from viz.vision_training.batches import shape_batch, to_tensor
from viz.vision_training.evaluate_swin import evaluate_swin
from viz.vision_training.train_vit import TRAIN_SEED_OFFSET, VALIDATION_SEED, learning_rate


@dataclasses.dataclass(frozen=True)
class SwinTrainSettings:
    steps: int = 12000
    batch_size: int = 64
    lr: float = 1e-3
    warmup: int = 300
    weight_decay: float = 0.05
    reuse: int = 1  # steps per generated batch (a repeat teaches less than a fresh batch)
    curriculum: int = 2000  # steps over which the share of flat backgrounds falls from 1 to 0
    eval_every: int = 500
    n_validation: int = 1000


def init_weights(model: SwinTransformer, seed: int) -> None:
    """Xavier-uniform linear layers, LeCun-normal patch projection, N(0, 0.02) relative position biases and
    absolute positions, zero classifier and biases, LayerNorms at identity.

    (The reference N(0, 0.02) on every linear layer suits C = 96 and up; at C = 32 queries and keys start
    so small that attention stays uniform for hundreds of steps.)
    """
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("bias"):
                param.zero_()
            elif "norm" in name:
                param.fill_(1.0)
            elif name.startswith("classifier"):
                param.zero_()
            elif name.endswith("position_bias.table") or name == "embeddings.position":
                param.copy_(torch.randn(param.shape, generator=generator).clamp_(-2, 2) * 0.02)
            elif name == "embeddings.projection.weight":
                fan_in = param[0].numel()
                param.copy_(torch.randn(param.shape, generator=generator).clamp_(-2, 2) / math.sqrt(fan_in))
            else:  # (out, in) linear weights
                bound = math.sqrt(6.0 / (param.shape[0] + param.shape[1]))
                param.copy_((torch.rand(param.shape, generator=generator) * 2 - 1) * bound)


def dihedral(images: torch.Tensor, k: int) -> torch.Tensor:
    """One of the 8 flips / quarter turns of (B, C, H, W) images: k in [0, 8)."""
    out = torch.rot90(images, k % 4, dims=(2, 3))
    return out.flip(3) if k >= 4 else out


def train(
    config: SwinConfig, settings: SwinTrainSettings, seed: int, max_minutes: float, log=print
) -> SwinTransformer:
    torch.manual_seed(seed)
    model = SwinTransformer(config)
    init_weights(model, seed)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "position" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "position" not in n)]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": settings.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=settings.lr,
        betas=(0.9, 0.999),
    )
    rng = np.random.default_rng(seed + TRAIN_SEED_OFFSET)
    val_images, _, val_labels = make_shapes(settings.n_validation, VALIDATION_SEED, config.image_size)
    start = time.perf_counter()
    running, batch, labels = 0.0, None, None
    for step in range(settings.steps):
        if (time.perf_counter() - start) / 60 > max_minutes:
            log(
                f"stopped at step {step}: the {max_minutes:g}-minute limit was reached (the result is not "
                "the seeded one; give more time or fewer steps)"
            )
            break
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, settings)
        if step % settings.reuse == 0:
            easy = max(0.0, 1.0 - step / settings.curriculum) if settings.curriculum else 0.0
            images, _, numpy_labels = shape_batch(
                rng, settings.batch_size, config.image_size, easy_share=easy
            )
            batch, labels = model.normalize(to_tensor(images)), torch.from_numpy(numpy_labels)
        x = dihedral(batch, int(rng.integers(8))) if step % settings.reuse else batch
        model.train()
        loss = F.cross_entropy(model(x).logits, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        running = 0.98 * running + 0.02 * loss.item() if step else loss.item()
        if (step + 1) % 100 == 0 and (step + 1) % settings.eval_every:
            log(f"step {step + 1:5d}  loss {running:.3f}  {(time.perf_counter() - start) / 60:.1f} min")
        if (step + 1) % settings.eval_every == 0 or step + 1 == settings.steps:
            model.eval()
            result = evaluate_swin(model, val_images, val_labels)
            log(
                f"step {step + 1:5d}  loss {running:.3f}  val accuracy {result.accuracy:.1%}  "
                f"{(time.perf_counter() - start) / 60:.1f} min"
            )
    model.eval().requires_grad_(False)
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("assets/shapes-swin"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=SwinTrainSettings.steps)
    parser.add_argument("--batch-size", type=int, default=SwinTrainSettings.batch_size)
    parser.add_argument("--lr", type=float, default=SwinTrainSettings.lr)
    parser.add_argument(
        "--reuse", type=int, default=SwinTrainSettings.reuse, help="steps per generated batch"
    )
    parser.add_argument(
        "--curriculum",
        type=int,
        default=SwinTrainSettings.curriculum,
        help="steps over which flat backgrounds give way to all kinds (0: none)",
    )
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    parser.add_argument("--max-minutes", type=float, default=150.0, help="stop early after this long")
    parser.add_argument("--embed-dim", type=int, default=SHAPES_SWIN.embed_dim)
    parser.add_argument("--window", type=int, default=SHAPES_SWIN.window_size)
    parser.add_argument("--patch-size", type=int, default=SHAPES_SWIN.patch_size)
    parser.add_argument("--depths", type=int, nargs="+", default=list(SHAPES_SWIN.depths))
    parser.add_argument("--heads", type=int, nargs="+", default=list(SHAPES_SWIN.n_heads))
    parser.add_argument("--mlp-ratio", type=float, default=SHAPES_SWIN.mlp_ratio)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    config = dataclasses.replace(
        SHAPES_SWIN,
        embed_dim=args.embed_dim,
        window_size=args.window,
        patch_size=args.patch_size,
        depths=tuple(args.depths),
        n_heads=tuple(args.heads),
        mlp_ratio=args.mlp_ratio,
    )
    settings = SwinTrainSettings(
        steps=args.steps,
        batch_size=args.batch_size,
        lr=args.lr,
        reuse=max(1, args.reuse),
        curriculum=args.curriculum,
    )
    print(
        f"training {config.n_params():,} parameters for {settings.steps} steps of {settings.batch_size} "
        f"(seed {args.seed}, {args.threads} threads, a fresh batch every {settings.reuse} steps)",
        flush=True,
    )
    start = time.perf_counter()
    model = train(config, settings, args.seed, args.max_minutes, log=lambda s: print(s, flush=True))
    save_swin(model, args.out)
    size = (args.out / "model.safetensors").stat().st_size
    print(f"wrote {args.out} ({size / 1e6:.2f} MB) after {(time.perf_counter() - start) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
