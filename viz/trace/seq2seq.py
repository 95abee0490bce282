"""``translate``: a text in; the encoder-decoder's output, every attention and every step's distribution out.

The bundled task models (reverse, sort, date) come from :mod:`viz.models.seq2seq.registry`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from viz.analysis.decoding import STRATEGIES, choose_token, next_token_distribution
from viz.models.seq2seq.model import Transformer
from viz.models.seq2seq.registry import load_task_model
from viz.tasks import TASKS, get_task
from viz.tasks.dates import impossible_date_hint, is_real_iso_date
from viz.tasks.vocab import BOS, EOS
from viz.trace.common import device_of, model_call, stack_traces


@dataclasses.dataclass(frozen=True, eq=False)
class TranslationTrace:
    """One decoding, moved to the CPU as numpy arrays.

    L = layers, H = heads, S = input characters, T = decoding steps (one per output token, </s> included
    when the model emitted it), V = vocabulary.
    """

    text: str  # what the model read (surrounding whitespace removed)
    task: str
    model: str  # "bundled" or a description of the model passed in
    device: str
    vocab: list[str]  # (V,) token of each id
    input_tokens: list[str]  # (S,)
    output_tokens: list[str]  # (T,) the token chosen at each step
    decoder_input_tokens: list[str]  # (T,) what the decoder read at each step: <s> then the earlier outputs
    output_text: str  # the output without </s>
    finished: bool  # the model emitted </s> before the step limit
    encoder_attentions: np.ndarray  # (L, H, S, S)
    decoder_self_attentions: np.ndarray  # (L, H, T, T) zero above the diagonal
    decoder_mask: np.ndarray  # (T, T) additive mask: 0 on and below the diagonal, -inf above
    cross_attentions: np.ndarray  # (L, H, T, S) rows sum to 1
    step_logits: np.ndarray  # (T, V) the final linear layer's scores at each step
    step_probs: np.ndarray  # (T, V) the distribution each token was chosen from (after temperature, top-k)
    strategy: str
    temperature: float
    top_k: int
    seed: int
    expected: str | None  # the correct output when the task's rule can compute it (reverse, sort)
    notes: tuple[str, ...]  # things the reader should know about this output

    @property
    def n_steps(self) -> int:
        return len(self.output_tokens)

    @property
    def n_layers(self) -> int:
        return self.encoder_attentions.shape[0]

    @property
    def n_heads(self) -> int:
        return self.encoder_attentions.shape[1]

    @property
    def correct(self) -> bool | None:
        return None if self.expected is None else self.output_text == self.expected


def _notes(task: str, text: str, output: str, finished: bool) -> tuple[str, ...]:
    notes = []
    if not finished:
        notes.append(
            "The model did not emit the end marker </s> within the step limit; the output is cut there."
        )
    if task == "date":
        reason = impossible_date_hint(text)
        if reason or not is_real_iso_date(output):
            why = (
                f"the input names a day that does not exist ({reason})"
                if reason
                else ("the output is not a real calendar date")
            )
            notes.append(
                f"Note: {why}. The model was only taught real dates and was never taught to reject "
                "impossible ones, so its output is shown as it is."
            )
    return tuple(notes)


def translate(
    text: str,
    task: str = "date",
    model: Transformer | None = None,
    strategy: str = "greedy",
    temperature: float = 1.0,
    top_k: int = 0,
    seed: int = 0,
    max_steps: int | None = None,
) -> TranslationTrace:
    """Decode ``text`` with a task's encoder-decoder, one token at a time.

    Args:
        text: the input, e.g. "30 Nov 2026" for ``task="date"``.
        task: "reverse", "sort" or "date".
        model: a trained :class:`Transformer` for this task's vocabulary; the bundled checkpoint when None.
        strategy: "greedy" (most likely token) or "sample" (draw from the distribution).
        temperature: divides the logits before the softmax (> 0).
        top_k: sample only among the k most likely tokens (0 = all).
        seed: the random seed of sampling.
        max_steps: at most this many output tokens; the task's output length + 1 by default.

    Raises:
        viz.tasks.InputError: (EmptyInputError, OutOfVocabularyError, InputTooLongError) for unusable text.
        ValueError: for an unknown task or strategy, or a model whose vocabulary does not fit the task.
    """
    spec = get_task(task)
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    prepared = spec.prepare(text)
    vocab = spec.vocab
    name = "bundled"
    if model is None:
        model, _ = load_task_model(task)
    else:
        name = f"{type(model).__name__} ({model.config.n_params:,} parameters)"
    if model.config.vocab_size != len(vocab):
        raise ValueError(
            f"the model's vocabulary has {model.config.vocab_size} tokens, the {task} task's {len(vocab)}"
        )
    device = device_of(model)
    max_steps = spec.max_output_len + 1 if max_steps is None else int(max_steps)
    rng = np.random.default_rng(seed)

    src = torch.tensor([vocab.encode(prepared)], device=device)
    token = vocab.bos_id
    chosen: list[int] = []
    logits_rows, prob_rows = [], []
    with model_call():
        cache, _ = model.start_decoding(src)
        for _ in range(max_steps):
            logits, _, _ = model.decode_step(torch.tensor([token], device=device), cache)
            row = logits[0].float().cpu().numpy()
            probs = next_token_distribution(row, temperature, top_k)
            token = choose_token(probs, strategy, rng)
            logits_rows.append(row)
            prob_rows.append(probs)
            chosen.append(token)
            if token == vocab.eos_id:
                break
        # One teacher-forced pass over what the decoder read gives every attention map at once (equal to the
        # step-by-step numbers: the tests check it).
        decoder_input = [vocab.bos_id] + chosen[:-1]
        trace = model(src, torch.tensor([decoder_input], device=device))
    tokens = vocab.tokens
    output_text = vocab.decode(chosen)
    finished = chosen[-1] == vocab.eos_id
    mask = trace.decoder_self_traces[0].mask
    n = len(chosen)
    mask_np = (
        mask[0, 0].float().cpu().numpy()
        if mask is not None and mask.shape[-2] == n
        else np.where(np.tri(n, dtype=bool), 0.0, -np.inf)
    )
    return TranslationTrace(
        text=prepared,
        task=task,
        model=name,
        device=str(device),
        vocab=tokens,
        input_tokens=list(prepared),
        output_tokens=[tokens[i] for i in chosen],
        decoder_input_tokens=[tokens[i] for i in decoder_input],
        output_text=output_text,
        finished=finished,
        encoder_attentions=stack_traces(trace.encoder_traces),
        decoder_self_attentions=stack_traces(trace.decoder_self_traces),
        decoder_mask=mask_np,
        cross_attentions=stack_traces(trace.cross_traces),
        step_logits=np.stack(logits_rows).astype(np.float32),
        step_probs=np.stack(prob_rows).astype(np.float32),
        strategy=strategy,
        temperature=float(temperature),
        top_k=int(top_k),
        seed=int(seed),
        expected=spec.target(prepared),
        notes=_notes(task, prepared, output_text, finished),
    )


__all__ = ["BOS", "EOS", "TASKS", "TranslationTrace", "load_task_model", "translate"]
