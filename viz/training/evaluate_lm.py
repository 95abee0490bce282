"""The bundled language model's quality: held-out perplexity against smoothed bigrams, and samples.

    python -m viz.training.evaluate_lm --folder assets/gpt2-kjv

Both the model and the bigram baselines score exactly the same held-out tokens: the held-out chapters of
the model's seed (:func:`viz.training.lm_corpus.split_chapters`) as one token stream, cut into windows of
``n_positions + 1`` tokens that overlap by one, so every token but the first is predicted once; the model
sees the earlier tokens of its window, a bigram the one token before. Two bigrams, both counted on the
training chapters only, each with its one parameter tuned on a slice of the training split (the last 5 % of
its chapters, counts then taken from the other 95 %) and then recounted on the whole training split:

- add-k: ``P(w | v) = (c(v, w) + k) / (c(v) + k V)``;
- interpolated Kneser-Ney with discount d, the continuation probability add-one smoothed so that a token
  never seen after anything keeps a probability above zero.

Samples: greedy and seeded top-k continuations of fixed prompts, printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import torch

from viz.models.gpt2.model import GPT2
from viz.models.gpt2.registry import load_causal_model
from viz.training.lm_corpus import END_OF_TEXT, documents, load_split
from viz.training.train_lm import held_out_loss, token_stream, windows

PROMPTS = (
    "In the beginning",
    "And the LORD said unto",
    "The king",
    "Blessed are the",
    "And it came to pass",
    "My son, hear",
    "The LORD is my",
    "And Jesus answered and said",
    "For God so loved",
    "Behold, I",
)


class Bigram:
    """Bigram counts over a vocabulary of ``V`` ids, from (prev, next) pairs of a token stream."""

    def __init__(self, stream: np.ndarray, vocab_size: int) -> None:
        self.V = vocab_size
        codes, counts = np.unique(stream[:-1].astype(np.int64) * vocab_size + stream[1:], return_counts=True)
        self.codes, self.counts = codes, counts.astype(np.float64)
        prev, nxt = codes // vocab_size, codes % vocab_size
        self.c_prev = np.bincount(prev, weights=self.counts, minlength=vocab_size)  # c(v)
        self.types_after = np.bincount(prev, minlength=vocab_size).astype(np.float64)  # N1+(v .)
        self.types_before = np.bincount(nxt, minlength=vocab_size).astype(np.float64)  # N1+(. w)

    def pair_counts(self, prev: np.ndarray, nxt: np.ndarray) -> np.ndarray:
        code = prev.astype(np.int64) * self.V + nxt
        i = np.searchsorted(self.codes, code).clip(max=len(self.codes) - 1)
        return np.where(self.codes[i] == code, self.counts[i], 0.0)

    def add_k_nll(self, prev: np.ndarray, nxt: np.ndarray, k: float) -> float:
        """Mean negative log-likelihood (nats) of add-k smoothing."""
        p = (self.pair_counts(prev, nxt) + k) / (self.c_prev[prev] + k * self.V)
        return float(-np.log(p).mean())

    def kneser_ney_nll(self, prev: np.ndarray, nxt: np.ndarray, d: float) -> float:
        """Mean negative log-likelihood (nats) of interpolated Kneser-Ney with discount ``d``."""
        continuation = (self.types_before[nxt] + 1) / (self.types_before.sum() + self.V)
        c_prev = self.c_prev[prev]
        seen = c_prev > 0
        safe = np.where(seen, c_prev, 1.0)
        discounted = np.maximum(self.pair_counts(prev, nxt) - d, 0.0) / safe
        backoff = d * self.types_after[prev] / safe
        p = np.where(seen, discounted + backoff * continuation, continuation)
        return float(-np.log(p).mean())


def tune(nll, grid) -> tuple[float, float]:
    """(best parameter, its NLL) of ``nll(parameter)`` over ``grid``."""
    return min(((x, nll(x)) for x in grid), key=lambda pair: pair[1])


def bigram_baselines(train: list[np.ndarray], held: tuple[np.ndarray, np.ndarray], V: int) -> dict:
    """{name: (parameter, held-out NLL)} for add-k and Kneser-Ney, tuned on the last 5 % of ``train``."""
    cut = int(len(train) * 0.95)
    fit, tune_stream = Bigram(np.concatenate(train[:cut]), V), np.concatenate(train[cut:])
    tp, tn = tune_stream[:-1], tune_stream[1:]
    k, _ = tune(lambda k: fit.add_k_nll(tp, tn, k), [10.0**e for e in np.arange(-4, 0.01, 0.25)])
    d, _ = tune(lambda d: fit.kneser_ney_nll(tp, tn, d), np.arange(0.05, 1.0, 0.05))
    full = Bigram(np.concatenate(train), V)
    prev, nxt = held
    return {
        "add-k": (k, full.add_k_nll(prev, nxt, k)),
        "Kneser-Ney": (float(d), full.kneser_ney_nll(prev, nxt, d)),
    }


@torch.no_grad()
def sample(
    model: GPT2, ids: list[int], n_new: int, top_k: int | None, temperature: float, seed: int, stop: int
) -> list[int]:
    """``n_new`` continued ids: greedy when ``top_k`` is None, else top-k sampling with a seeded generator."""
    generator = torch.Generator().manual_seed(seed)
    context = torch.tensor([ids])
    new: list[int] = []
    for _ in range(n_new):
        logits = model(context[:, -model.config.n_positions :], trace=False).logits[0, -1]
        if top_k is None:
            token = int(logits.argmax())
        else:
            values, indices = torch.topk(logits / temperature, top_k)
            token = int(indices[torch.multinomial(torch.softmax(values, -1), 1, generator=generator)])
        if token == stop:
            break
        new.append(token)
        context = torch.cat([context, torch.tensor([[token]])], dim=1)
    return new


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", default="assets/gpt2-kjv")
    parser.add_argument("--new-tokens", type=int, default=40)
    parser.add_argument("--top-k", type=int, default=40)
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--sample-seed", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    folder = Path(args.folder)
    loaded = load_causal_model(folder)
    model, tokenizer = loaded.model.cpu(), loaded.tokenizer
    record = json.loads((folder / "viz_training.json").read_text(encoding="utf-8"))
    train_chapters, held_chapters = load_split(record["seed"])
    V = model.config.vocab_size
    rows = windows(token_stream(tokenizer, documents(held_chapters)), model.config.n_positions)
    model_nll, scored = held_out_loss(model, rows)
    held = (rows[:, :-1].flatten().numpy(), rows[:, 1:].flatten().numpy())
    train = [token_stream(tokenizer, [text]).numpy() for text in documents(train_chapters)]
    baselines = bigram_baselines(train, held, V)
    train_tokens = sum(len(t) for t in train)
    print(f"## Held-out quality of `{folder}` ({scored:,} held-out tokens, {len(held_chapters)} chapters)\n")
    print(
        f"Training split: {len(train_chapters)} chapters, {train_tokens:,} tokens (with `{END_OF_TEXT}`).\n"
    )
    print("| Model | Parameter (tuned on a training slice) | Cross-entropy (nats/token) | Perplexity |")
    print("|---|---|---|---|")
    print(
        f"| GPT-2 ({model.config.n_params:,} parameters) | - | {model_nll:.4f} | {math.exp(model_nll):.1f} |"
    )
    for name, (parameter, nll) in baselines.items():
        label = f"k = {parameter:.4g}" if name == "add-k" else f"d = {parameter:.2f}"
        print(f"| bigram, {name} | {label} | {nll:.4f} | {math.exp(nll):.1f} |")
    best = min(nll for _, nll in baselines.values())
    print(f"\nModel perplexity / best bigram perplexity: {math.exp(model_nll - best):.3f}\n")
    print(
        f"Samples: {args.new_tokens} new tokens at most (stopping at `{END_OF_TEXT}`); greedy, and top-k "
        f"(k = {args.top_k}, temperature {args.temperature}, torch generator seed {args.sample_seed}).\n"
    )
    print("| Prompt | Greedy | Top-k sample |")
    print("|---|---|---|")
    stop = tokenizer.token_to_id(END_OF_TEXT)
    for prompt in PROMPTS:
        ids = tokenizer.encode(prompt).ids
        cells = [
            tokenizer.decode(sample(model, ids, args.new_tokens, k, args.temperature, args.sample_seed, stop))
            for k in (None, args.top_k)
        ]
        cells = [c.replace("\n", " / ").replace("|", "\\|").strip() for c in cells]
        print(f"| {prompt} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
