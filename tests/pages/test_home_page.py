"""The landing page: runs without exception, shows the timeline from the course and links to pages."""

from __future__ import annotations

import json

from tests.pages.helpers import assert_no_exception, open_page
from viz.data.milestones import MILESTONES


def test_home_page_renders_timeline_and_architecture():
    at = open_page()
    assert_no_exception(at)
    (timeline,) = at.get("vega_lite_chart")
    spec = json.loads(timeline.proto.spec)
    assert "milestones" in spec["title"]["text"].lower()
    assert not timeline.proto.data.data and not timeline.proto.datasets  # inline JSON, no Arrow on this page
    (points,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "point"]
    rows = points["data"]["values"]
    assert sorted(r["name"] for r in rows) == sorted(m[1] for m in MILESTONES)
    dates = sorted(r["date"] for r in rows)
    assert dates[0] == "2017-06-01" and "2020-10-01" in dates  # Transformer first, ViT in Oct 2020
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download the chart (PNG)", "Download the data (CSV)"]  # no plotly camera on this chart
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Heads h"] == "8" and metrics["d_model"] == "512" and metrics["d_ff"] == "2048"
    assert metrics["Encoder layers N"] == "6"


def test_sidebar_shows_device():
    at = open_page()
    text = " ".join(m.value for m in at.sidebar.markdown)
    assert "CPU" in text or "GPU" in text


def test_every_linked_page_is_registered():
    from pathlib import Path

    from viz.ui.architecture import ATTENTION_PAGE, PARTS

    app = (Path(__file__).resolve().parents[2] / "navigation.py").read_text()
    for page in {p for _, _, p in PARTS if p} | {ATTENTION_PAGE}:
        assert f'"{page}"' in app, page
    at = open_page()
    import re

    url_paths = dict(re.findall(r'st\.Page\(\s*"([^"]+)"[^)]*?url_path="([^"]+)"', app, flags=re.DOTALL))
    links = {e.proto.label: e.proto.page for e in at.get("page_link")}
    for part, _, page in PARTS:
        if page:
            assert links[f"See it live: {part.lower()}"] == url_paths[page]


def test_the_architecture_map_links_every_box_and_draws_three_variants():
    from tests.pages.helpers import assert_no_exception as ok

    at = open_page()
    ok(at)
    (page,) = [h.proto.body for h in at.get("html") if "data:image/svg+xml" in h.proto.body]
    import re

    hrefs = re.findall(r'<a href="([^"]+)"', page)
    assert {
        "multihead",
        "positional",
        "encoder-decoder",
        "block?view=Feed-forward",
        "block?view=LayerNorm",
    } <= set(hrefs)
    table = " ".join(m.value for m in at.markdown if "paper" in m.value)
    assert "2,048" in table and "512" in table
    at.radio(key="map").set_value("Decoder-only (GPT-2)").run()
    ok(at)
    (decoder,) = [h.proto.body for h in at.get("html") if "data:image/svg+xml" in h.proto.body]
    assert decoder != page
    labels = re.findall(r'aria-label="([^"]+)"', decoder)
    assert "Final LayerNorm" in labels and "Cross-attention" not in labels


def test_home_imports_no_torch():
    """The map is drawn without torch: the landing page must not load the models' library."""
    import subprocess
    import sys

    code = (
        "import sys; import viz.ui.architecture, viz.figures.architecture_map; print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
