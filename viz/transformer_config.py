"""Frozen configs for the encoder-decoder Transformer and the GPT-2-style decoder-only model, with presets.

Kept apart from :mod:`viz.config` (the encoder's) so each model family owns one small file. Torch-free:
parameter counts are computed by formula, so the paper's 63M-parameter base model is never allocated.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path


def _check_positive(config, names: tuple[str, ...]) -> None:
    for name in names:
        if getattr(config, name) <= 0:
            raise ValueError(f"{name} must be positive, got {getattr(config, name)}")


def _attention_params(d_model: int) -> int:
    """W^Q, W^K, W^V, W^O with biases."""
    return 4 * (d_model * d_model + d_model)


def _ffn_params(d_model: int, d_ff: int) -> int:
    """W_1 (d_model x d_ff) + b_1, W_2 (d_ff x d_model) + b_2."""
    return d_model * d_ff + d_ff + d_ff * d_model + d_model


def _norm_params(d_model: int) -> int:
    return 2 * d_model


@dataclasses.dataclass(frozen=True)
class TransformerConfig:
    """The vanilla encoder-decoder Transformer (Vaswani et al. 2017).

    Post-LayerNorm sub-layers, ReLU feed-forward, sinusoidal positions, embeddings scaled by sqrt(d_model).
    One vocabulary is shared by source and target; with ``share_embeddings`` the encoder embedding, the
    decoder embedding and the pre-softmax linear are one matrix (section 3.4 of the paper).
    """

    vocab_size: int = 37000
    d_model: int = 512
    n_layers: int = 6  # N: encoder layers, and as many decoder layers
    n_heads: int = 8  # h
    d_ff: int = 2048
    dropout: float = 0.1  # P_drop
    max_len: int = 256  # positions in the sinusoidal table
    layer_norm_eps: float = 1e-5
    share_embeddings: bool = True
    pad_id: int = 0

    def __post_init__(self) -> None:
        _check_positive(self, ("vocab_size", "d_model", "n_layers", "n_heads", "d_ff", "max_len"))
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} is not divisible by n_heads={self.n_heads}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if not 0 <= self.pad_id < self.vocab_size:
            raise ValueError(f"pad_id={self.pad_id} is outside the vocabulary of {self.vocab_size}")

    @property
    def d_head(self) -> int:
        """d_k = d_v = d_model / h."""
        return self.d_model // self.n_heads

    def with_vocab(self, vocab_size: int) -> TransformerConfig:
        return dataclasses.replace(self, vocab_size=vocab_size)

    @property
    def n_params(self) -> int:
        """Trainable parameters by formula (equal to the module's count: tests check on the meta device)."""
        d, v = self.d_model, self.vocab_size
        encoder_layer = _attention_params(d) + _ffn_params(d, self.d_ff) + 2 * _norm_params(d)
        decoder_layer = 2 * _attention_params(d) + _ffn_params(d, self.d_ff) + 3 * _norm_params(d)
        embeddings = v * d if self.share_embeddings else 3 * v * d
        output_bias = v
        return self.n_layers * (encoder_layer + decoder_layer) + embeddings + output_bias

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TransformerConfig:
        return cls(**json.loads(text))


#: The paper's base model (Table 3): N=6, d_model=512, d_ff=2048, h=8, P_drop=0.1, a shared BPE vocabulary of
#: about 37000 tokens (English-German).
TRANSFORMER_BASE = TransformerConfig()
#: The paper's big model: d_model=1024, d_ff=4096, h=16, P_drop=0.3.
TRANSFORMER_BIG = TransformerConfig(d_model=1024, n_heads=16, d_ff=4096, dropout=0.3)
#: Trains live in the page in under a minute on two CPU cores (reversal of up to 8 characters).
TRANSFORMER_TINY = TransformerConfig(
    vocab_size=64, d_model=64, n_layers=1, n_heads=4, d_ff=128, dropout=0.0, max_len=64
)
#: The bundled task checkpoints: a few hundred thousand parameters.
TRANSFORMER_SMALL = TransformerConfig(
    vocab_size=64, d_model=96, n_layers=2, n_heads=4, d_ff=256, dropout=0.0, max_len=64
)

TRANSFORMER_PRESETS: dict[str, TransformerConfig] = {
    "tiny": TRANSFORMER_TINY,
    "small": TRANSFORMER_SMALL,
    "base": TRANSFORMER_BASE,
    "big": TRANSFORMER_BIG,
}


@dataclasses.dataclass(frozen=True)
class DecoderConfig:
    """A GPT-2-style decoder-only model (Radford et al. 2019): pre-LayerNorm blocks, learned positions,
    GELU (tanh approximation) feed-forward, output layer tied to the token embedding.

    Field names follow the papers; :meth:`from_hf` / :meth:`to_hf` read and write a Hugging Face GPT-2
    ``config.json``.
    """

    vocab_size: int = 50257
    n_positions: int = 1024
    d_model: int = 768
    n_layers: int = 12
    n_heads: int = 12
    d_ff: int = 3072
    layer_norm_eps: float = 1e-5
    activation: str = "gelu_new"
    dropout: float = 0.0

    def __post_init__(self) -> None:
        _check_positive(self, ("vocab_size", "n_positions", "d_model", "n_layers", "n_heads", "d_ff"))
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} is not divisible by n_heads={self.n_heads}")
        if self.activation not in DECODER_ACTIVATIONS:
            raise ValueError(f"activation {self.activation!r} is not one of {sorted(DECODER_ACTIVATIONS)}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    @property
    def n_params(self) -> int:
        """Trainable parameters by formula (the output layer is tied to the token embedding)."""
        d = self.d_model
        block = _attention_params(d) + _ffn_params(d, self.d_ff) + 2 * _norm_params(d)
        return self.vocab_size * d + self.n_positions * d + self.n_layers * block + _norm_params(d)

    @classmethod
    def from_hf(cls, path: str | Path) -> DecoderConfig:
        """Read a Hugging Face GPT-2 ``config.json`` (a file or the folder holding it).

        Raises:
            ValueError: for another model type or a GPT-2 option this model does not implement.
        """
        path = Path(path)
        if path.is_dir():
            path = path / "config.json"
        return cls.from_hf_dict(json.loads(path.read_text(encoding="utf-8")), source=str(path))

    @classmethod
    def from_hf_dict(cls, raw: dict, source: str = "the config") -> DecoderConfig:
        """The same from the dictionary of a ``config.json`` (``transformers.GPT2Config.to_dict()``)."""
        if raw.get("model_type", "gpt2") != "gpt2":
            raise ValueError(f"{source} describes a {raw.get('model_type')!r} model, not GPT-2")
        for option in ("scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn", "add_cross_attention"):
            if raw.get(option):
                raise ValueError(f"GPT-2 option {option} is not supported")
        if raw.get("scale_attn_weights", True) is False:
            raise ValueError("GPT-2 option scale_attn_weights=false is not supported")
        if raw.get("tie_word_embeddings", True) is False:
            raise ValueError(
                "only GPT-2 checkpoints with the output layer tied to the embedding are supported"
            )
        d_model = raw["n_embd"]
        return cls(
            vocab_size=raw["vocab_size"],
            n_positions=raw.get("n_positions", 1024),
            d_model=d_model,
            n_layers=raw["n_layer"],
            n_heads=raw["n_head"],
            d_ff=raw.get("n_inner") or 4 * d_model,
            layer_norm_eps=raw.get("layer_norm_epsilon", 1e-5),
            activation=raw.get("activation_function", "gelu_new"),
        )

    def to_hf(self) -> dict:
        """The Hugging Face ``config.json`` content describing this model."""
        return {
            "model_type": "gpt2",
            "architectures": ["GPT2LMHeadModel"],
            "vocab_size": self.vocab_size,
            "n_positions": self.n_positions,
            "n_ctx": self.n_positions,
            "n_embd": self.d_model,
            "n_layer": self.n_layers,
            "n_head": self.n_heads,
            "n_inner": self.d_ff,
            "layer_norm_epsilon": self.layer_norm_eps,
            "activation_function": self.activation,
            "resid_pdrop": self.dropout,
            "embd_pdrop": self.dropout,
            "attn_pdrop": self.dropout,
            "tie_word_embeddings": True,
            "scale_attn_weights": True,
        }


DECODER_ACTIVATIONS = {"gelu", "relu", "gelu_new", "gelu_pytorch_tanh"}

#: GPT-2 small (124M parameters), the checkpoint "gpt2" on the Hugging Face hub.
GPT2_SMALL = DecoderConfig()
#: The bundled character-level decoder-only model (reversal written as one sequence "input>output").
DECODER_CHAR = DecoderConfig(vocab_size=64, n_positions=64, d_model=96, n_layers=3, n_heads=4, d_ff=384)

DECODER_PRESETS: dict[str, DecoderConfig] = {"gpt2": GPT2_SMALL, "char": DECODER_CHAR}
