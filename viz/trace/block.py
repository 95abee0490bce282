"""Inside the block: every residual sum, LayerNorm statistic and feed-forward unit of a model, as arrays.

Three entry points, one trace (:class:`BlockInsideTrace`):

- :func:`trace_block` a sentence through a BERT-style encoder (all-MiniLM-L6-v2: post-LN, GELU);
- :func:`trace_encoder_block` a task's input through the bundled encoder-decoder's encoder (post-LN, ReLU);
- :func:`trace_decoder_block` a prompt through a GPT-2 (pre-LN, GELU), with its final linear + softmax.

The models run their written-out path (``forward_traced`` of :mod:`viz.layers.blocks`); no hooks.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import torch

from viz.layers.blocks import BlockTrace
from viz.models.bert.registry import load_text_model
from viz.models.bert.tokenizer import is_byte_level, tokenize
from viz.tasks.vocab import EmptyInputError
from viz.trace.common import device_of, model_call, to_numpy, token_texts

#: How many next-token candidates a decoder trace keeps per position (the full distribution of a 50,257-token
#: vocabulary at every position is megabytes).
TOP_K = 10


@dataclasses.dataclass(frozen=True, eq=False)
class BlockInsideTrace:
    """What each block computed for one input. L = layers, T = tokens, d = d_model, F = d_ff.

    Post-LN (``norm_position == "post"``): block_input -> + attention_output = attention_residual ->
    LayerNorm (attention_norm_*) = ffn_input -> FFN -> + ffn_output = ffn_residual -> LayerNorm (ffn_norm_*)
    = block_output. Pre-LN (``"pre"``): attention reads attention_norm_output (LN of block_input);
    attention_residual = block_input + attention_output; ffn_input = LN(attention_residual) (ffn_norm_*);
    block_output = ffn_residual = attention_residual + ffn_output.
    """

    text: str
    model: str  # how the model was named
    model_key: str  # what :func:`ffn_rows` takes to find the same model again (a name, folder or task)
    architecture: str  # "encoder" (BERT-style), "encoder-decoder" (its encoder), "decoder" (GPT-2)
    norm_position: str  # "post" or "pre"
    activation: str  # the config's name: "gelu", "gelu_new", "relu"
    tokens: list[str]  # (T,)
    n_heads: int
    d_ff: int
    parameters: dict[str, int]  # per block: "attention", "W1", "W2", "norms" (counted on the modules)
    n_params: int  # the whole model's
    block_input: np.ndarray  # (L, T, d)
    attention_output: np.ndarray  # (L, T, d) after W^O
    attention_residual: np.ndarray  # (L, T, d)
    attention_norm_mean: np.ndarray  # (L, T)
    attention_norm_variance: np.ndarray  # (L, T)
    attention_norm_normalised: np.ndarray  # (L, T, d) before gain and bias
    attention_norm_output: np.ndarray  # (L, T, d)
    attention_norm_gain: np.ndarray  # (L, d)
    attention_norm_bias: np.ndarray  # (L, d)
    ffn_input: np.ndarray  # (L, T, d)
    ffn_pre_activation: np.ndarray  # (L, T, F) x W_1 + b_1
    ffn_activation: np.ndarray  # (L, T, F) act(x W_1 + b_1)
    ffn_output: np.ndarray  # (L, T, d) act(...) W_2 + b_2
    ffn_residual: np.ndarray  # (L, T, d)
    ffn_norm_mean: np.ndarray  # (L, T)
    ffn_norm_variance: np.ndarray  # (L, T)
    ffn_norm_normalised: np.ndarray  # (L, T, d)
    ffn_norm_output: np.ndarray  # (L, T, d)
    ffn_norm_gain: np.ndarray  # (L, d)
    ffn_norm_bias: np.ndarray  # (L, d)
    block_output: np.ndarray  # (L, T, d)
    #: a decoder's final linear + softmax at each position: the TOP_K (token, probability, id), best first
    next_tokens: tuple[tuple[tuple[str, float, int], ...], ...] = ()

    @property
    def n_layers(self) -> int:
        return self.block_input.shape[0]

    @property
    def d_model(self) -> int:
        return self.block_input.shape[2]


def _stack(blocks: list[BlockTrace], get) -> np.ndarray:
    return to_numpy(torch.stack([get(b) for b in blocks]))


def _block_arrays(blocks: list[BlockTrace]) -> dict[str, object]:
    """The trace's arrays, batch item 0, stacked over the blocks."""
    arrays: dict[str, object] = {
        "norm_position": blocks[0].norm_position,
        "block_input": _stack(blocks, lambda b: b.input[0]),
        "attention_output": _stack(blocks, lambda b: b.attention_output[0]),
        "attention_residual": _stack(blocks, lambda b: b.attention_residual[0]),
        "ffn_input": _stack(blocks, lambda b: b.ffn_input[0]),
        "ffn_pre_activation": _stack(blocks, lambda b: b.ffn.pre_activation[0]),
        "ffn_activation": _stack(blocks, lambda b: b.ffn.activation[0]),
        "ffn_output": _stack(blocks, lambda b: b.ffn.output[0]),
        "ffn_residual": _stack(blocks, lambda b: b.ffn_residual[0]),
        "block_output": _stack(blocks, lambda b: b.output[0]),
    }
    for name in ("attention_norm", "ffn_norm"):
        norms = [getattr(b, name) for b in blocks]
        for field in ("mean", "variance", "normalised", "output"):
            arrays[f"{name}_{field}"] = to_numpy(torch.stack([getattr(n, field)[0] for n in norms]))
        for field in ("gain", "bias"):
            arrays[f"{name}_{field}"] = to_numpy(torch.stack([getattr(n, field) for n in norms]))
    return arrays


