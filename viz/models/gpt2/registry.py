"""Decoder-only models by bundled name, ``$VIZ_GPT2_FOLDER`` or checkpoint folder; each loaded once per process.

Two kinds of GPT-2 folder work: byte-level BPE models, the Hugging Face GPT-2 folders (``tokenizer.json``, or
``vocab.json`` + ``merges.txt``) such as the bundled English model ``assets/gpt2-kjv`` (the default: 4 layers,
4.2M parameters, trained on the King James Bible by :mod:`viz.training.train_lm`); and the bundled character
model (``assets/gpt2-char-reverse``, which writes ``<s>abc=`` and continues ``cba</s>``; its characters in
``viz_chars.json``).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import torch
from tokenizers import Tokenizer

from viz.core.registry import ASSETS, FolderRegistry
from viz.models.gpt2.checkpoint import load_gpt2
from viz.models.gpt2.model import GPT2
from viz.tasks.vocab import CharVocab, InputTooLongError, OutOfVocabularyError, describe_char

CHAR_REVERSE = ASSETS / "gpt2-char-reverse"
ENGLISH = ASSETS / "gpt2-kjv"
ENV_VAR = "VIZ_GPT2_FOLDER"


@dataclasses.dataclass(frozen=True)
class CausalModel:
    model: GPT2
    folder: Path
    chars: dict | None  # viz_chars.json of a character model, else None
    tokenizer: Tokenizer | None  # the BPE tokenizer of a Hugging Face GPT-2, else None
    eos_id: int | None = None  # the config's eos_token_id: generation stops there

    @property
    def vocab(self) -> CharVocab | None:
        return CharVocab(self.chars["chars"]) if self.chars else None

    def char_prompt(self, text: str) -> list[int]:
        """A character model's prompt for ``text`` (stripped): ``<s>`` + its characters + the separator.

        Raises:
            viz.tasks.InputError: a character the model does not know, or a text longer than it learned.
        """
        vocab, separator = self.vocab, self.chars["separator"]
        text = text.strip()
        unknown = vocab.unknown(text.replace(separator, "")) + ([separator] if separator in text else [])
        if unknown:
            raise OutOfVocabularyError(
                "not in the character model's vocabulary: "
                + ", ".join(describe_char(c) for c in unknown)
                + ". Use lowercase letters a-z only.",
                unknown,
            )
        if len(text) > self.chars["max_input_len"]:
            raise InputTooLongError(
                f"the character model reverses at most {self.chars['max_input_len']} characters; "
                f"this input has {len(text)}"
            )
        return [vocab.bos_id] + vocab.encode(text + separator)


def _load(folder: Path, device: torch.device) -> CausalModel:
    model = load_gpt2(folder, device)
    chars_file = folder / "viz_chars.json"
    if chars_file.is_file():
        return CausalModel(model, folder, json.loads(chars_file.read_text(encoding="utf-8")), None)
    eos = json.loads((folder / "config.json").read_text(encoding="utf-8")).get("eos_token_id")
    eos = eos if isinstance(eos, int) and 0 <= eos < model.config.vocab_size else None
    return CausalModel(model, folder, None, load_bpe_tokenizer(folder), eos)


def load_bpe_tokenizer(folder: Path) -> Tokenizer:
    """The folder's ``tokenizer.json``, or GPT-2's byte-level BPE built from ``vocab.json`` + ``merges.txt``
    (the files of older GPT-2 folders), as transformers' GPT2Tokenizer reads them.

    Raises:
        ValueError: if the folder has neither.
    """
    if (folder / "tokenizer.json").is_file():
        return Tokenizer.from_file(str(folder / "tokenizer.json"))
    vocab, merges = folder / "vocab.json", folder / "merges.txt"
    if not (vocab.is_file() and merges.is_file()):
        raise ValueError(
            f"{folder} has no tokenizer.json, nor vocab.json and merges.txt (nor viz_chars.json)"
        )
    from tokenizers import ByteLevelBPETokenizer

    return ByteLevelBPETokenizer(
        str(vocab), str(merges), add_prefix_space=False, trim_offsets=True
    )._tokenizer


REGISTRY: FolderRegistry[CausalModel] = FolderRegistry({"kjv": ENGLISH, "char-reverse": CHAR_REVERSE}, _load)


def resolve_causal_model(model: str | Path | None = None) -> Path:
    """None -> ``$VIZ_GPT2_FOLDER`` if set, else the bundled English model; a path must hold config.json."""
    return REGISTRY.resolve(model if model is not None else os.environ.get(ENV_VAR) or "kjv")


def load_causal_model(model: str | Path | None = None) -> CausalModel:
    return REGISTRY.load(resolve_causal_model(model))
