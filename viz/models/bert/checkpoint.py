"""Hugging Face BERT folders (``BertModel``, ``BertForMaskedLM``, ...) into our encoder.

The folder's ``config.json`` gives the sizes; the weights come through :mod:`viz.core.hf_folder`
(safetensors first, never an untrusted pickle), renamed by the explicit table below.
"""

from __future__ import annotations

import re
from pathlib import Path

import torch

from viz.core.hf_folder import NameTable, block_pairs, load_frozen, read_state_dict
from viz.models.bert.config import EncoderConfig
from viz.models.bert.model import BertEncoder

_NORMS = (("attention.output.LayerNorm", "attention_norm"), ("output.LayerNorm", "ffn_norm"))
# (Hugging Face name inside ``bert.``, our name); {i} is a block index, {p} weight or bias.
_NAME_TABLE: list[tuple[str, str]] = [
    ("embeddings.word_embeddings.{p}", "embeddings.token.{p}"),
    ("embeddings.position_embeddings.{p}", "embeddings.position.{p}"),
    ("embeddings.token_type_embeddings.{p}", "embeddings.segment.{p}"),
    ("embeddings.LayerNorm.{p}", "embeddings.norm.{p}"),
    *block_pairs("encoder.layer.{i}.", "blocks.{i}.", "attention.self", _NORMS),
]
# Tensors a BERT checkpoint may carry that the encoder does not use (pooler, task heads, buffers).
_IGNORED = re.compile(r"^(pooler\.|cls\.|classifier\.|qa_outputs\.|embeddings\.position_ids)")
_TABLE = NameTable(_NAME_TABLE, prefix="bert.", family="BERT", ignored=_IGNORED, head=False)


def map_bert_names(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename a Hugging Face BERT state dict (with or without the ``bert.`` prefix) to our names.

    LayerNorm parameters called gamma/beta (the oldest checkpoints) are read as weight/bias.

    Raises:
        ValueError: for a tensor the table does not know.
    """
    renamed = {re.sub(r"\.gamma$", ".weight", re.sub(r"\.beta$", ".bias", k)): v for k, v in state.items()}
    return _TABLE.from_hf_names(renamed)


def load_bert_encoder(folder: str | Path, device: torch.device | str = "cpu") -> BertEncoder:
    """Build a :class:`BertEncoder` from a Hugging Face BERT folder, in eval mode, frozen, on ``device``."""
    folder = Path(folder)
    config = EncoderConfig.from_hf(folder)
    return load_frozen(BertEncoder(config), map_bert_names(read_state_dict(folder)), device)
