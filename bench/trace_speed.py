"""trace_sentence against transformers.BertModel(output_attentions=True) on the same 32-token sentence.

Same process, same weights, same thread count; both timed end to end (tokenize + forward + attentions).
Prints the medians and their ratio (target <= 1.0).  Usage: python bench/trace_speed.py [--runs 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
import transformers  # noqa: E402

from viz import trace_sentence  # noqa: E402
from viz.models.bert.registry import minilm_folder  # noqa: E402

SENTENCE = (
    "The teacher projected the attention heatmap so every student could see which words the "
    "model linked together in the long sentence, and then asked them why."
)  # 32 tokens


def median_ms(fn, runs: int) -> float:
    for _ in range(10):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    folder = str(minilm_folder())
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    reference = transformers.BertModel.from_pretrained(folder, attn_implementation="eager").eval()
    n_tokens = len(trace_sentence(SENTENCE).tokens)
    assert n_tokens == 32, n_tokens

    def ours():
        trace_sentence(SENTENCE)

    def theirs():
        with torch.inference_mode():
            batch = tokenizer(SENTENCE, return_tensors="pt")
            out = reference(**batch, output_attentions=True, output_hidden_states=True)
            torch.stack(out.attentions).numpy()

    # interleave the two so machine noise hits both alike
    ours_ms, theirs_ms = [], []
    for _ in range(3):
        ours_ms.append(median_ms(ours, args.runs // 3))
        theirs_ms.append(median_ms(theirs, args.runs // 3))
    o, t = statistics.median(ours_ms), statistics.median(theirs_ms)
    print(f"sentence: {n_tokens} tokens, torch threads: {torch.get_num_threads()}, device: cpu")
    print(f"viz.trace_sentence:                       {o:7.2f} ms (median)")
    print(f"transformers BertModel(output_attentions): {t:7.2f} ms (median)")
    print(f"ratio ours / transformers: {o / t:.2f} (target <= 1.0)")


if __name__ == "__main__":
    main()
