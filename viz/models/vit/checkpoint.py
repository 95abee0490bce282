"""Hugging Face ViT-family folders in and out of our ViT: ``ViTModel`` / ``ViTForImageClassification``
(also DeiT without distillation and DINO v1, which are saved as ViT), ``DeiTModel`` /
``DeiTForImageClassification`` / ``DeiTForImageClassificationWithTeacher`` and ``Dinov2Model`` /
``Dinov2ForImageClassification`` and the same with registers (read only).

A folder holds ``config.json``, ``model.safetensors`` and optionally ``preprocessor_config.json``
(the pixel normalisation). Only safetensors are read: a pickle is never unpickled. Every tensor name is
mapped by the explicit table below, in both directions; a missing or unexpected tensor is an error.
"""

from __future__ import annotations

import re
from pathlib import Path

import torch

from viz.core import hf_config
from viz.core.hf_folder import (
    PRE_NORMS,
    NameTable,
    block_pairs,
    load_frozen,
    read_weights,
    save_classifier_folder,
)
from viz.models.vit.config import ACCEPTED, HF_MODEL_TYPES, ViTConfig
from viz.models.vit.model import VisionTransformer

_EMBEDDINGS: list[tuple[str, str]] = [
    ("embeddings.cls_token", "embeddings.cls_token"),
    ("embeddings.position_embeddings", "embeddings.position"),
    ("embeddings.patch_embeddings.projection.{p}", "embeddings.patch.projection.{p}"),
]
# (Hugging Face name inside ``vit.``, our name); {i} is a block index, {p} weight or bias.
_NAME_TABLE: list[tuple[str, str]] = [
    *_EMBEDDINGS,
    *block_pairs("encoder.layer.{i}.", "blocks.{i}.", "attention.attention", PRE_NORMS),
    ("layernorm.{p}", "norm.{p}"),
    ("pooler.dense.{p}", "pooler.dense.{p}"),
]
# DeiT: ViT's names inside ``deit.``, the distillation token, and the two heads of the model with a teacher
# (``cls_classifier`` becomes our ``classifier``).
_DEIT_TABLE: list[tuple[str, str]] = [
    *_NAME_TABLE,
    ("embeddings.distillation_token", "embeddings.distillation_token"),
    ("cls_classifier.{p}", "classifier.{p}"),
    ("distillation_classifier.{p}", "distillation_classifier.{p}"),
]
# DINOv2 inside ``dinov2.``: its own block names (norm1/norm2, mlp.fc1/fc2) and LayerScale's lambdas.
_DINOV2_BLOCK = [
    ("attention.attention.query.{p}", "attention.w_q.{p}"),
    ("attention.attention.key.{p}", "attention.w_k.{p}"),
    ("attention.attention.value.{p}", "attention.w_v.{p}"),
    ("attention.output.dense.{p}", "attention.w_o.{p}"),
    ("norm1.{p}", "attention_norm.{p}"),
    ("norm2.{p}", "ffn_norm.{p}"),
    ("mlp.fc1.{p}", "ffn.w_1.{p}"),
    ("mlp.fc2.{p}", "ffn.w_2.{p}"),
    ("layer_scale1.lambda1", "attention_scale"),
    ("layer_scale2.lambda1", "ffn_scale"),
]
_DINOV2_TABLE: list[tuple[str, str]] = [
    *_EMBEDDINGS,
    *((f"encoder.layer.{{i}}.{hf}", f"blocks.{{i}}.{ours}") for hf, ours in _DINOV2_BLOCK),
    ("layernorm.{p}", "norm.{p}"),
]
#: Tensors a checkpoint may carry that we do not use (the masked-image-modelling token).
_IGNORED = re.compile(r"^embeddings\.mask_token$")
_TABLE = NameTable(_NAME_TABLE, prefix="vit.", family="ViT", ignored=_IGNORED)
#: The name table of each model type.
TABLES: dict[str, NameTable] = {
    "vit": _TABLE,
    "deit": NameTable(_DEIT_TABLE, prefix="deit.", family="DeiT", ignored=_IGNORED),
    "dinov2": NameTable(_DINOV2_TABLE, prefix="dinov2.", family="DINOv2", ignored=_IGNORED),
    "dinov2_with_registers": NameTable(
        [*_DINOV2_TABLE, ("embeddings.register_tokens", "embeddings.register_tokens")],
        prefix="dinov2_with_registers.",
        family="DINOv2 with registers",
        ignored=_IGNORED,
    ),
}


def map_vit_names(state: dict[str, torch.Tensor], model_type: str = "vit") -> dict[str, torch.Tensor]:
    """Rename a Hugging Face ViT (DeiT, DINOv2) state dict, with or without its prefix, to our names.

    Raises:
        ValueError: for a tensor the table does not know.
    """
    return TABLES[model_type].from_hf_names(state)


def load_vit(folder: str | Path, device: torch.device | str = "cpu") -> VisionTransformer:
    """Build our ViT from a Hugging Face ViT, DeiT or DINOv2 folder, in eval mode, frozen, on ``device``; the
    head (and DeiT's second head) and the pooler are set from the tensors actually present.

    Raises:
        FileNotFoundError: if the folder lacks ``config.json`` or ``model.safetensors``.
        ValueError: if the folder is not of these families or its tensors do not fit the config.
    """
    folder = Path(folder)
    raw = read_weights(folder, ViTConfig.from_hf)  # the config is checked before the weights are read
    _, config_json = hf_config.read_config_json(folder, HF_MODEL_TYPES, "vit", ACCEPTED)
    state = TABLES[config_json.get("model_type", "vit")].from_hf_names(raw)
    classifier = state.get("classifier.weight")
    overrides = dict(
        n_classes=0 if classifier is None else int(classifier.shape[0]), pooler="pooler.dense.weight" in state
    )
    if "distillation_classifier.weight" in state:
        overrides["head"] = "cls_and_distillation"
    config = ViTConfig.from_hf(folder, **overrides)
    return load_frozen(VisionTransformer(config), state, device, config.qkv_bias)


def save_vit(model: VisionTransformer, folder: str | Path) -> Path:
    """Write ``model`` as a Hugging Face ViT folder (config.json, preprocessor_config.json, model.safetensors).

    Raises:
        ValueError: for a DeiT or DINOv2 model (those folders are read, not written).
    """
    model.config.to_hf()  # refuses a DeiT or DINOv2 config before anything is written
    return save_classifier_folder(model, _TABLE, folder)
