"""Hugging Face ViT folders (``ViTModel`` / ``ViTForImageClassification``) in and out of our ViT.

A folder holds ``config.json``, ``model.safetensors`` and optionally ``preprocessor_config.json``
(the pixel normalisation). Only safetensors are read: a pickle is never unpickled. Every tensor name is
mapped by the explicit table below, in both directions; a missing or unexpected tensor is an error.
"""

from __future__ import annotations

import re
from pathlib import Path

import torch

from viz.core.hf_folder import NameTable, load_frozen, read_weights, state_to_save, write_folder
from viz.models.vit.config import ViTConfig
from viz.models.vit.model import VisionTransformer

# (Hugging Face name inside ``vit.``, our name); {i} is a block index, {p} weight or bias.
_NAME_TABLE: list[tuple[str, str]] = [
    ("embeddings.cls_token", "embeddings.cls_token"),
    ("embeddings.position_embeddings", "embeddings.position"),
    ("embeddings.patch_embeddings.projection.{p}", "embeddings.patch.projection.{p}"),
    ("encoder.layer.{i}.layernorm_before.{p}", "blocks.{i}.attention_norm.{p}"),
    ("encoder.layer.{i}.attention.attention.query.{p}", "blocks.{i}.attention.w_q.{p}"),
    ("encoder.layer.{i}.attention.attention.key.{p}", "blocks.{i}.attention.w_k.{p}"),
    ("encoder.layer.{i}.attention.attention.value.{p}", "blocks.{i}.attention.w_v.{p}"),
    ("encoder.layer.{i}.attention.output.dense.{p}", "blocks.{i}.attention.w_o.{p}"),
    ("encoder.layer.{i}.layernorm_after.{p}", "blocks.{i}.ffn_norm.{p}"),
    ("encoder.layer.{i}.intermediate.dense.{p}", "blocks.{i}.ffn.w_1.{p}"),
    ("encoder.layer.{i}.output.dense.{p}", "blocks.{i}.ffn.w_2.{p}"),
    ("layernorm.{p}", "norm.{p}"),
    ("pooler.dense.{p}", "pooler.dense.{p}"),
]
#: Tensors a ViT checkpoint may carry that we do not use (masked-image-modelling token).
_IGNORED = re.compile(r"^embeddings\.mask_token$")
_TABLE = NameTable(_NAME_TABLE, prefix="vit.", family="ViT", ignored=_IGNORED)


def map_vit_names(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename a Hugging Face ViT state dict (with or without the ``vit.`` prefix) to our names.

    Raises:
        ValueError: for a tensor the table does not know.
    """
    return _TABLE.from_hf_names(state)


def to_hf_names(state: dict[str, torch.Tensor], with_head: bool) -> dict[str, torch.Tensor]:
    """Our state dict -> Hugging Face names (``vit.`` prefix when the model has a classification head)."""
    return _TABLE.to_hf_names(state, with_head)


def config_for_state(folder: Path, state: dict[str, torch.Tensor]) -> ViTConfig:
    """The folder's config, with the head and pooler set from the tensors actually present."""
    classifier = state.get("classifier.weight")
    return ViTConfig.from_hf(
        folder,
        n_classes=0 if classifier is None else int(classifier.shape[0]),
        pooler="pooler.dense.weight" in state,
    )


def load_vit(folder: str | Path, device: torch.device | str = "cpu") -> VisionTransformer:
    """Build our ViT from a Hugging Face ViT folder, in eval mode, frozen, on ``device``.

    Raises:
        FileNotFoundError: if the folder lacks ``config.json`` or ``model.safetensors``.
        ValueError: if the folder is not a ViT or its tensors do not fit the config.
    """
    folder = Path(folder)
    state = map_vit_names(read_weights(folder, ViTConfig.from_hf))
    config = config_for_state(folder, state)
    return load_frozen(VisionTransformer(config), state, device, config.qkv_bias)


def save_vit(model: VisionTransformer, folder: str | Path) -> Path:
    """Write ``model`` as a Hugging Face ViT folder (config.json, preprocessor_config.json, model.safetensors)."""
    config = model.config
    tensors = to_hf_names(state_to_save(model, config.qkv_bias), with_head=config.n_classes > 0)
    return write_folder(folder, tensors, *config.to_hf())
