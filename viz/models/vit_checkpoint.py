"""Hugging Face ViT folders (``ViTModel`` / ``ViTForImageClassification``) in and out of our ViT.

A folder holds ``config.json``, ``model.safetensors`` and optionally ``preprocessor_config.json``
(the pixel normalisation). Only safetensors are read: a pickle is never unpickled. Every tensor name is
mapped by the explicit table below, in both directions; a missing or unexpected tensor is an error.
"""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from viz.models.checkpoint import load_strict
from viz.models.vit import VisionTransformer
from viz.vit_config import ViTConfig

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
_HF_PREFIX = "vit."


def _regex(template: str) -> re.Pattern:
    pattern = re.escape(template).replace(r"\{i\}", r"(?P<i>\d+)").replace(r"\{p\}", r"(?P<p>weight|bias)")
    return re.compile(f"^{pattern}$")


_HF_TO_OURS = [(_regex(hf), ours) for hf, ours in _NAME_TABLE]
_OURS_TO_HF = [(_regex(ours), hf) for hf, ours in _NAME_TABLE]


def _rename(name: str, rules: list[tuple[re.Pattern, str]]) -> str | None:
    for pattern, template in rules:
        match = pattern.match(name)
        if match:
            return template.format(**match.groupdict())
    return None


def map_vit_names(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename a Hugging Face ViT state dict (with or without the ``vit.`` prefix) to our names.

    Raises:
        ValueError: for a tensor the table does not know.
    """
    mapped: dict[str, torch.Tensor] = {}
    for name, tensor in state.items():
        if name.startswith("classifier."):
            ours = name if name in ("classifier.weight", "classifier.bias") else None
        else:
            inner = name.removeprefix(_HF_PREFIX)
            if _IGNORED.match(inner):
                continue
            ours = _rename(inner, _HF_TO_OURS)
        if ours is None:
            raise ValueError(f"unexpected tensor in a ViT checkpoint: {name}")
        mapped[ours] = tensor
    return mapped


def to_hf_names(state: dict[str, torch.Tensor], with_head: bool) -> dict[str, torch.Tensor]:
    """Our state dict -> Hugging Face names (``vit.`` prefix when the model has a classification head)."""
    prefix = _HF_PREFIX if with_head else ""
    out = {}
    for name, tensor in state.items():
        if name.startswith("classifier."):
            out[name] = tensor
            continue
        hf = _rename(name, _OURS_TO_HF)
        if hf is None:
            raise ValueError(f"no Hugging Face name for {name}")
        out[prefix + hf] = tensor
    return out


def config_for_state(folder: Path, state: dict[str, torch.Tensor]) -> ViTConfig:
    """The folder's config, with the head and pooler set from the tensors actually present."""
    classifier = state.get("classifier.weight")
    return ViTConfig.from_hf(folder, n_classes=0 if classifier is None else int(classifier.shape[0]),
                             pooler="pooler.dense.weight" in state)


def load_vit(folder: str | Path, device: torch.device | str = "cpu") -> VisionTransformer:
    """Build our ViT from a Hugging Face ViT folder, in eval mode, frozen, on ``device``.

    Raises:
        FileNotFoundError: if the folder lacks ``config.json`` or ``model.safetensors``.
        ValueError: if the folder is not a ViT or its tensors do not fit the config.
    """
    folder = Path(folder)
    weights = folder / "model.safetensors"
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"{folder} has no config.json")
    if not weights.is_file():
        raise FileNotFoundError(f"{folder} has no model.safetensors (only safetensors checkpoints are read)")
    ViTConfig.from_hf(folder)  # a folder of another model type is refused before its weights are read
    try:
        raw = load_file(str(weights))
    except Exception as err:  # noqa: BLE001 - safetensors raises its own error type for damaged files
        raise ValueError(f"{weights.name} could not be read as safetensors ({err})") from None
    state = map_vit_names(raw)
    config = config_for_state(folder, state)
    model = VisionTransformer(config)
    if not config.qkv_bias:  # checkpoints without q/k/v biases: ours are zero
        for i in range(config.n_layers):
            for proj in ("w_q", "w_k", "w_v"):
                state.setdefault(f"blocks.{i}.attention.{proj}.bias", torch.zeros(config.d_model))
    load_strict(model, {k: v.float() for k, v in state.items()})
    model.eval().requires_grad_(False)
    return model.to(device)


def save_vit(model: VisionTransformer, folder: str | Path) -> Path:
    """Write ``model`` as a Hugging Face ViT folder (config.json, preprocessor_config.json, model.safetensors)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    config = model.config
    state = {k: v.detach().cpu().float().contiguous() for k, v in model.state_dict().items()}
    if not config.qkv_bias:
        state = {k: v for k, v in state.items() if not re.search(r"\.w_[qkv]\.bias$", k)}
    save_file(to_hf_names(state, with_head=config.n_classes > 0), str(folder / "model.safetensors"),
              metadata={"format": "pt"})
    hf_config, preprocessor = dataclasses.replace(config).to_hf()
    (folder / "config.json").write_text(json.dumps(hf_config, indent=2) + "\n", encoding="utf-8")
    (folder / "preprocessor_config.json").write_text(json.dumps(preprocessor, indent=2) + "\n", encoding="utf-8")
    return folder
