"""ViT pages rerun after an upload, under AppTest with warm caches (target: median <= 500 ms).

See bench/upload_rerun.py for what is timed (the pages: its PAGES starting "ViT:").
Usage: python bench/rerun_vit.py [--runs 15]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from upload_rerun import main  # noqa: E402

if __name__ == "__main__":
    main("ViT")
