"""``trace_lm``: a decoder-only language model reads a prompt and writes, one token at a time; everything the
decoder-only page shows comes back as arrays.

    x_0 = wte(ids) + wpe(positions)                        token + position embeddings
    x_l = block_l(x_{l-1})                                 masked self-attention and MLP, each added back
    logits = LN_f(x_L) W_U^T                               the final LayerNorm and the output layer
    p = softmax(filter(logits / temperature))              top-k, then top-p (viz.analysis.decoding)

Any GPT-2 folder the model registry opens works (the bundled English model, a Hugging Face GPT-2) and the
bundled character model (its prompt is ``<s>`` + text + ``=``). The logit lens (nostalgebraist 2020) reads
each x_l through the same LN_f and W_U: what the stream "would say" after layer l.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import torch

from viz.analysis.decoding import STRATEGIES, choose_token, next_token_distribution
from viz.analysis.induction import induction_scores, previous_token_scores, repeated_random_ids
from viz.models.gpt2.model import GPT2
from viz.models.gpt2.registry import CausalModel, load_causal_model
from viz.tasks.vocab import EmptyInputError, InputTooLongError, OutOfVocabularyError, describe_char
from viz.trace.common import StackedAttentions, device_of, model_call, stack_traces, to_numpy

#: Characters of a prompt the model reads (a longer text is refused before it is tokenised).
MAX_PROMPT_CHARS = 4000
#: The most tokens one call may write.
MAX_NEW_TOKENS = 48
#: The logit lens keeps this many candidates per layer and position.
LENS_K = 5
#: ... over at most this many positions, the last of the prompt (a wider table is unreadable on a projector,
#: and each position costs (L + 1) x d_model x vocab multiply-adds).
LENS_POSITIONS = 12
#: The repeated random block that finds previous-token and induction heads.
HEAD_TEST_PERIOD = 24


@dataclasses.dataclass(frozen=True, eq=False)
class LMTrace(StackedAttentions):
    """A prompt and its continuation. L = layers, H = heads, T = tokens read (prompt + all but the last
    token written), S = steps (tokens written; the next-token step when none was asked for), V = vocabulary.

    Step s (0-based) is the output at position ``n_prompt - 1 + s``: the distribution ``step_logits[s]`` gave,
    from which ``generated_ids[s]`` was chosen.
    """

    text: str  # as typed
    model: str  # the folder's name
    ids: list[int]  # (T,)
    tokens: list[str]  # (T,) each id as the text it stands for (" cat"; a byte of a longer character is "�")
    n_prompt: int  # how many of ``ids`` are the prompt
    n_prompt_dropped: int  # prompt tokens cut from the start so that prompt + continuation fit the positions
    generated_ids: list[int]  # (S,) what was written (empty when no token was asked for)
    generated_tokens: list[str]  # (S,)
    strategy: str
    temperature: float
    top_k: int
    top_p: float
    seed: int
    attentions: np.ndarray  # (L, H, T, T) zero above the diagonal
    masked_scores: np.ndarray  # (L, H, T, T) Q K^T / sqrt(d_head), -inf above the diagonal
    token_embeddings: np.ndarray  # (T, d) wte(ids)
    position_embeddings: np.ndarray  # (T, d) wpe(0..T-1)
    hidden_states: np.ndarray  # (L + 1, T, d) the residual stream: x_0 (embeddings), then after each block
    step_logits: np.ndarray  # (max(S, 1), V) raw logits of each step, before temperature
    lens_start: int  # the first position the lens covers
    lens_ids: np.ndarray  # (L + 1, P, LENS_K) the top tokens of LN_f(x_l) W_U^T, best first
    lens_probs: np.ndarray  # (L + 1, P, LENS_K) their softmax probabilities
    lens_tokens: dict[int, str]  # id -> text, for every id in ``lens_ids`` and the step charts' top tokens
    vocab_size: int
    is_char_model: bool

    @property
    def n_steps(self) -> int:
        return len(self.generated_ids)

    @property
    def prompt_text(self) -> str:
        return "".join(self.tokens[: self.n_prompt])

    @property
    def generated_text(self) -> str:
        return "".join(self.generated_tokens)

    def distribution(self, step: int, temperature: float, top_k: int = 0, top_p: float = 1.0) -> np.ndarray:
        """(V,) step ``step``'s next-token probabilities under these settings."""
        return next_token_distribution(self.step_logits[step], temperature, top_k, top_p)


def token_text(loaded: CausalModel, token_id: int) -> str:
    """One id as the text it stands for: a character model's character, a BPE token's bytes decoded."""
    if loaded.chars:
        return loaded.vocab.tokens[token_id]
    return loaded.tokenizer.decode([int(token_id)], skip_special_tokens=False)


