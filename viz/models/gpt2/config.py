"""The GPT-2 decoder-only model's frozen config (Radford et al. 2019) and its presets. No torch here."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from viz.core.config import StackConfig, block_params, norm_params

#: The ``model_type`` values of the Hugging Face folders this family opens.
HF_MODEL_TYPES = ("gpt2",)


@dataclasses.dataclass(frozen=True)
class GPT2Config(StackConfig):
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
    tied_output: bool = True  # the output layer is the token embedding, transposed (GPT-2's default)
    scale_by_layer: bool = (
        False  # scores also divided by the block's 1-based index (scale_attn_by_inverse_layer_idx)
    )

    @property
    def n_params(self) -> int:
        """Trainable parameters by formula (a tied output layer is the token embedding: counted once)."""
        d = self.d_model
        untied = 0 if self.tied_output else self.vocab_size * d
        return (
            (self.vocab_size + self.n_positions) * d
            + self.n_layers * block_params(d, self.d_ff)
            + norm_params(d)
            + untied
        )

    @classmethod
    def from_hf(cls, path: str | Path) -> GPT2Config:
        """Read a Hugging Face GPT-2 ``config.json`` (a file or the folder holding it).

        Raises:
            ValueError: for another model type or a GPT-2 option this model does not implement.
        """
        path = Path(path)
        if path.is_dir():
            path = path / "config.json"
        return cls.from_hf_dict(json.loads(path.read_text(encoding="utf-8")), source=str(path))

    @classmethod
    def from_hf_dict(cls, raw: dict, source: str = "the config") -> GPT2Config:
        """The same from the dictionary of a ``config.json`` (``transformers.GPT2Config.to_dict()``)."""
        if raw.get("model_type", "gpt2") not in HF_MODEL_TYPES:
            raise ValueError(f"{source} describes a {raw.get('model_type')!r} model, not GPT-2")
        # reorder_and_upcast_attn only computes the same scores in float32 (as this model always does).
        if raw.get("add_cross_attention"):
            raise ValueError(
                "GPT-2 option add_cross_attention (a decoder with cross-attention) is not supported"
            )
        if raw.get("scale_attn_weights", True) is False:
            raise ValueError("GPT-2 option scale_attn_weights=false is not supported")
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
            tied_output=raw.get("tie_word_embeddings", True) is not False,
            scale_by_layer=bool(raw.get("scale_attn_by_inverse_layer_idx", False)),
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
            "tie_word_embeddings": self.tied_output,
            "scale_attn_weights": True,
            "scale_attn_by_inverse_layer_idx": self.scale_by_layer,
        }


#: GPT-2 small (124M parameters), the checkpoint "gpt2" on the Hugging Face hub.
GPT2_SMALL = GPT2Config()
#: The bundled character-level decoder-only model (reversal written as one sequence "input>output").
GPT2_CHAR = GPT2Config(vocab_size=64, n_positions=64, d_model=96, n_layers=3, n_heads=4, d_ff=384)

GPT2_PRESETS: dict[str, GPT2Config] = {"gpt2": GPT2_SMALL, "char": GPT2_CHAR}
