"""The vanilla encoder-decoder Transformer (Vaswani et al. 2017), built on the transparent attention.

    x = Embedding(tokens) * sqrt(d_model) + PE(positions), then dropout
    encoder layer:  x = LN(x + SelfAttention(x));          x = LN(x + FFN(x))
    decoder layer:  y = LN(y + MaskedSelfAttention(y));    y = LN(y + CrossAttention(y, memory))
                    y = LN(y + FFN(y))
    output:         softmax(y W_out^T + b_out)

Every sub-layer's dropout is applied to its output before the residual sum, as in section 5.4.
``forward`` returns a :class:`Seq2SeqOutput` (the logits and every attention trace); ``decode_step`` decodes
one token at a time from a cache of each decoder block's past inputs and gives the same numbers as the full
forward (tests check it).
"""

from __future__ import annotations

import dataclasses
import math

import torch
from torch import nn

from viz.layers.attention import AttentionTrace, MultiHeadAttention, causal_mask, padding_mask
from viz.layers.blocks import BlockTrace, PostNormBlock, run_stack, run_stack_traced
from viz.layers.feed_forward import FeedForward
from viz.layers.positional import sinusoidal_encoding
from viz.models.seq2seq.config import TransformerConfig


class TokenEmbedding(nn.Module):
    """Embedding scaled by sqrt(d_model) plus the fixed sinusoidal positional encoding, then dropout."""

    def __init__(self, embedding: nn.Embedding, config: TransformerConfig) -> None:
        super().__init__()
        self.embedding = embedding
        self.scale = math.sqrt(config.d_model)
        pe = torch.tensor(sinusoidal_encoding(config.n_positions, config.d_model), dtype=torch.float32)
        self.register_buffer("positional", pe, persistent=False)  # (n_positions, d_model), not a parameter
        self.dropout = nn.Dropout(config.dropout)
        self.n_positions = config.n_positions

    def forward(self, ids: torch.Tensor, start: int = 0) -> torch.Tensor:
        """ids (B, T) at positions start .. start + T - 1 -> (B, T, d_model)."""
        end = start + ids.shape[1]
        if end > self.n_positions:
            raise ValueError(f"position {end - 1} is beyond the model's {self.n_positions} positions")
        return self.dropout(self.embedding(ids) * self.scale + self.positional[start:end])


