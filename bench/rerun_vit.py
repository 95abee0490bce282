"""ViT attention page rerun after an upload, under AppTest with warm caches (target: median <= 500 ms).

Each run uploads a new picture (a generated shape encoded as PNG, so nothing is cached) and times the
rerun that reads it, traces it and draws every chart of the page. The patches page is timed the same way.
Usage: python bench/rerun_vit.py [--runs 15]
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

PAGES = {"ViT: attention and rollout": "app_pages/vit_attention.py",
         "ViT: patches and embeddings": "app_pages/vit_patches.py"}


def png(image) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).resize((256, 256)).save(buffer, format="PNG")
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    images, _, _ = make_shapes(2 * args.runs + 2, seed=777)
    uploads = [png(image) for image in images]
    for title, page in PAGES.items():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
        at.switch_page(page).run()
        at.radio(key="vision_source").set_value("Upload your own").run()
        at.file_uploader(key="vision_upload").upload("warm-up.png", uploads.pop()).run()  # warm caches
        times = []
        for i in range(args.runs):
            uploader = at.file_uploader(key="vision_upload")
            uploader.clear()
            uploader.upload(f"upload-{i}.png", uploads.pop())
            start = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - start) * 1e3)
            assert not at.exception, at.exception
            assert not at.error, [e.value for e in at.error]
        print(f"{title} page rerun after an upload: median {statistics.median(times):.0f} ms, "
              f"max {max(times):.0f} ms over {len(times)} uploads (target: median <= 500 ms)")


if __name__ == "__main__":
    main()
