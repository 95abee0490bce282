"""Swin pages rerun after an upload, under AppTest with warm caches (target: median <= 500 ms).

See bench/upload_rerun.py for what is timed (the pages: its PAGES starting "Swin:"); also prints what else was
running on the machine.
Usage: python bench/rerun_swin.py [--runs 15]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_helpers import machine_state  # noqa: E402
from upload_rerun import main  # noqa: E402

if __name__ == "__main__":
    main("Swin")
    print(machine_state())