class DecoderBlock(nn.Module):
    """Masked self-attention, cross-attention on the encoder output, FFN; each with residual + LayerNorm.

    The parts are created in the order they run, so a seeded initialisation draws them as it always did.
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        d_model, eps = config.d_model, config.layer_norm_eps
        self.attention = MultiHeadAttention(d_model, config.n_heads)
        self.attention_norm = nn.LayerNorm(d_model, eps=eps)
        self.cross_attention = MultiHeadAttention(d_model, config.n_heads)
        self.cross_attention_norm = nn.LayerNorm(d_model, eps=eps)
        self.ffn = FeedForward(d_model, config.d_ff, config.activation)
        self.ffn_norm = nn.LayerNorm(d_model, eps=eps)
        self.dropout = nn.Dropout(config.dropout)

    def forward(
        self,
        y: torch.Tensor,
        memory: torch.Tensor,
        self_allowed: torch.Tensor | None,
        cross_allowed: torch.Tensor | None,
        past: torch.Tensor | None = None,
        trace: bool = True,
    ) -> tuple[torch.Tensor, AttentionTrace | None, AttentionTrace | None]:
        """Args:
        y: (B, T_new, d_model) the decoder positions to compute.
        memory: (B, S, d_model) the encoder output.
        self_allowed / cross_allowed: boolean masks, True where a query may attend.
        past: (B, T_past, d_model) this block's inputs at earlier positions (incremental decoding):
            the new positions attend to ``past`` followed by themselves.
        trace: keep both attention traces (False: the fused kernel; the traces are None).
        """
        context = y if past is None else torch.cat([past, y], dim=1)
        attended, self_trace = self.attention(y, context=context, allowed=self_allowed, trace=trace)
        y = self.attention_norm(y + self.dropout(attended))
        attended, cross_trace = self.cross_attention(y, context=memory, allowed=cross_allowed, trace=trace)
        y = self.cross_attention_norm(y + self.dropout(attended))
        y = self.ffn_norm(y + self.dropout(self.ffn(y)))
        return y, self_trace, cross_trace


@dataclasses.dataclass(frozen=True)
class Seq2SeqOutput:
    """Everything one forward pass computed. L = layers, B = batch, S = source length, T = target length.

    The traces are empty when the model ran with ``trace=False``.
    """

    logits: torch.Tensor  # (B, T, vocab) before the softmax
    encoder_hidden: tuple[torch.Tensor, ...]  # L + 1 tensors (B, S, d_model); [0] = embeddings
    decoder_hidden: tuple[torch.Tensor, ...]  # L + 1 tensors (B, T, d_model)
    encoder_traces: tuple[AttentionTrace, ...]  # per layer: self-attention, weights (B, H, S, S)
    decoder_self_traces: tuple[AttentionTrace, ...]  # per layer: masked self-attention, weights (B, H, T, T)
    cross_traces: tuple[AttentionTrace, ...]  # per layer: cross-attention, weights (B, H, T, S)

    @staticmethod
    def _weights(traces: tuple[AttentionTrace, ...]) -> torch.Tensor:
        return torch.stack([t.weights for t in traces])

    @property
    def encoder_attentions(self) -> torch.Tensor:
        """(L, B, H, S, S)."""
        return self._weights(self.encoder_traces)

    @property
    def decoder_self_attentions(self) -> torch.Tensor:
        """(L, B, H, T, T); exactly zero above the diagonal."""
        return self._weights(self.decoder_self_traces)

    @property
    def cross_attentions(self) -> torch.Tensor:
        """(L, B, H, T, S)."""
        return self._weights(self.cross_traces)


@dataclasses.dataclass
class DecoderCache:
    """What incremental decoding keeps between steps: the encoder output and each block's past inputs."""

    memory: torch.Tensor  # (B, S, d_model)
    cross_allowed: torch.Tensor | None  # (B, 1, 1, S)
    past: list[torch.Tensor | None]  # per block: (B, T_so_far, d_model) or None before the first step

    @property
    def length(self) -> int:
        return 0 if self.past[0] is None else self.past[0].shape[1]


