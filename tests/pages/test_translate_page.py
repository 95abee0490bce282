"""The encoder-decoder page under AppTest: charts carry the real trace, the step slider moves through the
decoding, bad input gets a message (never a traceback), and a short live training run completes."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.pages.helpers import array, assert_no_exception, open_page, plotly_figures
from tests.pages.test_hostile_links import open_link
from viz import translate
from viz.figures.seq2seq import step_labels
from viz.tasks import TASKS

PAGE = "app_pages/seq2seq.py"


@pytest.fixture
def at():
    """The page, freshly opened for each test: no test sees what another one set."""
    return open_page(PAGE)


def figure(at, words):
    figures = plotly_figures(at)
    matches = [f for title, f in figures.items() if all(w in title for w in words)]
    assert matches, f"no chart titled with {words}: {list(figures)}"
    return matches[0]


def codes(at):
    """Every code block, and each side of the page's one-line 'input  →  output'."""
    values = [c.value for c in at.code]
    sides = [side.split("     (")[0] for v in values if "  →  " in v for side in v.split("  →  ")]
    return values + sides


def z(fig) -> np.ndarray:
    return np.asarray(array(fig["data"][0]["z"]), dtype=float)


def empty_rows(fig) -> int:
    """Rows drawn without a value (steps not reached yet: grey), which must all come last."""
    empty = np.isnan(z(fig)).all(axis=1)
    assert not np.isnan(z(fig))[~empty].any(), "a reached row has empty cells"
    n_filled = int((~empty).sum())
    assert not empty[:n_filled].any(), "empty rows must be the last ones"
    return int(empty.sum())


def row_labels(fig) -> list[str]:
    return list(fig["layout"]["yaxis"]["ticktext"])


def assert_growth(at, trace, step: int, layer: int = -1, head: int | None = None) -> None:
    """The step-through at ``step``: whole (T, T) and (T, S) charts, T - step grey rows, the reached rows
    equal to the trace's, the outlined row is ``step``, and one row label per step on all three charts."""
    n = trace.n_steps
    mask, masked = figure(at, ["Causal mask"]), figure(at, ["Masked self-attention weights"])
    cross = figure(at, ["Cross-attention over the input"])
    assert z(mask).shape == z(masked).shape == (n, n) and z(cross).shape == (n, len(trace.input_tokens))
    heights = {f["layout"]["height"] for f in (mask, masked, cross)}
    assert heights == {int(np.clip(22 * n + 180, 420, 900))}  # rows of one height, at every step
    for fig in (mask, masked, cross):
        assert empty_rows(fig) == n - step
        (outline,) = fig["layout"]["shapes"]
        assert (outline["y0"], outline["y1"]) == (step - 1.5, step - 0.5)
    np.testing.assert_array_equal(z(mask)[:step], np.triu(np.ones((n, n)), 1)[:step])
    pick = (lambda w: w[layer].mean(0)) if head is None else (lambda w: w[layer, head])
    np.testing.assert_allclose(z(masked)[:step], pick(trace.decoder_self_attentions)[:step], atol=1e-6)
    np.testing.assert_allclose(z(cross)[:step], pick(trace.cross_attentions)[:step], atol=1e-6)
    labels = step_labels(trace.decoder_input_tokens, trace.output_tokens)
    assert row_labels(mask) == row_labels(masked) == row_labels(cross) == labels


def test_default_date_decodes_with_every_chart(at):
    assert_no_exception(at)
    assert "2026-11-30" in codes(at)
    trace = translate(at.text_input(key="s2s_text").value, task="date")
    assert trace.n_steps == 11
    assert at.slider(key="s2s_step").value == 1  # opens on the first step, "next" ready
    assert at.button(key="s2s_prev").disabled and not at.button(key="s2s_next").disabled
    figure(at, ["Cross-attention over the input", "mean of heads"])
    assert_growth(at, trace, 1)
    assert row_labels(figure(at, ["Causal mask"]))[:2] == ["reads &lt;s&gt; → writes 2", "reads 2 → writes 0"]
    for f in plotly_figures(at).values():
        layout = f["layout"]
        assert layout["title"]["text"]
        axes = [k for k in layout if k.startswith(("xaxis", "yaxis"))]
        for axis in ("xaxis", "yaxis"):
            titled = [k for k in axes if k.startswith(axis) and layout[k].get("title", {}).get("text")]
            assert titled, (layout["title"], axis)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Paper's base model: parameters"] == "63,119,496"


