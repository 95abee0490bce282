"""Loading Hugging Face checkpoint folders into our modules: safetensors first, never a pickle.

A folder holds ``config.json`` and ``model.safetensors`` (or ``pytorch_model.bin``, read with
``torch.load(weights_only=True)``). Names are mapped explicitly from the Hugging Face layout to ours,
and a missing or unexpected tensor is an error, not a silent skip.
"""

from __future__ import annotations

import re
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn

from viz.config import EncoderConfig
from viz.models.encoder import BertEncoder

# Hugging Face BERT name (after stripping a leading "bert.") -> our name.
_BERT_RULES: list[tuple[str, str]] = [
    (r"^embeddings\.word_embeddings\.", "embeddings.token."),
    (r"^embeddings\.position_embeddings\.", "embeddings.position."),
    (r"^embeddings\.token_type_embeddings\.", "embeddings.segment."),
    (r"^embeddings\.LayerNorm\.", "embeddings.norm."),
    (r"^encoder\.layer\.(\d+)\.attention\.self\.query\.", r"layers.\1.attention.w_q."),
    (r"^encoder\.layer\.(\d+)\.attention\.self\.key\.", r"layers.\1.attention.w_k."),
    (r"^encoder\.layer\.(\d+)\.attention\.self\.value\.", r"layers.\1.attention.w_v."),
    (r"^encoder\.layer\.(\d+)\.attention\.output\.dense\.", r"layers.\1.attention.w_o."),
    (r"^encoder\.layer\.(\d+)\.attention\.output\.LayerNorm\.", r"layers.\1.attention_norm."),
    (r"^encoder\.layer\.(\d+)\.intermediate\.dense\.", r"layers.\1.ffn.w_1."),
    (r"^encoder\.layer\.(\d+)\.output\.dense\.", r"layers.\1.ffn.w_2."),
    (r"^encoder\.layer\.(\d+)\.output\.LayerNorm\.", r"layers.\1.ffn_norm."),
]
# Tensors a BERT checkpoint may carry that the encoder does not use (pooler, task heads, buffers).
_BERT_IGNORED = re.compile(r"^(pooler\.|cls\.|classifier\.|qa_outputs\.|embeddings\.position_ids)")


def read_state_dict(folder: Path) -> dict[str, torch.Tensor]:
    """Read the weights of a checkpoint folder without unpickling anything untrusted."""
    safetensors_path = folder / "model.safetensors"
    if safetensors_path.exists():
        return load_file(str(safetensors_path))
    bin_path = folder / "pytorch_model.bin"
    if bin_path.exists():
        return torch.load(bin_path, map_location="cpu", weights_only=True)
    raise FileNotFoundError(f"{folder} has neither model.safetensors nor pytorch_model.bin")


def map_bert_names(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename a Hugging Face BERT state dict to :class:`BertEncoder`'s names."""
    mapped: dict[str, torch.Tensor] = {}
    for name, tensor in state.items():
        name = name.removeprefix("bert.")
        if _BERT_IGNORED.match(name):
            continue
        for pattern, replacement in _BERT_RULES:
            new_name, n = re.subn(pattern, replacement, name)
            if n:
                # LayerNorm parameters were called gamma/beta in the oldest checkpoints.
                mapped[new_name.replace(".gamma", ".weight").replace(".beta", ".bias")] = tensor
                break
        else:
            raise ValueError(f"unexpected tensor in a BERT checkpoint: {name}")
    return mapped


def load_strict(module: nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Copy ``state`` into ``module``; every parameter must be present with the right shape."""
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    if missing or unexpected:
        raise ValueError(
            f"checkpoint does not fit the model: missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
    for name, tensor in state.items():
        if own[name].shape != tensor.shape:
            raise ValueError(
                f"{name}: checkpoint shape {tuple(tensor.shape)} != model {tuple(own[name].shape)}"
            )
    module.load_state_dict(state, strict=True)


def load_bert_encoder(folder: str | Path, device: torch.device | str = "cpu") -> BertEncoder:
    """Build a :class:`BertEncoder` from a Hugging Face BERT folder, in eval mode, frozen, on ``device``."""
    folder = Path(folder)
    config = EncoderConfig.from_hf(folder)
    model = BertEncoder(config)
    load_strict(model, {k: v.float() for k, v in map_bert_names(read_state_dict(folder)).items()})
    model.eval().requires_grad_(False)
    return model.to(device)
