"""The URL-bound widgets of viz.ui.controls take any value from a link: what they return is always in range,
on the step and among the options, a bad value is corrected in the address, and the next rerun keeps it."""

from __future__ import annotations

import math

import pytest
from streamlit.testing.v1 import AppTest


def controls_app():
    import streamlit as st

    from viz.ui import controls as c

    st.session_state["_out"] = {
        "sl": c.bound_slider("Even", 2, 64, 16, step=2, key="sl"),
        "slf": c.bound_slider("Share", 0.0, 0.9, 0.0, 0.05, key="slf"),
        "ni": c.bound_number("Row", 1, 10, 10, key="ni"),
        "sb": c.bound_selectbox("Token", range(3), index=1, key="sb", format_func=lambda i: f"{i}: x"),
        "ra": c.bound_radio("Measure", ["dot", "cosine"], key="ra"),
        "sc": c.bound_segmented("View", ["a", "b"], "a", key="sc", format_func=str.upper),
        "ss": c.bound_select_slider("Patch", [1, 2, 4, 8], 4, key="ss"),
        "ms": c.bound_multiselect("Dims", range(20), [0, 1], key="ms", max_selections=4),
        "pi": c.bound_pills("Families", ["CNN", "ViT"], ["CNN", "ViT"], key="pi"),
        "tg": c.bound_toggle("Log", True, key="tg"),
        "ta": c.bound_text_area("Text", "hi", key="ta", max_chars=50),
    }


VALID = {
    "sl": lambda v: type(v) is int and 2 <= v <= 64 and v % 2 == 0,
    "slf": lambda v: isinstance(v, float) and 0 <= v <= 0.9 and math.isclose(v / 0.05, round(v / 0.05)),
    "ni": lambda v: type(v) is int and 1 <= v <= 10,
    "sb": lambda v: v in (0, 1, 2),
    "ra": lambda v: v in ("dot", "cosine"),
    "sc": lambda v: v in ("a", "b"),
    "ss": lambda v: v in (1, 2, 4, 8),
    "ms": lambda v: len(v) <= 4 and len(set(v)) == len(v) and all(0 <= x < 20 for x in v),
    "pi": lambda v: set(v) <= {"CNN", "ViT"},
    "tg": lambda v: isinstance(v, bool),
    "ta": lambda v: isinstance(v, str) and len(v) <= 50,
}
VALUES = ["", "abc", "1e309", "-1e309", "nan", "inf", "-5", "100000", "7", "3.5", "0.33", "1: x", "B", "b"]
VALUES += [
    "cosine",
    "true",
    "False",
    "<script>",
    "é😀",
    "x" * 80,
    ["1", "2"],
    ["3", "3", "5", "9", "11", "13"],
]
VALUES += [[""] * 2, ["CNN", "zzz", "CNN"]]


def opened(params: dict) -> AppTest:
    at = AppTest.from_function(controls_app, default_timeout=30)
    at.query_params.update(params)
    return at.run()


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:20] for v in VALUES])
def test_any_url_value_gives_a_valid_value_and_the_next_run_keeps_it(value):
    at = opened({key: value for key in VALID})
    assert not at.exception, [e.value for e in at.exception]
    first = dict(at.session_state["_out"])
    for key, valid in VALID.items():
        assert valid(first[key]), (key, value, first[key])
    at.run()  # the address as corrected, and the widgets' own values
    assert not at.exception
    assert at.session_state["_out"] == first
    reopened = opened(dict(at.query_params))  # the corrected link, shared
    assert reopened.session_state["_out"] == first


def test_values_are_clamped_rounded_capped_and_cut():
    out = opened(
        {
            "sl": "7.2",
            "slf": "0.33",
            "ni": "99",
            "ms": ["3", "3", "x", "5", "9", "11", "13"],
            "ta": "y" * 80,
            "sc": "B",
            "sb": "2: x",
        }
    ).session_state["_out"]
    assert out["sl"] == 8 and out["slf"] == 0.35 and out["ni"] == 10
    assert out["ms"] == [3, 5, 9, 11] and out["ta"] == "y" * 50
    assert out["sc"] == "b" and out["sb"] == 2


def test_unusable_values_fall_back_to_the_defaults():
    out = opened({"sl": "nan", "ni": "1e309", "sb": "9: x", "sc": "", "tg": "yes", "ss": "3"}).session_state[
        "_out"
    ]
    assert (out["sl"], out["ni"], out["sb"], out["sc"], out["tg"], out["ss"]) == (16, 10, 1, "a", True, 4)


def test_a_clean_link_is_read_as_it_is():
    link = {"sl": "20", "ra": "cosine", "ms": ["7", "2"], "tg": "false", "pi": "ViT", "ta": "hello"}
    at = opened(link)
    out = at.session_state["_out"]
    assert (out["sl"], out["ra"], out["ms"], out["tg"], out["pi"], out["ta"]) == (
        20,
        "cosine",
        [7, 2],
        False,
        ["ViT"],
        "hello",
    )
    assert dict(at.query_params) == link
