"""Train the bundled English language model: a small GPT-2 on the King James Bible (:mod:`lm_corpus`).

    nice -n 19 python -m viz.training.train_lm --out assets/gpt2-kjv --seed 0 --minutes 60

1. A byte-level BPE (GPT-2's pre-tokenizer and decoder, ``<|endoftext|>``) is trained with ``tokenizers``
   on the training chapters only; ``tokenizer.json`` loads in transformers' ``GPT2TokenizerFast``.
2. Training chapters become one token stream, chapters separated by ``<|endoftext|>``; each step reads
   ``--batch-size`` windows of ``n_positions + 1`` tokens at seeded random offsets (next-token loss).
3. ``--steps N`` runs N steps; ``--minutes M`` instead runs for M minutes with the warm-up + cosine schedule
   laid over the time (the steps done are recorded, so ``--steps`` repeats the run step for step).
   A checkpoint is written every ``--save-minutes`` so a run cut short still leaves a model.

The folder is a Hugging Face GPT-2 folder (config.json, model.safetensors, tokenizer.json) plus
``viz_training.json`` (command, seed, steps, time, losses).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import shlex
import sys
import time
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from torch.nn import functional as F

from viz.core.device import get_device
from viz.core.runtime import available_cores
from viz.models.gpt2.checkpoint import save_gpt2_folder
from viz.models.gpt2.config import GPT2Config
from viz.models.gpt2.model import GPT2
from viz.training.lm_corpus import END_OF_TEXT, PACKAGE, documents, load_split
from viz.training.schedule import set_lr, warmup_cosine

#: The bundled model: 4 blocks of width 256, 4 heads of 64, 128 positions, a 4096-token BPE.
GPT2_KJV = GPT2Config(vocab_size=4096, n_positions=128, d_model=256, n_layers=4, n_heads=4, d_ff=1024)


def train_tokenizer(texts: list[str], vocab_size: int) -> Tokenizer:
    """A GPT-2-style byte-level BPE of ``vocab_size`` tokens (``<|endoftext|>`` is id 0) trained on ``texts``."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[END_OF_TEXT],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        min_frequency=2,
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer)
    return tokenizer


def token_stream(tokenizer: Tokenizer, texts: list[str]) -> torch.Tensor:
    """(N,) ids: every text, each followed by ``<|endoftext|>``."""
    eot = tokenizer.token_to_id(END_OF_TEXT)
    ids: list[int] = []
    for encoding in tokenizer.encode_batch(texts):
        ids += encoding.ids + [eot]
    return torch.tensor(ids, dtype=torch.long)


def windows(stream: torch.Tensor, width: int) -> torch.Tensor:
    """(W, width + 1) consecutive windows that overlap by one token, so every token but the first of the
    stream is predicted exactly once (the last partial window dropped)."""
    n = (len(stream) - 1) // width
    return torch.stack([stream[i * width : i * width + width + 1] for i in range(n)])


@torch.no_grad()
def held_out_loss(model: GPT2, rows: torch.Tensor, batch_size: int = 64) -> tuple[float, int]:
    """(mean cross-entropy in nats per token, tokens scored) of ``model`` on windows (W, T + 1)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    total, count = 0.0, 0
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size].to(device)
        logits = model(batch[:, :-1], trace=False).logits
        total += F.cross_entropy(logits.flatten(0, 1).float(), batch[:, 1:].flatten(), reduction="sum").item()
        count += batch[:, 1:].numel()
    model.train(was_training)
    return total / count, count


def tokenizer_config() -> dict:
    """``tokenizer_config.json``: what transformers' ``AutoTokenizer`` reads beside ``tokenizer.json``."""
    return {
        "tokenizer_class": "GPT2Tokenizer",
        "bos_token": END_OF_TEXT,
        "eos_token": END_OF_TEXT,
        "unk_token": END_OF_TEXT,
        "add_prefix_space": False,
        "model_max_length": GPT2_KJV.n_positions,
    }


def name_end_of_text(folder: Path, tokenizer: Tokenizer) -> None:
    """Add ``bos_token_id`` / ``eos_token_id`` (our ``<|endoftext|>``) to the folder's ``config.json``;
    transformers otherwise assumes GPT-2's 50256, outside this vocabulary."""
    path = folder / "config.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    eot = tokenizer.token_to_id(END_OF_TEXT)
    path.write_text(json.dumps(raw | {"bos_token_id": eot, "eos_token_id": eot}, indent=2) + "\n", "utf-8")