def _count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def block_parameters(block: torch.nn.Module) -> dict[str, int]:
    """One block's parameters by part, counted on its modules (weights and biases)."""
    norms = [m for m in block.modules() if isinstance(m, torch.nn.LayerNorm)]
    attention = [m for name, m in block.named_children() if name.endswith("attention")]
    return {
        "attention": sum(_count(m) for m in attention),
        "W1": _count(block.ffn.w_1),
        "W2": _count(block.ffn.w_2),
        "norms": sum(_count(m) for m in norms),
    }


def trace_block(text: str, model: str | Path = "minilm", max_tokens: int | None = None) -> BlockInsideTrace:
    """Run ``text`` through a BERT-style encoder and keep everything inside each block.

    Args:
        text: any unicode string (cut as :func:`viz.trace.sentence.trace_sentence` cuts it).
        model: "minilm" or a BERT-style folder the library opened.
        max_tokens: at most this many tokens, [CLS] and [SEP] included (default: the model's limit).

    Raises:
        EmptyInputError: for empty text. ValueError: for ``max_tokens`` outside [3, positions].
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not text.strip():
        raise EmptyInputError("the text is empty: type a sentence")
    encoder, tokenizer, limit = load_text_model(model)
    max_tokens = limit if max_tokens is None else int(max_tokens)
    if not 3 <= max_tokens <= encoder.config.max_length:
        raise ValueError(f"max_tokens must be between 3 and {encoder.config.max_length}, got {max_tokens}")
    tokenized = tokenize(tokenizer, text, max_tokens)
    with model_call():
        out = encoder(torch.tensor([tokenized.ids], device=device_of(encoder)), inside=True)
    config = encoder.config
    return BlockInsideTrace(
        text=text,
        model=str(model),
        model_key=str(model),
        architecture="encoder",
        activation=config.activation,
        tokens=token_texts(tokenizer, tokenized.ids) if is_byte_level(tokenizer) else tokenized.tokens,
        n_heads=config.n_heads,
        d_ff=config.d_ff,
        parameters=block_parameters(encoder.layers[0]),
        n_params=_count(encoder),
        **_block_arrays(list(out.blocks)),
    )


def trace_encoder_block(text: str, task: str = "date") -> BlockInsideTrace:
    """Run a task's input through the bundled encoder-decoder's encoder and keep everything inside each block.

    Raises:
        viz.tasks.InputError: for input the task cannot read. ValueError: for an unknown task.
    """
    from viz.models.seq2seq.registry import load_task_model
    from viz.tasks import get_task

    spec = get_task(task)
    prepared = spec.prepare(text)
    model, _ = load_task_model(task)
    src = torch.tensor([spec.vocab.encode(prepared)], device=device_of(model))
    with model_call():
        _, _, blocks = model.encode_traced(src)
    config = model.config
    return BlockInsideTrace(
        text=prepared,
        model=f"bundled {task} model",
        model_key=task,
        architecture="encoder-decoder",
        activation=config.activation,
        tokens=list(prepared),
        n_heads=config.n_heads,
        d_ff=config.d_ff,
        parameters=block_parameters(model.encoder_blocks[0]),
        n_params=_count(model),
        **_block_arrays(blocks),
    )


def _decoder_prompt(loaded, text: str) -> tuple[list[int], list[str]]:
    """The ids a GPT-2 reads for ``text`` and the vocabulary's token texts."""
    if loaded.chars:
        return loaded.char_prompt(text), loaded.vocab.tokens
    ids = loaded.tokenizer.encode(text).ids[-loaded.model.config.n_positions :]  # keep the end of a long one
    if not ids:
        raise EmptyInputError("the input has no tokens")
    size = loaded.tokenizer.get_vocab_size()
    return ids, [loaded.tokenizer.decode([i]) for i in range(size)] if size <= 512 else []


