"""``trace_causal``: the decoder-only model continues a text; its masked self-attention comes back as arrays.

Two kinds of GPT-2 folder work (see :mod:`viz.models.gpt2.registry`): the bundled character model, and any
Hugging Face GPT-2 folder with a ``tokenizer.json`` (set ``VIZ_GPT2_FOLDER`` to show one in the app, or pass
its path here).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import torch

from viz.models.gpt2.registry import load_causal_model
from viz.tasks.vocab import EmptyInputError
from viz.trace.common import StackedAttentions, device_of, model_call, stack_traces


@dataclasses.dataclass(frozen=True, eq=False)
class CausalTrace(StackedAttentions):
    """One continuation. L = layers, H = heads, T = prompt + generated tokens (the last is not fed back)."""

    text: str
    model: str
    tokens: list[str]  # (T,) the sequence the attention was computed on
    n_prompt: int  # how many of ``tokens`` were given; the rest were generated
    prompt_text: str  # the prompt as the model read it, as text (special tokens and byte-level symbols gone)
    generated: str  # the continuation as text
    attentions: np.ndarray  # (L, H, T, T) zero above the diagonal
    n_prompt_dropped: int = (
        0  # prompt tokens cut from the start so that prompt + continuation fit the positions
    )


def trace_causal(text: str, model: str | Path | None = None, max_new_tokens: int = 12) -> CausalTrace:
    """Continue ``text`` greedily and return the masked self-attention over prompt and continuation.

    For the bundled character model the prompt is ``<s>`` + text + ``=`` and the continuation its reversal.

    Raises:
        viz.tasks.InputError: empty text, characters the character model does not know, or too long.
    """
    if not text or not text.strip():
        raise EmptyInputError("the input is empty")
    loaded = load_causal_model(model)
    gpt = loaded.model
    device = device_of(gpt)
    if loaded.chars:
        vocab = loaded.vocab
        text = text.strip()
        prompt = loaded.char_prompt(text)
        n_new, stop_id = len(text) + 1, vocab.eos_id
        id_to_token = vocab.tokens
    else:
        tokenizer = loaded.tokenizer
        n_positions = gpt.config.n_positions
        if not 1 <= max_new_tokens < n_positions:
            raise ValueError(f"max_new_tokens must be between 1 and {n_positions - 1}, got {max_new_tokens}")
        ids = tokenizer.encode(text).ids
        if not ids:
            raise EmptyInputError("the input has no tokens")
        # Keep the end of a long prompt (the words next to the continuation), and say how much was cut.
        room = n_positions - max_new_tokens
        dropped = max(0, len(ids) - room)
        prompt = ids[dropped:]
        n_new, stop_id = max_new_tokens, None
        id_to_token = None
    with model_call():
        new = gpt.generate_greedy(torch.tensor([prompt], device=device), n_new, stop_id=stop_id)
        sequence = prompt + new[:-1] if new else prompt  # the last token generated was never read
        out = gpt(torch.tensor([sequence], device=device))
    generated = vocab.decode(new) if loaded.chars else loaded.tokenizer.decode(new)
    if id_to_token is not None:
        tokens = [id_to_token[i] for i in sequence]
        prompt_text = vocab.decode(prompt)
    else:  # a byte-level BPE shows each token as the text it stands for ("Ġcat" is " cat")
        tokens = [loaded.tokenizer.decode([i]) for i in sequence]
        prompt_text = loaded.tokenizer.decode(prompt)
    return CausalTrace(
        text=text,
        model=loaded.folder.name,
        tokens=tokens,
        n_prompt=len(prompt),
        prompt_text=prompt_text,
        generated=generated,
        attentions=stack_traces(out.traces),
        n_prompt_dropped=0 if loaded.chars else dropped,
    )


def is_char_model(model: str | Path | None = None) -> bool:
    """True for a character model like the bundled one (prompt ``<s>abc=``), False for a BPE GPT-2."""
    return load_causal_model(model).chars is not None
