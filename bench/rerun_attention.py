"""Attention page rerun after a new sentence, under AppTest with warm caches (target: median <= 300 ms).

Also times the input guard alone on 100,000 characters (target: well under a second).
Usage: python bench/rerun_attention.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from viz.models.bert.registry import load_text_model  # noqa: E402
from viz.models.bert.tokenizer import tokenize  # noqa: E402

SENTENCES = [
    f"Sentence number {i} shows how the students watch attention move between the words." for i in range(100)
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    at = AppTest.from_file(str(ROOT / "navigation.py"), default_timeout=120).run()
    at.switch_page("app_pages/attention.py").run()
    at.text_area(key="sentence").input("warm up the model and the caches").run()
    times = []
    for text in SENTENCES[: args.runs]:  # each sentence is new: the trace is computed, not cached
        start = time.perf_counter()
        at.text_area(key="sentence").input(text).run()
        times.append((time.perf_counter() - start) * 1e3)
        assert not at.exception, at.exception
    print(
        f"attention page rerun after a new sentence: median {statistics.median(times):.0f} ms, "
        f"max {max(times):.0f} ms over {len(times)} sentences (target: median <= 300 ms)"
    )

    _, tokenizer, limit = load_text_model()
    huge = "Attention is all you need. 😀 <b>x</b> " * 2700  # ~100,000 characters
    start = time.perf_counter()
    tokenized = tokenize(tokenizer, huge, limit)
    elapsed = (time.perf_counter() - start) * 1e3
    print(
        f"input guard on {len(huge):,} characters: {elapsed:.0f} ms "
        f"({tokenized.n_tokens_total:,} tokens found, {len(tokenized.ids)} kept)"
    )


if __name__ == "__main__":
    main()
