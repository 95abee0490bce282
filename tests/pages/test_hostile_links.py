"""Crafted links: every page and view opened with hostile values in its query string never raises, and never
sends more than 3 MB in a rerun.

Every page keeps its widgets' values in the URL (``bind="query-params"``), and a link is anyone's to write.
For each page and each of its views, the bound widgets are found on the page itself (their protos name a
``query_param_key``); then the page is opened, as a fresh session, with all of them set to one hostile value
at a time (out of range, negative, non-numeric, huge, ``1e309``, ``nan``, ``inf``, empty, off the step,
unicode, HTML, a repeated key) and with a few random mixes of such values. The crashing links of the issue
are checked one by one, with the value the widget falls back to.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.helpers import APP, assert_no_exception

PAGES = list(dict.fromkeys(re.findall(r'st\.Page\(\s*"(app_pages/[^"]+)"', Path(APP).read_text())))
LIMIT_BYTES = 3_000_000
SENTENCE = "sentence"  # the text pages' sentence box (viz/ui/inputs.py)

#: One link per value: every bound widget of the view gets it (the view itself stays valid).
HOSTILE = [
    "",
    "-1",
    "0",
    "7",
    "99999999",
    "1e309",
    "nan",
    "-inf",
    "3.5",
    "abc",
    "é😀\u200b",
    "<script>alert(1)</script>",
    ["1", "2", "1e309"],  # a repeated key
]
#: What the random mixes draw from, besides HOSTILE.
MORE = [
    "0",
    "-1e309",
    "inf",
    "-0",
    "１２",
    "0x10",
    "1_0",
    "true",
    "0: [CLS]",
    "all tokens",
    "x" * 300,
    [""] * 3,
]
MIXES_PER_VIEW = 2
#: Sentences for the sentence box when HOSTILE's value would leave it empty (and hide the page below it).
TEXTS = ["<b>bold</b> <script>alert(1)</script>", "é😀 שלום " * 50, "word " * 1200]
#: Input boxes whose unreadable text (characters outside a small model's vocabulary) gets an error message
#: in place of everything below it: the encoder-decoder's input, the decoder-only page's prompt.
ERROR_HIDES_BELOW = {"s2s_text", "lm_prompt"}


def open_link(page: str, params: dict) -> AppTest:
    """A new session opening ``page`` with ``params`` in its query string."""
    at = AppTest.from_file(str(APP), default_timeout=300).run()  # the pages' paths are known after one run
    at.query_params.update(params)
    at.switch_page(page).run()
    return at


def bound_keys(node, found: dict | None = None) -> dict[str, str]:
    """The URL key of every bound widget under ``node`` -> the widget's proto type."""
    found = {} if found is None else found
    proto = getattr(node, "proto", None)
    key = getattr(proto, "query_param_key", "") if proto is not None else ""
    if key:
        found[key] = type(proto).__name__
    for child in getattr(node, "children", {}).values():
        bound_keys(child, found)
    return found


def widget_keys(node, found: set | None = None) -> set[str]:
    """The key of every widget under ``node`` (a widget given a hostile value is, for that run, not bound)."""
    found = set() if found is None else found
    if getattr(node, "key", None):
        found.add(node.key)
    for child in getattr(node, "children", {}).values():
        widget_keys(child, found)
    return found


def payload(node) -> int:
    """Bytes of every element proto under an AppTest node (what a rerun sends; bench/page_payload.py)."""
    proto = getattr(node, "proto", None)
    size = proto.ByteSize() if proto is not None and hasattr(proto, "ByteSize") else 0
    return size + sum(payload(child) for child in getattr(node, "children", {}).values())


def check(at: AppTest, link: dict) -> None:
    assert not at.exception, (link, [e.value for e in at.exception])
    size = payload(at._tree)
    assert size <= LIMIT_BYTES, (link, size)


def views(page: str) -> list[tuple[dict, dict[str, str]]]:
    """Each view of ``page`` (its view switch in the URL, {} when it has none) and its bound widgets."""
    at = open_link(page, {})
    assert_no_exception(at)
    switches = [c for c in at.segmented_control if c.key and c.key.endswith("_view")]
    if not switches:
        return [({}, bound_keys(at._tree))]
    switch = switches[0]
    found = []
    for option in switch.options:
        link = {switch.key: option}
        at = open_link(page, link)
        check(at, link)
        found.append((link, bound_keys(at._tree)))
    return found


def blank(value) -> bool:
    return not "".join(value if isinstance(value, list) else [value]).strip()


def hostile_link(view: dict, keys: dict[str, str], value) -> dict:
    link = dict(view)
    for key, kind in keys.items():
        if key not in view:
            link[key] = TEXTS[len(link) % len(TEXTS)] if kind == "TextArea" and blank(value) else value
    return link


