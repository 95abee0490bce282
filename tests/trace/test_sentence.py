"""trace_sentence: shapes, truncation notices, odd input."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SENTENCES
from viz import EmptyInputError, trace_sentence
from viz.models.bert.tokenizer import MAX_CHARS


@pytest.mark.parametrize("text", SENTENCES)
def test_shapes_and_invariants(text):
    t = trace_sentence(text)
    n = len(t.tokens)
    assert t.tokens[0] == "[CLS]" and t.tokens[-1] == "[SEP]"
    assert t.attentions.shape == (6, 12, n, n)
    assert t.queries.shape == t.keys.shape == t.values.shape == t.head_outputs.shape == (6, 12, n, 32)
    assert t.hidden_states.shape == (7, n, 384)
    np.testing.assert_allclose(t.attentions.sum(-1), 1.0, atol=1e-5)
    assert np.isfinite(t.hidden_states).all()
    assert not t.truncated


@pytest.mark.parametrize("text", ["", "   ", "\n\t \u3000"])
def test_empty_text(text):
    with pytest.raises(EmptyInputError):
        trace_sentence(text)


def test_truncation_is_reported():
    t = trace_sentence("word " * 1000, max_tokens=20)
    assert len(t.tokens) == 20 and t.tokens[-1] == "[SEP]"
    assert t.n_tokens_total == 1002 and t.n_tokens_dropped == 982 and t.truncated


def test_huge_text_is_cut_in_characters():
    t = trace_sentence("x" * (MAX_CHARS + 5000))
    assert t.n_chars_cut == 5000
    assert len(t.tokens) <= t.max_tokens


def test_head_outputs_are_weights_times_values():
    t = trace_sentence("Thinking Machines")
    np.testing.assert_allclose(t.head_outputs, t.attentions @ t.values, atol=1e-5)


def test_max_tokens_bounds():
    with pytest.raises(ValueError, match="between 3 and 512"):
        trace_sentence("hello", max_tokens=2)
    with pytest.raises(ValueError, match="between 3 and 512"):
        trace_sentence("hello", max_tokens=513)
    assert len(trace_sentence("word " * 600, max_tokens=512).tokens) == 512


def test_non_string_rejected():
    with pytest.raises(TypeError):
        trace_sentence(b"bytes")


def test_model_loaded_once_and_frozen():
    from viz.models.bert.registry import load_text_model

    first, second = load_text_model("minilm"), load_text_model("minilm")
    assert first[0] is second[0] and first[1] is second[1]
    assert not first[0].training
    assert not any(p.requires_grad for p in first[0].parameters())


def test_repeated_traces_are_identical():
    a, b = trace_sentence("same input twice"), trace_sentence("same input twice")
    np.testing.assert_array_equal(a.attentions, b.attentions)


def test_a_cut_text_keeps_only_what_the_model_read():
    text = "The animal didn't cross the street. " * 2000  # about 72 KB, far over 256 tokens
    trace = trace_sentence(text)
    assert trace.truncated and len(trace.tokens) == trace.max_tokens
    assert text.startswith(trace.text) and len(trace.text) < 1500
    assert trace.text.endswith(trace.tokens[-2].removeprefix("##"))
    short = "A short one."
    assert trace_sentence(short).text == short