class Transformer(nn.Module):
    """Encoder-decoder Transformer: ``src`` (B, S) and ``tgt`` (B, T) token ids; ``pad_id`` = padding."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.config = config
        shared = nn.Embedding(config.vocab_size, config.d_model, padding_idx=config.pad_id)
        target = (
            shared
            if config.share_embeddings
            else nn.Embedding(config.vocab_size, config.d_model, padding_idx=config.pad_id)
        )
        self.src_embed = TokenEmbedding(shared, config)
        self.tgt_embed = TokenEmbedding(target, config)
        self.encoder_blocks = PostNormBlock.stack(config)  # self-attention and the (ReLU) FFN
        self.decoder_blocks = nn.ModuleList(DecoderBlock(config) for _ in range(config.n_layers))
        self.output = nn.Linear(config.d_model, config.vocab_size)  # the final linear before the softmax
        if config.share_embeddings:
            self.output.weight = shared.weight
        self._init_weights()

    def _init_weights(self) -> None:
        for name, p in self.named_parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
            elif name.endswith("bias"):
                nn.init.zeros_(p)
        if self.config.share_embeddings:  # xavier on (V, d) is too large for the sqrt(d_model) scaling
            nn.init.normal_(self.output.weight, std=self.config.d_model**-0.5)
        with torch.no_grad():
            for embed in (self.src_embed, self.tgt_embed):
                embed.embedding.weight[self.config.pad_id].zero_()

    # ---- encoder -------------------------------------------------------------------------------------
    def source_allowed(self, src: torch.Tensor) -> torch.Tensor:
        """(B, 1, 1, S): True where a source position is a real token."""
        return padding_mask((src != self.config.pad_id).long())

    def encode(
        self, src: torch.Tensor, trace: bool = True
    ) -> tuple[torch.Tensor, list[torch.Tensor], list[AttentionTrace]]:
        """src (B, S) -> memory (B, S, d_model), hidden states, per-block self-attention traces."""
        return run_stack(self.encoder_blocks, self.src_embed(src), self.source_allowed(src), trace)

    def encode_traced(self, src: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor], list[BlockTrace]]:
        """:meth:`encode` with everything inside each encoder block kept (residual sums, LayerNorms, FFN)."""
        return run_stack_traced(self.encoder_blocks, self.src_embed(src), self.source_allowed(src))

    # ---- full (teacher-forced) forward ----------------------------------------------------------------
    def forward(self, src: torch.Tensor, tgt: torch.Tensor, trace: bool = True) -> Seq2SeqOutput:
        """All target positions at once, masked so that position t sees only positions <= t.

        Args:
            src: (B, S) source ids; tgt: (B, T) what the decoder reads (<s> then the target).
            trace: keep every attention trace (False: the fused kernel, for training).
        """
        memory, enc_hidden, enc_traces = self.encode(src, trace)
        cross_allowed = self.source_allowed(src)
        n = tgt.shape[1]
        self_allowed = causal_mask(n, device=tgt.device) & padding_mask((tgt != self.config.pad_id).long())
        # A padded query row would see nothing; let every query see itself so its softmax stays defined.
        self_allowed = self_allowed | torch.eye(n, dtype=torch.bool, device=tgt.device)
        y = self.tgt_embed(tgt)
        dec_hidden, self_traces, cross_traces = [y], [], []
        for block in self.decoder_blocks:
            y, self_trace, cross_trace = block(y, memory, self_allowed, cross_allowed, trace=trace)
            dec_hidden.append(y)
            if trace:
                self_traces.append(self_trace)
                cross_traces.append(cross_trace)
        return Seq2SeqOutput(
            logits=self.output(y),
            encoder_hidden=tuple(enc_hidden),
            decoder_hidden=tuple(dec_hidden),
            encoder_traces=tuple(enc_traces),
            decoder_self_traces=tuple(self_traces),
            cross_traces=tuple(cross_traces),
        )

    # ---- incremental decoding ------------------------------------------------------------------------
    def start_decoding(
        self, src: torch.Tensor, trace: bool = True
    ) -> tuple[DecoderCache, list[AttentionTrace]]:
        """Encode once; return an empty cache for :meth:`decode_step` and the encoder's traces."""
        memory, _, traces = self.encode(src, trace)
        return DecoderCache(memory, self.source_allowed(src), [None] * len(self.decoder_blocks)), traces

    def decode_step(
        self, token: torch.Tensor, cache: DecoderCache, trace: bool = True
    ) -> tuple[torch.Tensor, list[AttentionTrace], list[AttentionTrace]]:
        """Feed one token per sequence (B,) at the next position; extend ``cache`` in place.

        The new position's queries attend to the cached inputs of earlier positions and to itself, so no
        causal mask is needed: the future does not exist yet.

        Returns:
            logits (B, vocab) for the next token, and the step's self- and cross-attention traces
            (weights (B, H, 1, t) and (B, H, 1, S)).
        """
        y = self.tgt_embed(token[:, None], start=cache.length)  # (B, 1, d_model)
        self_traces, cross_traces = [], []
        for i, block in enumerate(self.decoder_blocks):
            block_input = y
            y, self_trace, cross_trace = block(
                y, cache.memory, None, cache.cross_allowed, past=cache.past[i], trace=trace
            )
            cache.past[i] = (
                block_input if cache.past[i] is None else torch.cat([cache.past[i], block_input], 1)
            )
            self_traces.append(self_trace)
            cross_traces.append(cross_trace)
        return self.output(y[:, 0]), self_traces, cross_traces

    @torch.no_grad()
    def greedy_decode(self, src: torch.Tensor, bos_id: int, eos_id: int, max_steps: int) -> torch.Tensor:
        """Batched greedy decoding (B, S) -> (B, <= max_steps) token ids; after EOS a row emits padding."""
        cache, _ = self.start_decoding(src, trace=False)
        batch = src.shape[0]
        token = torch.full((batch,), bos_id, dtype=torch.long, device=src.device)
        done = torch.zeros(batch, dtype=torch.bool, device=src.device)
        out = []
        for _ in range(max_steps):
            logits, _, _ = self.decode_step(token, cache, trace=False)
            token = logits.argmax(-1)
            token = token.masked_fill(done, self.config.pad_id)
            out.append(token)
            done |= token == eos_id
            if bool(done.all()):
                break
        return torch.stack(out, dim=1)
