"""WordPiece tokenization through the ``tokenizers`` library, from a checkpoint folder's files."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from tokenizers import Tokenizer
from tokenizers.implementations import BertWordPieceTokenizer

#: More characters than this are cut before tokenizing (a notice says so); 100,000 take ~0.1 s.
MAX_CHARS = 100_000


@dataclasses.dataclass(frozen=True)
class Tokenized:
    """A sentence as the model sees it, after truncation to the model's limit."""

    tokens: list[str]  # includes [CLS] and [SEP]
    ids: list[int]
    offsets: list[tuple[int, int]]  # character span of each token in the (possibly cut) text
    n_tokens_total: int  # tokens the whole text would have needed, specials included
    n_chars_cut: int  # characters dropped before tokenizing (text longer than MAX_CHARS)

    @property
    def n_tokens_dropped(self) -> int:
        return self.n_tokens_total - len(self.ids)

    @property
    def truncated(self) -> bool:
        return self.n_tokens_dropped > 0 or self.n_chars_cut > 0


def load_tokenizer(folder: str | Path) -> Tokenizer:
    """The folder's ``tokenizer.json``, or a WordPiece tokenizer built from ``vocab.txt``.

    The fixed padding (all-MiniLM-L6-v2's file pads every input to 128) and truncation are turned off:
    :func:`tokenize` truncates itself so that it can say how much was dropped.
    """
    folder = Path(folder)
    if (folder / "tokenizer.json").exists():
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    elif (folder / "vocab.txt").exists():
        config_path = folder / "tokenizer_config.json"
        options = json.loads(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}
        # As transformers' BertTokenizer: accents are stripped when lowercasing unless strip_accents says.
        tokenizer = BertWordPieceTokenizer(
            str(folder / "vocab.txt"),
            lowercase=options.get("do_lower_case", True),
            strip_accents=options.get("strip_accents"),
            handle_chinese_chars=options.get("tokenize_chinese_chars", True),
        )._tokenizer
    else:
        raise FileNotFoundError(f"{folder} has neither tokenizer.json nor vocab.txt")
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def tokenize(tokenizer: Tokenizer, text: str, max_tokens: int) -> Tokenized:
    """Tokenize ``text`` with [CLS] ... [SEP] and keep at most ``max_tokens`` tokens (the last stays [SEP]).

    Raises:
        ValueError: if ``max_tokens`` is below 3 (room for [CLS], one token and [SEP]).
    """
    if max_tokens < 3:
        raise ValueError(f"max_tokens must be at least 3, got {max_tokens}")
    n_chars_cut = max(0, len(text) - MAX_CHARS)
    text = text[:MAX_CHARS]
    encoding = tokenizer.encode(text)
    tokens, ids, offsets = list(encoding.tokens), list(encoding.ids), list(encoding.offsets)
    n_total = len(ids)
    if n_total > max_tokens:
        # Keep the first max_tokens - 1 tokens, then the closing [SEP] the model expects.
        tokens = tokens[: max_tokens - 1] + tokens[-1:]
        ids = ids[: max_tokens - 1] + ids[-1:]
        offsets = offsets[: max_tokens - 1] + offsets[-1:]
    return Tokenized(tokens, ids, [tuple(o) for o in offsets], n_total, n_chars_cut)
