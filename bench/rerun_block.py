"""Block page rerun for a 32-token sentence, under AppTest with warm caches (target: median < 300 ms).

Times 20 reruns of the feed-forward view (the page's heaviest: five strips of up to 1,536 numbers, the
active units, neurons x tokens, the same-weights scatter) moving the token each time, after a warm-up; then each
other view once per rerun; then new 32-token sentences (the block trace computed, not cached).
Usage: python bench/rerun_block.py [--runs 20]
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

from viz.trace.block import trace_block  # noqa: E402

#: 30 word pieces + [CLS] and [SEP] = 32 tokens (checked in main).
SENTENCE = (
    "The students watched the feed forward network expand every token into many hidden units before the "
    "residual sum and the layer norm gave each vector back its usual size ."
)


def timed(at: AppTest, action) -> float:
    start = time.perf_counter()
    action(at).run()
    elapsed = (time.perf_counter() - start) * 1e3
    assert not at.exception, [e.value for e in at.exception]
    return elapsed


def report(name: str, times: list[float]) -> None:
    print(
        f"{name}: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms over {len(times)} reruns "
        "(target: median < 300 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    n_tokens = len(trace_block(SENTENCE).tokens)
    print(f"sentence: {n_tokens} tokens")
    assert n_tokens == 32, n_tokens
    at = AppTest.from_file(str(ROOT / "navigation.py"), default_timeout=120).run()
    at.switch_page("app_pages/block.py").run()
    at.text_area(key="sentence").input(SENTENCE).run()  # warm-up: model, trace, caches
    for token in range(n_tokens):  # warm the same-weights FFN runs of every token
        at.selectbox(key="enc_token").set_value(token).run()
    times = [
        timed(at, lambda at, t=i % n_tokens: at.selectbox(key="enc_token").set_value(t))
        for i in range(args.runs)
    ]
    report("feed-forward view, token moved", times)
    for view in ("Residuals", "LayerNorm", "Post-LN vs pre-LN"):
        at.radio(key="view").set_value(view).run()  # warm
        times = [
            timed(at, lambda at, t=i % n_tokens: at.selectbox(key="enc_token").set_value(t))
            if view != "Post-LN vs pre-LN"
            else timed(at, lambda at: at)
            for i in range(args.runs)
        ]
        report(f"{view} view", times)
    at.radio(key="view").set_value("Feed-forward").run()
    new = [timed(at, lambda at, i=i: at.text_area(key="sentence").input(f"{SENTENCE} {i}")) for i in range(5)]
    report("feed-forward view, a new sentence (trace computed)", new)


if __name__ == "__main__":
    main()
