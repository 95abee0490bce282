"""The architecture map: well-formed SVG, every box a link to a registered page, the current parts
highlighted, the three variants, every text escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from viz.figures.architecture_map import (
    LINKS,
    Sizes,
    architecture_html,
    architecture_strip,
    architecture_svg,
    paper_base,
    sizes_table,
    url,
)

SVG = "{http://www.w3.org/2000/svg}"
NAVIGATION = (Path(__file__).resolve().parents[2] / "navigation.py").read_text()


def _hrefs(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', page)


def _boxes(svg: str) -> list[tuple[str, str, str]]:
    """(href, label, stroke) of every linked box."""
    root = ET.fromstring(svg)
    out = []
    for a in root.iter(f"{SVG}a"):
        rect, text = a.find(f"{SVG}rect"), a.find(f"{SVG}text")
        out.append(
            (a.get("href"), "" if text is None else text.text, "" if rect is None else rect.get("stroke"))
        )
    return out


@pytest.mark.parametrize("variant", ["encoder-decoder", "encoder", "decoder"])
def test_every_box_links_to_a_registered_page(variant):
    registered = set(re.findall(r'url_path="([^"]+)"', NAVIGATION))
    boxes = _boxes(architecture_svg(variant))
    svg_links = [href for href, _, _ in boxes]
    page_links = _hrefs(architecture_html(variant))
    assert page_links == [href for href, _, stroke in boxes if stroke]  # one overlay link per box
    for hrefs in (svg_links, page_links, _hrefs(architecture_strip(variant))):
        assert hrefs
        for href in hrefs:
            assert href in {url(p, variant) for p in LINKS}
            assert href.split("?")[0] in registered, href
            assert not href.startswith(("/", "http"))  # relative: works under any base path


def test_the_decoder_only_map_sends_its_output_and_mask_to_the_decoder_only_page():
    hrefs = _hrefs(architecture_html("decoder"))
    assert "decoder-only" in hrefs and "decoder-only?lm_view=Inside+the+blocks" in hrefs
    assert "decoder-only" not in _hrefs(architecture_html("encoder-decoder"))


def test_variants_draw_their_parts():
    labels = {
        v: [label for _, label, _ in _boxes(architecture_svg(v))]
        for v in ("encoder-decoder", "encoder", "decoder")
    }
    assert "Cross-attention" in labels["encoder-decoder"]
    assert labels["encoder-decoder"].count("Add & Norm") == 5  # 2 in the encoder, 3 in the decoder
    assert "Cross-attention" not in labels["decoder"] and "Linear" in labels["decoder"]
    assert "Final LayerNorm" in labels["decoder"] and "Add & Norm" not in labels["decoder"]  # pre-LN
    assert "Linear" not in labels["encoder"] and labels["encoder"].count("Add & Norm") == 2


def test_current_parts_are_highlighted():
    boxes = _boxes(architecture_svg("encoder", current={"ffn"}))
    strokes = {label: stroke for _, label, stroke in boxes if label}
    assert strokes["Feed-forward"] != strokes["Multi-head attention"]
    assert len({stroke for _, label, stroke in boxes if label == "Feed-forward"}) == 1
    with pytest.raises(ValueError, match="unknown parts"):
        architecture_svg("encoder", current={"lstm"})
    with pytest.raises(ValueError, match="variant"):
        architecture_svg("rnn")
    with pytest.raises(ValueError, match="variant"):
        architecture_strip("rnn")


def test_sizes_beside_the_paper_and_text_escaped():
    from viz.models.seq2seq.config import TRANSFORMER_BASE

    base = paper_base(TRANSFORMER_BASE.n_params)
    assert base.total == TRANSFORMER_BASE.n_params and base.d_ff == 2048
    live = Sizes('<script>alert("x")</script> & co', 6, 12, 384, 1536, 591360, 1181568, 22565376)
    rows = {r["size"]: r for r in sizes_table(base, live)}
    assert rows["d_ff"][live.name] == "1,536" and rows["d_ff"][base.name] == "2,048"
    assert rows["h (heads)"][live.name] == "12" and rows["parameters"][base.name] == f"{base.total:,}"
    assert list(sizes_table(base)[0]) == ["size", base.name]
    page = architecture_html("encoder-decoder", current={"ffn"})
    assert "<script" not in page and page.count("<a ") == len(_hrefs(page))
    assert "<svg" not in page and 'src="data:image/svg+xml;base64,' in page  # Streamlit keeps no inline SVG
    strip = architecture_strip("encoder", current={"ffn"}, n_layers=6)
    assert "6×" in strip and "3px solid" in strip  # the current part outlined
