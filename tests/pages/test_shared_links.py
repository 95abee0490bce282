"""A shared link reopens the view it was copied from (issue: every control in the address): the controls of
the attention, encoder-decoder and ViT pages and the vision pages' picture are read back from the address, and
on every page and view of navigation.py each control that changes what is shown is bound to the address, and a
link giving each of them another value than the default opens with exactly those values."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.helpers import APP, assert_no_exception, plotly_figures
from tests.pages.test_hostile_links import PAGES, bound_keys, open_link


def titles(at) -> list[str]:
    return list(plotly_figures(at))


def test_attention_layer_and_head_come_from_the_link():
    at = open_link("app_pages/attention.py", {"layer": "4", "head": "7"})
    assert_no_exception(at)
    assert at.slider(key="layer").value == 4 and at.slider(key="head").value == 7
    assert any(t.startswith("Layer 4: all heads") for t in titles(at))
    assert any(t.startswith("Layer 4, head 7") for t in titles(at))


def test_encoder_decoder_decoding_settings_and_heads_come_from_the_link():
    link = {
        "s2s_strategy": "sample",
        "s2s_temperature": "0.5",
        "s2s_top_k": "3",
        "s2s_seed": "7",
        "s2s_dec_layer": "1",
        "s2s_dec_head": "head 2",
    }
    at = open_link("app_pages/seq2seq.py", link)
    assert_no_exception(at)
    assert at.radio(key="s2s_strategy").value == "sample"
    assert at.slider(key="s2s_temperature").value == pytest.approx(0.5)
    assert at.slider(key="s2s_top_k").value == 3 and at.number_input(key="s2s_seed").value == 7
    assert at.selectbox(key="s2s_dec_layer").value == 1 and at.selectbox(key="s2s_dec_head").value == "head 2"
    assert any("layer 1, head 2" in t for t in titles(at))
    assert any("steps, sample" in c.value for c in at.code)  # the output line names the strategy


def test_vit_rollout_and_patch_choices_come_from_the_link():
    link = {"vit_fusion": "max", "vit_discard": "0.5", "vit_patch_row": "2", "vit_patch_col": "3"}
    at = open_link("app_pages/vit_attention.py", link)
    assert_no_exception(at)
    assert at.radio(key="vit_fusion").value == "max" and at.slider(key="vit_discard").value == pytest.approx(
        0.5
    )
    assert at.number_input(key="vit_patch_row").value == 2 and at.number_input(key="vit_patch_col").value == 3
    assert any("max of heads, discard 50%" in t for t in titles(at))
    assert any(t.startswith("Patch (row 2, column 3)") for t in titles(at))


# -- every page, every view: each control is bound, and a link with other values is read back -----------------

#: The widgets (by proto) that choose what a page shows; buttons, downloads and file uploads cannot live in a
#: URL, and charts are not widgets.
CONTROLS = {"Slider", "NumberInput", "Selectbox", "Radio", "Checkbox", "MultiSelect", "TextArea", "TextInput"}
CONTROLS |= {"ButtonGroup", "DateInput", "TimeInput", "ColorPicker"}
#: Widgets deliberately left out of the address: presenter mode has its own ?present=1; the typed folder box
#: is a server path (a link must never name one); the live-training settings start a job, not a view
#: (viz/ui/live_training.py); the examples are a shortcut that fills the (bound) input box.
UNBOUND = {"presenter_toggle", "vision_folder", "text_folder", "swin_folder", "s2s_example"}
UNBOUND_PREFIXES = ("train_", "toy_")  # the walkthrough's editable toy matrices (viz/ui/walkthrough_views.py)
#: Switches that change which controls a page shows (and tabs, ``*_tab``): their links are checked one by one.
SWITCHES = {"sentence", "vision_source", "vision_model", "text_model", "swin_model", "s2s_task", "s2s_text"}
SWITCHES |= {"arch"}  # the block page's architecture (encoder, encoder-decoder, decoder)
SWITCHES |= {
    "decoder_model",
    "lm_prompt",
    "lm_part",
}  # decoder-only: a model, its prompt, a part of the blocks
HOME = "app_pages/home.py"


def opened_link(page: str, params: dict) -> AppTest:
    """``open_link``, but Home (the page a session opens first) as the first page of a new session: a second
    visit within one session would keep the first run's widgets."""
    if page != HOME:
        return open_link(page, params)
    at = AppTest.from_file(str(APP), default_timeout=300)
    at.query_params.update(params)
    return at.run()


def widgets(node, found: dict | None = None) -> dict:
    """Every keyed widget under ``node``: key -> AppTest element (the first of repeated keys)."""
    found = {} if found is None else found
    key = getattr(node, "key", None)
    proto = getattr(node, "proto", None)
    if key and type(proto).__name__ in CONTROLS:
        found.setdefault(key, node)
    for child in getattr(node, "children", {}).values():
        widgets(child, found)
    return found


