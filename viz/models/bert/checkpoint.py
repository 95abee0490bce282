"""Hugging Face BERT-style folders (``BertModel``, ``RobertaForMaskedLM``, ``ElectraForPreTraining``, ...) into
our encoder.

The folder's ``config.json`` gives the sizes and the family; the weights come through :mod:`viz.core.hf_folder`
(safetensors first, never an untrusted pickle), renamed by the family's explicit table below. Task heads
(pooler, masked-LM and replaced-token heads, classifiers) are read and dropped: the encoder explains attention.
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
_EMBEDDINGS = [
    ("embeddings.word_embeddings.{p}", "embeddings.token.{p}"),
    ("embeddings.position_embeddings.{p}", "embeddings.position.{p}"),
    ("embeddings.token_type_embeddings.{p}", "embeddings.segment.{p}"),
    ("embeddings.LayerNorm.{p}", "embeddings.norm.{p}"),
]
_NAME_TABLE: list[tuple[str, str]] = [
    *_EMBEDDINGS,
    *block_pairs("encoder.layer.{i}.", "blocks.{i}.", "attention.self", _NORMS),
]
_BUFFERS = r"embeddings\.position_ids|embeddings\.token_type_ids"
# Tensors a BERT checkpoint may carry that the encoder does not use (pooler, task heads, buffers).
_IGNORED = re.compile(rf"^(pooler\.|cls\.|classifier\.|qa_outputs\.|{_BUFFERS})")
_TABLE = NameTable(_NAME_TABLE, prefix="bert.", family="BERT", ignored=_IGNORED, head=False)

_ROBERTA = NameTable(
    _NAME_TABLE,
    prefix="roberta.",
    family="RoBERTa",
    ignored=re.compile(rf"^(pooler\.|lm_head\.|classifier\.|qa_outputs\.|{_BUFFERS})"),
    head=False,
)
_ELECTRA = NameTable(
    [*_NAME_TABLE, ("embeddings_project.{p}", "embeddings.projection.{p}")],
    prefix="electra.",
    family="ELECTRA",
    ignored=re.compile(
        rf"^(discriminator_predictions\.|generator_predictions\.|generator_lm_head\.|classifier\.|qa_outputs\."
        rf"|{_BUFFERS})"
    ),
    head=False,
)
# ALBERT's one layer group of one layer; every layer runs it (the config refuses other groupings).
_ALBERT_LAYER = "encoder.albert_layer_groups.0.albert_layers.0."
_ALBERT = NameTable(
    [
        *_EMBEDDINGS,
        ("encoder.embedding_hidden_mapping_in.{p}", "embeddings.projection.{p}"),
        *(
            (f"{_ALBERT_LAYER}{hf}.{{p}}", f"blocks.0.{ours}.{{p}}")
            for hf, ours in (
                ("attention.query", "attention.w_q"),
                ("attention.key", "attention.w_k"),
                ("attention.value", "attention.w_v"),
                ("attention.dense", "attention.w_o"),
                ("attention.LayerNorm", "attention_norm"),
                ("ffn", "ffn.w_1"),
                ("ffn_output", "ffn.w_2"),
                ("full_layer_layer_norm", "ffn_norm"),
            )
        ),
    ],
    prefix="albert.",
    family="ALBERT",
    ignored=re.compile(rf"^(pooler\.|predictions\.|sop_classifier\.|classifier\.|qa_outputs\.|{_BUFFERS})"),
    head=False,
)
_DISTILBERT_LAYER = "transformer.layer.{i}."
_DISTILBERT = NameTable(
    [
        ("embeddings.word_embeddings.{p}", "embeddings.token.{p}"),
        ("embeddings.position_embeddings.{p}", "embeddings.position.{p}"),
        ("embeddings.LayerNorm.{p}", "embeddings.norm.{p}"),
        *(
            (f"{_DISTILBERT_LAYER}{hf}.{{p}}", f"blocks.{{i}}.{ours}.{{p}}")
            for hf, ours in (
                ("attention.q_lin", "attention.w_q"),
                ("attention.k_lin", "attention.w_k"),
                ("attention.v_lin", "attention.w_v"),
                ("attention.out_lin", "attention.w_o"),
                ("sa_layer_norm", "attention_norm"),
                ("ffn.lin1", "ffn.w_1"),
                ("ffn.lin2", "ffn.w_2"),
                ("output_layer_norm", "ffn_norm"),
            )
        ),
    ],
    prefix="distilbert.",
    family="DistilBERT",
    ignored=re.compile(
        r"^(vocab_transform\.|vocab_layer_norm\.|vocab_projector\.|pre_classifier\.|classifier\.|qa_outputs\."
        r"|embeddings\.position_ids)"
    ),
    head=False,
)
#: The name table of each Hugging Face model type.
NAME_TABLES: dict[str, NameTable] = {
    "bert": _TABLE,
    "distilbert": _DISTILBERT,
    "roberta": _ROBERTA,
    "xlm-roberta": _ROBERTA,
    "electra": _ELECTRA,
    "albert": _ALBERT,
}


def map_bert_names(state: dict[str, torch.Tensor], model_type: str = "bert") -> dict[str, torch.Tensor]:
    """Rename a Hugging Face state dict of ``model_type`` (with or without its ``bert.``, ``roberta.``, ...
    prefix) to our names.

    LayerNorm parameters called gamma/beta (the oldest checkpoints) are read as weight/bias.

    Raises:
        ValueError: for a tensor the table does not know.
    """
    renamed = {re.sub(r"\.gamma$", ".weight", re.sub(r"\.beta$", ".bias", k)): v for k, v in state.items()}
    return NAME_TABLES[model_type].from_hf_names(renamed)


def load_bert_encoder(folder: str | Path, device: torch.device | str = "cpu") -> BertEncoder:
    """Build a :class:`BertEncoder` from a Hugging Face BERT-style folder (any model type of
    ``HF_MODEL_TYPES``), in eval mode, frozen, on ``device``."""
    folder = Path(folder)
    config = EncoderConfig.from_hf(folder)
    state = map_bert_names(read_state_dict(folder), config.model_type)
    return load_frozen(BertEncoder(config), state, device)