def trace_decoder_block(text: str, model: str | Path | None = None) -> BlockInsideTrace:
    """Run a prompt through a GPT-2 (pre-LN) and keep everything inside each block, and at each position the
    final LayerNorm + linear + softmax's most likely next tokens.

    For the bundled character model the prompt is ``<s>`` + text + ``=`` (its last position predicts the
    first character of the reversal).

    Raises:
        viz.tasks.InputError: empty text, characters the character model does not know, or too long.
    """
    from viz.models.gpt2.registry import load_causal_model, resolve_causal_model

    if not text or not text.strip():
        raise EmptyInputError("the input is empty")
    loaded = load_causal_model(model)
    gpt = loaded.model
    ids, vocab_tokens = _decoder_prompt(loaded, text)
    with model_call():
        out = gpt(torch.tensor([ids], device=device_of(gpt)), inside=True)
        probs = torch.softmax(out.logits[0].float(), dim=-1)  # (T, V)
        # the TOP_K candidates (and the one just past them, to break ties by id as top_tokens does)
        k = min(TOP_K + 1, probs.shape[-1])
        top_p, top_i = (t.cpu().numpy() for t in torch.topk(probs, k, dim=-1))
    if vocab_tokens:
        tokens = [vocab_tokens[i] for i in ids]
        names = vocab_tokens
    else:
        tokens = [loaded.tokenizer.decode([i]) for i in ids]
        names = None
    next_tokens = []
    lookup = names or _LazyNames(loaded.tokenizer)
    for row_p, row_i in zip(top_p, top_i):
        order = np.lexsort((row_i, -row_p))[:TOP_K]  # most likely first, ties by id
        next_tokens.append(tuple((lookup[int(row_i[j])], float(row_p[j]), int(row_i[j])) for j in order))
    config = gpt.config
    return BlockInsideTrace(
        text=text.strip() if loaded.chars else text,
        model=loaded.folder.name,
        model_key=str(resolve_causal_model(model)),
        architecture="decoder",
        activation=config.activation,
        tokens=tokens,
        n_heads=config.n_heads,
        d_ff=config.d_ff,
        parameters=block_parameters(gpt.blocks[0]),
        n_params=_count(gpt),
        next_tokens=tuple(next_tokens),
        **_block_arrays(list(out.blocks)),
    )


class _LazyNames:
    """A BPE vocabulary's token texts, decoded only for the ids asked for."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer

    def __getitem__(self, i: int) -> str:
        return self.tokenizer.decode([int(i)])


def _block(architecture: str, model_key: str, layer: int) -> torch.nn.Module:
    if architecture == "encoder":
        return load_text_model(model_key)[0].layers[layer]
    if architecture == "encoder-decoder":
        from viz.models.seq2seq.registry import load_task_model

        return load_task_model(model_key)[0].encoder_blocks[layer]
    if architecture == "decoder":
        from viz.models.gpt2.registry import load_causal_model

        return load_causal_model(model_key).model.blocks[layer]
    raise ValueError(f"unknown architecture {architecture!r}: encoder, encoder-decoder or decoder")


def ffn_rows(architecture: str, model_key: str, layer: int, rows: np.ndarray) -> np.ndarray:
    """Block ``layer``'s feed-forward network applied to ``rows`` (T, d_model), one row per position: what the
    "same weights at every position" view feeds it (a sentence's FFN inputs with one row copied over another).

    Args:
        architecture, model_key: a :class:`BlockInsideTrace`'s, to find its model again.
        layer: 0-based block.
    """
    block = _block(architecture, model_key, layer)
    x = torch.as_tensor(np.asarray(rows, dtype=np.float32), device=device_of(block))[None]
    with model_call():
        return to_numpy(block.ffn(x)[0])