def prompt_ids(loaded: CausalModel, text: str, room: int) -> tuple[list[int], int]:
    """The ids the model reads for ``text``, at most ``room`` of them (the end of a longer prompt), and how
    many were cut from its start.

    Raises:
        viz.tasks.InputError: empty text, characters a character model does not know, too long.
    """
    if not text or not text.strip():
        raise EmptyInputError("the prompt is empty")
    if len(text) > MAX_PROMPT_CHARS:
        raise InputTooLongError(
            f"the prompt has {len(text):,} characters; at most {MAX_PROMPT_CHARS:,} are read"
        )
    if loaded.chars:
        return loaded.char_prompt(text), 0
    halves = sorted({c for c in text if "\ud800" <= c <= "\udfff"})  # not characters: UTF-8 cannot hold them
    if halves:
        raise OutOfVocabularyError(
            "not text: " + ", ".join(describe_char(c) for c in halves) + " (half of a UTF-16 surrogate pair)",
            halves,
        )
    ids = loaded.tokenizer.encode(text).ids
    if not ids:
        raise EmptyInputError("the prompt has no tokens")
    dropped = max(0, len(ids) - room)
    return ids[dropped:], dropped


def _generate(
    gpt: GPT2, ids: list[int], n_new: int, stop_id: int | None, strategy: str, settings: tuple, seed: int
) -> list[int]:
    """The continuation, one token per step: each step reads the new token only, with every layer's keys and
    values of the earlier positions kept (the KV cache), and filters the last position's logits by
    ``settings`` (temperature, top-k, top-p), then takes the most likely token (greedy) or a draw from a
    generator seeded with ``seed``. The traced pass after it reads the whole sequence again."""
    rng = np.random.default_rng(seed)
    device = device_of(gpt)
    new: list[int] = []
    logits, past = gpt.next_logits(torch.tensor([ids], device=device))  # the prompt, once
    for step in range(n_new):
        if step:  # the token just written is read, and only it: the earlier keys and values are kept
            logits, past = gpt.next_logits(torch.tensor([[new[-1]]], device=device), past)
        if strategy == "greedy":
            token = int(logits.argmax())
        else:
            token = choose_token(next_token_distribution(to_numpy(logits), *settings), strategy, rng)
        new.append(token)
        if token == stop_id:
            break
    return new


def lens(gpt: GPT2, hidden: torch.Tensor, k: int = LENS_K) -> tuple[torch.Tensor, torch.Tensor]:
    """The logit lens: each residual stream (..., d) through the final LayerNorm and the output layer;
    the ``k`` most likely ids and their probabilities, (..., k) each, best first."""
    output_weight = gpt.wte.weight if gpt.lm_head is None else gpt.lm_head.weight
    probs = torch.softmax((gpt.norm(hidden) @ output_weight.T).float(), dim=-1)
    top = torch.topk(probs, k, dim=-1)
    return top.indices, top.values


