"""viz.trace.lm (the decoder-only page's trace) against transformers: GPT2LMHeadModel on the same ids
(attentions, hidden states, logits, greedy generation), GPT2TokenizerFast (ids and token texts), and a numpy
logit lens; on the bundled English GPT-2 and on a random-weight GPT-2 folder with the same tokenizer."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file

from tests.models.helpers import spread_weights
from viz.analysis.decoding import next_token_distribution
from viz.core.registry import ASSETS
from viz.tasks.vocab import EmptyInputError, InputError, InputTooLongError, OutOfVocabularyError
from viz.trace.lm import LENS_K, MAX_NEW_TOKENS, MAX_PROMPT_CHARS, trace_lm

transformers = pytest.importorskip("transformers")

KJV = ASSETS / "gpt2-kjv"
pytestmark = pytest.mark.skipif(not (KJV / "config.json").is_file(), reason="assets/gpt2-kjv is absent")

PROMPT = "In the beginning God created the heaven"
#: Positions of the random folder: small, so that a long prompt is easy to write.
N_POSITIONS = 48


def random_folder(path, n_positions: int = N_POSITIONS, seed: int = 0, eos: int = 0, tied: bool = True):
    """A random-weight 3-layer GPT2LMHeadModel saved with the bundled model's tokenizer (vocabulary 4096):
    weights N(0, 0.3^2) so that attention is peaked, LayerNorms off their defaults; ``tied=False``: an output
    layer of its own."""
    config = transformers.GPT2Config(
        vocab_size=4096, n_positions=n_positions, n_embd=32, n_layer=3, n_head=4, n_inner=48,
        bos_token_id=eos, eos_token_id=eos, tie_word_embeddings=tied,
    )  # fmt: skip
    config._attn_implementation = "eager"
    torch.manual_seed(seed)
    model = spread_weights(transformers.GPT2LMHeadModel(config).eval(), 0.3, keep="ln_")
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "ln_" in name:
                p.add_(0.1 * torch.randn_like(p))
    model.save_pretrained(path)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(KJV / name, path / name)
    return path


@pytest.fixture(scope="module")
def random_gpt2(tmp_path_factory):
    return random_folder(tmp_path_factory.mktemp("lm") / "random-gpt2")


@pytest.fixture(scope="module", params=["kjv", "random", "random-untied"])
def folder(request, tmp_path_factory):
    if request.param == "kjv":
        return KJV
    if request.param == "random":
        return request.getfixturevalue("random_gpt2")
    return random_folder(tmp_path_factory.mktemp("lm") / "untied-gpt2", seed=1, tied=False)


def hf_model(folder):
    return transformers.GPT2LMHeadModel.from_pretrained(folder, attn_implementation="eager").eval()


def hf_tokenizer(folder):
    return transformers.GPT2TokenizerFast.from_pretrained(folder)


def test_trace_equals_gpt2lmheadmodel(folder):
    trace = trace_lm(PROMPT, folder, max_new_tokens=6)
    ref = hf_model(folder)
    with torch.no_grad():
        out = ref(torch.tensor([trace.ids]), output_attentions=True, output_hidden_states=True)
    n_layers, t = ref.config.n_layer, len(trace.ids)
    assert trace.attentions.shape == (n_layers, ref.config.n_head, t, t)
    theirs = torch.stack([a[0] for a in out.attentions]).numpy()
    assert np.abs(trace.attentions - theirs).max() < 1e-4
    # HF's hidden states: x_0 .. x_{L-1}, then LN_f(x_L); ours are all raw residual streams x_0 .. x_L.
    hidden = torch.stack([h[0] for h in out.hidden_states]).numpy()
    assert trace.hidden_states.shape == hidden.shape == (n_layers + 1, t, ref.config.n_embd)
    assert np.abs(trace.hidden_states[:-1] - hidden[:-1]).max() < 1e-4
    with torch.no_grad():
        normed = ref.transformer.ln_f(torch.from_numpy(trace.hidden_states[-1])).numpy()
    assert np.abs(normed - hidden[-1]).max() < 1e-4
    assert np.abs(trace.hidden_states[-1] - hidden[-1]).max() > 1e-2  # ln_f is not the identity
    # Step s is the output at position n_prompt - 1 + s.
    logits = out.logits[0, trace.n_prompt - 1 :].numpy()
    assert trace.step_logits.shape == (trace.n_steps, ref.config.vocab_size) == logits.shape
    assert np.abs(trace.step_logits - logits).max() < 1e-4
    # the embeddings the stream starts from
    wte, wpe = ref.transformer.wte.weight.detach().numpy(), ref.transformer.wpe.weight.detach().numpy()
    np.testing.assert_allclose(trace.token_embeddings, wte[trace.ids], atol=1e-6)
    np.testing.assert_allclose(trace.position_embeddings, wpe[:t], atol=1e-6)
    np.testing.assert_allclose(trace.token_embeddings + trace.position_embeddings, hidden[0], atol=1e-5)


def test_causal_attention_and_masked_scores(folder):
    trace = trace_lm(PROMPT, folder, max_new_tokens=4)
    t = len(trace.ids)
    above = np.triu(np.ones((t, t), dtype=bool), 1)
    assert np.all(trace.attentions[..., above] == 0.0)
    assert np.all(trace.attentions[..., ~above] > 0)
    np.testing.assert_allclose(trace.attentions.sum(-1), 1.0, atol=1e-5)
    scores = trace.masked_scores
    assert scores.shape == trace.attentions.shape
    assert np.all(scores[..., above] == -np.inf)
    assert np.all(np.isfinite(scores[..., ~above]))
    # the weights are the softmax of these scores, row by row
    z = np.exp(scores - scores.max(-1, keepdims=True))
    np.testing.assert_allclose(z / z.sum(-1, keepdims=True), trace.attentions, atol=1e-5)


@pytest.mark.parametrize(
    "text",
    [PROMPT, "  Two spaces,\ta tab\nand unicode: héllo ✓ 日本語 😀", "<|endoftext|> And the LORD said"],
    ids=["plain", "unicode", "eos-text"],
)
def test_ids_and_tokens_equal_the_hf_tokenizer(folder, text):
    tokenizer = hf_tokenizer(folder)
    trace = trace_lm(text, folder)
    expected = tokenizer(text)["input_ids"]
    assert trace.ids == expected and trace.n_prompt == len(expected) and trace.n_prompt_dropped == 0
    assert trace.tokens == [tokenizer.decode([i]) for i in trace.ids]


def test_greedy_continuation_equals_hf_generate(folder):
    tokenizer, ref = hf_tokenizer(folder), hf_model(folder)
    for prompt, n in [(PROMPT, 12), ("And the LORD said unto", 20)]:
        trace = trace_lm(prompt, folder, max_new_tokens=n)
        ids = torch.tensor([tokenizer(prompt)["input_ids"]])
        expected = ref.generate(ids, max_new_tokens=n, do_sample=False, pad_token_id=tokenizer.eos_token_id)
        assert trace.generated_ids == expected[0, ids.shape[1] :].tolist()
        assert trace.generated_tokens == [tokenizer.decode([i]) for i in trace.generated_ids]
        assert trace.ids == ids[0].tolist() + trace.generated_ids[:-1]  # the last one written is not read
        # each greedy token is the argmax of its step's logits
        assert trace.generated_ids == trace.step_logits.argmax(-1).tolist()


def test_seeded_sampling(random_gpt2):
    def sample(seed, **settings):
        return trace_lm(PROMPT, random_gpt2, 10, "sample", seed=seed, **settings)

    first = sample(0, temperature=2.0)
    assert first.generated_ids == sample(0, temperature=2.0).generated_ids
    assert first.generated_text == sample(0, temperature=2.0).generated_text
    assert len({tuple(sample(seed, temperature=2.0).generated_ids) for seed in range(4)}) == 4
    # every token drawn is one the filtered distribution allows
    for settings in [
        dict(temperature=1.5, top_k=5),
        dict(temperature=1.0, top_p=0.6),
        dict(top_k=8, top_p=0.7),
    ]:
        trace = sample(3, **settings)
        assert trace.n_steps == 10
        for step, token in enumerate(trace.generated_ids):
            p = next_token_distribution(trace.step_logits[step], **settings)
            assert p[token] > 0
            assert np.count_nonzero(p) <= settings.get("top_k", 4096)
            np.testing.assert_allclose(trace.distribution(step, **{"temperature": 1.0, **settings}), p)
    # a draw from the top token only is the greedy continuation
    greedy = trace_lm(PROMPT, random_gpt2, 10)
    assert sample(5, top_k=1).generated_ids == greedy.generated_ids


def test_generation_stops_at_eos(random_gpt2, tmp_path):
    greedy = trace_lm(PROMPT, random_gpt2, 10).generated_ids
    stop = 3 if greedy[3] not in greedy[:3] else 0
    eos = greedy[stop]
    folder = tmp_path / "with-eos"
    shutil.copytree(random_gpt2, folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "eos_token_id": eos}))
    trace = trace_lm(PROMPT, folder, 10)
    assert trace.generated_ids == greedy[: stop + 1] and trace.generated_ids[-1] == eos
    assert trace.step_logits.shape[0] == trace.n_steps == stop + 1
    assert len(trace.ids) == trace.n_prompt + stop


def test_character_model_writes_until_its_end_token():
    trace = trace_lm("abc", "char-reverse", max_new_tokens=0)
    assert trace.is_char_model
    assert trace.tokens[: trace.n_prompt] == ["<s>", "a", "b", "c", "="]
    assert trace.generated_tokens == ["c", "b", "a", "</s>"]
    assert trace.step_logits.shape == (4, trace.vocab_size)


def test_logit_lens_equals_numpy(folder):
    trace = trace_lm(PROMPT, folder, max_new_tokens=3)
    weights = load_file(str(folder / "model.safetensors"))
    config = json.loads((folder / "config.json").read_text())
    g, b = weights["transformer.ln_f.weight"], weights["transformer.ln_f.bias"]
    output = weights.get("lm_head.weight", weights["transformer.wte.weight"]).astype(np.float64)
    assert ("lm_head.weight" in weights) == (not config.get("tie_word_embeddings", True))
    h = trace.hidden_states[:, trace.lens_start : trace.n_prompt].astype(np.float64)
    normed = (h - h.mean(-1, keepdims=True)) / np.sqrt(
        h.var(-1, keepdims=True) + config["layer_norm_epsilon"]
    )
    logits = (normed * g + b) @ output.T
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    top = np.argsort(-p, axis=-1, kind="stable")[..., :LENS_K]
    assert (
        trace.lens_ids.shape == trace.lens_probs.shape == (len(h), trace.n_prompt - trace.lens_start, LENS_K)
    )
    assert np.array_equal(trace.lens_ids, top)
    assert np.abs(trace.lens_probs - np.take_along_axis(p, top, axis=-1)).max() < 1e-5
    # the last layer's lens at the last prompt position is the model's own next-token prediction
    assert trace.lens_ids[-1, -1, 0] == trace.step_logits[0].argmax()
    assert set(trace.lens_ids.ravel().tolist()) <= set(trace.lens_tokens)


def test_lens_covers_the_last_positions_of_a_long_prompt(random_gpt2):
    trace = trace_lm(" ".join(["and the earth was without form"] * 4), random_gpt2)
    assert trace.n_prompt > 12 and trace.lens_start == trace.n_prompt - 12
    assert trace.lens_ids.shape[1] == 12


@pytest.mark.parametrize("text", ["", " ", "\n\t  \r\n"])
def test_empty_prompt_is_refused(random_gpt2, text):
    with pytest.raises(EmptyInputError):
        trace_lm(text, random_gpt2)
    with pytest.raises(InputError):
        trace_lm(text, "char-reverse")


def test_too_long_prompt_is_refused(random_gpt2):
    with pytest.raises(InputTooLongError):
        trace_lm("a" * (MAX_PROMPT_CHARS + 1), random_gpt2)
    trace_lm("a " * (MAX_PROMPT_CHARS // 2), random_gpt2)  # at the limit: read (its end)
    with pytest.raises(OutOfVocabularyError):
        trace_lm("Abc", "char-reverse")
    with pytest.raises(InputTooLongError):
        trace_lm("a" * 17, "char-reverse")


@pytest.mark.parametrize(
    "text",
    [
        "😀👍🏽 👨‍👩‍👧",  # emoji, a skin tone, a zero-width-joined family
        "שלום עולם مرحبا",  # right to left
        "a\u200bb\u200c\u200d\ufeff",  # zero-width characters
        "\u202eevil\u202c \u200e",  # direction overrides
        "\x00\x07\x1b[31m\x7f end",  # control characters
        "<script>alert('x')</script> &amp; <b>",  # HTML
    ],
    ids=["emoji", "rtl", "zero-width", "bidi", "control", "html"],
)
def test_any_unicode_is_read(random_gpt2, text):
    tokenizer = hf_tokenizer(random_gpt2)
    trace = trace_lm(text, random_gpt2, max_new_tokens=2)
    assert trace.ids[: trace.n_prompt] == tokenizer(text)["input_ids"]
    assert np.all(np.isfinite(trace.step_logits)) and np.all(np.isfinite(trace.attentions))
    assert all(isinstance(t, str) for t in trace.tokens + trace.generated_tokens)


def test_a_lone_surrogate_is_refused_as_input(random_gpt2):
    """Half of a UTF-16 pair is no character (UTF-8 cannot hold it): a message, not a crash."""
    with pytest.raises(OutOfVocabularyError, match="U\\+D83D"):
        trace_lm("abc \ud83d def", random_gpt2)


def test_bad_settings_are_refused(random_gpt2, tmp_path):
    for bad in (-1, MAX_NEW_TOKENS + 1):
        with pytest.raises(ValueError, match="max_new_tokens"):
            trace_lm(PROMPT, random_gpt2, max_new_tokens=bad)
    with pytest.raises(ValueError, match="strategy"):
        trace_lm(PROMPT, random_gpt2, 2, strategy="beam")
    for settings in [
        dict(temperature=0),
        dict(temperature=-1),
        dict(top_p=0),
        dict(top_p=1.5),
        dict(top_k=-1),
    ]:
        with pytest.raises(ValueError):
            trace_lm(PROMPT, random_gpt2, 2, "sample", **settings)
    small = random_folder(tmp_path / "small", n_positions=8)
    with pytest.raises(ValueError, match="positions"):
        trace_lm(PROMPT, small, max_new_tokens=9)
    trace = trace_lm(PROMPT, small, max_new_tokens=8)  # one prompt token, then 8 written
    assert trace.n_prompt == 1 and len(trace.ids) == 8 and trace.n_steps == 8


@pytest.mark.parametrize("n_new", [0, 1, 7])
def test_a_long_prompt_keeps_its_end(random_gpt2, n_new):
    text = " ".join(["And God said, Let there be light: and there was light."] * 8)
    expected = hf_tokenizer(random_gpt2)(text)["input_ids"]
    assert len(expected) > 2 * N_POSITIONS
    trace = trace_lm(text, random_gpt2, max_new_tokens=n_new)
    room = N_POSITIONS - max(n_new - 1, 0)
    assert trace.n_prompt == room and trace.n_prompt_dropped == len(expected) - room
    assert trace.ids[: trace.n_prompt] == expected[trace.n_prompt_dropped :]
    assert len(trace.ids) == N_POSITIONS >= trace.n_prompt + trace.n_steps - 1
    assert trace.step_logits.shape[0] == max(n_new, 1) and trace.n_steps == n_new