def test_step_slider_and_buttons_move_through_the_decoding(at):
    at.slider(key="s2s_step").set_value(3).run()
    assert_no_exception(at)
    trace = translate(at.text_input(key="s2s_text").value, task="date")
    assert_growth(at, trace, 3)
    bars = figure(at, ["Step 3", "softmax"])
    assert max(array(bars["data"][0]["y"])) == pytest.approx(trace.step_probs[2].max(), abs=1e-6)
    assert "<s> 2 0   →   2" in codes(at)
    at.button(key="s2s_next").click().run()
    assert at.slider(key="s2s_step").value == 4
    assert_growth(at, trace, 4)  # one more row, the cells the same size: the triangle grows
    at.button(key="s2s_prev").click().run()
    at.button(key="s2s_prev").click().run()
    assert at.slider(key="s2s_step").value == 2
    at.selectbox(key="s2s_dec_head").set_value("head 2").run()
    at.selectbox(key="s2s_dec_layer").set_value(1).run()
    figure(at, ["Cross-attention over the input", "layer 1, head 2"])
    assert_growth(at, trace, 2, layer=0, head=1)
    at.slider(key="s2s_step").set_value(trace.n_steps).run()  # the last step: every row, none grey
    assert_growth(at, trace, trace.n_steps, layer=0, head=1)
    assert at.button(key="s2s_next").disabled


def test_task_input_and_step_come_from_a_link():
    link = {
        "s2s_task": TASKS["reverse"].title,
        "s2s_text": "attention",
        "s2s_step": "4",
        "s2s_tab": "Decode step by step",
    }
    at = open_link(PAGE, link)
    assert_no_exception(at)
    assert at.radio(key="s2s_task").value == "reverse"
    assert at.text_input(key="s2s_text").value == "attention" and at.slider(key="s2s_step").value == 4
    trace = translate("attention", task="reverse")
    assert "noitnetta" in codes(at)
    assert_growth(at, trace, 4)
    assert "<s> n o i   →   t" in codes(at)
    at.button(key="s2s_next").click().run()  # and moves on from there
    assert_growth(at, trace, 5)


def test_a_link_step_past_the_end_is_the_last_step():
    at = open_link(PAGE, {"s2s_task": TASKS["sort"].title, "s2s_text": "cab", "s2s_step": "99"})
    assert_no_exception(at)
    trace = translate("cab", task="sort")
    assert at.slider(key="s2s_step").value == trace.n_steps
    assert_growth(at, trace, trace.n_steps)


def test_temperature_moves_the_distribution(at):
    at.slider(key="s2s_step").set_value(3).run()
    at.slider(key="s2s_temperature").set_value(2.5).run()
    assert_no_exception(at)
    step = at.slider(key="s2s_step").value
    assert step == 3  # the student stays on the step they are looking at
    trace = translate(at.text_input(key="s2s_text").value, task="date", temperature=2.5)
    bars = figure(at, [f"Step {step}", "temperature 2.5"])
    np.testing.assert_allclose(
        sorted(array(bars["data"][0]["y"]), reverse=True),
        np.sort(trace.step_probs[step - 1])[::-1][:10],
        atol=1e-6,
    )
    at.radio(key="s2s_strategy").set_value("sample").run()
    assert_no_exception(at)
    at.radio(key="s2s_strategy").set_value("greedy").run()
    at.slider(key="s2s_temperature").set_value(1.0).run()


def test_switching_task_resets_the_input(at):
    at.radio(key="s2s_task").set_value("reverse").run()
    assert_no_exception(at)
    assert at.text_input(key="s2s_text").value == "transformer"
    assert "remrofsnart" in codes(at)
    assert any(c.value.endswith(", correct)") for c in at.code)  # the verdict beside the output


