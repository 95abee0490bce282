"""A decoder-only causal language model (GPT-2, Radford et al. 2019) built from the same parts.

    x = wte(tokens) + wpe(positions)
    block: x = x + MaskedSelfAttention(LN_1(x));  x = x + FFN(LN_2(x))     (pre-LayerNorm, no cross-attention)
    logits = LN_f(x) wte^T                                                  (output tied to the embedding)

Weight-compatible with Hugging Face ``GPT2LMHeadModel`` folders (config.json + model.safetensors). GPT-2
stores its projections as ``Conv1D`` with weights (in, out), the transpose of ``nn.Linear``'s (out, in), and
packs W^Q, W^K, W^V into one ``c_attn`` of width 3 d_model: :func:`map_gpt2_names` transposes and splits.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

from viz.models.attention import AttentionTrace, MultiHeadAttention, causal_mask, padding_mask
from viz.models.checkpoint import load_strict, read_state_dict
from viz.models.encoder import FeedForward
from viz.transformer_config import DecoderConfig


class DecoderOnlyBlock(nn.Module):
    """Pre-LN block: masked self-attention and FFN, each added to the residual stream."""

    def __init__(self, config: DecoderConfig) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.attention = MultiHeadAttention(config.d_model, config.n_heads)
        self.ln_2 = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.ffn = FeedForward(config.d_model, config.d_ff, config.activation)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor) -> tuple[torch.Tensor, AttentionTrace]:
        attended, trace = self.attention(self.ln_1(x), allowed=allowed)
        x = x + self.dropout(attended)
        x = x + self.dropout(self.ffn(self.ln_2(x)))
        return x, trace


@dataclasses.dataclass(frozen=True)
class DecoderOnlyOutput:
    """What the model computed: the residual stream after each block and every block's attention trace."""

    hidden_states: tuple[torch.Tensor, ...]  # n_layers + 1 tensors (B, T, d_model); [0] = embeddings
    traces: tuple[AttentionTrace, ...]  # per layer; weights (B, H, T, T), zero above the diagonal

    @property
    def attentions(self) -> torch.Tensor:
        """(n_layers, B, H, T, T)."""
        return torch.stack([t.weights for t in self.traces])


class GPT2(nn.Module):
    """Decoder-only causal transformer with GPT-2's layout."""

    def __init__(self, config: DecoderConfig) -> None:
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.d_model)
        self.wpe = nn.Embedding(config.n_positions, config.d_model)
        self.dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(DecoderOnlyBlock(config) for _ in range(config.n_layers))
        self.ln_f = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        for name, p in self.named_parameters():  # GPT-2's initialisation
            if p.dim() > 1:
                nn.init.normal_(p, std=0.02)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, DecoderOnlyOutput]:
        """input_ids (B, T) -> logits (B, T, vocab); position t sees positions <= t only.

        Args:
            attention_mask: optional (B, T), 1 = token, 0 = padding (padding keys are hidden).
        """
        n = input_ids.shape[1]
        if n > self.config.n_positions:
            raise ValueError(f"{n} tokens exceed the model's {self.config.n_positions} positions")
        allowed = causal_mask(n, device=input_ids.device)
        if attention_mask is not None:
            allowed = allowed & padding_mask(attention_mask)
        positions = torch.arange(n, device=input_ids.device)[None]
        x = self.dropout(self.wte(input_ids) + self.wpe(positions))
        hidden, traces = [x], []
        for block in self.blocks:
            x, trace = block(x, allowed)
            hidden.append(x)
            traces.append(trace)
        logits = self.ln_f(x) @ self.wte.weight.T  # the output layer is the embedding, transposed
        return logits, DecoderOnlyOutput(tuple(hidden), tuple(traces))

    @torch.no_grad()
    def generate_greedy(
        self, input_ids: torch.Tensor, max_new_tokens: int, stop_id: int | None = None
    ) -> list[int]:
        """Greedy continuation of one sequence (1, T); returns the new ids (stop id included when reached)."""
        ids = input_ids
        new: list[int] = []
        for _ in range(max_new_tokens):
            if ids.shape[1] >= self.config.n_positions:
                break
            logits, _ = self(ids)
            token = int(logits[0, -1].argmax())
            new.append(token)
            if token == stop_id:
                break
            ids = torch.cat([ids, torch.tensor([[token]], device=ids.device)], dim=1)
        return new


# ---- Hugging Face GPT-2 layout <-> ours -----------------------------------------------------------------
_DIRECT: list[tuple[str, str]] = [
    (r"^wte\.weight$", "wte.weight"),
    (r"^wpe\.weight$", "wpe.weight"),
    (r"^ln_f\.(weight|bias)$", r"ln_f.\1"),
    (r"^h\.(\d+)\.ln_1\.(weight|bias)$", r"blocks.\1.ln_1.\2"),
    (r"^h\.(\d+)\.ln_2\.(weight|bias)$", r"blocks.\1.ln_2.\2"),
]
# Conv1D layers: weight (in, out) is transposed into nn.Linear's (out, in).
_CONV1D: list[tuple[str, str]] = [
    (r"^h\.(\d+)\.attn\.c_proj\.(weight|bias)$", r"blocks.\1.attention.w_o.\2"),
    (r"^h\.(\d+)\.mlp\.c_fc\.(weight|bias)$", r"blocks.\1.ffn.w_1.\2"),
    (r"^h\.(\d+)\.mlp\.c_proj\.(weight|bias)$", r"blocks.\1.ffn.w_2.\2"),
]
_C_ATTN = re.compile(r"^h\.(\d+)\.attn\.c_attn\.(weight|bias)$")
# Buffers older checkpoints carry (the causal mask as a tensor) and the tied output layer.
_IGNORED = re.compile(r"^(h\.\d+\.attn\.(bias|masked_bias)|lm_head\.weight)$")


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
        "transformer.ln_f.weight": own["ln_f.weight"],
        "transformer.ln_f.bias": own["ln_f.bias"],
    }
    for i in range(model.config.n_layers):
        p, h = f"blocks.{i}.", f"transformer.h.{i}."
        for ln in ("ln_1", "ln_2"):
            out[h + ln + ".weight"], out[h + ln + ".bias"] = own[p + ln + ".weight"], own[p + ln + ".bias"]
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
    model = GPT2(DecoderConfig.from_hf(folder))
    load_strict(model, {k: v.float() for k, v in map_gpt2_names(read_state_dict(folder)).items()})
    model.eval().requires_grad_(False)
    return model.to(device)
