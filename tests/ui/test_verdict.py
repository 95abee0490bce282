"""The vision pages' plain sentence for "none of these"."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _run(labels, probs) -> AppTest:
    def page(labels, probs):
        import numpy as np

        from viz.ui.verdict import verdict

        verdict(labels, np.array(probs))

    return AppTest.from_function(page, args=(labels, probs)).run()


def test_none_of_these_is_said_plainly_with_the_best_shape():
    labels = ["circle", "square", "none of these"]
    at = _run(labels, [0.2, 0.1, 0.7])
    assert not at.exception
    (info,) = at.info
    assert "none of the eight shapes" in info.value and "70%" in info.value
    assert "circle, gets 20%" in info.value


def test_a_shape_gets_no_notice():
    assert not _run(["circle", "square", "none of these"], [0.6, 0.1, 0.3]).info
    assert not _run(["tabby", "tiger"], [0.6, 0.4]).info  # a model without the ninth answer
    assert not _run([], []).info
