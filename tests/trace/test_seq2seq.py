"""viz.translate on the bundled checkpoints: outputs, invariants of the trace, decoding options, bad input."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch

import viz
from viz.models.seq2seq.registry import load_task_model
from viz.tasks import EmptyInputError, InputTooLongError, OutOfVocabularyError
from viz.trace.seq2seq import translate


def test_top_level_translate_on_the_issue_example():
    module = importlib.import_module("viz.trace.seq2seq")  # importing the module must not shadow the function
    assert viz.translate is module.translate and "translate" in viz.__all__
    trace = viz.translate("Monday, 30 November 2026", task="date")
    assert trace.output_text == "2026-11-30" and trace.finished
    assert trace.output_tokens[-1] == "</s>" and trace.decoder_input_tokens[0] == "<s>"
    assert trace.decoder_input_tokens[1:] == trace.output_tokens[:-1]
    layers, heads = trace.n_layers, trace.n_heads
    s, t, v = len(trace.input_tokens), trace.n_steps, len(trace.vocab)
    assert trace.encoder_attentions.shape == (layers, heads, s, s)
    assert trace.decoder_self_attentions.shape == (layers, heads, t, t)
    assert trace.cross_attentions.shape == (layers, heads, t, s)
    assert trace.step_probs.shape == trace.step_logits.shape == (t, v)
    assert trace.notes == ()


@pytest.mark.parametrize(
    "text, task, expected",
    [
        ("30 Nov 2026", "date", "2026-11-30"),
        ("November 30, 2026", "date", "2026-11-30"),
        ("30/11/2026", "date", "2026-11-30"),
        ("2026.11.30", "date", "2026-11-30"),
        ("transformer", "reverse", "remrofsnart"),
        ("transformer", "sort", "aefmnorrrst"),
    ],
)
def test_outputs(text, task, expected):
    trace = translate(text, task=task)
    assert trace.output_text == expected
    assert trace.correct in (True, None)


@pytest.mark.parametrize("task, text", [("date", "4th of july 1976"), ("sort", "hgfedcba")])
def test_trace_invariants(task, text):
    trace = translate(text, task=task)
    t = trace.n_steps
    upper = np.triu(np.ones((t, t), dtype=bool), 1)
    assert np.all(trace.decoder_self_attentions[..., upper] == 0.0)
    assert np.all(np.isneginf(trace.decoder_mask[upper])) and np.all(trace.decoder_mask[~upper] == 0)
    np.testing.assert_allclose(trace.cross_attentions.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(trace.encoder_attentions.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(trace.step_probs.sum(-1), 1.0, atol=1e-5)


def test_step_by_step_decode_equals_full_forward():
    """The logits chosen from at each incremental step equal one teacher-forced pass over the same tokens."""
    trace = translate("Nov 30, 2026", task="date")
    model, _ = load_task_model("date")
    vocab = trace.vocab
    src = torch.tensor([[vocab.index(c) for c in trace.input_tokens]])
    tgt = torch.tensor([[vocab.index(c) for c in trace.decoder_input_tokens]])
    with torch.no_grad():
        logits = model(src, tgt).logits
    np.testing.assert_allclose(trace.step_logits, logits[0].numpy(), atol=1e-4)


def test_temperature_reshapes_the_distribution_but_not_the_greedy_choice():
    cold = translate("transformer", task="reverse", temperature=0.5)
    hot = translate("transformer", task="reverse", temperature=2.0)
    assert cold.output_text == hot.output_text
    assert cold.step_probs[0].max() > hot.step_probs[0].max()
    np.testing.assert_allclose(cold.step_logits, hot.step_logits)


def test_sampling_is_seeded_and_top_k_limits_choices():
    a = translate("attention", task="sort", strategy="sample", temperature=3.0, seed=1)
    b = translate("attention", task="sort", strategy="sample", temperature=3.0, seed=1)
    assert a.output_tokens == b.output_tokens
    outputs = {
        translate("attention", task="sort", strategy="sample", temperature=3.0, seed=s).output_text
        for s in range(8)
    }
    assert len(outputs) > 1  # a hot distribution gives different outputs for different seeds
    k = translate("attention", task="sort", strategy="sample", temperature=3.0, top_k=2, seed=1)
    assert np.all(np.count_nonzero(k.step_probs, axis=-1) <= 2)


def test_impossible_date_is_shown_with_a_note():
    trace = translate("31 Feb 2026", task="date")
    assert trace.output_text  # shown as is
    assert any("not taught to reject" in note or "never taught to reject" in note for note in trace.notes)


@pytest.mark.parametrize(
    "text, task, error",
    [
        ("", "date", EmptyInputError),
        ("  ", "reverse", EmptyInputError),
        ("Hello", "reverse", OutOfVocabularyError),
        ("30 Nov 2026 ✓", "date", OutOfVocabularyError),
        ("a" * 17, "sort", InputTooLongError),
        ("1" * 40, "date", InputTooLongError),
    ],
)
def test_bad_input_raises_clear_errors(text, task, error):
    with pytest.raises(error):
        translate(text, task=task)


def test_bad_options():
    with pytest.raises(ValueError, match="strategy"):
        translate("abc", task="reverse", strategy="beam")
    with pytest.raises(ValueError, match="temperature"):
        translate("abc", task="reverse", temperature=0)
    date_model, _ = load_task_model("date")
    with pytest.raises(ValueError, match="vocabulary"):
        translate("abc", task="reverse", model=date_model)


def test_bundled_model_is_shared_and_frozen():
    a, meta = load_task_model("reverse")
    b, _ = load_task_model("reverse")
    assert a is b and not a.training and not any(p.requires_grad for p in a.parameters())
    assert meta["task"] == "reverse" and "python -m viz.training.train" in meta["command"]
    assert a.config.n_params < 1_000_000
