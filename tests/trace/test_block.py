"""trace_block / trace_encoder_block / trace_decoder_block against arithmetic we did not write through our
modules: the weights read from the checkpoints with safetensors (numpy), LayerNorm and the FFN recomputed in
numpy; the residual sums; the hidden states of transformers' own models."""

from __future__ import annotations

import math

import numpy as np
import pytest
from safetensors.numpy import load_file

from viz.analysis.block import parameter_split
from viz.models.bert.registry import minilm_folder
from viz.models.gpt2.registry import CHAR_REVERSE
from viz.models.seq2seq.registry import checkpoint_path
from viz.tasks.vocab import EmptyInputError, OutOfVocabularyError
from viz.trace.block import ffn_rows, trace_block, trace_decoder_block, trace_encoder_block

SENTENCE = "The animal didn't cross the street because it was too tired."
ATOL = 1e-5
#: float32 has about 7 digits: MiniLM's FFN writes entries above 100 (its outlier dimensions), whose float32
#: spacing is itself about 1e-5; those are compared to one part in a million as well.
RTOL = 1e-6


@pytest.fixture(scope="module")
def minilm():
    return trace_block(SENTENCE)


@pytest.fixture(scope="module")
def encoder():
    return trace_encoder_block("30 Nov 2026", task="date")


@pytest.fixture(scope="module")
def decoder():
    return trace_decoder_block("hello", model="char-reverse")


def _ln(x, gain, bias, eps):
    x = x.astype(np.float64)
    mean = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    normalised = (x - mean) / np.sqrt(var + eps)
    return mean[..., 0], var[..., 0], normalised, normalised * gain + bias


_erf = np.vectorize(math.erf)


def _gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def _check_norm(trace, name, given, gain, bias, eps, layer):
    mean, var, normalised, output = _ln(given, gain, bias, eps)
    np.testing.assert_allclose(getattr(trace, f"{name}_mean")[layer], mean, atol=ATOL, rtol=RTOL)
    np.testing.assert_allclose(getattr(trace, f"{name}_variance")[layer], var, atol=ATOL, rtol=1e-5)
    np.testing.assert_allclose(getattr(trace, f"{name}_normalised")[layer], normalised, atol=ATOL, rtol=RTOL)
    np.testing.assert_allclose(getattr(trace, f"{name}_output")[layer], output, atol=ATOL, rtol=RTOL)
    np.testing.assert_allclose(getattr(trace, f"{name}_gain")[layer], gain, atol=0)
    np.testing.assert_allclose(getattr(trace, f"{name}_bias")[layer], bias, atol=0)


def _check_residuals(trace):
    np.testing.assert_allclose(
        trace.attention_residual, trace.block_input + trace.attention_output, atol=ATOL
    )
    if trace.norm_position == "post":
        np.testing.assert_allclose(
            trace.ffn_residual, trace.ffn_input + trace.ffn_output, atol=ATOL, rtol=RTOL
        )
    else:  # pre-LN: the block's output is the stream plus both sub-layers' outputs
        np.testing.assert_allclose(
            trace.block_output, trace.block_input + trace.attention_output + trace.ffn_output, atol=ATOL
        )
        np.testing.assert_allclose(trace.block_output, trace.ffn_residual, atol=0)
    np.testing.assert_allclose(trace.block_input[1:], trace.block_output[:-1], atol=0)


def test_minilm_layer_norm_and_ffn_from_the_checkpoint(minilm):
    w = load_file(str(minilm_folder() / "model.safetensors"))
    eps = 1e-12
    assert minilm.norm_position == "post" and minilm.activation == "gelu"
    assert minilm.ffn_activation.shape == (6, len(minilm.tokens), 1536)
    for layer in range(minilm.n_layers):
        p = f"encoder.layer.{layer}."
        _check_norm(
            minilm,
            "attention_norm",
            minilm.attention_residual[layer],
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
            eps,
            layer,
        )
        x = minilm.ffn_input[layer].astype(np.float64)
        pre = x @ w[p + "intermediate.dense.weight"].T + w[p + "intermediate.dense.bias"]
        act = _gelu(pre)
        out = act @ w[p + "output.dense.weight"].T + w[p + "output.dense.bias"]
        np.testing.assert_allclose(minilm.ffn_pre_activation[layer], pre, atol=ATOL, rtol=RTOL)
        np.testing.assert_allclose(minilm.ffn_activation[layer], act, atol=ATOL, rtol=RTOL)
        np.testing.assert_allclose(minilm.ffn_output[layer], out, atol=ATOL, rtol=RTOL)
        _check_norm(
            minilm,
            "ffn_norm",
            minilm.ffn_input[layer] + out,
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
            eps,
            layer,
        )
        np.testing.assert_allclose(minilm.block_output[layer], minilm.ffn_norm_output[layer], atol=0)
    _check_residuals(minilm)


def test_minilm_block_outputs_are_transformers_hidden_states(minilm):
    import torch
    from transformers import AutoModel, AutoTokenizer

    folder = minilm_folder()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder).eval()
    ids = tokenizer(SENTENCE, return_tensors="pt")
    assert tokenizer.convert_ids_to_tokens(ids["input_ids"][0]) == minilm.tokens
    with torch.no_grad():
        hidden = model(**ids, output_hidden_states=True).hidden_states
    for layer in range(minilm.n_layers):
        np.testing.assert_allclose(minilm.block_output[layer], hidden[layer + 1][0].numpy(), atol=1e-4)
    np.testing.assert_allclose(minilm.block_input[0], hidden[0][0].numpy(), atol=1e-4)


