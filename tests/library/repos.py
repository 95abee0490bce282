"""Tiny random-weight model repositories of every family the library offers, written by ``transformers``
itself (``save_pretrained``), and a Hugging Face cache filled from them through the fake hub, laid out by
``huggingface_hub`` exactly as a lecturer's cache is."""

from __future__ import annotations

import json
from pathlib import Path

import torch

WORDS = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "and", "it", "was", "tired", "."]


def bert_repo(folder: Path) -> Path:
    from transformers import BertConfig, BertModel, BertTokenizerFast

    torch.manual_seed(0)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    BertModel(config).eval().save_pretrained(folder, safe_serialization=True)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
    return folder


def gpt2_repo(folder: Path) -> Path:
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([" ".join(WORDS)] * 20, vocab_size=300, min_frequency=1, show_progress=False)
    tokenizer = GPT2TokenizerFast(tokenizer_object=bpe._tokenizer)
    torch.manual_seed(1)
    config = GPT2Config(
        vocab_size=bpe.get_vocab_size(), n_positions=64, n_embd=32, n_layer=2, n_head=4, n_inner=64
    )
    GPT2LMHeadModel(config).eval().save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


def vit_repo(folder: Path) -> Path:
    from transformers import ViTConfig, ViTForImageClassification

    torch.manual_seed(2)
    labels = ["tench, Tinca tinca", "goldfish, Carassius auratus", "tabby, tabby cat"]
    config = ViTConfig(
        image_size=32,
        patch_size=8,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        id2label=dict(enumerate(labels)),
        label2id={name: i for i, name in enumerate(labels)},
    )
    ViTForImageClassification(config).eval().save_pretrained(folder, safe_serialization=True)
    processor = {
        "image_processor_type": "ViTImageProcessor",
        "do_resize": True,
        "size": {"height": 32, "width": 32},
        "resample": 2,
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5],
    }
    (folder / "preprocessor_config.json").write_text(json.dumps(processor), encoding="utf-8")
    return folder


def swin_repo(folder: Path) -> Path:
    from transformers import SwinConfig, SwinForImageClassification

    torch.manual_seed(3)
    config = SwinConfig(
        image_size=32,
        patch_size=4,
        embed_dim=16,
        depths=[2, 2],
        num_heads=[2, 4],
        window_size=4,
        num_labels=3,
    )
    SwinForImageClassification(config).eval().save_pretrained(folder, safe_serialization=True)
    return folder


def unsupported_repo(folder: Path) -> Path:
    """A folder of a family the app does not open (a T5 config with a small weight file)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps({"model_type": "t5", "d_model": 8}), encoding="utf-8")
    from safetensors.torch import save_file

    save_file({"shared.weight": torch.zeros(4, 8)}, str(folder / "model.safetensors"))
    return folder


#: repository id -> (family, maker)
REPOS = {
    "lecturer/tiny-bert": ("text", bert_repo),
    "lecturer/tiny-gpt2": ("decoder", gpt2_repo),
    "lecturer/tiny-vit": ("vit", vit_repo),
    "lecturer/tiny-swin": ("swin", swin_repo),
    "lecturer/tiny-t5": (None, unsupported_repo),
}


def make_repos(root: Path) -> dict[str, Path]:
    """Every repository of :data:`REPOS` as a folder under ``root``, plus a README the app never reads and a
    pickle beside the safetensors (which a fetch must leave on the hub)."""
    repos = {}
    for repo_id, (_, maker) in REPOS.items():
        folder = root / repo_id.replace("/", "--")
        folder.mkdir(parents=True, exist_ok=True)
        maker(folder)
        (folder / "README.md").write_text("# a model card\n", encoding="utf-8")
        (folder / "pytorch_model.bin").write_bytes(b"not read: the safetensors file is fetched instead")
        repos[repo_id] = folder
    return repos


def fill_cache(hub_url: str, cache: Path, repo_ids) -> dict[str, Path]:
    """Download ``repo_ids`` from the fake hub at ``hub_url`` into ``cache`` with ``huggingface_hub`` itself."""
    from huggingface_hub import constants, snapshot_download

    offline, constants.HF_HUB_OFFLINE = constants.HF_HUB_OFFLINE, False  # read at import: tests set it on
    try:
        return {
            repo: Path(snapshot_download(repo, cache_dir=str(cache), endpoint=hub_url)) for repo in repo_ids
        }
    finally:
        constants.HF_HUB_OFFLINE = offline
