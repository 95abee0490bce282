"""Tokenization through the ``tokenizers`` library, from a checkpoint folder's files: its ``tokenizer.json``
(any model), or the older files: ``vocab.txt`` (WordPiece: BERT, DistilBERT, ELECTRA) or ``vocab.json`` +
``merges.txt`` (byte-level BPE: RoBERTa). A sentencepiece model (ALBERT, XLM-RoBERTa) is read only from a
``tokenizer.json``: the ``sentencepiece`` library is not a dependency."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors
from tokenizers.implementations import BertWordPieceTokenizer

#: More characters than this are cut before tokenizing (a notice says so); 100,000 take ~0.1 s.
MAX_CHARS = 100_000


@dataclasses.dataclass(frozen=True)
class Tokenized:
    """A sentence as the model sees it, after truncation to the model's limit."""

    tokens: list[str]  # the vocabulary's tokens, as ``convert_ids_to_tokens``; includes [CLS] and [SEP]
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


#: Sentencepiece model files, which only a ``tokenizer.json`` beside them lets us read.
SENTENCEPIECE_FILES = ("spiece.model", "sentencepiece.bpe.model")


def _options(folder: Path) -> dict:
    config_path = folder / "tokenizer_config.json"
    return json.loads(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}


def _special(options: dict, key: str, default: str) -> AddedToken:
    """The special token ``key`` of a ``tokenizer_config.json`` (a string or an AddedToken's dict, or an entry of
    its ``added_tokens_decoder``), as transformers reads it: it strips the space before it only if it says so."""
    value = options.get(key) or default
    spec = value if isinstance(value, dict) else {"content": str(value)}
    for added in (options.get("added_tokens_decoder") or {}).values():
        if (
            isinstance(added, dict)
            and added.get("content") == spec.get("content")
            and not isinstance(value, dict)
        ):
            spec = added
    return AddedToken(
        spec.get("content", default),
        special=True,
        lstrip=bool(spec.get("lstrip", False)),
        rstrip=bool(spec.get("rstrip", False)),
        normalized=bool(spec.get("normalized", False)),
    )


def byte_level_bpe(folder: Path) -> Tokenizer:
    """RoBERTa's tokenizer from ``vocab.json`` + ``merges.txt``, as transformers' ``RobertaTokenizer`` builds it:
    byte-level BPE without a word prefix or suffix, ``<s> ... </s>`` around the text, the special tokens as
    ``tokenizer_config.json`` describes them (roberta-base's ``<mask>`` takes the space before it)."""
    options = _options(folder)
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    lines = (folder / "merges.txt").read_text(encoding="utf-8").splitlines()
    merges = [tuple(line.split()) for line in lines if line.strip() and not line.startswith("#version")]
    prefix_space = bool(options.get("add_prefix_space", False))
    tokenizer = Tokenizer(
        models.BPE(vocab, merges, continuing_subword_prefix="", end_of_word_suffix="", fuse_unk=False)
    )
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=prefix_space)
    tokenizer.decoder = decoders.ByteLevel()
    special = {
        key: _special(options, key, default)
        for key, default in (
            ("cls_token", "<s>"),
            ("sep_token", "</s>"),
            ("unk_token", "<unk>"),
            ("pad_token", "<pad>"),
            ("mask_token", "<mask>"),
        )
    }
    tokenizer.add_special_tokens(list(special.values()))
    cls, sep = special["cls_token"].content, special["sep_token"].content
    tokenizer.post_processor = processors.RobertaProcessing(
        (sep, tokenizer.token_to_id(sep)),
        (cls, tokenizer.token_to_id(cls)),
        trim_offsets=bool(options.get("trim_offsets", True)),
        add_prefix_space=prefix_space,
    )
    return tokenizer


def load_tokenizer(folder: str | Path) -> Tokenizer:
    """The folder's ``tokenizer.json``, else a byte-level BPE from ``vocab.json`` + ``merges.txt``, else a
    WordPiece tokenizer built from ``vocab.txt``.

    The fixed padding (all-MiniLM-L6-v2's file pads every input to 128) and truncation are turned off:
    :func:`tokenize` truncates itself so that it can say how much was dropped.

    Raises:
        ValueError: for a folder whose only tokenizer is a sentencepiece model.
        FileNotFoundError: for a folder with no tokenizer files.
    """
    folder = Path(folder)
    if (folder / "tokenizer.json").exists():
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    elif (folder / "vocab.json").exists() and (folder / "merges.txt").exists():
        tokenizer = byte_level_bpe(folder)
    elif (folder / "vocab.txt").exists():
        options = _options(folder)
        # As transformers' BertTokenizer: accents are stripped when lowercasing unless strip_accents says.
        tokenizer = BertWordPieceTokenizer(
            str(folder / "vocab.txt"),
            lowercase=options.get("do_lower_case", True),
            strip_accents=options.get("strip_accents"),
            handle_chinese_chars=options.get("tokenize_chinese_chars", True),
        )._tokenizer
    elif any((folder / name).exists() for name in SENTENCEPIECE_FILES):
        raise ValueError(
            f"{folder} has only a sentencepiece tokenizer ({' or '.join(SENTENCEPIECE_FILES)}), as ALBERT and "
            "XLM-RoBERTa folders do: it opens only with its tokenizer.json (save the tokenizer with transformers' "
            "fast tokenizer to write one)"
        )
    else:
        raise FileNotFoundError(
            f"{folder} has no tokenizer: neither tokenizer.json, nor vocab.json + merges.txt, nor vocab.txt"
        )
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def is_byte_level(tokenizer: Tokenizer) -> bool:
    """Whether ``tokenizer`` is a byte-level BPE (GPT-2, RoBERTa), whose tokens spell bytes ("Ġcat")."""
    return "ByteLevel" in (tokenizer.decoder.__class__.__name__ if tokenizer.decoder else "")


def tokenize(tokenizer: Tokenizer, text: str, max_tokens: int) -> Tokenized:
    """Tokenize ``text`` with [CLS] ... [SEP] (or ``<s> ... </s>``) and keep at most ``max_tokens`` tokens (the
    last stays [SEP]). The tokens are the vocabulary's (an unknown piece is the unknown token, as in
    transformers), not the text they cover.

    Raises:
        ValueError: if ``max_tokens`` is below 3 (room for [CLS], one token and [SEP]).
    """
    if max_tokens < 3:
        raise ValueError(f"max_tokens must be at least 3, got {max_tokens}")
    n_chars_cut = max(0, len(text) - MAX_CHARS)
    text = text[:MAX_CHARS]
    encoding = tokenizer.encode(text)
    ids, offsets = list(encoding.ids), list(encoding.offsets)
    tokens = [tokenizer.id_to_token(i) for i in ids]
    n_total = len(ids)
    if n_total > max_tokens:
        # Keep the first max_tokens - 1 tokens, then the closing [SEP] (</s>) the model expects.
        tokens = tokens[: max_tokens - 1] + tokens[-1:]
        ids = ids[: max_tokens - 1] + ids[-1:]
        offsets = offsets[: max_tokens - 1] + offsets[-1:]
    return Tokenized(tokens, ids, [tuple(o) for o in offsets], n_total, n_chars_cut)