def test_seq2seq_encoder_from_the_checkpoint(encoder):
    w = load_file(str(checkpoint_path("date")))
    assert encoder.norm_position == "post" and encoder.activation == "relu"
    assert encoder.tokens == list("30 Nov 2026")
    for layer in range(encoder.n_layers):
        p = f"encoder_blocks.{layer}."
        _check_norm(
            encoder,
            "attention_norm",
            encoder.attention_residual[layer],
            w[p + "attention_norm.weight"],
            w[p + "attention_norm.bias"],
            1e-5,
            layer,
        )
        x = encoder.ffn_input[layer].astype(np.float64)
        pre = x @ w[p + "ffn.w_1.weight"].T + w[p + "ffn.w_1.bias"]
        out = np.maximum(pre, 0) @ w[p + "ffn.w_2.weight"].T + w[p + "ffn.w_2.bias"]
        np.testing.assert_allclose(encoder.ffn_pre_activation[layer], pre, atol=ATOL, rtol=RTOL)
        np.testing.assert_allclose(encoder.ffn_activation[layer], np.maximum(pre, 0), atol=ATOL, rtol=RTOL)
        np.testing.assert_allclose(encoder.ffn_output[layer], out, atol=ATOL, rtol=RTOL)
        _check_norm(
            encoder,
            "ffn_norm",
            encoder.ffn_input[layer] + out,
            w[p + "ffn_norm.weight"],
            w[p + "ffn_norm.bias"],
            1e-5,
            layer,
        )
    _check_residuals(encoder)


def test_gpt2_pre_ln_from_the_checkpoint(decoder):
    w = load_file(str(CHAR_REVERSE / "model.safetensors"))
    assert decoder.norm_position == "pre" and decoder.activation == "gelu_new"
    assert decoder.tokens == ["<s>", "h", "e", "l", "l", "o", "="]
    for layer in range(decoder.n_layers):
        p = f"transformer.h.{layer}."
        _check_norm(
            decoder,
            "attention_norm",
            decoder.block_input[layer],
            w[p + "ln_1.weight"],
            w[p + "ln_1.bias"],
            1e-5,
            layer,
        )
        _check_norm(
            decoder,
            "ffn_norm",
            decoder.attention_residual[layer],
            w[p + "ln_2.weight"],
            w[p + "ln_2.bias"],
            1e-5,
            layer,
        )
        x = decoder.ffn_input[layer].astype(np.float64)
        pre = x @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]  # Conv1D: (in, out)
        out = _gelu_tanh(pre) @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
        np.testing.assert_allclose(decoder.ffn_pre_activation[layer], pre, atol=ATOL, rtol=RTOL)
        np.testing.assert_allclose(decoder.ffn_output[layer], out, atol=ATOL, rtol=RTOL)
    _check_residuals(decoder)
    # The final linear + softmax: the reversal starts with "o".
    assert decoder.next_tokens[-1][0][0] == "o"
    probs = [p for _, p, _ in decoder.next_tokens[-1]]
    assert probs == sorted(probs, reverse=True) and 0.0 < sum(probs) <= 1.0 + 1e-6


def test_gpt2_block_outputs_are_transformers_hidden_states(decoder):
    import torch
    from transformers import GPT2LMHeadModel

    from viz.models.gpt2.registry import load_causal_model

    vocab = load_causal_model("char-reverse").vocab
    ids = torch.tensor([[vocab.bos_id] + vocab.encode("hello=")])
    model = GPT2LMHeadModel.from_pretrained(CHAR_REVERSE).eval()
    with torch.no_grad():
        out = model(ids, output_hidden_states=True)
    for layer in range(decoder.n_layers - 1):  # HF's last hidden state has ln_f applied
        np.testing.assert_allclose(decoder.block_output[layer], out.hidden_states[layer + 1][0], atol=1e-4)
    probs = torch.softmax(out.logits[0, -1], -1)
    top_id = decoder.next_tokens[-1][0][2]
    assert int(probs.argmax()) == top_id
    assert abs(float(probs[top_id]) - decoder.next_tokens[-1][0][1]) < 1e-4


@pytest.mark.parametrize("name", ["minilm", "encoder", "decoder"])
def test_same_input_same_output_at_any_position(name, request):
    """Copy one position's FFN input over another's: that position's output becomes the first one's."""
    trace = request.getfixturevalue(name)
    layer = trace.n_layers - 1
    rows = trace.ffn_input[layer].copy()
    np.testing.assert_allclose(
        ffn_rows(trace.architecture, trace.model_key, layer, rows), trace.ffn_output[layer], atol=ATOL
    )
    rows[3] = rows[1]
    out = ffn_rows(trace.architecture, trace.model_key, layer, rows)
    np.testing.assert_allclose(out[3], trace.ffn_output[layer, 1], atol=ATOL, rtol=RTOL)
    np.testing.assert_allclose(out[0], trace.ffn_output[layer, 0], atol=ATOL, rtol=RTOL)
    assert not np.allclose(trace.ffn_output[layer, 3], trace.ffn_output[layer, 1], atol=1e-3)


@pytest.mark.parametrize("name", ["minilm", "encoder", "decoder"])
def test_parameters_counted_on_the_modules_match_the_formula(name, request):
    trace = request.getfixturevalue(name)
    assert trace.parameters == parameter_split(trace.d_model, trace.d_ff)


def test_bad_input_is_refused():
    with pytest.raises(EmptyInputError):
        trace_block("   ")
    with pytest.raises(EmptyInputError):
        trace_decoder_block("")
    with pytest.raises(OutOfVocabularyError):
        trace_decoder_block("Hello!", model="char-reverse")
    with pytest.raises(ValueError, match="architecture"):
        ffn_rows("lstm", "minilm", 0, np.zeros((2, 384)))
    with pytest.raises(ValueError, match="max_tokens"):
        trace_block(SENTENCE, max_tokens=2)
