"""The sidebar names the device on model pages, and the landing page never waits for torch or pandas to
import (each costs the first visitor's page about half a second to two seconds)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.pages.helpers import open_page
from viz.core.device import get_device

ROOT = Path(__file__).resolve().parents[2]

_LANDING = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("navigation.py", default_timeout=120).run()
print(json.dumps({"torch": "torch" in sys.modules, "pandas": "pandas" in sys.modules,
                  "pyarrow": "pyarrow" in sys.modules, "exception": bool(at.exception),
                  "sidebar": [m.value for m in at.sidebar.markdown]}))
"""


def test_landing_page_imports_neither_torch_nor_pandas_nor_pyarrow():
    done = subprocess.run(
        [sys.executable, "-c", _LANDING], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert not result["exception"]
    assert result["torch"] is False
    assert result["pandas"] is False  # tables for CSV downloads are built only on click
    assert result["pyarrow"] is False  # the timeline's data goes inline in its Vega-Lite spec, not as Arrow
    assert any("GPU if there is one" in m for m in result["sidebar"])


def test_model_page_names_the_device():
    at = open_page("app_pages/attention.py")
    shown = [m.value for m in at.sidebar.markdown]
    assert not any("GPU if there is one" in m for m in shown), (
        shown
    )  # torch was imported: the device is named
    prefix = {"cpu": "**CPU (", "cuda": "**GPU: ", "mps": "**Apple GPU"}[get_device().type]
    assert any(m.startswith(prefix) for m in shown), shown