def page_views(page: str) -> list[dict]:
    """The link of each view of ``page`` (its ``*_view`` switch; ``[{}]`` for a page with one view)."""
    at = open_link(page, {})
    controls = list(at.segmented_control) + list(at.radio)  # a page's views: a segmented control or radio
    switches = [c for c in controls if c.key and (c.key == "view" or c.key.endswith("_view"))]
    return [{switches[0].key: option} for option in switches[0].options] if switches else [{}]


VIEWS = [(page, view) for page in PAGES for view in page_views(page)]


def other_value(element) -> str | list[str] | None:
    """A value of the widget, as its URL writes it, other than the one it shows now (None: it has no other)."""
    proto, kind = element.proto, type(element.proto).__name__
    if kind == "Slider" and proto.options:  # a select slider
        options = list(proto.options)
        i = options.index(str(element.value)) if str(element.value) in options else None
        return options[(i + 1) % len(options)] if i is not None and len(options) > 1 else None
    if kind in ("Slider", "NumberInput"):
        value, step = float(element.value), float(proto.step or 1)
        low = proto.min if kind == "Slider" or proto.has_min else value - 10
        high = proto.max if kind == "Slider" or proto.has_max else value + 10
        new = value + step if value + step <= high + 1e-9 else value - step
        if not low - 1e-9 <= new <= high + 1e-9 or isinstance(element.value, (list, tuple)):
            return None
        return str(int(round(new))) if isinstance(element.value, int) else str(round(new, 10))
    if kind in ("Selectbox", "Radio"):
        options = list(proto.options)
        return options[(element.index + 1) % len(options)] if len(options) > 1 else None
    if kind == "Checkbox":  # st.toggle
        return "false" if element.value else "true"
    if kind == "TextArea" or kind == "TextInput":
        return "A different text for the link."
    if kind == "ButtonGroup":
        options = [o.content for o in proto.options]
        chosen = list(element.indices)
        if len(options) < 2:
            return None
        if proto.click_mode == proto.SINGLE_SELECT:
            return options[((chosen or [0])[0] + 1) % len(options)]
        return [options[i] for i in chosen[:-1]] if len(chosen) > 1 else [options[(chosen + [0])[0] - 1]]
    if kind == "MultiSelect":
        options = list(proto.options)
        chosen = list(element.indices)
        return [options[i] for i in chosen[:-1]] if len(chosen) > 1 else [options[(chosen + [0])[0] - 1]]
    return None


def shown(element) -> str | list[str]:
    """What the widget shows, as its URL writes it."""
    proto, kind = element.proto, type(element.proto).__name__
    if kind in ("Slider", "NumberInput"):
        return str(element.value)
    if kind in ("Selectbox", "Radio"):
        return list(proto.options)[element.index]
    if kind == "Checkbox":
        return "true" if element.value else "false"
    if kind == "ButtonGroup":
        options = [o.content for o in proto.options]
        chosen = [options[i] for i in element.indices]
        return chosen[0] if proto.click_mode == proto.SINGLE_SELECT and chosen else chosen
    if kind == "MultiSelect":
        return [list(proto.options)[i] for i in element.indices]
    return element.value


def same(shown_value, link_value) -> bool:
    if isinstance(link_value, list) or isinstance(shown_value, list):
        return list(shown_value) == list(link_value)
    try:
        return float(shown_value) == pytest.approx(float(link_value))
    except (TypeError, ValueError):
        return str(shown_value) == str(link_value)


@pytest.mark.parametrize("page, view", VIEWS, ids=[f"{p.split('/')[-1][:-3]}-{v}" for p, v in VIEWS])
def test_every_control_is_in_the_address_and_a_link_is_read_back(page, view):
    at = opened_link(page, view)
    assert_no_exception(at)
    bound = bound_keys(at._tree)
    found = widgets(at._tree)
    unbound = {
        key for key in set(found) - set(bound) if key not in UNBOUND and not key.startswith(UNBOUND_PREFIXES)
    }
    assert not unbound, f"{page} {view}: controls not in the address: {sorted(unbound)}"
    link = dict(view)
    for key in bound:
        if key not in SWITCHES and not key.endswith("_tab") and key not in view:
            value = other_value(found[key])
            if value is not None:
                link[key] = value
    for attempt in range(2):  # a control whose options follow another's (a stage's windows) is chosen again
        opened = opened_link(page, link)
        assert_no_exception(opened)
        back = widgets(opened._tree)
        missing = {key for key in link if key not in back}
        assert not missing, f"{page}: the link's controls vanished: {sorted(missing)}"
        wrong = {key: (link[key], shown(back[key])) for key in link if not same(shown(back[key]), link[key])}
        if attempt == 1 or not wrong:
            break
        for key in wrong:
            value = other_value(back[key])
            if value is not None:
                link[key] = value
    assert not wrong, f"{page} {view}: link value -> what the page shows: {wrong}"
