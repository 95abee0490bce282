"""The bundled decoder-only model and GPT-2 folders with a tokenizer.json, through viz.trace.causal."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz.models.gpt2.checkpoint import save_gpt2_folder
from viz.models.gpt2.config import GPT2Config
from viz.models.gpt2.model import GPT2
from viz.models.gpt2.registry import load_causal_model
from viz.tasks import EmptyInputError, InputTooLongError, OutOfVocabularyError
from viz.trace.causal import is_char_model, trace_causal


def test_bundled_model_reverses_and_attends_causally():
    trace = trace_causal("transformer", model="char-reverse")
    assert trace.generated == "remrofsnart"
    assert trace.tokens[: trace.n_prompt] == ["<s>", *"transformer", "="]
    t = len(trace.tokens)
    assert trace.attentions.shape[-2:] == (t, t)
    assert np.all(trace.attentions[..., np.triu(np.ones((t, t), dtype=bool), 1)] == 0.0)
    np.testing.assert_allclose(trace.attentions.sum(-1), 1.0, atol=1e-5)
    assert is_char_model("char-reverse")
    assert not is_char_model()  # the default is the bundled English GPT-2


def test_bundled_folder_is_a_gpt2_checkpoint():
    transformers = pytest.importorskip("transformers")
    loaded = load_causal_model("char-reverse")
    ref = transformers.GPT2LMHeadModel.from_pretrained(loaded.folder, attn_implementation="eager").eval()
    ids = torch.tensor([[1, 5, 6, 7, loaded.vocab.tokens.index("=")]])
    with torch.no_grad():
        torch.testing.assert_close(ref(ids).logits, loaded.model(ids).logits, atol=1e-4, rtol=0)


@pytest.mark.parametrize(
    "text, error",
    [
        ("", EmptyInputError),
        ("Abc", OutOfVocabularyError),
        ("ab=c", OutOfVocabularyError),
        ("a" * 17, InputTooLongError),
    ],
)
def test_bad_input(text, error):
    with pytest.raises(error):
        trace_causal(text, model="char-reverse")


def word_folder(tmp_path):
    """A 6-word GPT-2 folder with 16 positions and a word-level tokenizer.json."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    words = ["<unk>", "the", "cat", "sat", "on", "mat"]
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    torch.manual_seed(0)
    model = GPT2(GPT2Config(vocab_size=6, n_positions=16, d_model=16, n_layers=2, n_heads=2, d_ff=32)).eval()
    folder = save_gpt2_folder(model, tmp_path / "word-gpt2")
    tokenizer.save(str(folder / "tokenizer.json"))
    return folder


def test_folder_with_a_tokenizer_json(tmp_path):
    folder = word_folder(tmp_path)
    trace = trace_causal("the cat sat", model=folder, max_new_tokens=3)
    assert trace.tokens[:3] == ["the", "cat", "sat"] and trace.n_prompt == 3
    assert len(trace.tokens) == 5 and trace.attentions.shape == (2, 2, 5, 5)
    assert not is_char_model(folder)


def test_a_long_prompt_keeps_its_end_and_says_what_was_cut(tmp_path):
    folder = word_folder(tmp_path)
    words = " ".join(["the", "cat", "sat", "on", "mat"] * 4)  # 20 tokens; 16 positions
    trace = trace_causal(words, model=folder, max_new_tokens=4)
    assert trace.n_prompt == 12 and trace.n_prompt_dropped == 8
    assert trace.tokens[:12] == words.split()[8:]  # the end of the prompt, next to the continuation
    for bad in (0, 16, 40):
        with pytest.raises(ValueError, match="max_new_tokens must be between 1 and 15"):
            trace_causal(words, model=folder, max_new_tokens=bad)


def test_a_byte_level_bpe_prompt_reads_as_text(tmp_path):
    """GPT-2's tokenizer writes a space as "Ġ": the trace shows text, and keeps the prompt's first token."""
    from tokenizers import ByteLevelBPETokenizer

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(["Monday, 30 November 2026", "the cat sat on the mat"] * 20, vocab_size=300)
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=bpe.get_vocab_size(), n_positions=32, d_model=16, n_layers=1, n_heads=2, d_ff=32
    )
    folder = save_gpt2_folder(GPT2(config).eval(), tmp_path / "bpe-gpt2")
    bpe._tokenizer.save(str(folder / "tokenizer.json"))
    text = "Monday, 30 November 2026"
    trace = trace_causal(text, model=folder, max_new_tokens=3)
    assert trace.prompt_text == text
    assert "".join(trace.tokens[: trace.n_prompt]) == text and not any("Ġ" in t for t in trace.tokens)


def test_a_folder_with_only_vocab_json_and_merges_txt(tmp_path):
    """Older GPT-2 folders: the byte-level BPE is built from vocab.json + merges.txt, ids as transformers'."""
    from tokenizers import ByteLevelBPETokenizer

    transformers = pytest.importorskip("transformers")
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(["the cat sat on the mat, naïve café 日本"] * 20, vocab_size=300)
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=bpe.get_vocab_size(), n_positions=32, d_model=16, n_layers=1, n_heads=2, d_ff=32
    )
    folder = save_gpt2_folder(GPT2(config).eval(), tmp_path / "old-gpt2")
    bpe.save_model(str(folder))  # vocab.json and merges.txt only
    assert not (folder / "tokenizer.json").exists()
    from viz.models.gpt2.registry import load_bpe_tokenizer

    ours = load_bpe_tokenizer(folder)
    reference = transformers.GPT2Tokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"))
    for text in ["the cat sat", " naïve café", "日本 the mat!", "tabs\tand\nnewlines"]:
        assert ours.encode(text).ids == reference(text)["input_ids"], text
    trace = trace_causal("the cat sat", model=folder, max_new_tokens=2)
    assert trace.prompt_text == "the cat sat"