@pytest.mark.parametrize("page", PAGES)
def test_every_bound_widget_takes_any_value(page):
    rng = random.Random(page)
    for view, keys in views(page):
        links = [hostile_link(view, keys, value) for value in HOSTILE]
        for _ in range(MIXES_PER_VIEW):
            link = dict(view)
            link.update({key: rng.choice(HOSTILE + MORE) for key in keys if key not in view})
            links.append(link)
        for link in links:
            at = open_link(page, link)
            check(at, link)
            if not blank(link.get(SENTENCE, "text")) and not (ERROR_HIDES_BELOW & set(link) and at.error):
                missing = set(keys) - widget_keys(at._tree)
                assert not missing, (link, missing)  # the values reached every widget of the view


@pytest.mark.parametrize("page", [p for p in PAGES if p != "app_pages/home.py"])
def test_a_hostile_view_or_sentence_opens_the_page(page):
    at = open_link(page, {})
    keys = bound_keys(at._tree)
    for key in keys:
        if key.endswith("_view") or key == SENTENCE:
            for value in ["", "nope", "<script>alert(1)</script>", ["Sinusoid", "x"], "x" * 6000, " \n\t "]:
                link = {key: value}
                check(open_link(page, link), link)


# -- the crashing links of the issue ------------------------------------------------------------------------

SHIFT = {"pe_view": "Shift matrix M_k"}


@pytest.mark.parametrize(
    "link",
    [{"pe_k": "0"}, {"pe_pos": "13"}, {"pe_pos": "13", "pe_k": "3"}, {"pe_shift_d": "7"}],
    ids=["k=0", "pos=13", "pos=13,k=3", "d=7"],
)
def test_shift_matrix_links(link):
    at = open_link("app_pages/positional.py", {**SHIFT, **link})
    check(at, link)
    assert {"pe_vec_pos", "pe_vec_mk", "pe_vec_shifted"} <= {c.key for c in at.get("plotly_chart")}
    d = at.slider(key="pe_shift_d").value
    assert d % 2 == 0 and 2 <= d <= 64  # an odd d_model is rounded onto the slider's step of 2
    if "pe_k" in link:
        assert at.slider(key="pe_k").value == int(link["pe_k"])


@pytest.mark.parametrize(
    "key,default", [("vr_axis", "flops_b"), ("vr_coco_metric", "ap"), ("vr_coco_cost", "gflops")]
)
def test_an_empty_required_choice_falls_back_to_its_default(key, default):
    at = open_link("app_pages/vision_results.py", {key: ""})
    check(at, {key: ""})
    assert at.segmented_control(key=key).value == default
    assert len(at.get("plotly_chart")) == 4


@pytest.mark.parametrize("value", ["1e309", "-1e309", "inf", "nan", "1e30", "-3", ""])
def test_swin_query_row_of_any_size(value):
    link = {"swin_q_row": value, "swin_q_col": value}
    at = open_link("app_pages/swin.py", link)
    check(at, link)
    row, col = at.number_input(key="swin_q_row").value, at.number_input(key="swin_q_col").value
    assert row >= 1 and col >= 1
    assert any(f"Token (row {row}, column {col})" in c.proto.spec for c in at.get("plotly_chart"))


# -- what a link can make a rerun send ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        {"pe_n": "512", "pe_d": "512", "pe_dims": [str(i) for i in range(512)]},
        {"pe_n": "512", "pe_d": "512", "pe_dims": [str(i % 7) for i in range(5000)]},
        {"pe_view": "Similarity", "pe_n": "512", "pe_d": "512"},
        {"pe_view": "Learned (MiniLM)", "pe_learned_n": "512"},
    ],
    ids=["all 512 dims", "5000 repeated dims", "similarity 512", "learned 512"],
)
def test_a_link_cannot_make_a_rerun_send_more_than_3_mb(link):
    at = open_link("app_pages/positional.py", link)
    check(at, link)
    if "pe_dims" in link:
        dims = at.multiselect(key="pe_dims").value
        assert 0 < len(dims) <= 16 and len(set(dims)) == len(dims)
        at.slider(key="pe_n").set_value(511).run()  # and the reruns after it
        check(at, link)


def test_a_long_sentence_in_a_link_is_cut_before_the_model():
    link = {SENTENCE: "word " * 3000}
    at = open_link("app_pages/attention.py", link)
    check(at, link)
    assert len(at.text_area(key=SENTENCE).value) == 5000
    assert any("15,000 characters; only the first 5,000" in w.value for w in at.warning)
    assert at.text_area(key=SENTENCE).proto.max_chars == 5000
