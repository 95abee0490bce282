"""The vanilla encoder-decoder Transformer's frozen config (Vaswani et al. 2017) and its presets.

No torch here: parameter counts are computed by formula, so the paper's 63M-parameter base model is never
allocated.
"""

from __future__ import annotations

import dataclasses
import json

from viz.core.config import StackConfig, attention_params, block_params, norm_params


@dataclasses.dataclass(frozen=True)
class TransformerConfig(StackConfig):
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
    n_positions: int = 256  # positions in the sinusoidal table
    layer_norm_eps: float = 1e-5
    share_embeddings: bool = True
    pad_id: int = 0
    activation: str = "relu"  # the paper's FFN: max(0, x W_1 + b_1) W_2 + b_2

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 <= self.pad_id < self.vocab_size:
            raise ValueError(f"pad_id={self.pad_id} is outside the vocabulary of {self.vocab_size}")

    def with_vocab(self, vocab_size: int) -> TransformerConfig:
        return dataclasses.replace(self, vocab_size=vocab_size)

    @property
    def n_params(self) -> int:
        """Trainable parameters by formula (equal to the module's count: tests check on the meta device)."""
        d, v = self.d_model, self.vocab_size
        encoder_layer = block_params(d, self.d_ff)
        decoder_layer = encoder_layer + attention_params(d) + norm_params(d)  # + cross-attention
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
    vocab_size=64, d_model=64, n_layers=1, n_heads=4, d_ff=128, dropout=0.0, n_positions=64
)
#: The bundled task checkpoints: a few hundred thousand parameters.
TRANSFORMER_SMALL = TransformerConfig(
    vocab_size=64, d_model=96, n_layers=2, n_heads=4, d_ff=256, dropout=0.0, n_positions=64
)

TRANSFORMER_PRESETS: dict[str, TransformerConfig] = {
    "tiny": TRANSFORMER_TINY,
    "small": TRANSFORMER_SMALL,
    "base": TRANSFORMER_BASE,
    "big": TRANSFORMER_BIG,
}
