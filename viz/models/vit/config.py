"""The Vision Transformer's frozen config (Dosovitskiy et al. 2021), its presets and parameter count.

One config covers three Hugging Face families that share the ViT's skeleton: ViT itself (one [CLS] token),
DeiT distilled (Touvron et al. 2021: a [CLS] and a distillation token in front of the patches, two heads
averaged) and DINOv2 (Oquab et al. 2023: LayerScale in every block, position embeddings learned for a larger
grid and interpolated to the input's, a head on [CLS] and the mean of the patch tokens), also with registers
(Darcet et al. 2024: learned tokens after [CLS] that carry no position and no output, a place for the global
computations that otherwise take over some background patches).

No torch here: the page computes the parameter counts of ViT-Base/Large/Huge from these configs without
building a model (and a test checks the formula against a model built on the ``meta`` device).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from viz.core import hf_config
from viz.core.config import StackConfig, block_params, check_positive, norm_params
from viz.data.shapes import LABELS as SHAPE_CLASSES

#: The model types whose checkpoint folders :func:`viz.models.vit.checkpoint.load_vit` reads.
HF_MODEL_TYPES = ("vit", "deit", "dinov2", "dinov2_with_registers")
ACCEPTED = "ViT-family folders (model_type 'vit', 'deit', 'dinov2' or 'dinov2_with_registers')"
#: ImageNet's per-channel mean and standard deviation (the DeiT and DINOv2 image processors' defaults).
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
#: What the classification head reads from the final LayerNorm's tokens:
#: "cls": the [CLS] token (ViT, DeiT without a teacher head);
#: "cls_and_distillation": the mean of a head on [CLS] and a second head on the distillation token (DeiT distilled);
#: "cls_and_patch_mean": [CLS] concatenated with the mean of the patch tokens, one head of 2 D inputs (DINOv2).
HEADS = ("cls", "cls_and_distillation", "cls_and_patch_mean")


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
        distillation_token: DeiT's second learned token after [CLS] (trained to match a teacher's prediction).
        layer_scale: DINOv2's LayerScale: each residual branch is multiplied by a learned per-channel
            vector before it is added (x + lambda_1 * MHA(LN(x)), x + lambda_2 * MLP(LN(x))).
        position_grid: side of the grid the position embeddings were learned for; when it differs from
            ``grid_size`` they are resized bicubically to the input's grid (DINOv2: 37 x 37 for 518 px,
            read at 224 px as 16 x 16). None: the input's grid.
        head: what the classification head reads (:data:`HEADS`).
        n_registers: DINOv2's register tokens, after [CLS] and before the patches; they get no position
            embedding.
        position_antialias: resize the positions with an antialiasing bicubic filter (DINOv2 with registers).
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
    #: probabilities are softmax(logits / logit_temperature): a temperature fitted on held-out images
    #: (:mod:`viz.training.vision.calibrate`) makes the confidence mean what it says; 1 = as trained
    logit_temperature: float = 1.0
    qkv_bias: bool = True
    pooler: bool = False
    layer_norm_eps: float = 1e-12
    activation: str = "gelu"
    image_mean: tuple[float, ...] = (0.5, 0.5, 0.5)
    image_std: tuple[float, ...] = (0.5, 0.5, 0.5)
    distillation_token: bool = False
    layer_scale: bool = False
    position_grid: int | None = None
    head: str = "cls"
    n_registers: int = 0
    position_antialias: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(self, ("n_classes", "n_registers"), allow_zero=True)
        if self.head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}, got {self.head!r}")
        if self.head == "cls_and_distillation" and not self.distillation_token:
            raise ValueError("a head on the distillation token needs distillation_token=True")
        if self.position_grid is not None and self.position_grid <= 0:
            raise ValueError(f"position_grid must be positive, got {self.position_grid}")
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
    def n_positioned_prefix(self) -> int:
        """Tokens in front of the patches that have a learned position: [CLS] (and the distillation token)."""
        return 1 + self.distillation_token

    @property
    def n_prefix_tokens(self) -> int:
        """Tokens in front of the patches: [CLS] (1), DeiT's distillation token (2), DINOv2's registers."""
        return self.n_positioned_prefix + self.n_registers

    @property
    def prefix_names(self) -> tuple[str, ...]:
        """The names of the tokens in front of the patches, in order: ("[CLS]",), ("[CLS]", "[DIST]") or
        ("[CLS]", "[REG1]", ..., "[REGk]")."""
        registers = tuple(f"[REG{r + 1}]" for r in range(self.n_registers))
        return ("[CLS]", "[DIST]")[: self.n_positioned_prefix] + registers

    @property
    def n_tokens(self) -> int:
        """T = prefix + N: [CLS] (and the distillation token) and one token per patch."""
        return self.n_patches + self.n_prefix_tokens

    @property
    def n_positions(self) -> int:
        """Rows of the learned position table: [CLS] (and [DIST]) and the grid they were learned for."""
        side = self.grid_size if self.position_grid is None else self.position_grid
        return self.n_positioned_prefix + side**2

    @property
    def hf_model_type(self) -> str:
        """The Hugging Face ``model_type`` of the family this config describes."""
        if self.layer_scale:
            return "dinov2_with_registers" if self.n_registers else "dinov2"
        return "deit" if self.distillation_token else "vit"

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
        d, k = self.d_model, self.n_classes
        # projection, its bias, [CLS] (and the distillation token), positions
        embeddings = self.patch_dim * d + d + self.n_prefix_tokens * d + self.n_positions * d  # + registers
        block = block_params(d, self.d_ff, self.qkv_bias) + 2 * d * self.layer_scale
        total = embeddings + self.n_layers * block + norm_params(d)  # + the final LayerNorm
        if self.pooler:
            total += d * d + d
        if k:
            heads = {
                "cls": d * k + k,
                "cls_and_distillation": 2 * (d * k + k),
                "cls_and_patch_mean": 2 * d * k + k,
            }
            total += heads[self.head]
        return total

    @classmethod
    def from_hf(cls, path: str | Path, **overrides) -> ViTConfig:
        """Read a Hugging Face ViT ``config.json`` (and ``preprocessor_config.json`` when present).

        Args:
            path: the checkpoint folder or its ``config.json``.
            overrides: fields to set instead of what the file says (the loader sets ``n_classes`` and
                ``pooler`` from the tensors actually present).
        """
        folder, raw = hf_config.read_config_json(path, HF_MODEL_TYPES, "vit", ACCEPTED)
        model_type = raw.get("model_type", "vit")
        dinov2 = model_type.startswith("dinov2")
        fields = hf_config.image_fields(raw, default_patch=14 if model_type == "dinov2" else 16)
        channels = fields["n_channels"]
        imagenet = channels == 3 and model_type != "vit"
        fields.update(
            d_model=raw["hidden_size"],
            n_layers=raw["num_hidden_layers"],
            n_heads=raw["num_attention_heads"],
            pooler=False,
            layer_norm_eps=raw.get("layer_norm_eps", 1e-6 if dinov2 else 1e-12),
            # the image processors' defaults: ViTImageProcessor 0.5, DeiT's and DINOv2's ImageNet's
            image_mean=IMAGENET_MEAN if imagenet else (0.5,) * channels,
            image_std=IMAGENET_STD if imagenet else (0.5,) * channels,
        )
        if dinov2:
            fields.update(_dinov2_fields(folder, raw, fields["image_size"], fields["patch_size"]))
            if model_type == "dinov2_with_registers":
                fields.update(n_registers=int(raw.get("num_register_tokens", 4)), position_antialias=True)
        else:
            fields.update(d_ff=raw["intermediate_size"], distillation_token=model_type == "deit")
        return cls(**hf_config.finish_fields(folder, fields, overrides))

    def to_hf(self) -> tuple[dict, dict]:
        """``(config.json, preprocessor_config.json)`` contents for a Hugging Face ViT folder.

        Raises:
            ValueError: for a DeiT or DINOv2 config (only ViT folders are written).
        """
        if self.hf_model_type != "vit":
            raise ValueError(
                f"only ViT folders are written; this is a {self.hf_model_type} config (its folders are read only)"
            )
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


def _dinov2_fields(folder: Path, raw: dict, image_size: int, patch_size: int) -> dict:
    """The fields of a DINOv2 ``config.json``: d_ff from ``mlp_ratio``, LayerScale, the position grid of
    ``image_size`` (518 px for the released models), the input side of the image processor's crop (224 px).

    Raises:
        ValueError: for the SwiGLU feed-forward (``use_swiglu_ffn``), which this implementation lacks.
    """
    if raw.get("use_swiglu_ffn", False):
        raise ValueError(
            "DINOv2 with use_swiglu_ffn=true (the SwiGLU feed-forward of DINOv2 giant) is not supported: "
            "only DINOv2 folders with the MLP feed-forward (small, base, large) open here"
        )
    if image_size % patch_size:
        raise ValueError(f"image_size={image_size} is not a multiple of patch_size={patch_size}")
    side = _processor_side(folder, image_size)
    return dict(
        image_size=side,
        d_ff=int(raw["hidden_size"] * raw.get("mlp_ratio", 4)),
        layer_scale=True,
        position_grid=image_size // patch_size,
        head="cls_and_patch_mean",
    )


def _processor_side(folder: Path, default: int) -> int:
    """The side of the square the image processor hands the model: its centre crop, else its fixed size."""
    path = folder / "preprocessor_config.json"
    if not path.is_file():
        return default
    raw = json.loads(path.read_text(encoding="utf-8"))
    specs = [raw.get("crop_size")] if raw.get("do_center_crop", True) else []
    for spec in [*specs, raw.get("size")]:
        if isinstance(spec, int):
            return spec
        if (
            isinstance(spec, dict)
            and spec.get("height") is not None
            and spec.get("height") == spec.get("width")
        ):
            return int(spec["height"])
    return default


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
#: 16 x 16 patches of 4 px (a doodle covering 3% of the image spans about three), 3 blocks of 4 heads.
SHAPES_VIT = ViTConfig(
    image_size=64,
    patch_size=4,
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
