"""Hugging Face Swin folders (``SwinModel`` / ``SwinForImageClassification``) in and out of our Swin.

A folder holds ``config.json``, ``model.safetensors`` and optionally ``preprocessor_config.json``.
Only safetensors are read: a pickle is never unpickled. Every tensor name goes through the explicit
table below; a missing or unexpected tensor is an error. Two spellings of the Hugging Face names are
read: the one of the checkpoints on the Hub (``attention.self.query``, ``intermediate.dense``, which
``save_pretrained`` still writes) and the module names of transformers 5 (``attention.q_proj``,
``mlp.fc1``). We write the Hub spelling.
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
from viz.models.swin.config import SwinConfig
from viz.models.swin.model import SwinTransformer, relative_position_index

_BLOCK = "encoder.layers.{s}.blocks.{b}."
_OURS_BLOCK = "stages.{s}.blocks.{b}."
_BIAS_TABLE = _OURS_BLOCK + "attention.position_bias.table"
#: transformers 5's module names (read, never written): (name in the block, ours)
_V5_NAMES = (
    ("attention.q_proj", "attention.w_q"),
    ("attention.k_proj", "attention.w_k"),
    ("attention.v_proj", "attention.w_v"),
    ("attention.o_proj", "attention.w_o"),
    ("mlp.fc1", "ffn.w_1"),
    ("mlp.fc2", "ffn.w_2"),
)
# (Hugging Face name inside ``swin.``, our name); {s} stage, {b} block, {p} weight or bias.
# The first spelling of each of our names is the one written.
_NAME_TABLE: list[tuple[str, str]] = [
    ("embeddings.patch_embeddings.projection.{p}", "embeddings.projection.{p}"),
    ("embeddings.norm.{p}", "embeddings.norm.{p}"),
    ("embeddings.position_embeddings", "embeddings.position"),
    *block_pairs(_BLOCK, _OURS_BLOCK, "attention.self", PRE_NORMS),
    (_BLOCK + "attention.self.relative_position_bias_table", _BIAS_TABLE),
    ("encoder.layers.{s}.downsample.norm.{p}", "stages.{s}.merge.norm.{p}"),
    ("encoder.layers.{s}.downsample.reduction.weight", "stages.{s}.merge.reduction.weight"),
    ("layernorm.{p}", "norm.{p}"),
    *((f"{_BLOCK}{theirs}.{{p}}", f"{_OURS_BLOCK}{ours}.{{p}}") for theirs, ours in _V5_NAMES),
    (_BLOCK + "attention.relative_position_bias.relative_position_bias_table", _BIAS_TABLE),
]
#: Buffers older checkpoints stored (recomputed here from the window size and checked) and the
#: masked-image-modelling token, which classification does not use.
_INDEX = re.compile(
    r"^encoder\.layers\.\d+\.blocks\.\d+\.attention\.(self|relative_position_bias)\."
    r"relative_position_index$"
)
_IGNORED = re.compile(r"^embeddings\.mask_token$")
_TABLE = NameTable(_NAME_TABLE, prefix="swin.", family="Swin", ignored=_IGNORED)


def _checked_index(name: str, inner: str, tensor: torch.Tensor) -> bool:
    """True for a stored relative position index (to drop) once it is checked to equal ours."""
    if not _INDEX.match(inner):
        return False
    side = round((tensor.numel() ** 0.5) ** 0.5)
    if not torch.equal(tensor.reshape(-1).long(), relative_position_index(side).reshape(-1)):
        raise ValueError(f"{name} is not the relative position index this implementation uses")
    return True


def map_swin_names(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename a Hugging Face Swin state dict (with or without the ``swin.`` prefix) to our names.

    Stored relative position indices are checked against ours and dropped.

    Raises:
        ValueError: for a tensor the table does not know, or a stored index that differs from ours.
    """
    return _TABLE.from_hf_names(state, skip=_checked_index)


def load_swin(folder: str | Path, device: torch.device | str = "cpu") -> SwinTransformer:
    """Build our Swin from a Hugging Face Swin folder, in eval mode, frozen, on ``device``; the head is set
    from the tensors actually present.

    Raises:
        FileNotFoundError: if the folder lacks ``config.json`` or ``model.safetensors``.
        ValueError: if the folder is not a Swin model or its tensors do not fit the config.
    """
    return load_classifier_folder(
        folder, _TABLE, SwinConfig.from_hf, SwinTransformer, device, skip=_checked_index
    )


def save_swin(model: SwinTransformer, folder: str | Path) -> Path:
    """Write ``model`` as a HF Swin folder: config.json, preprocessor_config.json, model.safetensors."""
    return save_classifier_folder(model, _TABLE, folder)
