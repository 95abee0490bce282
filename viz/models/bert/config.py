"""The BERT-style encoder's frozen config (Devlin et al. 2019) and its presets. No torch here."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from viz.core.config import StackConfig, block_params, norm_params

#: The ``model_type`` values of the Hugging Face folders this family opens.
HF_MODEL_TYPES = ("bert",)


@dataclasses.dataclass(frozen=True)
class EncoderConfig(StackConfig):
    """A BERT-style encoder (post-LayerNorm, GELU feed-forward, learned positions).

    Field names follow the papers; ``from_hf`` reads a Hugging Face ``config.json``.
    """

    vocab_size: int = 30522
    d_model: int = 384
    n_layers: int = 6
    n_heads: int = 12
    d_ff: int = 1536
    n_positions: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    activation: str = "gelu"
    pad_token_id: int = 0

    @property
    def n_params(self) -> int:
        """Parameters by formula: the three embedding tables and their LayerNorm, then the blocks (no pooler)."""
        d = self.d_model
        embeddings = (self.vocab_size + self.n_positions + self.type_vocab_size) * d + norm_params(d)
        return embeddings + self.n_layers * block_params(d, self.d_ff)

    @classmethod
    def from_hf(cls, path: str | Path) -> EncoderConfig:
        """Read a Hugging Face BERT ``config.json`` (a file or the folder holding it)."""
        path = Path(path)
        if path.is_dir():
            path = path / "config.json"
        raw = json.loads(path.read_text(encoding="utf-8"))
        model_type = raw.get("model_type", "bert")
        if model_type not in HF_MODEL_TYPES:
            raise ValueError(f"{path} describes a {model_type!r} model, not a BERT encoder")
        if raw.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError("only absolute (learned) position embeddings are supported")
        if raw.get("is_decoder") or raw.get("add_cross_attention"):
            # A BERT decoder attends causally (and may cross-attend): opened as an encoder, its attention would
            # be shown wrong, with no error. Refuse it.
            raise ValueError(
                "this BERT folder is a decoder (is_decoder / add_cross_attention): only BERT encoders, which "
                "attend in both directions, can be opened here"
            )
        return cls(
            vocab_size=raw["vocab_size"],
            d_model=raw["hidden_size"],
            n_layers=raw["num_hidden_layers"],
            n_heads=raw["num_attention_heads"],
            d_ff=raw["intermediate_size"],
            n_positions=raw.get("max_position_embeddings", 512),
            type_vocab_size=raw.get("type_vocab_size", 2),
            layer_norm_eps=raw.get("layer_norm_eps", 1e-12),
            activation=raw.get("hidden_act", "gelu"),
            pad_token_id=raw.get("pad_token_id", 0) or 0,
        )


#: all-MiniLM-L6-v2 (Wang et al. 2020, fine-tuned by sentence-transformers).
MINILM_L6 = EncoderConfig()
#: BERT-base (Devlin et al. 2019), for parameter counts.
BERT_BASE = EncoderConfig(d_model=768, n_layers=12, n_heads=12, d_ff=3072)

ENCODER_PRESETS: dict[str, EncoderConfig] = {"minilm": MINILM_L6, "bert-base": BERT_BASE}
