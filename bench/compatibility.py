"""The compatibility table of the model library: every family and variant the app opens, made as a
random-weight folder by ``transformers`` itself, then run through the app's own entry points
(``trace_sentence``, the GPT-2 loader, ``trace_image``, ``trace_swin``) and compared with ``transformers`` on
the same folder: the largest absolute difference over attentions, hidden states and logits, and whether the
tokens and ids equal the Hugging Face tokenizer's on hard texts (accents, emoji, CJK, combining marks, control
characters, a text longer than the positions). Images go through the folder's image processor on both sides
(transformers' slow processor class for the reference).

Usage: python bench/compatibility.py     (needs the test extra: transformers)
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.models.bert.families import FAMILIES as TEXT_FAMILIES  # noqa: E402
from tests.models.bert.families import TEXTS, make_folder  # noqa: E402

ROWS: list[tuple[str, str, float, str]] = []
PHOTO = ROOT / "assets" / "samples" / "cat.jpg"


def _max(*pairs) -> float:
    return max(
        float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))
        for a, b in pairs
    )


def text_rows(root: Path) -> None:
    import transformers

    from viz.models.bert.tokenizer import load_tokenizer, tokenize
    from viz.trace.sentence import trace_sentence

    for family, spec in TEXT_FAMILIES.items():
        for model_class in spec.model_classes:
            folder = make_folder(root / f"{family}-{model_class}", family, model_class)
            reference = transformers.AutoModel.from_pretrained(
                str(folder), attn_implementation="eager"
            ).eval()
            hf_tok = transformers.AutoTokenizer.from_pretrained(str(folder))
            worst, equal = 0.0, True
            ours_tok = load_tokenizer(folder)
            for text in TEXTS:
                trace = trace_sentence(text, model=folder) if text.strip() else None
                ids = hf_tok(text, truncation=True, max_length=24)["input_ids"]
                mine = tokenize(ours_tok, text, 24)
                equal &= mine.ids == ids and mine.tokens == hf_tok.convert_ids_to_tokens(ids)
                if trace is None:
                    continue
                expected = hf_tok(text, truncation=True, max_length=trace.max_tokens)["input_ids"]
                equal &= trace.token_ids.tolist() == expected
                with torch.no_grad():
                    out = reference(
                        torch.tensor([expected]), output_attentions=True, output_hidden_states=True
                    )
                worst = max(
                    worst,
                    _max(
                        (trace.attentions, torch.stack([a[0] for a in out.attentions])),
                        (trace.hidden_states, torch.stack([h[0] for h in out.hidden_states])),
                    ),
                )
            ROWS.append((family, model_class, worst, "yes" if equal else "NO"))


def gpt2_rows(root: Path) -> None:
    import transformers
    from tokenizers import ByteLevelBPETokenizer

    from viz.models.gpt2.registry import load_causal_model

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(TEXTS * 5, vocab_size=400, min_frequency=1, show_progress=False)
    variants = {
        "plain, tokenizer.json": {},
        "scale_attn_by_inverse_layer_idx": dict(scale_attn_by_inverse_layer_idx=True),
        "untied output layer": dict(tie_word_embeddings=False),
        "vocab.json + merges.txt": {},
    }
    for name, overrides in variants.items():
        folder = root / f"gpt2-{len(ROWS)}"
        torch.manual_seed(0)
        config = transformers.GPT2Config(
            vocab_size=bpe.get_vocab_size(), n_positions=64, n_embd=32, n_layer=2, n_head=4, **overrides
        )
        config._attn_implementation = "eager"
        reference = transformers.GPT2LMHeadModel(config).eval()
        reference.save_pretrained(folder)
        hf_tok = transformers.GPT2TokenizerFast(tokenizer_object=bpe._tokenizer)
        hf_tok.save_pretrained(folder)
        if name.startswith("vocab.json"):
            bpe.save_model(str(folder))  # vocab.json + merges.txt
            (folder / "tokenizer.json").unlink()
            hf_tok = transformers.GPT2Tokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"))
        causal = load_causal_model(folder)
        worst, equal = 0.0, True
        for text in TEXTS:
            ids = hf_tok(text)["input_ids"][:60]
            equal &= causal.tokenizer.encode(text).ids[:60] == ids
            if not ids:
                continue
            with torch.no_grad():
                ref = reference(torch.tensor([ids]), output_attentions=True)
                mine = causal.model(torch.tensor([ids]))
            worst = max(
                worst,
                _max(
                    (mine.logits, ref.logits), *((m.weights, r) for m, r in zip(mine.traces, ref.attentions))
                ),
            )
        ROWS.append(("gpt2", name, worst, "yes" if equal else "NO"))


VIT_PROCESSOR = {
    "image_processor_type": "ViTImageProcessor",
    "do_resize": True,
    "size": {"height": 32, "width": 32},
    "resample": 2,
    "image_mean": [0.5, 0.5, 0.5],
    "image_std": [0.5, 0.5, 0.5],
}
DEIT_PROCESSOR = {
    "image_processor_type": "DeiTImageProcessor",
    "do_resize": True,
    "size": {"height": 40, "width": 40},
    "resample": 3,
    "do_center_crop": True,
    "crop_size": {"height": 32, "width": 32},
    "image_mean": [0.485, 0.456, 0.406],
    "image_std": [0.229, 0.224, 0.225],
}
BIT_PROCESSOR = {
    "image_processor_type": "BitImageProcessor",
    "do_resize": True,
    "size": {"shortest_edge": 40},
    "resample": 3,
    "do_center_crop": True,
    "crop_size": {"height": 32, "width": 32},
    "image_mean": [0.485, 0.456, 0.406],
    "image_std": [0.229, 0.224, 0.225],
}


def vision_rows(root: Path) -> None:
    import transformers
    from PIL import Image

    from viz.trace.swin import trace_swin
    from viz.trace.vit import trace_image

    small = dict(image_size=32, patch_size=8, hidden_size=48, num_hidden_layers=2, num_attention_heads=4)
    cases = [
        ("vit", "ViTForImageClassification", transformers.ViTConfig(**small, num_labels=3), VIT_PROCESSOR),
        ("vit", "ViTModel (no head, as DINO)", transformers.ViTConfig(**small), VIT_PROCESSOR),
        (
            "deit",
            "DeiTForImageClassificationWithTeacher",
            transformers.DeiTConfig(**small, num_labels=3),
            DEIT_PROCESSOR,
        ),
        (
            "dinov2",
            "Dinov2ForImageClassification",
            transformers.Dinov2Config(**{**small, "image_size": 56}, num_labels=3, mlp_ratio=2),
            BIT_PROCESSOR,
        ),
        (
            "dinov2_with_registers",
            "Dinov2WithRegistersModel",
            transformers.Dinov2WithRegistersConfig(
                **{**small, "image_size": 40}, num_register_tokens=2, mlp_ratio=2
            ),
            BIT_PROCESSOR,
        ),
        (
            "swin",
            "SwinForImageClassification",
            transformers.SwinConfig(
                image_size=32,
                patch_size=2,
                embed_dim=16,
                depths=[2, 2, 1],
                num_heads=[2, 4, 4],
                window_size=4,
                num_labels=3,
            ),
            VIT_PROCESSOR,
        ),
    ]
    photo = Image.open(PHOTO).convert("RGB")
    for model_type, label, config, processor in cases:
        folder = root / f"{model_type}-{len(ROWS)}"
        class_name = label.split(" ")[0]
        torch.manual_seed(0)
        config._attn_implementation = "eager"  # the attention weights are returned only by eager attention
        reference = getattr(transformers, class_name)(config).eval()
        for param in reference.parameters():  # spread the weights so that attention is far from uniform
            param.data.normal_(0, 0.3) if param.dim() > 1 else None
        reference.save_pretrained(folder)
        (folder / "preprocessor_config.json").write_text(json.dumps(processor))
        slow = getattr(transformers, processor["image_processor_type"])(
            **{k: v for k, v in processor.items() if k != "image_processor_type"}
        )
        pixels = slow(photo, return_tensors="pt")["pixel_values"]
        with torch.no_grad():
            ref = reference(pixels, output_attentions=True, output_hidden_states=True)
        trace = (trace_swin if model_type == "swin" else trace_image)(PHOTO, model=folder)
        pairs = []
        if model_type != "swin":
            pairs += [(trace.attentions, torch.stack([a[0] for a in ref.attentions]))]
            pairs += [(trace.hidden_states, torch.stack([h[0] for h in ref.hidden_states]))]
        if getattr(ref, "logits", None) is not None:
            pairs.append((trace.logits, ref.logits[0]))
        ROWS.append((model_type, label, _max(*pairs), "–"))


def main() -> None:
    import transformers

    transformers.logging.set_verbosity_error()
    with tempfile.TemporaryDirectory() as root:
        text_rows(Path(root))
        gpt2_rows(Path(root))
        vision_rows(Path(root))
    print(f"{'family':24} {'variant':58} {'max |diff|':>10}  tokens = HF")
    for family, variant, diff, tokens in ROWS:
        print(f"{family:24} {variant:58} {diff:10.1e}  {tokens}")


if __name__ == "__main__":
    main()
