"""The BERT-style encoder's frozen config (Devlin et al. 2019) and its presets. No torch here.

One config covers the BERT family's descendants that share its post-LayerNorm block: DistilBERT (Sanh et al.
2019: no token types), RoBERTa and XLM-RoBERTa (Liu et al. 2019, Conneau et al. 2020: positions counted from
padding_idx + 1), ELECTRA (Clark et al. 2020: embeddings of width E projected to d_model) and ALBERT (Lan et al.
2020: factorised embeddings E -> d_model and one block shared by every layer).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from viz.core.config import StackConfig, block_params, check_positive, norm_params

#: The ``model_type`` values of the Hugging Face folders this family opens.
HF_MODEL_TYPES = ("bert", "distilbert", "roberta", "xlm-roberta", "electra", "albert")


@dataclasses.dataclass(frozen=True)
class EncoderConfig(StackConfig):
    """A BERT-style encoder (post-LayerNorm, GELU feed-forward, learned positions).

    Field names follow the papers; ``from_hf`` reads a Hugging Face ``config.json``. The defaults of the
    fields after ``pad_token_id`` keep BERT as it was: embeddings as wide as the model, positions from 0,
    one block per layer.
    """

    vocab_size: int = 30522
    d_model: int = 384
    n_layers: int = 6
    n_heads: int = 12
    d_ff: int = 1536
    n_positions: int = 512
    type_vocab_size: int = 2  # 0: no token type (segment) embeddings (DistilBERT)
    layer_norm_eps: float = 1e-12
    activation: str = "gelu"
    pad_token_id: int = 0
    model_type: str = "bert"  # the Hugging Face family, which names the checkpoint's tensors
    d_embedding: int | None = None  # E, the embeddings' width (ALBERT, ELECTRA); None: d_model
    embedding_projection: bool = False  # a linear map E -> d_model after the embeddings' LayerNorm
    position_offset: int = 0  # the first position id (RoBERTa: padding_idx + 1; padding sits at padding_idx)
    shared_layers: bool = False  # one block's weights used by all n_layers layers (ALBERT)

    def __post_init__(self) -> None:
        """As :class:`StackConfig`, and: embeddings of another width than d_model need the projection, and the
        position offset leaves at least one position."""
        super().__post_init__()
        check_positive(self, ("type_vocab_size", "position_offset"), allow_zero=True)
        if self.model_type not in HF_MODEL_TYPES:
            raise ValueError(f"model_type {self.model_type!r} is not one of {HF_MODEL_TYPES}")
        if self.d_embedding is not None:
            check_positive(self, ("d_embedding",))
            if self.d_embedding != self.d_model and not self.embedding_projection:
                raise ValueError(
                    f"embeddings of width {self.d_embedding} need embedding_projection to reach "
                    f"d_model={self.d_model}"
                )
        if self.position_offset >= self.n_positions:
            raise ValueError(
                f"position_offset={self.position_offset} leaves none of {self.n_positions} positions"
            )

    @property
    def d_embed(self) -> int:
        """E, the width of the token, position and segment embeddings (d_model unless factorised)."""
        return self.d_model if self.d_embedding is None else self.d_embedding

    @property
    def max_length(self) -> int:
        """The most tokens one sequence may have: the positions after the offset."""
        return self.n_positions - self.position_offset

    @property
    def n_distinct_blocks(self) -> int:
        """Blocks with their own weights: 1 when every layer shares one (ALBERT), else n_layers."""
        return 1 if self.shared_layers else self.n_layers

    @property
    def n_params(self) -> int:
        """Parameters by formula: the embedding tables and their LayerNorm (and projection), then the distinct
        blocks (no pooler, no head)."""
        d, e = self.d_model, self.d_embed
        embeddings = (self.vocab_size + self.n_positions + self.type_vocab_size) * e + norm_params(e)
        projection = e * d + d if self.embedding_projection else 0
        return embeddings + projection + self.n_distinct_blocks * block_params(d, self.d_ff)

    @classmethod
    def from_hf(cls, path: str | Path) -> EncoderConfig:
        """Read a Hugging Face ``config.json`` (a file or the folder holding it) of any type in HF_MODEL_TYPES.

        Raises:
            ValueError: for another model type, relative position embeddings, a decoder, or an ALBERT with
                several layer groups or several layers in a group.
        """
        path = Path(path)
        if path.is_dir():
            path = path / "config.json"
        raw = json.loads(path.read_text(encoding="utf-8"))
        model_type = raw.get("model_type", "bert")
        if model_type not in HF_MODEL_TYPES:
            raise ValueError(
                f"{path} describes a {model_type!r} model, not a BERT-style encoder "
                f"(the text encoders opened are of model types {', '.join(HF_MODEL_TYPES)})"
            )
        if model_type == "distilbert":
            return cls._from_distilbert(raw)
        family = model_type.upper()
        if raw.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"{family}: only absolute (learned) position embeddings are supported")
        if raw.get("is_decoder") or raw.get("add_cross_attention"):
            # A BERT decoder attends causally (and may cross-attend): opened as an encoder, its attention would
            # be shown wrong, with no error. Refuse it.
            raise ValueError(
                f"this {family} folder is a decoder (is_decoder / add_cross_attention): only encoders, which "
                "attend in both directions, can be opened here"
            )
        fields = dict(
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
            model_type=model_type,
        )
        if model_type in ("roberta", "xlm-roberta"):
            pad = raw.get("pad_token_id", 1)
            fields.update(pad_token_id=pad, position_offset=pad + 1)
        elif model_type == "electra":
            e = raw.get("embedding_size", raw["hidden_size"])
            fields.update(d_embedding=e, embedding_projection=e != raw["hidden_size"])
        elif model_type == "albert":
            groups, inner = raw.get("num_hidden_groups", 1), raw.get("inner_group_num", 1)
            if groups != 1 or inner != 1:
                raise ValueError(
                    f"ALBERT with num_hidden_groups={groups} and inner_group_num={inner} is not supported: only "
                    "one layer group of one layer, shared by every layer (as every released ALBERT), opens here"
                )
            fields.update(
                d_embedding=raw.get("embedding_size", 128),
                embedding_projection=True,
                shared_layers=True,
                activation=raw.get("hidden_act", "gelu_new"),
            )
        return cls(**fields)

    @classmethod
    def _from_distilbert(cls, raw: dict) -> EncoderConfig:
        # DistilBERT names its sizes its own way and has no token types; its LayerNorms use eps 1e-12. Sinusoidal
        # positions (sinusoidal_pos_embds) are a fixed table that Hugging Face saves with the weights: read as any
        # other table, they give the same embeddings.
        return cls(
            vocab_size=raw["vocab_size"],
            d_model=raw.get("dim", 768),
            n_layers=raw.get("n_layers", 6),
            n_heads=raw.get("n_heads", 12),
            d_ff=raw.get("hidden_dim", 3072),
            n_positions=raw.get("max_position_embeddings", 512),
            type_vocab_size=0,
            layer_norm_eps=1e-12,
            activation=raw.get("activation", "gelu"),
            pad_token_id=raw.get("pad_token_id", 0) or 0,
            model_type="distilbert",
        )


#: all-MiniLM-L6-v2 (Wang et al. 2020, fine-tuned by sentence-transformers).
MINILM_L6 = EncoderConfig()
#: BERT-base (Devlin et al. 2019), for parameter counts.
BERT_BASE = EncoderConfig(d_model=768, n_layers=12, n_heads=12, d_ff=3072)

ENCODER_PRESETS: dict[str, EncoderConfig] = {"minilm": MINILM_L6, "bert-base": BERT_BASE}
