"""Per-view rerun time and bytes sent to the browser, for the text pages (AppTest, warm caches).

For every page and view: median rerun after typing a new sentence (target <= 300 ms), the bytes of all
elements the rerun sends (protobuf sizes; target <= 1 MB for the all-heads view of a 32-token sentence,
<= 3 MB for any view), and the same for a 256-token input.
Usage: python bench/page_payload.py [--runs 7]
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

from viz import trace_sentence  # noqa: E402

SENTENCE_32 = (
    "The teacher projected the attention heatmap so every student could see which words the "
    "model linked together in the long sentence, and then asked them why."
)
LONG_256 = "Students watch attention move between the words of a very long sentence. " * 40

PAGES = {
    "app_pages/attention.py": (None, [None]),
    "app_pages/walkthrough.py": ("wt_view", ["Real model", "Ablations"]),
    "app_pages/multihead.py": (
        "mh_view",
        ["Model view", "Head view", "Concat & W^O", "Head statistics", "Rollout", "Neuron view"],
    ),
    "app_pages/positional.py": ("pe_view", ["Adding to a sentence"]),
}


def payload_bytes(node) -> int:
    """Bytes of every element proto under an AppTest node."""
    proto = getattr(node, "proto", None)
    total = proto.ByteSize() if proto is not None and hasattr(proto, "ByteSize") else 0
    for child in getattr(node, "children", {}).values():
        total += payload_bytes(child)
    return total


def measure(page: str, key: str | None, view: str | None, runs: int) -> tuple[float, int, float, int]:
    at = AppTest.from_file(str(ROOT / "navigation.py"), default_timeout=300).run()
    at.switch_page(page).run()
    if key:
        at.segmented_control(key=key).set_value(view).run()
    at.text_area(key="sentence").input("warm up").run()
    times = []
    for i in range(runs):
        text = f"{SENTENCE_32[:-1]} number {i}."  # a new sentence each time: the trace is recomputed
        start = time.perf_counter()
        at.text_area(key="sentence").input(text).run()
        times.append((time.perf_counter() - start) * 1e3)
        assert not at.exception, at.exception
    at.text_area(key="sentence").input(SENTENCE_32).run()
    size_32 = payload_bytes(at._tree)
    start = time.perf_counter()
    at.text_area(key="sentence").input(LONG_256).run()
    long_ms = (time.perf_counter() - start) * 1e3
    assert not at.exception, at.exception
    return statistics.median(times), size_32, long_ms, payload_bytes(at._tree)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    assert len(trace_sentence(SENTENCE_32).tokens) == 32
    assert len(trace_sentence(LONG_256).tokens) == 256
    print(
        f"{'page / view':44s} {'rerun median':>13s} {'bytes (32 tok)':>15s} {'256-token rerun':>16s} "
        f"{'bytes (256 tok)':>16s}"
    )
    for page, (key, views) in PAGES.items():
        for view in views:
            median, size_32, long_ms, size_256 = measure(page, key, view, args.runs)
            name = f"{Path(page).stem} / {view or 'all heads of a layer'}"
            print(
                f"{name:44s} {median:10.0f} ms {size_32 / 1e6:12.3f} MB {long_ms:13.0f} ms {size_256 / 1e6:13.3f} MB",
                flush=True,
            )


if __name__ == "__main__":
    main()
