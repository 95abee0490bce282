"""The live-training target measured through the real page: Chromium clicks Train on the encoder-decoder
page (defaults: reverse, tiny model, inputs of <= 8 letters, 1500 steps) and watches the page until its
"Held-out exact match" reads 90% or more; prints the training time the page's progress bar showed then.

Usage: python bench/page_train_to_90.py   (needs /usr/bin/chromium and the playwright package)
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.serve import launch_chromium, streamlit_server  # noqa: E402

TARGET = 90


def descendants(root: int) -> list[int]:
    """Process ids below ``root`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def same_niceness_for_the_browser() -> None:
    """Chromium running as root raises its own priority; put our browser back at this script's niceness, so
    that it does not starve the server it is measuring (in class the browser runs on another machine)."""
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    for pid in descendants(os.getpid()):
        try:
            if os.getpriority(os.PRIO_PROCESS, pid) < mine:
                os.setpriority(os.PRIO_PROCESS, pid, mine)
        except OSError:
            pass


def main() -> None:
    from playwright.sync_api import sync_playwright

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with streamlit_server(timeout=120) as base, sync_playwright() as playwright:
        context = launch_chromium(playwright, viewport={"width": 1400, "height": 2400})
        page = context.new_page()
        page.goto(f"{base}/encoder-decoder", timeout=120_000)
        same_niceness_for_the_browser()
        page.get_by_role("tab", name="Train your own").click(timeout=120_000)
        page.get_by_role("button", name="Train").click(timeout=60_000)
        clicked = time.monotonic()
        progress, accuracy = "", 0
        while time.monotonic() - clicked < 200:
            metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
            for text in metrics:
                if text.startswith("Held-out exact match"):
                    match = re.search(r"(\d+)%", text)
                    accuracy = int(match.group(1)) if match else 0
            bars = page.locator('[data-testid="stProgress"]').all_inner_texts()
            progress = bars[0] if bars else progress
            if accuracy >= TARGET or "Finished" in progress:
                break
            same_niceness_for_the_browser()  # Chromium starts processes as it goes
            time.sleep(0.25)
        wall = time.monotonic() - clicked
        print(
            f"page showed held-out exact match {accuracy}% with progress '{progress.strip()}' "
            f"({wall:.1f} s after the click, page polling included)"
        )
        context.close()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
