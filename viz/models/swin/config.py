"""The Swin Transformer's frozen config (Liu et al. 2021), its presets, stage shapes and parameter count.

No torch here: the page draws the feature-map pyramid of Swin-T and counts its parameters from these
configs without building a model.

Shapes: S = image side, P = patch size, C = embed_dim, M = window size, stage s (0-based) works on a
(S / P / 2^s) x (S / P / 2^s) grid of tokens with C * 2^s channels and n_heads[s] heads.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from viz.core import hf_config
from viz.core.config import block_params, check_positive, norm_params
from viz.data.shapes import LABELS as SHAPE_CLASSES

#: ImageNet's per-channel mean and standard deviation, which Swin's image processor uses.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


#: The ``model_type`` values of the Hugging Face folders this family opens.
HF_MODEL_TYPES = ("swin",)


@dataclasses.dataclass(frozen=True)
class StageShape:
    """The token grid one stage works on."""

    index: int  # 0-based stage
    height: int  # tokens along the height
    width: int
    channels: int  # C * 2^index
    n_heads: int
    depth: int  # Swin blocks in the stage
    window: int  # the window side M actually used (never larger than the grid)
    shift: int  # the shift of the odd blocks; 0 when one window covers the whole grid

    @property
    def padded(self) -> tuple[int, int]:
        """(height, width) rounded up to whole windows (the blocks pad with zeros, then crop)."""
        m = self.window
        return -(-self.height // m) * m, -(-self.width // m) * m

    @property
    def n_windows(self) -> int:
        h, w = self.padded
        return (h // self.window) * (w // self.window)


@dataclasses.dataclass(frozen=True)
class SwinConfig:
    """A Swin Transformer: patch partition + linear embedding, stages of (shifted) window attention blocks,
    patch merging between stages, mean pooling and a linear head.

    Field names follow the paper and Hugging Face's ``SwinConfig``; ``from_hf`` reads its ``config.json``.

    Attributes:
        image_size: side of the square image the model reads, in pixels.
        patch_size: side P of each patch (4 in the paper: a 224 px image gives 56 x 56 tokens).
        n_channels: 3 for RGB.
        embed_dim: C, the channels of stage 1; stage s has C * 2^s.
        depths: Swin blocks per stage; blocks alternate regular (W-MSA) and shifted (SW-MSA) windows.
        n_heads: heads per stage.
        window_size: M, windows are M x M tokens; the shifted blocks shift by M // 2.
        mlp_ratio: the MLP's inner width over its input width.
        qkv_bias: whether W^Q, W^K, W^V carry a bias.
        absolute_positions: whether learned absolute position embeddings are added (off in Swin).
        n_classes: size of the classification head; 0 for a backbone.
        labels: class names, one per class (empty: "class 0", "class 1", ...).
        layer_norm_eps: epsilon of the blocks' and the final LayerNorm (the embedding and merging
            LayerNorms use PyTorch's default 1e-5, as the reference implementation does).
        activation: the MLP's non-linearity.
        image_mean, image_std: per-channel normalisation of pixels in [0, 1].
    """

    image_size: int = 64
    patch_size: int = 4
    n_channels: int = 3
    embed_dim: int = 32
    depths: tuple[int, ...] = (2, 2, 2)
    n_heads: tuple[int, ...] = (2, 4, 8)
    window_size: int = 4
    mlp_ratio: float = 4.0
    qkv_bias: bool = True
    absolute_positions: bool = False
    n_classes: int = 0
    labels: tuple[str, ...] = ()
    #: probabilities are softmax(logits / logit_temperature): a temperature fitted on held-out images
    #: (:mod:`viz.training.vision.calibrate`) makes the confidence mean what it says; 1 = as trained
    logit_temperature: float = 1.0
    layer_norm_eps: float = 1e-5
    activation: str = "gelu"
    image_mean: tuple[float, ...] = IMAGENET_MEAN
    image_std: tuple[float, ...] = IMAGENET_STD

    def __post_init__(self) -> None:
        check_positive(self, ("image_size", "patch_size", "n_channels", "embed_dim", "window_size"))
        if not self.depths or len(self.depths) != len(self.n_heads):
            raise ValueError(f"depths {self.depths} and n_heads {self.n_heads} need one entry per stage")
        if any(d <= 0 for d in self.depths) or any(h <= 0 for h in self.n_heads):
            raise ValueError("every stage needs at least one block and one head")
        if self.mlp_ratio <= 0:
            raise ValueError(f"mlp_ratio must be positive, got {self.mlp_ratio}")
        check_positive(self, ("n_classes",), allow_zero=True)
        if self.image_size % self.patch_size:
            raise ValueError(
                f"image_size={self.image_size} is not a multiple of patch_size={self.patch_size}"
            )
        for s, heads in enumerate(self.n_heads):
            if self.stage_channels(s) % heads:
                raise ValueError(
                    f"stage {s + 1}: {self.stage_channels(s)} channels are not divisible by {heads} heads"
                )
        side = self.grid_size
        for s in range(self.n_stages):
            if s < self.n_stages - 1 and side % 2:
                raise ValueError(f"stage {s + 1}'s {side} x {side} grid cannot be merged 2 x 2")
            side //= 2
        hf_config.check_image_fields(self)

    @property
    def n_stages(self) -> int:
        return len(self.depths)

    @property
    def grid_size(self) -> int:
        """Tokens along each side after the patch partition (stage 1's grid)."""
        return self.image_size // self.patch_size

    @property
    def shift_size(self) -> int:
        """M // 2: how far the shifted blocks move the window grid."""
        return self.window_size // 2

    @property
    def n_blocks(self) -> int:
        return sum(self.depths)

    @property
    def n_features(self) -> int:
        """Channels of the last stage: C * 2^(stages - 1)."""
        return self.stage_channels(self.n_stages - 1)

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.labels or tuple(f"class {i}" for i in range(self.n_classes))

    def stage_channels(self, stage: int) -> int:
        return self.embed_dim * 2**stage

    def mlp_width(self, stage: int) -> int:
        return int(self.mlp_ratio * self.stage_channels(stage))

    def stages(self) -> tuple[StageShape, ...]:
        """The grid, channels, window and shift of every stage (stage 1 first)."""
        out, side = [], self.grid_size
        for s in range(self.n_stages):
            # As the reference implementation: when one window spans the whole grid, nothing is shifted.
            shift = 0 if side <= self.window_size else self.shift_size
            out.append(
                StageShape(
                    index=s,
                    height=side,
                    width=side,
                    channels=self.stage_channels(s),
                    n_heads=self.n_heads[s],
                    depth=self.depths[s],
                    window=min(self.window_size, side),  # a grid smaller than M is one window (as HF)
                    shift=shift,
                )
            )
            side = (side + 1) // 2
        return tuple(out)

    def block_shift(self, stage: int, block: int) -> int:
        """The shift of block ``block`` (0-based) of stage ``stage``: 0 for even blocks, M // 2 for odd."""
        return 0 if block % 2 == 0 else self.stages()[stage].shift

    @property
    def n_params(self) -> int:
        """Number of parameters, counted from the shapes alone (no tensor is allocated)."""
        c0 = self.embed_dim
        total = (
            self.patch_size**2 * self.n_channels * c0 + c0 + norm_params(c0)
        )  # projection + bias, LayerNorm
        if self.absolute_positions:
            total += self.grid_size**2 * c0
        for s, shape in enumerate(self.stages()):
            c = shape.channels
            position_bias = (2 * shape.window - 1) ** 2 * shape.n_heads
            total += shape.depth * (block_params(c, self.mlp_width(s), self.qkv_bias) + position_bias)
            if s < self.n_stages - 1:
                total += (
                    norm_params(4 * c) + 4 * c * 2 * c
                )  # merging: LayerNorm(4C), Linear(4C -> 2C) without bias
        total += norm_params(self.n_features)  # final LayerNorm
        if self.n_classes:
            total += self.n_features * self.n_classes + self.n_classes
        return total

    @classmethod
    def from_hf(cls, path: str | Path, **overrides) -> SwinConfig:
        """Read a Hugging Face Swin ``config.json`` (and ``preprocessor_config.json`` when present).

        Args:
            path: the checkpoint folder or its ``config.json``.
            overrides: fields to set instead of what the file says.

        Raises:
            ValueError: for another model type or settings this implementation does not cover.
        """
        folder, raw = hf_config.read_config_json(
            path, HF_MODEL_TYPES, "swin", "Swin folders (model_type 'swin')"
        )
        fields = hf_config.image_fields(raw, default_patch=4)
        channels = fields["n_channels"]
        fields.update(
            embed_dim=raw.get("embed_dim", 96),
            depths=tuple(raw.get("depths", (2, 2, 6, 2))),
            n_heads=tuple(raw.get("num_heads", (3, 6, 12, 24))),
            window_size=raw.get("window_size", 7),
            mlp_ratio=float(raw.get("mlp_ratio", 4.0)),
            absolute_positions=bool(raw.get("use_absolute_embeddings", False)),
            layer_norm_eps=raw.get("layer_norm_eps", 1e-5),
            image_mean=(IMAGENET_MEAN if channels == 3 else (0.5,) * channels),
            image_std=(IMAGENET_STD if channels == 3 else (0.5,) * channels),
        )
        return cls(**hf_config.finish_fields(folder, fields, overrides))

    def to_hf(self) -> tuple[dict, dict]:
        """``(config.json, preprocessor_config.json)`` contents for a Hugging Face Swin folder."""
        config = {
            **hf_config.image_config_json(self, family="Swin", model_type="swin"),
            "embed_dim": self.embed_dim,
            "depths": list(self.depths),
            "num_heads": list(self.n_heads),
            "num_layers": self.n_stages,
            "hidden_size": self.n_features,
            "window_size": self.window_size,
            "mlp_ratio": self.mlp_ratio,
            "qkv_bias": self.qkv_bias,
            "hidden_act": self.activation,
            "hidden_dropout_prob": 0.0,
            "attention_probs_dropout_prob": 0.0,
            "drop_path_rate": 0.0,
            "use_absolute_embeddings": self.absolute_positions,
            "layer_norm_eps": self.layer_norm_eps,
            "initializer_range": 0.02,
            "encoder_stride": self.patch_size * 2 ** (self.n_stages - 1),
        }
        config.update(hf_config.label_maps(self.class_names))
        preprocessor = hf_config.preprocessor_json(
            self.image_size, self.image_mean, self.image_std, resample=3
        )
        return config, preprocessor


#: Swin-T of the paper (Table 1 / Liu et al. 2021): C = 96, depths 2-2-6-2, heads 3-6-12-24, 7 x 7 windows,
#: 224 x 224 images, ImageNet-1k head. Its stages: 56x56x96 -> 28x28x192 -> 14x14x384 -> 7x7x768.
SWIN_T = SwinConfig(
    image_size=224,
    patch_size=4,
    embed_dim=96,
    depths=(2, 2, 6, 2),
    n_heads=(3, 6, 12, 24),
    window_size=7,
    n_classes=1000,
)
SWIN_S = dataclasses.replace(SWIN_T, depths=(2, 2, 18, 2))
SWIN_B = dataclasses.replace(SWIN_S, embed_dim=128, n_heads=(4, 8, 16, 32))

SWIN_PRESETS: dict[str, SwinConfig] = {"Swin-T": SWIN_T, "Swin-S": SWIN_S, "Swin-B": SWIN_B}
#: Parameter counts the paper (and the course's ImageNet table) print, in millions.
PUBLISHED_PARAMS_M: dict[str, float] = {"Swin-T": 29, "Swin-S": 50, "Swin-B": 88}

#: The bundled tiny Swin trained on the generated shapes (see viz.training.vision.train_swin): 64 x 64 images,
#: 4 x 4 patches -> 16 x 16 tokens in 4 x 4 windows (shift 2) -> 8 x 8 -> 4 x 4 (one window, no shift).
SHAPES_SWIN = SwinConfig(
    image_size=64,
    patch_size=4,
    embed_dim=32,
    depths=(2, 2, 2),
    n_heads=(2, 4, 8),
    window_size=4,
    mlp_ratio=2.0,
    n_classes=len(SHAPE_CLASSES),
    labels=SHAPE_CLASSES,
)
