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

from viz.core.hf_folder import NameTable, load_frozen, read_weights, state_to_save, write_folder
from viz.models.swin.config import SwinConfig
from viz.models.swin.model import SwinTransformer, relative_position_index

_BLOCK = "encoder.layers.{s}.blocks.{b}."
_OURS_BLOCK = "stages.{s}.blocks.{b}."
# (Hugging Face name inside ``swin.``, our name); {s} stage, {b} block, {p} weight or bias.
# The first spelling of each of our names is the one written.
_NAME_TABLE: list[tuple[str, str]] = [
    ("embeddings.patch_embeddings.projection.{p}", "embeddings.projection.{p}"),
    ("embeddings.norm.{p}", "embeddings.norm.{p}"),
    ("embeddings.position_embeddings", "embeddings.position"),
    (_BLOCK + "layernorm_before.{p}", _OURS_BLOCK + "attention_norm.{p}"),
    (_BLOCK + "attention.self.query.{p}", _OURS_BLOCK + "attention.w_q.{p}"),
    (_BLOCK + "attention.self.key.{p}", _OURS_BLOCK + "attention.w_k.{p}"),
    (_BLOCK + "attention.self.value.{p}", _OURS_BLOCK + "attention.w_v.{p}"),
    (_BLOCK + "attention.output.dense.{p}", _OURS_BLOCK + "attention.w_o.{p}"),
    (_BLOCK + "attention.self.relative_position_bias_table", _OURS_BLOCK + "attention.position_bias.table"),
    (_BLOCK + "layernorm_after.{p}", _OURS_BLOCK + "ffn_norm.{p}"),
    (_BLOCK + "intermediate.dense.{p}", _OURS_BLOCK + "ffn.w_1.{p}"),
    (_BLOCK + "output.dense.{p}", _OURS_BLOCK + "ffn.w_2.{p}"),
    ("encoder.layers.{s}.downsample.norm.{p}", "stages.{s}.merge.norm.{p}"),
    ("encoder.layers.{s}.downsample.reduction.weight", "stages.{s}.merge.reduction.weight"),
    ("layernorm.{p}", "norm.{p}"),
    # transformers 5 module names, read only
    (_BLOCK + "attention.q_proj.{p}", _OURS_BLOCK + "attention.w_q.{p}"),
    (_BLOCK + "attention.k_proj.{p}", _OURS_BLOCK + "attention.w_k.{p}"),
    (_BLOCK + "attention.v_proj.{p}", _OURS_BLOCK + "attention.w_v.{p}"),
    (_BLOCK + "attention.o_proj.{p}", _OURS_BLOCK + "attention.w_o.{p}"),
    (
        _BLOCK + "attention.relative_position_bias.relative_position_bias_table",
        _OURS_BLOCK + "attention.position_bias.table",
    ),
    (_BLOCK + "mlp.fc1.{p}", _OURS_BLOCK + "ffn.w_1.{p}"),
    (_BLOCK + "mlp.fc2.{p}", _OURS_BLOCK + "ffn.w_2.{p}"),
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


def to_hf_names(state: dict[str, torch.Tensor], with_head: bool) -> dict[str, torch.Tensor]:
    """Our state dict -> Hugging Face (Hub) names, with the ``swin.`` prefix when the model has a head."""
    return _TABLE.to_hf_names(state, with_head)


def config_for_state(folder: Path, state: dict[str, torch.Tensor]) -> SwinConfig:
    """The folder's config, with the head set from the tensors actually present."""
    classifier = state.get("classifier.weight")
    return SwinConfig.from_hf(folder, n_classes=0 if classifier is None else int(classifier.shape[0]))


def load_swin(folder: str | Path, device: torch.device | str = "cpu") -> SwinTransformer:
    """Build our Swin from a Hugging Face Swin folder, in eval mode, frozen, on ``device``.

    Raises:
        FileNotFoundError: if the folder lacks ``config.json`` or ``model.safetensors``.
        ValueError: if the folder is not a Swin model or its tensors do not fit the config.
    """
    folder = Path(folder)
    state = map_swin_names(read_weights(folder, SwinConfig.from_hf))
    config = config_for_state(folder, state)
    return load_frozen(SwinTransformer(config), state, device, config.qkv_bias)


def save_swin(model: SwinTransformer, folder: str | Path) -> Path:
    """Write ``model`` as a HF Swin folder: config.json, preprocessor_config.json, model.safetensors."""
    config = model.config
    tensors = to_hf_names(state_to_save(model, config.qkv_bias), with_head=config.n_classes > 0)
    return write_folder(folder, tensors, *config.to_hf())
