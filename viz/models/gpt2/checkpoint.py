"""Hugging Face GPT-2 folders (``GPT2LMHeadModel``) in and out of our GPT-2.

GPT-2 stores its projections as ``Conv1D`` with weights (in, out), the transpose of ``nn.Linear``'s
(out, in), and packs W^Q, W^K, W^V into one ``c_attn`` of width 3 d_model: :func:`map_gpt2_names`
transposes and splits, :func:`to_gpt2_names` packs them back. Weights are read by :mod:`viz.core.hf_folder`
(safetensors first, never an untrusted pickle).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import torch
from safetensors.torch import save_file

from viz.core.hf_folder import load_frozen, read_state_dict
from viz.models.gpt2.config import GPT2Config
from viz.models.gpt2.model import GPT2

_DIRECT: list[tuple[str, str]] = [
    (r"^wte\.weight$", "wte.weight"),
    (r"^wpe\.weight$", "wpe.weight"),
    (r"^lm_head\.weight$", "lm_head.weight"),  # dropped again by load_gpt2 when the output layer is tied
    (r"^ln_f\.(weight|bias)$", r"norm.\1"),
    (r"^h\.(\d+)\.ln_1\.(weight|bias)$", r"blocks.\1.attention_norm.\2"),
    (r"^h\.(\d+)\.ln_2\.(weight|bias)$", r"blocks.\1.ffn_norm.\2"),
]
# Conv1D layers: weight (in, out) is transposed into nn.Linear's (out, in).
_CONV1D: list[tuple[str, str]] = [
    (r"^h\.(\d+)\.attn\.c_proj\.(weight|bias)$", r"blocks.\1.attention.w_o.\2"),
    (r"^h\.(\d+)\.mlp\.c_fc\.(weight|bias)$", r"blocks.\1.ffn.w_1.\2"),
    (r"^h\.(\d+)\.mlp\.c_proj\.(weight|bias)$", r"blocks.\1.ffn.w_2.\2"),
]
_C_ATTN = re.compile(r"^h\.(\d+)\.attn\.c_attn\.(weight|bias)$")
# Buffers older checkpoints carry (the causal mask as a tensor).
_IGNORED = re.compile(r"^h\.\d+\.attn\.(bias|masked_bias)$")


def map_gpt2_names(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename and reshape a Hugging Face GPT-2 state dict into :class:`GPT2`'s names.

    Raises:
        ValueError: for a tensor this model has no place for.
    """
    mapped: dict[str, torch.Tensor] = {}
    for name, tensor in state.items():
        name = name.removeprefix("transformer.")
        if _IGNORED.match(name):
            continue
        match = _C_ATTN.match(name)
        if match:
            layer, kind = match.groups()
            # weight (d, 3d) -> three (d, d) blocks [q | k | v] along the output axis, each transposed
            parts = tensor.chunk(3, dim=-1)
            for part, target in zip(parts, ("w_q", "w_k", "w_v")):
                mapped[f"blocks.{layer}.attention.{target}.{kind}"] = (
                    part.T.contiguous() if kind == "weight" else part
                )
            continue
        for rules, transpose in ((_DIRECT, False), (_CONV1D, True)):
            for pattern, replacement in rules:
                new_name, n = re.subn(pattern, replacement, name)
                if n:
                    mapped[new_name] = (
                        tensor.T.contiguous() if transpose and name.endswith("weight") else tensor
                    )
                    break
            else:
                continue
            break
        else:
            raise ValueError(f"unexpected tensor in a GPT-2 checkpoint: {name}")
    return mapped


def to_gpt2_names(model: GPT2) -> dict[str, torch.Tensor]:
    """Our weights in the Hugging Face layout (``transformer.`` prefix, Conv1D orientation, packed c_attn)."""
    own = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    out = {
        "transformer.wte.weight": own["wte.weight"],
        "transformer.wpe.weight": own["wpe.weight"],
        "transformer.ln_f.weight": own["norm.weight"],
        "transformer.ln_f.bias": own["norm.bias"],
    }
    if model.lm_head is not None:
        out["lm_head.weight"] = own["lm_head.weight"]
    for i in range(model.config.n_layers):
        p, h = f"blocks.{i}.", f"transformer.h.{i}."
        for ln, ours in (("ln_1", "attention_norm"), ("ln_2", "ffn_norm")):
            out[h + ln + ".weight"], out[h + ln + ".bias"] = (
                own[p + ours + ".weight"],
                own[p + ours + ".bias"],
            )
        out[h + "attn.c_attn.weight"] = torch.cat(
            [own[p + f"attention.{w}.weight"].T for w in ("w_q", "w_k", "w_v")], dim=1
        )
        out[h + "attn.c_attn.bias"] = torch.cat(
            [own[p + f"attention.{w}.bias"] for w in ("w_q", "w_k", "w_v")]
        )
        for ours, theirs in (
            ("attention.w_o", "attn.c_proj"),
            ("ffn.w_1", "mlp.c_fc"),
            ("ffn.w_2", "mlp.c_proj"),
        ):
            out[h + theirs + ".weight"] = own[p + ours + ".weight"].T
            out[h + theirs + ".bias"] = own[p + ours + ".bias"]
    return {k: v.contiguous() for k, v in out.items()}


def save_gpt2_folder(model: GPT2, folder: str | Path, extra_files: dict[str, str] | None = None) -> Path:
    """Write ``config.json`` and ``model.safetensors`` (Hugging Face GPT-2 layout) and ``extra_files``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(model.config.to_hf(), indent=2) + "\n", encoding="utf-8")
    save_file(to_gpt2_names(model), str(folder / "model.safetensors"), metadata={"format": "pt"})
    for name, text in (extra_files or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def load_gpt2(folder: str | Path, device: torch.device | str = "cpu") -> GPT2:
    """Build a :class:`GPT2` from a Hugging Face GPT-2 folder, in eval mode, frozen, on ``device``."""
    folder = Path(folder)
    model = GPT2(GPT2Config.from_hf(folder))
    state = map_gpt2_names(read_state_dict(folder))
    if model.lm_head is None:
        state.pop("lm_head.weight", None)  # a tied output layer is the embedding, whether stored or not
    return load_frozen(model, state, device)
