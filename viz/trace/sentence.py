"""``trace_sentence``: a sentence in, every layer's and head's attention out, as plain arrays."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import torch

from viz.models.bert.registry import load_text_model
from viz.models.bert.tokenizer import is_byte_level, tokenize
from viz.tasks.vocab import EmptyInputError
from viz.trace.common import StackedAttentions, device_of, model_call, stack_traces, to_numpy, token_texts


@dataclasses.dataclass(frozen=True, eq=False)
class SentenceTrace(StackedAttentions):
    """What the encoder computed for one sentence, moved to the CPU as numpy arrays.

    L = layers, H = heads, T = tokens (with [CLS] and [SEP], or <s> and </s>), E = the embeddings' width
    (d_model, or smaller when factorised: ALBERT, ELECTRA).
    """

    text: str  # what the model read: the input, or its start up to the last token kept
    model: str
    device: str
    tokens: list[
        str
    ]  # the vocabulary's tokens; a byte-level BPE's as the text they stand for (" cat", not "Ġcat")
    token_ids: np.ndarray  # (T,)
    offsets: list[tuple[int, int]]
    attentions: np.ndarray  # (L, H, T, T) softmax weights; rows = queries, columns = keys
    queries: np.ndarray  # (L, H, T, d_head)
    keys: np.ndarray  # (L, H, T, d_head)
    values: np.ndarray  # (L, H, T, d_head)
    head_outputs: np.ndarray  # (L, H, T, d_head) weights @ values, per head
    hidden_states: np.ndarray  # (L + 1, T, d_model); [0] is the embedding layer's output
    attention_outputs: np.ndarray  # (L, T, d_model) heads concatenated then multiplied by W^O (plus bias)
    token_embeddings: np.ndarray  # (T, E) rows of the token embedding table
    position_embeddings: (
        np.ndarray
    )  # (T, E) learned position embeddings 0..T-1 (RoBERTa: from padding_idx + 1)
    segment_embeddings: np.ndarray  # (T, E) segment (token type) embeddings; zero without token types
    max_tokens: int
    n_tokens_total: int
    n_chars_cut: int

    @property
    def n_tokens_dropped(self) -> int:
        return self.n_tokens_total - len(self.tokens)

    @property
    def truncated(self) -> bool:
        return self.n_tokens_dropped > 0 or self.n_chars_cut > 0


def seen_text(text: str, tokenized) -> str:
    """The part of ``text`` the model read: all of it, or up to the end of the last token kept (a trace never
    holds the megabytes of a pasted text that the model cut)."""
    if not tokenized.truncated or len(tokenized.offsets) < 3:
        return text
    return text[: tokenized.offsets[-2][1]]  # the last kept token before the closing [SEP]


def trace_sentence(text: str, model: str | Path = "minilm", max_tokens: int | None = None) -> SentenceTrace:
    """Run ``text`` through a BERT-style encoder (BERT, DistilBERT, RoBERTa, XLM-RoBERTa, ELECTRA, ALBERT) and
    return every layer's attention.

    Args:
        text: any unicode string; more than ``viz.models.bert.tokenizer.MAX_CHARS`` characters are cut.
        model: "minilm" (the bundled all-MiniLM-L6-v2) or a local Hugging Face folder of one of those.
        max_tokens: keep at most this many tokens, [CLS] and [SEP] included; defaults to the model's
            limit (256 for all-MiniLM-L6-v2).

    Raises:
        EmptyInputError: if ``text`` is empty or only whitespace.
        ValueError: for an unknown model or a ``max_tokens`` outside [3, positions].
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not text.strip():
        raise EmptyInputError("the text is empty: type a sentence")
    encoder, tokenizer, limit = load_text_model(model)
    n_positions = encoder.config.max_length
    max_tokens = limit if max_tokens is None else int(max_tokens)
    if not 3 <= max_tokens <= n_positions:
        raise ValueError(f"max_tokens must be between 3 and {n_positions}, got {max_tokens}")
    tokenized = tokenize(tokenizer, text, max_tokens)
    device = device_of(encoder)
    input_ids = torch.tensor([tokenized.ids], device=device)
    with model_call():
        out = encoder(input_ids)
    traces = out.traces
    return SentenceTrace(
        text=seen_text(text, tokenized),
        model=str(model),
        device=str(device),
        tokens=token_texts(tokenizer, tokenized.ids) if is_byte_level(tokenizer) else tokenized.tokens,
        token_ids=np.asarray(tokenized.ids),
        offsets=tokenized.offsets,
        attentions=stack_traces(traces, "weights"),
        queries=stack_traces(traces, "queries"),
        keys=stack_traces(traces, "keys"),
        values=stack_traces(traces, "values"),
        head_outputs=stack_traces(traces, "head_outputs"),
        hidden_states=to_numpy(torch.stack([h[0] for h in out.hidden_states])),
        attention_outputs=stack_traces(traces, "output"),
        token_embeddings=to_numpy(out.embeddings.token[0]),
        position_embeddings=to_numpy(out.embeddings.position[0]),
        segment_embeddings=to_numpy(out.embeddings.segment[0]),
        max_tokens=max_tokens,
        n_tokens_total=tokenized.n_tokens_total,
        n_chars_cut=tokenized.n_chars_cut,
    )
