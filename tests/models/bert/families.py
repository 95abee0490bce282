"""Random-weight Hugging Face folders of every BERT-style family, each with a tokenizer trained here.

A folder is what ``save_pretrained`` writes for a tiny model (its weights spread so that attention is peaked)
plus the tokenizer files of the family's transformers tokenizer class, so that ``AutoModel`` and
``AutoTokenizer`` open it as they would a downloaded checkpoint.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from tests.conftest import SENTENCES
from tests.models.helpers import spread_weights

transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

#: What the tokenizers are trained on: words the test texts use, in several scripts.
CORPUS = [
    "the cat sat on the mat. the dogs sat on a log!",
    "The Quick Brown Fox jumps over the lazy dog, twice.",
    "café naïve résumé étudiant ça va",
    "日本語のテキストと中文字符 한국어",
    "emoji 😀 🚀 🐈 and ☃ snowman",
    "attention is all you need; transformers attend.",
] * 10

#: The texts every family is checked on: accents, emoji, CJK, combining marks, control characters, special-token
#: lookalikes, runs of spaces, and one longer than the tiny models' 40 positions.
LONG = "the cat sat on the mat and the dog sat on the log. " * 12
TEXTS = [
    *SENTENCES,
    "the café is naïve 😀",
    "e\u0301 and e\u0301te",
    "a\x00b\x07c\td\re",
    "<mask> the <s> cat [MASK] [SEP]",
    "the <mask> cat and the [MASK] dog </s>",
    "The  cat   sat ",
    LONG,
]

WORDPIECE_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
ROBERTA_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
ALBERT_SPECIALS = ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"]


def wordpiece_vocab() -> dict[str, int]:
    trainer = tokenizers.implementations.BertWordPieceTokenizer(lowercase=True)
    trainer.train_from_iterator(CORPUS, vocab_size=160, min_frequency=1, special_tokens=WORDPIECE_SPECIALS)
    return trainer.get_vocab()


def byte_level_bpe() -> tuple[dict[str, int], list[tuple[str, str]]]:
    trainer = tokenizers.implementations.ByteLevelBPETokenizer()
    trainer.train_from_iterator(
        CORPUS, vocab_size=320, min_frequency=1, special_tokens=ROBERTA_SPECIALS, show_progress=False
    )
    model = json.loads(trainer._tokenizer.to_str())["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    return trainer.get_vocab(), merges


def unigram(specials: list[str]) -> list[tuple[str, float]]:
    trainer = tokenizers.SentencePieceUnigramTokenizer()
    trainer.train_from_iterator(
        CORPUS, vocab_size=140, special_tokens=specials, unk_token="<unk>", show_progress=False
    )
    return [tuple(piece) for piece in json.loads(trainer._tokenizer.to_str())["model"]["vocab"]]


def _write_vocab_txt(folder: Path, vocab: dict[str, int]) -> None:
    (folder / "vocab.txt").write_text("\n".join(sorted(vocab, key=vocab.get)) + "\n", encoding="utf-8")


@dataclasses.dataclass(frozen=True)
class Family:
    """How to make one family's folder: its config and model classes, its tokenizer and its size names."""

    name: str
    config_class: str
    model_classes: tuple[str, ...]  # the bare encoder first, then ones with heads
    tokenizer: str  # "wordpiece", "bpe" or a unigram's transformers class
    sizes: Callable[[int], dict]  # vocab_size -> config keyword arguments


def _bert_sizes(**extra) -> Callable[[int], dict]:
    def sizes(vocab_size: int) -> dict:
        return dict(
            vocab_size=vocab_size,
            hidden_size=32,
            num_hidden_layers=3,
            num_attention_heads=4,
            intermediate_size=64,
            max_position_embeddings=40,
            **extra,
        )

    return sizes


def _distilbert_sizes(vocab_size: int) -> dict:
    return dict(
        vocab_size=vocab_size, dim=32, n_layers=3, n_heads=4, hidden_dim=64, max_position_embeddings=40
    )


