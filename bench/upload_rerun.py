"""Shared by bench/rerun_vit.py and bench/rerun_swin.py: time a vision page's rerun after each new upload.

Each run uploads a new picture (a generated shape, resized to 256 x 256 and encoded as PNG, so nothing is
cached) and times the rerun that reads it, traces it and draws every chart of the page, under AppTest with
warm caches: the server side of a rerun, without a browser drawing it.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from viz.data.shapes import make_shapes  # noqa: E402

#: The pages each family's rerun script times (title -> page file), and the seed of the shapes it uploads.
PAGES = {
    "ViT: attention and rollout": "app_pages/vit_attention.py",
    "ViT: patches and embeddings": "app_pages/vit_patches.py",
    "Swin: shifted windows": "app_pages/swin.py",
    "Swin: hierarchy and cost": "app_pages/swin_hierarchy.py",
}
SEEDS = {"ViT": 777, "Swin": 778}


def png(image) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).resize((256, 256)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload_rerun_times(page: str, uploads: list[bytes]) -> list[float]:
    """Milliseconds of each rerun after uploading ``uploads[1:]`` one by one (``uploads[0]`` warms the caches)."""
    at = AppTest.from_file(str(ROOT / "navigation.py"), default_timeout=120).run()
    at.switch_page(page).run()
    at.radio(key="vision_source").set_value("Upload your own").run()
    at.file_uploader(key="vision_upload").upload("warm-up.png", uploads[0]).run()
    times = []
    for i, content in enumerate(uploads[1:]):
        uploader = at.file_uploader(key="vision_upload")
        uploader.clear()
        uploader.upload(f"upload-{i}.png", content)
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1e3)
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]
    return times


def main(family: str) -> None:
    """Print the median and max rerun of each of ``family``'s pages ("ViT" or "Swin") over ``--runs`` uploads."""
    pages = {title: page for title, page in PAGES.items() if title.startswith(f"{family}:")}
    seed = SEEDS[family]
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    images, _, _ = make_shapes(len(pages) * (args.runs + 1), seed=seed)
    uploads = [png(image) for image in images]
    for n, (title, page) in enumerate(pages.items()):
        times = upload_rerun_times(page, uploads[n * (args.runs + 1) : (n + 1) * (args.runs + 1)])
        print(
            f"{title} page rerun after an upload: median {statistics.median(times):.0f} ms, "
            f"max {max(times):.0f} ms over {len(times)} uploads (target: median <= 500 ms)",
            flush=True,
        )
