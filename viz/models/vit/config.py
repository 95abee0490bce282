"""The Vision Transformer's frozen config (Dosovitskiy et al. 2021), its presets and parameter count.

No torch here: the page computes the parameter counts of ViT-Base/Large/Huge from these configs without
building a model (and a test checks the formula against a model built on the ``meta`` device).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from viz.core import hf_config
from viz.core.config import StackConfig, block_params, check_positive, norm_params
from viz.data.shapes import CLASSES as SHAPE_CLASSES

#: The model types whose checkpoint folders :func:`viz.models.vit.checkpoint.load_vit` reads.
HF_MODEL_TYPES = ("vit",)


@dataclasses.dataclass(frozen=True)
class ViTConfig(StackConfig):
    """A pre-LayerNorm ViT: patch embedding, [CLS] token, learned positions, encoder, head on [CLS].

    Field names follow the papers; ``from_hf`` reads a Hugging Face ``ViTModel`` or
    ``ViTForImageClassification`` folder.

    Attributes:
        image_size: side of the square image the model reads, in pixels.
        patch_size: side P of each square patch; the grid is image_size / P patches on a side.
        n_channels: C, 3 for RGB.
        d_model: D, the width of every token vector.
        n_layers: L, number of encoder blocks.
        n_heads: H, heads per multi-head attention; d_head = D / H.
        d_ff: inner width of the MLP in each block.
        n_classes: size of the classification head on [CLS]; 0 for a backbone without a head.
        labels: the class names, one per class (empty: "class 0", "class 1", ...).
        qkv_bias: whether W^Q, W^K, W^V carry a bias (W^O always does).
        pooler: whether the backbone has Hugging Face's pooler (dense + tanh on [CLS]).
        layer_norm_eps: epsilon of every LayerNorm.
        activation: the MLP's non-linearity.
        image_mean, image_std: per-channel normalisation of pixels in [0, 1] before the patch embedding.
    """

    image_size: int = 64
    patch_size: int = 8
    n_channels: int = 3
    d_model: int = 64
    n_layers: int = 4
    n_heads: int = 4
    d_ff: int = 256
    n_classes: int = 0
    labels: tuple[str, ...] = ()
    qkv_bias: bool = True
    pooler: bool = False
    layer_norm_eps: float = 1e-12
    activation: str = "gelu"
    image_mean: tuple[float, ...] = (0.5, 0.5, 0.5)
    image_std: tuple[float, ...] = (0.5, 0.5, 0.5)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(self, ("n_classes",), allow_zero=True)
        if self.image_size % self.patch_size:
            raise ValueError(
                f"image_size={self.image_size} is not a multiple of patch_size={self.patch_size}"
            )
        hf_config.check_image_fields(self)

    @property
    def grid_size(self) -> int:
        """Patches along each side of the image."""
        return self.image_size // self.patch_size

    @property
    def n_patches(self) -> int:
        """N = (image_size / P)^2."""
        return self.grid_size**2

    @property
    def n_tokens(self) -> int:
        """1 + N: the [CLS] token and one token per patch."""
        return self.n_patches + 1

    @property
    def patch_dim(self) -> int:
        """P * P * C: the length of one flattened patch."""
        return self.patch_size**2 * self.n_channels

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.labels or tuple(f"class {i}" for i in range(self.n_classes))

    @property
    def n_params(self) -> int:
        """Number of parameters, counted from the shapes alone (no tensor is allocated)."""
        d = self.d_model
        embeddings = self.patch_dim * d + d + d + self.n_tokens * d  # projection, its bias, [CLS], positions
        block = block_params(d, self.d_ff, self.qkv_bias)
        total = embeddings + self.n_layers * block + norm_params(d)  # + the final LayerNorm
        if self.pooler:
            total += d * d + d
        if self.n_classes:
            total += d * self.n_classes + self.n_classes
        return total

    @classmethod
    def from_hf(cls, path: str | Path, **overrides) -> ViTConfig:
        """Read a Hugging Face ViT ``config.json`` (and ``preprocessor_config.json`` when present).

        Args:
            path: the checkpoint folder or its ``config.json``.
            overrides: fields to set instead of what the file says (the loader sets ``n_classes`` and
                ``pooler`` from the tensors actually present).
        """
        accepted = f"ViT folders ({', '.join(HF_MODEL_TYPES)})"
        folder, raw = hf_config.read_config_json(path, HF_MODEL_TYPES, "vit", accepted)
        fields = hf_config.image_fields(raw, default_patch=16)
        channels = fields["n_channels"]
        fields.update(
            d_model=raw["hidden_size"],
            n_layers=raw["num_hidden_layers"],
            n_heads=raw["num_attention_heads"],
            d_ff=raw["intermediate_size"],
            pooler=False,
            layer_norm_eps=raw.get("layer_norm_eps", 1e-12),
            image_mean=(0.5,) * channels,  # ViTImageProcessor's defaults
            image_std=(0.5,) * channels,
        )
        return cls(**hf_config.finish_fields(folder, fields, overrides))

    def to_hf(self) -> tuple[dict, dict]:
        """``(config.json, preprocessor_config.json)`` contents for a Hugging Face ViT folder."""
        config = {
            **hf_config.image_config_json(self, family="ViT", model_type="vit"),
            "hidden_size": self.d_model,
            "num_hidden_layers": self.n_layers,
            "num_attention_heads": self.n_heads,
            "intermediate_size": self.d_ff,
            "hidden_act": self.activation,
            "hidden_dropout_prob": 0.0,
            "attention_probs_dropout_prob": 0.0,
            "layer_norm_eps": self.layer_norm_eps,
            "qkv_bias": self.qkv_bias,
            "initializer_range": 0.02,
            "encoder_stride": self.patch_size,
        }
        config.update(hf_config.label_maps(self.class_names))
        preprocessor = hf_config.preprocessor_json(
            self.image_size, self.image_mean, self.image_std, resample=2
        )
        return config, preprocessor


#: The three sizes of the ViT paper's Table 1, at 224 x 224 with a 1000-class head: Base and Large use
#: 16 x 16 patches (ViT-B/16, ViT-L/16), Huge 14 x 14 (ViT-H/14).
VIT_BASE = ViTConfig(
    image_size=224, patch_size=16, d_model=768, n_layers=12, n_heads=12, d_ff=3072, n_classes=1000
)
VIT_LARGE = ViTConfig(
    image_size=224, patch_size=16, d_model=1024, n_layers=24, n_heads=16, d_ff=4096, n_classes=1000
)
VIT_HUGE = ViTConfig(
    image_size=224, patch_size=14, d_model=1280, n_layers=32, n_heads=16, d_ff=5120, n_classes=1000
)

VIT_PRESETS: dict[str, ViTConfig] = {"ViT-Base": VIT_BASE, "ViT-Large": VIT_LARGE, "ViT-Huge": VIT_HUGE}
#: The bundled tiny ViT trained on the generated shapes (see viz.training.vision.train_vit): 64 x 64 images,
#: 8 x 8 patches of 8 px, 3 blocks of 4 heads.
SHAPES_VIT = ViTConfig(
    image_size=64,
    patch_size=8,
    d_model=64,
    n_layers=3,
    n_heads=4,
    d_ff=128,
    n_classes=len(SHAPE_CLASSES),
    labels=SHAPE_CLASSES,
    layer_norm_eps=1e-6,
)
#: Parameter counts as the course (after the ViT paper's Table 1) prints them.
PUBLISHED_PARAMS: dict[str, int] = {"ViT-Base": 86_000_000, "ViT-Large": 307_000_000, "ViT-Huge": 632_000_000}
