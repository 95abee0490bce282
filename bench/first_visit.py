"""Every page's first visit after the server has been up a while: seconds from the address typed to the page's
charts drawn, in headless Chromium, each page once, on a fresh server.

The server starts, ``--after`` seconds pass (15 by default: a lecturer starts the app before the class
arrives), then one browser (its Streamlit bundle cached after the first page, as a student's would be) opens
every page of the navigation in turn and waits until the title is shown, no spinner runs and every chart on
the page is drawn. With the warm-up (the default) the server has loaded the bundled models in the background
since it started (viz/trace/warmup.py); ``--no-warm-up`` (``VIZ_WARM_UP=0``) gives the figures without it.

Bar (issue: a classroom server you can trust): no page waits more than 2 s.
Usage: python bench/first_visit.py [--after 15] [--no-warm-up]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.browser.serve import chromium_available, launch_chromium, streamlit_server  # noqa: E402

BAR = 2.0
_DRAWN = """() => {
  if (document.querySelector('[data-testid="stSpinner"], [data-testid="stSkeleton"]')) return false;
  const status = document.querySelector('[data-testid="stStatusWidget"]');
  if (status && /running/i.test(status.textContent)) return false;
  if (!document.querySelector('h1')) return false;
  const vega = Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'));
  const plotly = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
  return vega.length + plotly.length > 0
    && vega.every(c => c.querySelector('svg.marks, canvas.marks') !== null)
    && plotly.every(c => c.querySelector('.main-svg') !== null);
}"""


def pages() -> list[str]:
    """The URL paths of every page, the landing page ("") first, as navigation.py lists them."""
    return [""] + re.findall(r'url_path="([^"]+)"', (REPO_ROOT / "navigation.py").read_text())


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--after", type=float, default=15.0, help="seconds the server is up before the visits"
    )
    parser.add_argument("--no-warm-up", action="store_true", help="VIZ_WARM_UP=0: no background loading")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    if not chromium_available():
        print("needs /usr/bin/chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    env = {"VIZ_WARM_UP": "0" if args.no_warm_up else "1"}
    times = {}
    with sync_playwright() as playwright, streamlit_server(timeout=args.timeout, env=env) as base:
        up = time.perf_counter()
        context = launch_chromium(playwright)
        try:
            page = context.new_page()
            page.goto(f"{base}/_stcore/health")  # the browser itself is started: not timed
            time.sleep(max(0.0, args.after - (time.perf_counter() - up)))
            for path in pages():
                start = time.perf_counter()
                page.goto(f"{base}/{path}", timeout=args.timeout * 1000)
                page.wait_for_function(_DRAWN, timeout=args.timeout * 1000, polling=50)
                times[path or "(home)"] = time.perf_counter() - start
                print(f"{path or '(home)':18s} {times[path or '(home)']:6.2f} s", flush=True)
        finally:
            context.close()
    worst = max(times, key=times.get)
    print(
        f"warm-up {'off' if args.no_warm_up else 'on'}, visits from {args.after:g} s after the server was up"
    )
    print(
        f"slowest first visit: {worst} {times[worst]:.2f} s (bar {BAR:g} s): {'met' if times[worst] <= BAR else 'NOT met'}"
    )
    return 0 if times[worst] <= BAR else 1


if __name__ == "__main__":
    sys.exit(main())