FAMILIES = {
    "bert": Family("bert", "BertConfig", ("BertModel", "BertForMaskedLM"), "wordpiece", _bert_sizes()),
    "distilbert": Family(
        "distilbert",
        "DistilBertConfig",
        ("DistilBertModel", "DistilBertForMaskedLM"),
        "wordpiece",
        _distilbert_sizes,
    ),
    "roberta": Family(
        "roberta", "RobertaConfig", ("RobertaModel", "RobertaForMaskedLM"), "bpe", _bert_sizes(pad_token_id=1)
    ),
    "xlm-roberta": Family(
        "xlm-roberta",
        "XLMRobertaConfig",
        ("XLMRobertaModel", "XLMRobertaForMaskedLM"),
        "XLMRobertaTokenizer",
        _bert_sizes(pad_token_id=1),
    ),
    "electra": Family(
        "electra",
        "ElectraConfig",
        ("ElectraModel", "ElectraForPreTraining", "ElectraForMaskedLM"),
        "wordpiece",
        _bert_sizes(embedding_size=16),
    ),
    "electra-unfactorised": Family(
        "electra", "ElectraConfig", ("ElectraModel",), "wordpiece", _bert_sizes(embedding_size=32)
    ),
    "albert": Family(
        "albert",
        "AlbertConfig",
        ("AlbertModel", "AlbertForPreTraining", "AlbertForMaskedLM"),
        "AlbertTokenizer",
        _bert_sizes(embedding_size=16, hidden_act="gelu_new"),
    ),
}

_TOKENIZER_CLASS = {
    "bert": "BertTokenizer",
    "distilbert": "DistilBertTokenizer",
    "electra": "ElectraTokenizer",
}


def make_tokenizer(family: Family):
    """The family's transformers tokenizer around a vocabulary trained here."""
    if family.tokenizer == "wordpiece":
        cls = getattr(transformers, _TOKENIZER_CLASS[family.name])
        return cls(vocab=wordpiece_vocab())
    if family.tokenizer == "bpe":
        vocab, merges = byte_level_bpe()
        return transformers.RobertaTokenizer(vocab=vocab, merges=merges)
    specials = ROBERTA_SPECIALS if family.name == "xlm-roberta" else ALBERT_SPECIALS
    return getattr(transformers, family.tokenizer)(vocab=unigram(specials))


def make_folder(
    folder: Path,
    family: str,
    model_class: str | None = None,
    seed: int = 0,
    old_files: bool = False,
    keep_positions: bool = False,
    **overrides,
) -> Path:
    """Save a random ``model_class`` (default: the family's bare encoder) with its tokenizer into ``folder``.

    Args:
        old_files: write the tokenizer as the older vocabulary files (``vocab.txt``; ``vocab.json`` +
            ``merges.txt``) instead of ``tokenizer.json``.
        keep_positions: leave the position table as the model made it (DistilBERT's sinusoids).
        overrides: config keyword arguments.
    """
    spec = FAMILIES[family]
    tokenizer = make_tokenizer(spec)
    config = getattr(transformers, spec.config_class)(**{**spec.sizes(len(tokenizer)), **overrides})
    config._attn_implementation = "eager"
    torch.manual_seed(seed)
    model = getattr(transformers, model_class or spec.model_classes[0])(config).eval()
    keep = "position_embeddings" if keep_positions else "LayerNorm"
    spread_weights(model, 0.3, keep=keep)
    model.save_pretrained(folder, safe_serialization=True)
    if not old_files:
        tokenizer.save_pretrained(folder)
    elif spec.tokenizer == "wordpiece":
        _write_vocab_txt(folder, tokenizer.get_vocab())
    elif spec.tokenizer == "bpe":
        vocab, merges = byte_level_bpe()  # the training is deterministic: the same files as the tokenizer's
        (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        lines = ["#version: 0.2", *(" ".join(m) for m in merges)]
        (folder / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        raise ValueError(f"{family} has no older vocabulary files here")
    return folder
