"""Cold start of the app: fresh ``streamlit run app.py`` to the landing page rendered in headless Chromium.

Each run launches Chromium on a fresh profile first (not timed), then starts the clock, launches a new
Streamlit process and measures
  * health: until ``/_stcore/health`` first answers ``ok``;
  * rendered: until the landing page shows its title "Transformers, made visible" and the milestone
    timeline (a ``.js-plotly-plot`` element) in the browser.

Usage: python bench/cold_start.py [--runs 3] [--timeout 120]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.browser.serve import chromium_available, launch_chromium, streamlit_server  # noqa: E402

TITLE = "Transformers, made visible"
_RENDERED = """
(title) => {
  const titled = Array.from(document.querySelectorAll('h1')).some(h => h.textContent.includes(title));
  return titled && document.querySelector('.js-plotly-plot') !== null;
}
"""


def one_run(playwright, timeout: float) -> tuple[float, float]:
    """(seconds to healthy, seconds to rendered landing page), both from the server's launch."""
    context = launch_chromium(playwright)  # fresh profile: no cached Streamlit bundle
    try:
        page = context.new_page()
        start = time.perf_counter()
        with streamlit_server(timeout=timeout) as base:
            healthy = time.perf_counter() - start
            page.goto(f"{base}/", timeout=timeout * 1000)
            page.wait_for_function(_RENDERED, arg=TITLE, timeout=timeout * 1000)
            rendered = time.perf_counter() - start
            exceptions = page.locator('[data-testid="stException"]').count()
            if exceptions:
                print(f"  warning: {exceptions} Streamlit exception(s) on the landing page", flush=True)
        return healthy, rendered
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="number of cold starts (default 3)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per stage (default 120)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not chromium_available():
        print("needs /usr/bin/chromium and the playwright Python package", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    healthy, rendered = [], []
    with sync_playwright() as playwright:
        for i in range(1, args.runs + 1):
            h, r = one_run(playwright, args.timeout)
            healthy.append(h)
            rendered.append(r)
            print(f"run {i}/{args.runs}: health endpoint ok after {h:.2f} s, "
                  f"landing page rendered after {r:.2f} s", flush=True)

    def runs(values: list[float]) -> str:
        return ", ".join(f"{v:.2f}" for v in values)

    n = args.runs
    print(f"cold start to health endpoint ok: median {statistics.median(healthy):.2f} s over {n} runs "
          f"(runs: {runs(healthy)})")
    print(f"cold start to rendered landing page: median {statistics.median(rendered):.2f} s over {n} runs "
          f"(runs: {runs(rendered)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
