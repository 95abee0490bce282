"""Load plotly.js in the background once the landing page is drawn, so the first page a student opens next does
not wait for it.

The landing page draws its one chart with Vega-Lite (a sixth of plotly.js's code), which puts it on screen
sooner (3.17 s against 4.03 s, bench/cold_start.py); every other page draws with plotly. Streamlit's browser
code fetches and compiles its plotly chunk (4.7 MB) only when a plotly chart first appears, which would move
that second onto the next page. This script imports the same chunk when the landing page's charts are drawn
and the browser is idle; the browser keeps the module, so the next page's plotly charts do not wait for it
(drawn 1.22 s after the click against 2.93 s without this import; 0.51 s when the landing page itself drew
with plotly, which also compiled plotly's drawing code). The script is a constant written here, with nothing
from a user in it; if Streamlit's build has no plotly chunk by that name, no script is added and pages load
plotly as before (as they do with ``VIZ_PLOTLY_WARMUP=0``, which bench/cold_start.py uses to compare). If the
timeline is not drawn within 10 s, the import starts anyway.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import streamlit as st

_SCRIPT = """<script>
(() => {
  const chunk = %s;
  const warmed = (window.__vizWarmedChunks = window.__vizWarmedChunks || {});
  const entry = document.querySelector('script[type="module"][src*="static/js/index."]');
  if (!entry || warmed[chunk]) return;  // found no entry script to resolve against, or already done
  warmed[chunk] = true;
  const url = new URL(chunk, entry.src).href;  // where Streamlit's own lazy import would fetch it from
  const drawn = () => {
    const charts = Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'));
    return charts.length > 0 && charts.every(chart => chart.querySelector('svg.marks, canvas.marks') !== null);
  };
  const load = () => import(url).catch(() => { warmed[chunk] = false; });
  const started = Date.now();
  const wait = () => {
    if (drawn() || Date.now() - started > 10000) {
      (window.requestIdleCallback || ((f) => setTimeout(f, 200)))(load, {timeout: 2000});
    } else {
      setTimeout(wait, 100);
    }
  };
  wait();
})();
</script>"""


@cache
def plotly_chunk() -> str | None:
    """The file name of the plotly chart chunk in this Streamlit build (e.g. ``PlotlyChart.D9Z0_fxz.js``)."""
    js = Path(st.__file__).parent / "static" / "static" / "js"
    found = sorted(p.name for p in js.glob("PlotlyChart.*.js"))
    return found[0] if len(found) == 1 else None


def warm_up_plotly() -> None:
    """Add the background plotly.js import to the page (once the page's Vega-Lite charts are drawn)."""
    chunk = plotly_chunk()
    if chunk is not None and os.environ.get("VIZ_PLOTLY_WARMUP", "1") != "0":
        st.html(_SCRIPT % json.dumps(chunk), width="content", unsafe_allow_javascript=True)
