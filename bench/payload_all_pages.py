"""Bytes sent per rerun on every page of the app (target: none above 3 MB), under AppTest.

Every page listed in navigation.py is opened on its defaults; a page with a view switch (segmented control) is
measured in each view; the vision pages are measured again after an upload of a 3000 x 2000 photograph-like
JPEG (the largest kind of image a student brings). Bytes are the serialized element protos of the page, the
same messages Streamlit sends over the websocket (the text pages' per-view figures at 32 and 256 tokens are
in bench/page_payload.py).
Usage: python bench/payload_all_pages.py
"""

from __future__ import annotations

import io
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.page_payload import payload_bytes  # noqa: E402

LIMIT_MB = 3.0
VISION_UPLOAD = ("vision_source", "Upload your own", "vision_upload")  # viz/ui/vision_inputs.py


def pages() -> list[str]:
    return re.findall(r'st\.Page\(\s*"(app_pages/[a-z_0-9]+\.py)"', (ROOT / "navigation.py").read_text())


def big_photo() -> bytes:
    rng = np.random.default_rng(0)
    small = rng.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)
    image = Image.fromarray(small).resize((3000, 2000), Image.BICUBIC)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def run(at: AppTest) -> tuple[float, int]:
    start = time.perf_counter()
    at.run()
    elapsed = (time.perf_counter() - start) * 1e3
    assert not at.exception, at.exception
    return elapsed, payload_bytes(at._tree)


def report(name: str, ms: float, size: int, rows: list) -> None:
    rows.append(size)
    flag = "" if size / 1e6 <= LIMIT_MB else "  ABOVE 3 MB"
    print(f"{name:58s} {ms:8.0f} ms {size / 1e6:9.3f} MB{flag}", flush=True)


def main() -> None:
    photo = big_photo()
    sizes: list[int] = []
    print(f"{'page / view':58s} {'rerun':>11s} {'bytes':>12s}")
    for page in pages():
        at = AppTest.from_file(str(ROOT / "navigation.py"), default_timeout=600).run()
        at.switch_page(page)
        ms, size = run(at)
        report(f"{Path(page).stem} (defaults)", ms, size, sizes)
        for control in at.segmented_control:
            for option in control.options[1:]:
                at.segmented_control(key=control.key).set_value(option)
                ms, size = run(at)
                report(f"{Path(page).stem} / {option}", ms, size, sizes)
        radios = {r.key for r in at.radio}
        source_key, option, uploader_key = VISION_UPLOAD
        if source_key in radios:
            at.radio(key=source_key).set_value(option).run()
            at.file_uploader(key=uploader_key).upload("photo.jpg", photo, "image/jpeg")
            ms, size = run(at)
            report(
                f"{Path(page).stem} after a 3000 x 2000 JPEG upload ({len(photo) / 1e6:.1f} MB)",
                ms,
                size,
                sizes,
            )
    print(
        f"largest rerun: {max(sizes) / 1e6:.3f} MB over {len(sizes)} page views (target: none above {LIMIT_MB} MB)"
    )


if __name__ == "__main__":
    main()
