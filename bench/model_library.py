"""Load time and memory of a ViT-B/16-sized checkpoint through the model library, first load and cached,
and whether other students are held up meanwhile.

A random-weight ViT-B/16 (86.6 M parameters, 1000 classes, 346 MB of safetensors) is written as a
Hugging Face folder with google/vit-base-patch16-224's preprocessor settings, listed as an operator folder
(VIZ_MODEL_DIRS), then, in a fresh process:

1. the bundled MiniLM is loaded and traced (what every text page has in memory);
2. the ViT-B is loaded through ``library().load`` while another thread traces a sentence on MiniLM over and
   over: its slowest trace during the load says whether the load stalls the others (loads are locked per
   folder, not globally);
3. the ViT-B is asked for again (cached), then traced on the cat photograph twice, with and without the
   attention gradients; the size of each trace's arrays is what one cache entry holds.

Memory is the process's resident size (VmRSS) and peak (VmHWM) from /proc, in MB.

Usage: python bench/model_library.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _memory() -> tuple[float, float]:
    fields = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def make_folder(root: Path) -> Path:
    import torch

    from viz.models.vit.checkpoint import save_vit
    from viz.models.vit.config import VIT_BASE
    from viz.models.vit.model import VisionTransformer

    torch.manual_seed(0)
    folder = save_vit(VisionTransformer(VIT_BASE).eval(), root / "vit-base-random")
    processor = {
        "image_processor_type": "ViTImageProcessor",
        "do_resize": True,
        "size": {"height": 224, "width": 224},
        "resample": 2,
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5],
    }
    (folder / "preprocessor_config.json").write_text(json.dumps(processor), encoding="utf-8")
    return folder


def child() -> None:
    from viz.library.catalog import library
    from viz.trace.sentence import trace_sentence
    from viz.trace.vit import trace_image

    sentence = "The animal didn't cross the street because it was too tired."
    trace_sentence(sentence)
    rss0, _ = _memory()
    lib = library()
    entry = lib.get("folder:vit-base-random", "vit")
    print(f"entry: {entry.label()}")

    def sentence_ms() -> float:
        start = time.perf_counter()
        trace_sentence(sentence + " " + str(time.perf_counter()))  # a new sentence each time
        return (time.perf_counter() - start) * 1000

    alone = sorted(sentence_ms() for _ in range(20))
    during: list[float] = []
    done = threading.Event()

    def others() -> None:
        while not done.is_set():
            during.append(sentence_ms())

    thread = threading.Thread(target=others)
    thread.start()
    start = time.perf_counter()
    lib.load(entry)
    first = time.perf_counter() - start
    done.set()
    thread.join()
    rss1, peak1 = _memory()
    start = time.perf_counter()
    lib.load(entry)
    cached = (time.perf_counter() - start) * 1000
    cat = ROOT / "assets" / "samples" / "cat.jpg"
    timings = {}
    for name, gradients in (("with gradients", True), ("without gradients", False)):
        start = time.perf_counter()
        trace = trace_image(cat, model=entry.folder, gradients=gradients)
        timings[name] = (time.perf_counter() - start, _arrays_mb(trace))
    rss2, peak2 = _memory()
    print(f"first load: {first:.2f} s, resident +{rss1 - rss0:.0f} MB (peak {peak1:.0f} MB)")
    print(f"cached load: {cached:.3f} ms")
    print(
        f"MiniLM sentence traces meanwhile: {len(during)} done, slowest {max(during, default=0):.0f} ms, "
        f"median {sorted(during)[len(during) // 2] if during else 0:.0f} ms (alone: median {alone[10]:.0f} ms, "
        f"slowest {alone[-1]:.0f} ms)"
    )
    for name, (seconds, megabytes) in timings.items():
        print(f"trace {name}: {seconds:.2f} s, its arrays {megabytes:.1f} MB")
    print(f"after both traces: resident {rss2:.0f} MB, peak {peak2:.0f} MB")


def _arrays_mb(trace) -> float:
    import dataclasses

    import numpy as np

    total = 0
    for field in dataclasses.fields(trace):
        value = getattr(trace, field.name)
        if isinstance(value, np.ndarray):
            total += value.nbytes
    return total / 1e6


def main() -> None:
    from bench_helpers import machine_state

    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child()
        return
    with tempfile.TemporaryDirectory() as root:
        start = time.perf_counter()
        folder = make_folder(Path(root))
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"wrote a random ViT-B/16 folder ({size:.0f} MB) in {time.perf_counter() - start:.1f} s")
        print(machine_state())
        env = dict(os.environ, VIZ_MODEL_DIRS=root, VIZ_SCAN_HF_CACHE="0", VIZ_WARM_UP="0")
        subprocess.run([sys.executable, __file__, "--child"], env=env, check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