@pytest.mark.parametrize(
    "text, words",
    [
        ("Hello World", ["3 characters are not in the model's vocabulary"]),
        ("", ["empty"]),
        ("abcdefghijklmnopq", ["17 characters", "at most 16"]),
        ("<b>x</b>", ["not in the model's vocabulary"]),
        ("**bold** [x](http://e.com)", ["not in the model's vocabulary"]),
    ],
)
def test_bad_input_gets_a_clear_message(at, text, words):
    at.radio(key="s2s_task").set_value("reverse").run()
    at.text_input(key="s2s_text").input(text).run()
    assert_no_exception(at)
    errors = " ".join(e.value for e in at.error)
    for word in words:
        assert word in errors, errors
    assert not any(f for t, f in plotly_figures(at).items() if "Cross-attention over the input" in t)
    if text:
        assert not any(text in m.value for m in at.markdown)  # typed text never goes through markdown


def test_unknown_characters_are_listed_as_code(at):
    at.radio(key="s2s_task").set_value("date").run()
    at.text_input(key="s2s_text").input("30 Nov 2026 <b>").run()
    assert_no_exception(at)
    assert "'<', 'b', '>'" in codes(at) or "'<', '>'" in codes(at)


def test_impossible_date_shows_output_and_note(at):
    at.radio(key="s2s_task").set_value("date").run()
    at.text_input(key="s2s_text").input("31 Feb 2026").run()
    assert_no_exception(at)
    trace = translate("31 Feb 2026", task="date")
    assert trace.output_text in codes(at)
    assert any("never taught to reject" in i.value for i in at.info)


def test_encoder_and_three_ways_tabs(at):
    at.radio(key="s2s_task").set_value("sort").run()
    assert_no_exception(at)
    trace = translate("transformer", task="sort")
    assert not any("Encoder layer" in t for t in plotly_figures(at))  # a closed tab runs nothing
    at.session_state["s2s_tab"] = "Encoder self-attention"
    at.run()
    grid = figure(at, ["Encoder layer 2: all heads"])
    assert len(grid["data"]) == trace.n_heads
    np.testing.assert_allclose(array(grid["data"][1]["z"]), trace.encoder_attentions[1, 1], atol=1e-6)
    at.session_state["s2s_tab"] = "Three ways to use a transformer"
    at.run()
    assert_no_exception(at)
    for words in (["all-MiniLM-L6-v2, last layer"], ["Decoder-only, last layer"], ["Encoder-decoder: cross"]):
        figure(at, words)
    decoder_only = array(figure(at, ["Decoder-only"])["data"][0]["z"])
    assert np.all(decoder_only[np.triu(np.ones(decoder_only.shape, dtype=bool), 1)] == 0)


def test_short_live_training_run_completes_and_compares(at):
    at.radio(key="s2s_task").set_value("reverse").run()
    at.session_state["s2s_tab"] = "Train your own"
    at.run()
    at.selectbox(key="train_task").set_value("reverse").run()
    at.selectbox(key="train_preset").set_value("tiny").run()
    at.number_input(key="train_steps").set_value(5).run()
    at.button(key="train_start").click().run()
    assert_no_exception(at)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any("Fresh model" in f for f in plotly_figures(at)):
        time.sleep(0.2)
        at.run()
        assert_no_exception(at)
    curve = figure(at, ["Live training"])
    assert list(curve["data"][0]["x"])[-1] == 5
    figure(at, ["Fresh model: cross-attention"])
    figure(at, ["Bundled model: cross-attention"])
    assert not at.button(key="train_start").disabled and at.button(key="train_stop").disabled


def test_example_pills_fill_the_input(at):
    at.radio(key="s2s_task").set_value("date").run()
    at.button_group(key="s2s_example").set_value("2026.11.30").run()
    assert_no_exception(at)
    assert at.text_input(key="s2s_text").value == "2026.11.30"
    assert "2026-11-30" in codes(at)
