"""Frozen, hashable configs, one per model family, with their presets."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class EncoderConfig:
    """A BERT-style encoder (post-LayerNorm, GELU feed-forward, learned positions).

    Field names follow the papers; ``from_hf`` reads a Hugging Face ``config.json``.
    """

    vocab_size: int = 30522
    d_model: int = 384
    n_layers: int = 6
    n_heads: int = 12
    d_ff: int = 1536
    max_positions: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    activation: str = "gelu"
    pad_token_id: int = 0

    def __post_init__(self) -> None:
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} is not divisible by n_heads={self.n_heads}")
        for name in ("vocab_size", "d_model", "n_layers", "n_heads", "d_ff", "max_positions"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation {self.activation!r} is not one of {sorted(ACTIVATIONS)}")

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    @classmethod
    def from_hf(cls, path: str | Path) -> EncoderConfig:
        """Read a Hugging Face BERT ``config.json`` (a file or the folder holding it)."""
        path = Path(path)
        if path.is_dir():
            path = path / "config.json"
        raw = json.loads(path.read_text(encoding="utf-8"))
        model_type = raw.get("model_type", "bert")
        if model_type != "bert":
            raise ValueError(f"{path} describes a {model_type!r} model, not a BERT encoder")
        if raw.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError("only absolute (learned) position embeddings are supported")
        return cls(
            vocab_size=raw["vocab_size"],
            d_model=raw["hidden_size"],
            n_layers=raw["num_hidden_layers"],
            n_heads=raw["num_attention_heads"],
            d_ff=raw["intermediate_size"],
            max_positions=raw.get("max_position_embeddings", 512),
            type_vocab_size=raw.get("type_vocab_size", 2),
            layer_norm_eps=raw.get("layer_norm_eps", 1e-12),
            activation=raw.get("hidden_act", "gelu"),
            pad_token_id=raw.get("pad_token_id", 0) or 0,
        )


ACTIVATIONS = {"gelu", "relu", "gelu_new", "gelu_pytorch_tanh"}

#: all-MiniLM-L6-v2 (Wang et al. 2020, fine-tuned by sentence-transformers).
MINILM_L6 = EncoderConfig()
#: BERT-base (Devlin et al. 2019), for parameter counts.
BERT_BASE = EncoderConfig(d_model=768, n_layers=12, n_heads=12, d_ff=3072)

ENCODER_PRESETS: dict[str, EncoderConfig] = {"minilm": MINILM_L6, "bert-base": BERT_BASE}
