"""Peak memory of reading the hardest uploads the app accepts (and of the ones it refuses), one file per fresh
process, then five of the largest at once in one process, all through ``viz.data.images.read_image``.

Each file is made here in memory: large images of every mode the reader converts (16-bit, 32-bit integer
and float grayscale, RGBA, a palette with transparency, WebP, a progressive JPEG), compressed so that they
fit under the upload limit of 8 MB. Peak growth = the process's peak resident memory after reading minus
its peak before (``VmHWM``), after a warm-up read, so imports and one-off allocations are not counted.

Bars (issue: a classroom server you can trust): every single file <= 300 MB at peak; five at once <= 1 GB.

Usage: python bench/upload_memory.py
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SINGLE_BAR_MB, TOGETHER_BAR_MB = 300, 1000

CASES = {
    # name: (mode to save, side, format, save options)
    "16-bit grey PNG 6300 x 6300": ("I;16", 6300, "PNG", {}),
    "32-bit int TIFF 6300 x 6300 (over the budget)": ("I", 6300, "TIFF", {"compression": "tiff_deflate"}),
    "32-bit int TIFF 5600 x 5600": ("I", 5600, "TIFF", {"compression": "tiff_deflate"}),
    "float TIFF 5600 x 5600": ("F", 5600, "TIFF", {"compression": "tiff_deflate"}),
    "RGBA PNG 5600 x 5600": ("RGBA", 5600, "PNG", {}),
    "RGB PNG 5600 x 5600": ("RGB", 5600, "PNG", {}),
    "palette + transparency PNG 6300 x 6300": ("P", 6300, "PNG", {"transparency": 0}),
    "WebP 5600 x 5600 (over the budget)": ("RGB", 5600, "WEBP", {"quality": 30}),
    "WebP 2800 x 2800": ("RGB", 2800, "WEBP", {"quality": 30}),
    "progressive JPEG 10000 x 4000": ("RGB", (10000, 4000), "JPEG", {"progressive": True, "quality": 60}),
}
TOGETHER = [
    "32-bit int TIFF 5600 x 5600",
    "float TIFF 5600 x 5600",
    "RGBA PNG 5600 x 5600",
    "WebP 2800 x 2800",
    "16-bit grey PNG 6300 x 6300",
]

MEASURE = r"""
import io, json, sys, threading
sys.path.insert(0, sys.argv[1])
from viz.data.images import ImageInputError, read_image
from bench.upload_memory import make
names = json.loads(sys.argv[2])
files = [open(path, "rb").read() for path in json.loads(sys.argv[3])]
read_image(files[0][:0] or make("warm-up"))  # imports, decoders, one allocation of each kind
def high_water_kb():  # VmHWM: this process's peak resident memory (ru_maxrss would carry the parent's over exec)
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
before = high_water_kb()
results = {}
def read(name, data):
    try:
        results[name] = read_image(data).size
    except ImageInputError as err:
        results[name] = "refused: " + str(err)
threads = [threading.Thread(target=read, args=(n, f)) for n, f in zip(names, files)]
for t in threads: t.start()
for t in threads: t.join()
after = high_water_kb()
print(json.dumps({"peak_mb": (after - before) / 1024, "results": results, "bytes": [len(f) for f in files]}))
"""


def make(name: str) -> bytes:
    """The encoded file of case ``name`` (or a small warm-up image)."""
    import numpy as np
    from PIL import Image

    if name == "warm-up":
        buffer = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 10, 10)).save(buffer, "PNG")
        return buffer.getvalue()
    mode, side, fmt, options = CASES[name]
    width, height = side if isinstance(side, tuple) else (side, side)
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    ramp = np.floor((x * 0.7 + y * 0.3) * 32) / 32  # (H, W) in [0, 1], 32 bands: compresses to a few MB
    if mode == "I;16":
        image = Image.fromarray((ramp * 65535).astype(np.uint16))
    elif mode == "I":
        image = Image.fromarray((ramp * 2**20).astype(np.int32), "I")
    elif mode == "F":
        image = Image.fromarray(ramp * 1000.0, "F")
    elif mode == "P":
        image = Image.fromarray((ramp * 255).astype(np.uint8), "L").convert("P")
    else:
        rgb = np.stack([ramp, 1 - ramp, ramp * ramp], axis=-1)
        image = Image.fromarray((rgb * 255).astype(np.uint8), "RGB").convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def measure(names: list[str], folder: Path) -> dict:
    """Read the files of ``names`` (written to ``folder`` by this process) at once in a fresh process."""
    paths = [str(folder / f"{i}.bin") for i in range(len(names))]
    for path, name in zip(paths, names):
        Path(path).write_bytes(make(name))
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(ROOT), json.dumps(names), json.dumps(paths)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        return report(Path(folder))


def report(folder: Path) -> int:
    worst = 0.0
    print(f"{'file':50s} {'bytes':>9s} {'peak MB':>8s}  result")
    for name in CASES:
        result = measure([name], folder)
        worst = max(worst, result["peak_mb"])
        outcome = result["results"][name]
        shown = outcome if isinstance(outcome, str) else f"read as {outcome[0]} x {outcome[1]}"
        print(f"{name:50s} {result['bytes'][0]:9,d} {result['peak_mb']:8.0f}  {shown[:90]}")
    together = measure(TOGETHER, folder)
    print(f"\nlargest single-file peak: {worst:.0f} MB (bar {SINGLE_BAR_MB} MB)")
    print(
        f"five at once ({', '.join(TOGETHER)}): peak {together['peak_mb']:.0f} MB (bar {TOGETHER_BAR_MB} MB)"
    )
    ok = worst <= SINGLE_BAR_MB and together["peak_mb"] <= TOGETHER_BAR_MB
    print("bars met" if ok else "bars NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
