"""``trace_causal``: the decoder-only model continues a text; its masked self-attention comes back as arrays.

Two kinds of GPT-2 folder work: the bundled character model (``assets/gpt2-char-reverse``, which writes
``<s>abc=`` and continues ``cba</s>``), and any Hugging Face GPT-2 folder with a ``tokenizer.json`` (set
``VIZ_GPT2_FOLDER`` to show one in the app, or pass its path here).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import threading
from pathlib import Path

import numpy as np
import torch

from viz.device import get_device
from viz.models.gpt2 import GPT2, load_gpt2
from viz.tasks.vocab import CharVocab, EmptyInputError, InputTooLongError, OutOfVocabularyError, describe_char

CHAR_REVERSE = Path(__file__).resolve().parents[1] / "assets" / "gpt2-char-reverse"
ENV_VAR = "VIZ_GPT2_FOLDER"
_LOCK = threading.Lock()


@dataclasses.dataclass(frozen=True)
class CausalModel:
    model: GPT2
    folder: Path
    chars: dict | None  # viz_chars.json of a character model, else None
    tokenizer: object | None  # a tokenizers.Tokenizer for a BPE GPT-2, else None

    @property
    def vocab(self) -> CharVocab | None:
        return CharVocab(self.chars["chars"]) if self.chars else None


@functools.lru_cache(maxsize=4)
def _load(folder: Path, device: str) -> CausalModel:
    model = load_gpt2(folder, torch.device(device))
    chars_file = folder / "viz_chars.json"
    if chars_file.is_file():
        return CausalModel(model, folder, json.loads(chars_file.read_text(encoding="utf-8")), None)
    tokenizer_file = folder / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise ValueError(f"{folder} has no tokenizer.json (nor viz_chars.json)")
    from tokenizers import Tokenizer

    return CausalModel(model, folder, None, Tokenizer.from_file(str(tokenizer_file)))


def resolve_causal_model(model: str | Path | None = None) -> Path:
    """None -> ``$VIZ_GPT2_FOLDER`` if set, else the bundled character model; a path must hold config.json."""
    if model is None:
        model = os.environ.get(ENV_VAR) or CHAR_REVERSE
    folder = Path(model).expanduser()
    if not (folder / "config.json").is_file():
        raise ValueError(f"{str(model)!r} is not a folder with a GPT-2 config.json")
    return folder.resolve()


def load_causal_model(model: str | Path | None = None) -> CausalModel:
    folder = resolve_causal_model(model)
    with _LOCK:
        return _load(folder, str(get_device()))


@dataclasses.dataclass(frozen=True, eq=False)
class CausalTrace:
    """One continuation. L = layers, H = heads, T = prompt + generated tokens (the last is not fed back)."""

    text: str
    model: str
    tokens: list[str]  # (T,) the sequence the attention was computed on
    n_prompt: int  # how many of ``tokens`` were given; the rest were generated
    generated: str  # the continuation as text
    attentions: np.ndarray  # (L, H, T, T) zero above the diagonal

    @property
    def n_layers(self) -> int:
        return self.attentions.shape[0]


@torch.inference_mode()
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
    device = next(gpt.parameters()).device
    if loaded.chars:
        vocab = loaded.vocab
        text = text.strip()
        separator = loaded.chars["separator"]
        unknown = vocab.unknown(text.replace(separator, "")) + ([separator] if separator in text else [])
        if unknown:
            raise OutOfVocabularyError(
                "not in the decoder-only model's vocabulary: "
                + ", ".join(describe_char(c) for c in unknown)
                + ". Use lowercase letters a-z only.",
                unknown,
            )
        if len(text) > loaded.chars["max_input_len"]:
            raise InputTooLongError(
                f"the decoder-only model reverses at most {loaded.chars['max_input_len']} "
                f"characters; this input has {len(text)}"
            )
        prompt = [vocab.bos_id] + vocab.encode(text + loaded.chars["separator"])
        new = gpt.generate_greedy(torch.tensor([prompt], device=device), len(text) + 1, stop_id=vocab.eos_id)
        id_to_token = vocab.tokens
        generated = vocab.decode(new)
    else:
        tokenizer = loaded.tokenizer
        prompt = tokenizer.encode(text).ids[: gpt.config.n_positions - max_new_tokens]
        new = gpt.generate_greedy(torch.tensor([prompt], device=device), max_new_tokens)
        id_to_token = None
        generated = tokenizer.decode(new)
    sequence = prompt + new[:-1] if new else prompt  # the last token generated was never read
    _, out = gpt(torch.tensor([sequence], device=device))
    if id_to_token is not None:
        tokens = [id_to_token[i] for i in sequence]
    else:
        tokens = [loaded.tokenizer.id_to_token(i) for i in sequence]
    return CausalTrace(
        text=text,
        model=loaded.folder.name,
        tokens=tokens,
        n_prompt=len(prompt),
        generated=generated,
        attentions=torch.stack([t.weights[0] for t in out.traces]).float().cpu().numpy(),
    )


def is_char_model(model: str | Path | None = None) -> bool:
    """True for a character model like the bundled one (prompt ``<s>abc=``), False for a BPE GPT-2."""
    return load_causal_model(model).chars is not None
