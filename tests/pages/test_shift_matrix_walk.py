"""The Shift-matrix view over its whole range: every value of each of its three sliders, the others at a few
values, and every (offset, position) pair whose charts used to share a key.

Its three vector charts were keyed by the first four characters of their titles, ``PE(p)``, ``M_k · PE(p)``
and ``PE(p + k)``: with k = 0, or p and p + k starting with the same digit (p = 13, k = 3), two charts had the
same key and Streamlit raised ``StreamlitDuplicateElementKey`` (957 of the 41 x 101 pairs).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

D_MODEL = range(2, 65, 2)
OFFSET = range(-20, 21)
POSITION = range(0, 101)
VECTOR_KEYS = {"pe_vec_pos", "pe_vec_mk", "pe_vec_shifted"}


def shift_view():
    from viz.ui.positional_views import shift_section

    shift_section()


def old_key_clash(k: int, pos: int) -> bool:
    """Whether two of the view's vector charts had the same key ``f"pe_vec_{title[:4]}"``."""
    p = max(pos, max(0, -k))
    keys = [title[:4] for title in (f"PE({p})", f"M_k · PE({p})", f"PE({p + k})")]
    return len(set(keys)) < 3


CLASHES = [(k, pos) for k in OFFSET for pos in POSITION if old_key_clash(k, pos)]


def walk() -> list[tuple[int, int, int]]:
    """(d, k, pos): each slider over all its values with the others at a few, then every old clash."""
    combos = [(d, k, p) for d in D_MODEL for k, p in ((-20, 0), (0, 13), (3, 13), (20, 100))]
    combos += [(d, k, p) for k in OFFSET for d, p in ((2, 0), (64, 100))]
    combos += [(d, k, p) for p in POSITION for d, k in ((2, 0), (64, 3), (16, -20))]
    combos += [(16, k, p) for k, p in CLASHES]
    return list(dict.fromkeys(combos))


def test_the_old_clashes_are_the_957_of_the_issue():
    assert len(CLASHES) == 957
    assert (0, 5) in CLASHES and (3, 13) in CLASHES


def test_every_slider_value_draws_the_view():
    at = AppTest.from_function(shift_view, default_timeout=60).run()
    assert not at.exception
    combos = walk()
    for d, k, pos in combos:
        at.slider(key="pe_shift_d").set_value(d)
        at.slider(key="pe_k").set_value(k)
        at.slider(key="pe_pos").set_value(pos)
        at.run()
        assert not at.exception, ((d, k, pos), [e.value for e in at.exception])
        keys = {chart.key for chart in at.get("plotly_chart")}
        assert VECTOR_KEYS <= keys, ((d, k, pos), keys)
        assert f"M_k for k = {k} " in at.get("plotly_chart")[0].proto.spec
    assert len(combos) > 1300