def trace_lm(
    text: str,
    model: str | Path | None = None,
    max_new_tokens: int = 0,
    strategy: str = "greedy",
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    seed: int = 0,
) -> LMTrace:
    """Read ``text``, write up to ``max_new_tokens`` tokens (0: none, only the next-token distribution), and
    trace every block over the whole sequence.

    A character model (the bundled reverser) writes until its end token, ``max_new_tokens`` or not.

    Raises:
        viz.tasks.InputError: an empty, unreadable or too long prompt.
        ValueError: settings out of range.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    if not 0 <= max_new_tokens <= MAX_NEW_TOKENS:
        raise ValueError(f"max_new_tokens must be between 0 and {MAX_NEW_TOKENS}, got {max_new_tokens}")
    settings = (float(temperature), int(top_k), float(top_p))
    next_token_distribution(np.zeros(2), *settings)  # refuses bad settings before the model runs
    loaded = load_causal_model(model)
    gpt = loaded.model
    n_positions = gpt.config.n_positions
    if loaded.chars:
        prompt, dropped = prompt_ids(loaded, text, n_positions)
        n_new, stop_id = len(text.strip()) + 1, loaded.vocab.eos_id
    else:
        n_new, stop_id = max_new_tokens, loaded.eos_id
        if n_new > n_positions:  # no room left for even one prompt token
            raise ValueError(
                f"max_new_tokens must be at most the model's {n_positions} positions, got {n_new}"
            )
        prompt, dropped = prompt_ids(loaded, text, n_positions - max(n_new - 1, 0))
    device = device_of(gpt)
    with model_call():
        new = _generate(gpt, prompt, n_new, stop_id, strategy, settings, seed) if n_new else []
        ids = prompt + new[:-1]  # the last token written was never read
        x = torch.tensor([ids], device=device)
        out = gpt(x)
        positions = torch.arange(len(ids), device=device)
        token_embeddings, position_embeddings = gpt.wte(x[0]), gpt.wpe(positions)
        hidden = torch.stack([h[0] for h in out.hidden_states])  # (L + 1, T, d)
        lens_start = max(0, len(prompt) - LENS_POSITIONS)
        lens_ids, lens_probs = lens(gpt, hidden[:, lens_start : len(prompt)])
        step_logits = out.logits[0, len(prompt) - 1 :]
        step_top = torch.topk(step_logits, min(20, step_logits.shape[-1]), dim=-1).indices
    lens_ids, step_top = lens_ids.cpu().numpy(), step_top.cpu().numpy()
    named = set(lens_ids.ravel().tolist()) | set(step_top.ravel().tolist()) | set(new)
    return LMTrace(
        text=text,
        model=loaded.folder.name,
        ids=ids,
        tokens=[token_text(loaded, i) for i in ids],
        n_prompt=len(prompt),
        n_prompt_dropped=dropped,
        generated_ids=new,
        generated_tokens=[token_text(loaded, i) for i in new],
        strategy=strategy,
        temperature=settings[0],
        top_k=settings[1],
        top_p=settings[2],
        seed=int(seed),
        attentions=stack_traces(out.traces),
        masked_scores=stack_traces(out.traces, "masked_scores"),
        token_embeddings=to_numpy(token_embeddings),
        position_embeddings=to_numpy(position_embeddings),
        hidden_states=to_numpy(hidden),
        step_logits=to_numpy(step_logits),
        lens_start=lens_start,
        lens_ids=lens_ids,
        lens_probs=to_numpy(lens_probs),
        lens_tokens={i: token_text(loaded, i) for i in sorted(named)},
        vocab_size=gpt.config.vocab_size,
        is_char_model=loaded.chars is not None,
    )


def token_name(model: str | Path | None, token_id: int) -> str:
    """The text of one id of ``model``'s vocabulary (for a chart's top tokens beyond those a trace named)."""
    return token_text(load_causal_model(model), token_id)


@dataclasses.dataclass(frozen=True, eq=False)
class HeadTest:
    """Every head's scores on a repeated block of random tokens (see :mod:`viz.analysis.induction`)."""

    model: str
    ids: list[int]  # prefix + block + block
    tokens: list[str]
    period: int
    start: int  # where the first block begins
    attentions: np.ndarray  # (L, H, T, T)
    previous_token: np.ndarray  # (L, H)
    induction: np.ndarray  # (L, H)
    loss_first: float  # the model's mean next-token loss on the first block (random: about log V)
    loss_second: float  # ... on the second (an induction mechanism copies: much lower)


def trace_head_test(
    model: str | Path | None = None, period: int = HEAD_TEST_PERIOD, seed: int = 0
) -> HeadTest:
    """Run the repeated random block through ``model`` and score every head."""
    loaded = load_causal_model(model)
    gpt = loaded.model
    prefix = (
        (loaded.vocab.bos_id,) if loaded.chars else ((loaded.eos_id,) if loaded.eos_id is not None else ())
    )
    vocab_size = gpt.config.vocab_size
    if loaded.chars:  # the character model's letters only (its special tokens are not text)
        vocab = loaded.vocab
        letters = [vocab.encode(c)[0] for c in "abcdefghijklmnopqrstuvwxyz"]
        period = min(period, len(letters), (gpt.config.n_positions - 1) // 2)
        rng = np.random.default_rng(seed)
        block = rng.choice(letters, size=period, replace=False).tolist()
        ids = list(prefix) + block + block
    else:
        period = min(period, (gpt.config.n_positions - len(prefix)) // 2)
        ids = repeated_random_ids(vocab_size, period, seed, prefix)
    start = len(prefix)
    with model_call():
        x = torch.tensor([ids], device=device_of(gpt))
        out = gpt(x)
        losses = torch.nn.functional.cross_entropy(out.logits[0, :-1].float(), x[0, 1:], reduction="none")
    attentions = stack_traces(out.traces)
    losses = to_numpy(losses)
    # Position t predicts t + 1: the first block's tokens 1.. are predicted at start .. start + period - 2.
    first = losses[start : start + period - 1]
    second = losses[start + period : start + 2 * period - 1]
    return HeadTest(
        model=loaded.folder.name,
        ids=ids,
        tokens=[token_text(loaded, i) for i in ids],
        period=period,
        start=start,
        attentions=attentions,
        previous_token=previous_token_scores(attentions),
        induction=induction_scores(attentions, period, start),
        loss_first=float(first.mean()),
        loss_second=float(second.mean()),
    )
