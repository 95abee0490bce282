"""Hugging Face ViT folders (``ViTModel`` / ``ViTForImageClassification``) in and out of our ViT.

A folder holds ``config.json``, ``model.safetensors`` and optionally ``preprocessor_config.json``
(the pixel normalisation). Only safetensors are read: a pickle is never unpickled. Every tensor name is
mapped by the explicit table below, in both directions; a missing or unexpected tensor is an error.
"""

from __future__ import annotations

import re
from pathlib import Path

import torch

from viz.core.hf_folder import (
    PRE_NORMS,
    NameTable,
    block_pairs,
    load_classifier_folder,
    save_classifier_folder,
)
from viz.models.vit.config import ViTConfig
from viz.models.vit.model import VisionTransformer

# (Hugging Face name inside ``vit.``, our name); {i} is a block index, {p} weight or bias.
_NAME_TABLE: list[tuple[str, str]] = [
    ("embeddings.cls_token", "embeddings.cls_token"),
    ("embeddings.position_embeddings", "embeddings.position"),
    ("embeddings.patch_embeddings.projection.{p}", "embeddings.patch.projection.{p}"),
    *block_pairs("encoder.layer.{i}.", "blocks.{i}.", "attention.attention", PRE_NORMS),
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


def load_vit(folder: str | Path, device: torch.device | str = "cpu") -> VisionTransformer:
    """Build our ViT from a Hugging Face ViT folder, in eval mode, frozen, on ``device``; the head and the
    pooler are set from the tensors actually present.

    Raises:
        FileNotFoundError: if the folder lacks ``config.json`` or ``model.safetensors``.
        ValueError: if the folder is not a ViT or its tensors do not fit the config.
    """
    return load_classifier_folder(
        folder, _TABLE, ViTConfig.from_hf, VisionTransformer, device, pooler="pooler.dense.weight"
    )


def save_vit(model: VisionTransformer, folder: str | Path) -> Path:
    """Write ``model`` as a Hugging Face ViT folder (config.json, preprocessor_config.json, model.safetensors)."""
    return save_classifier_folder(model, _TABLE, folder)
