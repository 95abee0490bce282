"""Train the bundled decoder-only model: reversal written as one sequence, ``<s>abc=cba</s>``.

    nice -n 10 python -m viz.training.train_causal --steps 4000 --seed 0 --out assets/gpt2-char-reverse

The model is a GPT-2 (our :class:`viz.models.gpt2.model.GPT2`) saved as a Hugging Face GPT-2 folder, plus
``viz_chars.json`` naming its characters. Only the part after ``=`` is scored: the input is random.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import shlex
import sys
import time

import torch
from torch.nn import functional as F

from viz.models.gpt2.checkpoint import save_gpt2_folder
from viz.models.gpt2.config import GPT2_PRESETS
from viz.models.gpt2.model import GPT2
from viz.tasks import get_task
from viz.tasks.vocab import CharVocab
from viz.training.schedule import set_lr, warmup_cosine

SEPARATOR = "="


def char_vocab(task_chars: str) -> CharVocab:
    return CharVocab(task_chars + SEPARATOR)


def encode_pairs(vocab: CharVocab, pairs: list[tuple[str, str]]) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, T) inputs ``<s> source = target`` and (B, T) labels: the next token where scored, else -100."""
    rows = [[vocab.bos_id] + vocab.encode(s + SEPARATOR + t) + [vocab.eos_id] for s, t in pairs]
    width = max(map(len, rows)) - 1
    ids = torch.full((len(rows), width), vocab.pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), -100, dtype=torch.long)
    for i, ((source, _), row) in enumerate(zip(pairs, rows)):
        ids[i, : len(row) - 1] = torch.tensor(row[:-1])
        start = len(source) + 1  # the position of "=", which predicts the first output character
        labels[i, start : len(row) - 1] = torch.tensor(row[start + 1 :])
    return ids, labels


@torch.no_grad()
def exact_match(model: GPT2, vocab: CharVocab, pairs: list[tuple[str, str]]) -> float:
    """Share of reversals written exactly (then </s>) by greedy continuation of ``<s> source =``."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    correct = 0
    for source, target in pairs:
        prompt = torch.tensor([[vocab.bos_id] + vocab.encode(source + SEPARATOR)], device=device)
        new = model.generate_greedy(prompt, len(target) + 1, stop_id=vocab.eos_id)
        correct += new[-1:] == [vocab.eos_id] and vocab.decode(new) == target
    model.train(was_training)
    return correct / len(pairs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-every", type=int, default=500)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None, help="folder to write the GPT-2 checkpoint to")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    task = get_task("reverse")
    vocab = char_vocab(task.chars)
    config = dataclasses.replace(GPT2_PRESETS["char"], vocab_size=len(vocab))
    model = GPT2(config).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9, foreach=True)
    eval_rng = random.Random(f"held-out:causal:{args.seed + 1}")
    eval_pairs = [task.sample(eval_rng, "held_out") for _ in range(200)]
    start, losses = time.perf_counter(), []
    for step in range(1, args.steps + 1):
        set_lr(optimizer, warmup_cosine(step - 1, args.lr, args.warmup, args.steps, floor=0.1))
        ids, labels = encode_pairs(vocab, [task.sample(rng, "train") for _ in range(args.batch_size)])
        logits = model(ids, trace=False).logits
        loss = F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        if step % args.eval_every == 0 or step == args.steps:
            accuracy = exact_match(model, vocab, eval_pairs)
            print(
                f"step {step:6d}/{args.steps}  loss {sum(losses) / len(losses):.4f}  held-out exact match "
                f"{accuracy:.3f}  {time.perf_counter() - start:7.1f} s",
                flush=True,
            )
            losses = []
    model.eval()
    print(
        f"trained decoder-only reversal ({config.n_params:,} parameters) in "
        f"{time.perf_counter() - start:.1f} s"
    )
    if args.out:
        command = "python -m viz.training.train_causal " + " ".join(
            shlex.quote(a) for a in (argv or sys.argv[1:])
        )
        chars = {
            "chars": vocab.chars,
            "specials": vocab.tokens[:3],
            "separator": SEPARATOR,
            "task": "reverse",
            "max_input_len": task.max_input_len,
            "command": command,
            "seed": args.seed,
            "threads": args.threads,
            "final_eval_exact_match": accuracy,
            "torch": torch.__version__,
        }
        save_gpt2_folder(model, args.out, {"viz_chars.json": json.dumps(chars, indent=2) + "\n"})
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
