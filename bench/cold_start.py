"""Cold start of the app: fresh ``streamlit run app.py`` to the landing page rendered in headless Chromium.

Each run launches Chromium on a fresh profile first (not timed), then starts the clock, launches a new
Streamlit process and measures
  * health: until ``/_stcore/health`` first answers ``ok``;
  * rendered: until the landing page shows its title "Transformers, made visible" and every chart on it is
    drawn (Vega-Lite: its marks; plotly: its SVG), at least one chart: the milestones timeline;
  * next page: the click on "Positional encodings" until its plotly charts are drawn. Before the click, a
    second browser opens that page once (the server's first visit imports torch, about 2 s, which the
    thirtieth student of a class does not wait for), then the first browser stays ``--read`` more seconds
    on the landing page (a student reading it). The landing page draws with Vega-Lite and imports plotly.js
    in the background once drawn (viz/ui/warmup.py); each run says whether that import had been fetched
    before the click, and ``--no-warmup`` (``VIZ_PLOTLY_WARMUP=0`` for the server) gives the figure
    without it, where the next page fetches and compiles plotly.js itself.

Usage: python bench/cold_start.py [--runs 3] [--read 3] [--no-warmup] [--timeout 120]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench_helpers import add_seconds  # noqa: E402

from tests.browser.serve import PLOTLY_DRAWN, chromium_available, launch_chromium, streamlit_server  # noqa: E402

TITLE = "Transformers, made visible"
_RENDERED = """
(title) => {
  const titled = Array.from(document.querySelectorAll('h1')).some(h => h.textContent.includes(title));
  const vega = Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'));
  const plotly = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
  return titled && vega.length + plotly.length > 0
    && vega.every(chart => chart.querySelector('svg.marks, canvas.marks') !== null)
    && plotly.every(chart => chart.querySelector('.main-svg') !== null);
}
"""

NEXT_PAGE, NEXT_PATH = "Positional encodings", "positional"
_PLOTLY_FETCHED = """() => performance.getEntriesByType('resource')
  .some(entry => /PlotlyChart\\.[^/]*\\.js$/.test(entry.name))"""


def one_run(playwright, timeout: float, read: float, warmup: bool) -> tuple[float, float, float, bool]:
    """(seconds to healthy, seconds to rendered landing page, both from the server's launch; seconds from the
    click to the next page's charts drawn; whether plotly.js had been fetched before the click)."""
    context = launch_chromium(playwright)  # fresh profile: no cached Streamlit bundle
    try:
        page = context.new_page()
        start = time.perf_counter()
        with streamlit_server(timeout=timeout, env={"VIZ_PLOTLY_WARMUP": "1" if warmup else "0"}) as base:
            healthy = time.perf_counter() - start
            page.goto(f"{base}/", timeout=timeout * 1000)
            page.wait_for_function(_RENDERED, arg=TITLE, timeout=timeout * 1000)
            rendered = time.perf_counter() - start
            exceptions = page.locator('[data-testid="stException"]').count()
            if exceptions:
                print(f"  warning: {exceptions} Streamlit exception(s) on the landing page", flush=True)
            other = launch_chromium(playwright)  # the server's first visit to the next page, not timed
            try:
                other_page = other.new_page()
                other_page.goto(f"{base}/{NEXT_PATH}", timeout=timeout * 1000)
                other_page.wait_for_function(PLOTLY_DRAWN, timeout=timeout * 1000)
            finally:
                other.close()
            page.wait_for_timeout(read * 1000)
            fetched = page.evaluate(_PLOTLY_FETCHED)
            clicked = time.perf_counter()
            page.get_by_role("link", name=NEXT_PAGE).first.click()
            page.wait_for_function(PLOTLY_DRAWN, timeout=timeout * 1000)
            next_page = time.perf_counter() - clicked
        return healthy, rendered, next_page, fetched
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="number of cold starts (default 3)")
    add_seconds(parser, "--read", 3.0, "seconds on the landing page before opening the next page (default 3)")
    parser.add_argument(
        "--no-warmup",
        action="store_true",
        help="serve with VIZ_PLOTLY_WARMUP=0: no background plotly.js import on the landing page",
    )
    add_seconds(parser, "--timeout", 120.0, "seconds allowed per stage (default 120)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not chromium_available():
        print("needs /usr/bin/chromium and the playwright Python package", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    healthy, rendered, next_pages = [], [], []
    with sync_playwright() as playwright:
        for i in range(1, args.runs + 1):
            h, r, n, fetched = one_run(playwright, args.timeout, args.read, warmup=not args.no_warmup)
            healthy.append(h)
            rendered.append(r)
            next_pages.append(n)
            print(
                f"run {i}/{args.runs}: health endpoint ok after {h:.2f} s, "
                f"landing page rendered after {r:.2f} s, next page drawn {n:.2f} s after the click "
                f"(plotly.js {'already' if fetched else 'not yet'} fetched)",
                flush=True,
            )

    def runs(values: list[float]) -> str:
        return ", ".join(f"{v:.2f}" for v in values)

    n = args.runs
    print(
        f"cold start to health endpoint ok: median {statistics.median(healthy):.2f} s over {n} runs "
        f"(runs: {runs(healthy)})"
    )
    print(
        f"cold start to rendered landing page: median {statistics.median(rendered):.2f} s over {n} runs "
        f"(runs: {runs(rendered)})"
    )
    print(f"background plotly.js import: {'off' if args.no_warmup else 'on'}")
    print(
        f"next page ({NEXT_PAGE}) {args.read:g} s later, click to charts drawn: median "
        f"{statistics.median(next_pages):.2f} s over {n} runs (runs: {runs(next_pages)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
