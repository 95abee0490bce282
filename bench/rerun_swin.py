"""Swin pages rerun after an upload, under AppTest with warm caches (target: median <= 500 ms).

See bench/upload_rerun.py for what is timed; also prints what else was running on the machine.
Usage: python bench/rerun_swin.py [--runs 15]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from swin_trace import machine_state  # noqa: E402
from upload_rerun import main  # noqa: E402

PAGES = {
    "Swin: shifted windows": "app_pages/swin.py",
    "Swin: hierarchy and cost": "app_pages/swin_hierarchy.py",
}

if __name__ == "__main__":
    main(PAGES, seed=778)
    print(machine_state())
