"""Hugging Face Swin folders (``SwinModel`` / ``SwinForImageClassification``) in and out of our Swin.

A folder holds ``config.json``, ``model.safetensors`` and optionally ``preprocessor_config.json``.
Only safetensors are read: a pickle is never unpickled. Every tensor name goes through the explicit
table below; a missing or unexpected tensor is an error. Two spellings of the Hugging Face names are
read: the one of the checkpoints on the Hub (``attention.self.query``, ``intermediate.dense``, which
``save_pretrained`` still writes) and the module names of transformers 5 (``attention.q_proj``,
``mlp.fc1``). We write the Hub spelling.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from viz.models.checkpoint import load_strict
from viz.models.swin import SwinTransformer, relative_position_index
from viz.swin_config import SwinConfig

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
    (_BLOCK + "attention.self.relative_position_bias_table", _OURS_BLOCK + "position_bias.table"),
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
        _OURS_BLOCK + "position_bias.table",
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
_HF_PREFIX = "swin."


def _regex(template: str) -> re.Pattern:
    pattern = re.escape(template)
    for field, group in (("s", r"\d+"), ("b", r"\d+"), ("p", "weight|bias")):
        pattern = pattern.replace(rf"\{{{field}\}}", f"(?P<{field}>{group})")
    return re.compile(f"^{pattern}$")


_HF_TO_OURS = [(_regex(hf), ours) for hf, ours in _NAME_TABLE]
_OURS_TO_HF: list[tuple[re.Pattern, str]] = []
for _hf, _ours in _NAME_TABLE:
    if all(_ours != o for _, o in _NAME_TABLE[: _NAME_TABLE.index((_hf, _ours))]):
        _OURS_TO_HF.append((_regex(_ours), _hf))


def _rename(name: str, rules: list[tuple[re.Pattern, str]]) -> str | None:
    for pattern, template in rules:
        match = pattern.match(name)
        if match:
            return template.format(**match.groupdict())
    return None


def map_swin_names(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename a Hugging Face Swin state dict (with or without the ``swin.`` prefix) to our names.

    Stored relative position indices are checked against ours and dropped.

    Raises:
        ValueError: for a tensor the table does not know, or a stored index that differs from ours.
    """
    mapped: dict[str, torch.Tensor] = {}
    for name, tensor in state.items():
        if name.startswith("classifier."):
            ours = name if name in ("classifier.weight", "classifier.bias") else None
        else:
            inner = name.removeprefix(_HF_PREFIX)
            if _IGNORED.match(inner):
                continue
            if _INDEX.match(inner):
                side = round((tensor.numel() ** 0.5) ** 0.5)
                if not torch.equal(tensor.reshape(-1).long(), relative_position_index(side).reshape(-1)):
                    raise ValueError(f"{name} is not the relative position index this implementation uses")
                continue
            ours = _rename(inner, _HF_TO_OURS)
        if ours is None:
            raise ValueError(f"unexpected tensor in a Swin checkpoint: {name}")
        if ours in mapped:
            raise ValueError(f"two tensors in the checkpoint map to {ours}")
        mapped[ours] = tensor
    return mapped


def to_hf_names(state: dict[str, torch.Tensor], with_head: bool) -> dict[str, torch.Tensor]:
    """Our state dict -> Hugging Face (Hub) names, with the ``swin.`` prefix when the model has a head."""
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


def load_swin(folder: str | Path, device: torch.device | str = "cpu") -> SwinTransformer:
    """Build our Swin from a Hugging Face Swin folder, in eval mode, frozen, on ``device``.

    Raises:
        FileNotFoundError: if the folder lacks ``config.json`` or ``model.safetensors``.
        ValueError: if the folder is not a Swin model or its tensors do not fit the config.
    """
    folder = Path(folder)
    weights = folder / "model.safetensors"
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"{folder} has no config.json")
    if not weights.is_file():
        raise FileNotFoundError(f"{folder} has no model.safetensors (only safetensors checkpoints are read)")
    SwinConfig.from_hf(folder)  # a folder of another model type is refused before its weights are read
    try:
        raw = load_file(str(weights))
    except Exception as err:  # noqa: BLE001 - safetensors raises its own error type for damaged files
        raise ValueError(f"{weights.name} could not be read as safetensors ({err})") from None
    state = map_swin_names(raw)
    classifier = state.get("classifier.weight")
    config = SwinConfig.from_hf(folder, n_classes=0 if classifier is None else int(classifier.shape[0]))
    model = SwinTransformer(config)
    if not config.qkv_bias:  # checkpoints without q/k/v biases: ours are zero
        for name, param in model.named_parameters():
            if re.search(r"\.attention\.w_[qkv]\.bias$", name):
                state.setdefault(name, torch.zeros_like(param))
    load_strict(model, {k: v.float() for k, v in state.items()})
    model.eval().requires_grad_(False)
    return model.to(device)


def save_swin(model: SwinTransformer, folder: str | Path) -> Path:
    """Write ``model`` as a HF Swin folder: config.json, preprocessor_config.json, model.safetensors."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    config = model.config
    state = {k: v.detach().cpu().float().contiguous() for k, v in model.state_dict().items()}
    if not config.qkv_bias:
        state = {k: v for k, v in state.items() if not re.search(r"\.w_[qkv]\.bias$", k)}
    save_file(
        to_hf_names(state, with_head=config.n_classes > 0),
        str(folder / "model.safetensors"),
        metadata={"format": "pt"},
    )
    hf_config, preprocessor = config.to_hf()
    (folder / "config.json").write_text(json.dumps(hf_config, indent=2) + "\n", encoding="utf-8")
    (folder / "preprocessor_config.json").write_text(
        json.dumps(preprocessor, indent=2) + "\n", encoding="utf-8"
    )
    return folder
