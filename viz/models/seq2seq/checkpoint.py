"""Saving and loading the task models as one safetensors file: weights plus a JSON metadata block.

The metadata (strings only, as safetensors requires) holds the config, the task, its vocabulary and how the
checkpoint was made. Tied weights (shared embeddings and output layer) are stored once.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from viz.core.hf_folder import load_frozen
from viz.models.seq2seq.config import TransformerConfig
from viz.models.seq2seq.model import Transformer


def _aliases(module: torch.nn.Module) -> dict[str, str]:
    """Each state-dict name whose tensor is shared with an earlier name -> that earlier name."""
    first: dict[int, str] = {}
    aliases = {}
    for name, tensor in module.state_dict(keep_vars=True).items():
        key = tensor.data_ptr()
        if key in first:
            aliases[name] = first[key]
        else:
            first[key] = name
    return aliases


def save_seq2seq(path: str | Path, model: Transformer, metadata: dict[str, object]) -> None:
    """Write ``model`` to ``path`` (a .safetensors file); ``metadata`` values are stored as JSON."""
    aliases = _aliases(model)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items() if k not in aliases}
    meta = {"config": model.config.to_json(), **{k: json.dumps(v) for k, v in metadata.items()}}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(path), metadata=meta)


def read_metadata(path: str | Path) -> dict[str, object]:
    """The metadata block, decoded; ``config`` becomes a :class:`TransformerConfig`."""
    with safe_open(str(path), framework="pt") as f:
        raw = f.metadata() or {}
    if "config" not in raw:
        raise ValueError(f"{path} is not a viz task checkpoint (no config in its metadata)")
    meta: dict[str, object] = {k: json.loads(v) for k, v in raw.items() if k != "config"}
    meta["config"] = TransformerConfig.from_json(raw["config"])
    return meta


def load_seq2seq(
    path: str | Path, device: torch.device | str = "cpu"
) -> tuple[Transformer, dict[str, object]]:
    """Build the model stored at ``path`` in eval mode, frozen, on ``device``; return it and its metadata."""
    meta = read_metadata(path)
    model = Transformer(meta["config"])
    state = load_file(str(path))
    for alias, name in _aliases(model).items():
        if name in state:
            state[alias] = state[name]
    return load_frozen(model, state, device), meta