def save(model: GPT2, folder: Path, tokenizer: Tokenizer, record: dict) -> None:
    save_gpt2_folder(
        model,
        folder,
        {
            "tokenizer.json": tokenizer.to_str(pretty=False),
            "tokenizer_config.json": json.dumps(tokenizer_config(), indent=2) + "\n",
            "viz_training.json": json.dumps(record, indent=2) + "\n",
        },
    )
    name_end_of_text(folder, tokenizer)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="folder to write the GPT-2 checkpoint to")
    parser.add_argument("--seed", type=int, default=0)
    length = parser.add_mutually_exclusive_group(required=True)
    length.add_argument("--steps", type=int, help="optimizer steps")
    length.add_argument("--minutes", type=float, help="train for this long, the schedule laid over the time")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=float, default=0.02, help="share of the run spent warming up")
    parser.add_argument("--weight-decay", type=float, default=0.1)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--save-minutes", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: the cores)")
    args = parser.parse_args(argv)
    threads = args.threads or available_cores()
    torch.set_num_threads(threads)
    torch.manual_seed(args.seed)
    device = get_device()
    t0 = time.perf_counter()
    train_chapters, held_chapters = load_split(args.seed)
    tokenizer = train_tokenizer(documents(train_chapters), GPT2_KJV.vocab_size)
    config = dataclasses.replace(GPT2_KJV, vocab_size=tokenizer.get_vocab_size())
    train_ids = token_stream(tokenizer, documents(train_chapters))
    held_rows = windows(token_stream(tokenizer, documents(held_chapters)), config.n_positions)
    print(
        f"corpus: {len(train_chapters)} training chapters ({len(train_ids):,} tokens), "
        f"{len(held_chapters)} held out ({held_rows[:, 1:].numel():,} tokens scored); "
        f"tokenizer {tokenizer.get_vocab_size()} tokens in {time.perf_counter() - t0:.1f} s; "
        f"{config.n_params:,} parameters; {device}, {threads} threads",
        flush=True,
    )
    model = GPT2(config).to(device).train()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr,
        betas=(0.9, 0.95),
        foreach=True,
    )
    generator = torch.Generator().manual_seed(args.seed)
    width = config.n_positions
    offsets = torch.arange(width + 1)
    command = "python -m viz.training.train_lm " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    record = {"command": command, "seed": args.seed, "corpus": f"Debian {PACKAGE}", "threads": threads}
    budget = args.minutes * 60 if args.minutes else None
    units = 10_000  # with --minutes the schedule runs over 10 000 units of time
    start = last_save = time.perf_counter()
    losses: list[float] = []
    step, history = 0, []
    while True:
        elapsed = time.perf_counter() - start
        if budget is not None:
            if elapsed >= budget:
                break
            lr = warmup_cosine(int(units * elapsed / budget), args.lr, int(units * args.warmup), units, 0.05)
        else:
            if step >= args.steps:
                break
            lr = warmup_cosine(step, args.lr, max(1, int(args.steps * args.warmup)), args.steps, 0.05)
        set_lr(optimizer, lr)
        starts = torch.randint(0, len(train_ids) - width - 1, (args.batch_size,), generator=generator)
        batch = train_ids[starts[:, None] + offsets].to(device)  # (B, T + 1)
        logits = model(batch[:, :-1], trace=False).logits
        loss = F.cross_entropy(logits.flatten(0, 1), batch[:, 1:].flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
        step += 1
        if step % args.eval_every == 0:
            held, _ = held_out_loss(model, held_rows)
            train_loss = sum(losses) / len(losses)
            history.append(
                {"step": step, "train_loss": round(train_loss, 4), "held_out_loss": round(held, 4)}
            )
            print(
                f"step {step:6d}  lr {lr:.2e}  train loss {train_loss:.4f}  held-out loss {held:.4f} "
                f"(perplexity {math.exp(held):.1f})  {time.perf_counter() - start:7.1f} s",
                flush=True,
            )
            losses = []
        if time.perf_counter() - last_save >= args.save_minutes * 60:
            model.eval()
            save(model.cpu(), Path(args.out), tokenizer, record | {"steps": step, "finished": False})
            model.to(device).train()
            last_save = time.perf_counter()
            print(f"checkpoint at step {step} in {args.out}", flush=True)
    seconds = time.perf_counter() - start
    held, scored = held_out_loss(model, held_rows)
    model.eval()
    record |= {
        "steps": step,
        "batch_size": args.batch_size,
        "tokens_seen": step * args.batch_size * width,
        "train_seconds": round(seconds, 1),
        "device": str(device),
        "held_out_loss": round(held, 4),
        "held_out_tokens": scored,
        "history": history,
        "torch": torch.__version__,
        "finished": True,
    }
    save(model.cpu(), Path(args.out), tokenizer, record)
    print(
        f"trained {config.n_params:,} parameters for {step} steps in {seconds:.0f} s; held-out loss "
        f"{held:.4f} (perplexity {math.exp(held):.1f}); wrote {args.out}"
    )


if __name__ == "__main__":
    main()
