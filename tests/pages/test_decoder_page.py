"""The decoder-only page: every view and part on the bundled English GPT-2 carries the trace's numbers, the
sliders change the distribution, the controls are in the address, bad prompts get a message."""

from __future__ import annotations

import numpy as np
import pytest

from tests.pages.helpers import array, assert_no_exception, open_page, plotly_figures
from tests.pages.test_chart_standards import check_figures
from tests.pages.test_hostile_links import open_link
from viz.analysis.decoding import next_token_distribution
from viz.trace.lm import trace_head_test, trace_lm

PAGE = "app_pages/decoder.py"
PROMPT = "And the LORD said unto"
VIEWS = ["Next token", "Generate", "Inside the blocks", "Logit lens", "Heads found", "Embeddings"]
PARTS = ["Masked attention", "All heads", "MLP", "Residual stream"]


def find(at, part: str) -> dict:
    figures = plotly_figures(at)
    matches = [f for t, f in figures.items() if part in t]
    assert matches, f"no chart with {part!r} among {list(figures)}"
    return matches[0]


@pytest.fixture(scope="module")
def prompt_trace():
    return trace_lm(PROMPT, "kjv", 16)  # what the page traces for every view: the default continuation


def test_opens_on_the_next_token_of_the_bundled_english_model(prompt_trace):
    at = open_page(PAGE)
    assert_no_exception(at)
    assert at.text_input(key="lm_prompt").value == PROMPT
    bars = find(at, "most likely next tokens")
    before = next_token_distribution(prompt_trace.step_logits[0], 0.8)
    after = next_token_distribution(prompt_trace.step_logits[0], 0.8, 0, 0.9)
    order = np.argsort(-before, kind="stable")[:12]
    np.testing.assert_allclose(array(bars["data"][0]["y"]), before[order], rtol=1e-6)
    np.testing.assert_allclose(array(bars["data"][1]["y"]), after[order], rtol=1e-6)
    assert bars["layout"]["xaxis"]["ticktext"][0] == "␣Moses"  # the bundled model knows its Exodus
    strip = find(at, "The prompt as 5 tokens")
    texts = strip["data"][1]["text"]
    assert [t.split("<br>")[0] for t in texts] == ["And", "␣the", "␣LORD", "␣said", "␣unto"]
    assert [int(t.split(">")[-2].split("<")[0]) for t in texts] == prompt_trace.ids[: prompt_trace.n_prompt]
    check_figures(PAGE, plotly_figures(at))


def test_temperature_top_k_and_top_p_change_the_bars(prompt_trace):
    at = open_page(PAGE)
    at.slider(key="lm_temp").set_value(2.0).run()
    at.slider(key="lm_topk").set_value(3).run()
    at.slider(key="lm_topp").set_value(1.0).run()
    assert_no_exception(at)
    bars = find(at, "most likely next tokens")
    after = array(bars["data"][1]["y"])
    expected = next_token_distribution(prompt_trace.step_logits[0], 2.0, 3, 1.0)
    order = np.argsort(-next_token_distribution(prompt_trace.step_logits[0], 2.0), kind="stable")[:12]
    np.testing.assert_allclose(after, expected[order], rtol=1e-6)
    assert (after > 0).sum() == 3 and after[3:].sum() == 0
    assert bars["data"][1]["text"][3] == "cut"


def test_generate_steps_through_the_continuation():
    at = open_page(PAGE)
    at.radio(key="lm_view").set_value("Generate").run()
    at.slider(key="lm_steps").set_value(8).run()
    at.slider(key="lm_step").set_value(3).run()
    assert_no_exception(at)
    trace = trace_lm(PROMPT, "kjv", 8)
    assert PROMPT + " ▸ " + trace.generated_text in [c.value for c in at.code]
    strip = find(at, "Step 3 of 8")
    position = trace.n_prompt - 1 + 2
    expected = trace.attentions[-1].mean(axis=0)[position, : position + 1]
    z = array(strip["data"][0]["z"]).ravel()
    np.testing.assert_allclose(z[: position + 1], expected, rtol=1e-5)
    assert np.isnan(z[position + 1])  # the token being written reads nothing
    assert f"writes “{trace.generated_tokens[2]}”" in next(
        t for t in plotly_figures(at) if "Step 3 of 8" in t
    )
    at.segmented_control(key="lm_strategy").set_value("sample").run()
    at.number_input(key="lm_seed").set_value(7).run()
    assert_no_exception(at)
    sampled = trace_lm(PROMPT, "kjv", 8, "sample", 0.8, 0, 0.9, 7)
    assert PROMPT + " ▸ " + sampled.generated_text in [c.value for c in at.code]


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_is_titled_labelled_and_readable(view):
    at = open_page(PAGE)
    at.radio(key="lm_view").set_value(view).run()
    assert_no_exception(at)
    figures = plotly_figures(at)
    assert figures, f"{view}: no chart"
    check_figures(f"{PAGE} {view}", figures)


@pytest.mark.parametrize("part", PARTS)
def test_every_part_inside_the_blocks(part, prompt_trace):
    at = open_page(PAGE)
    at.radio(key="lm_view").set_value("Inside the blocks").run()
    at.segmented_control(key="lm_part").set_value(part).run()
    assert_no_exception(at)
    check_figures(f"{PAGE} {part}", plotly_figures(at))
    if part == "Masked attention":
        weights = find(at, "softmax → weights")
        z = array(weights["data"][0]["z"])
        n = prompt_trace.n_prompt
        np.testing.assert_allclose(z, prompt_trace.attentions[0, 0, :n, :n], rtol=1e-5)
        assert np.all(z[np.triu_indices(len(z), 1)] == 0.0)
        scores = find(at, "−∞ above the diagonal")
        assert all(
            row[c] == "−∞" for r, row in enumerate(scores["data"][0]["text"]) for c in range(r + 1, len(row))
        )


def test_logit_lens_cells_are_the_traces_top_tokens(prompt_trace):
    at = open_page(PAGE)
    at.radio(key="lm_view").set_value("Logit lens").run()
    assert_no_exception(at)
    lens = find(at, "Logit lens")
    np.testing.assert_allclose(array(lens["data"][0]["z"]), prompt_trace.lens_probs[:, :, 0], rtol=1e-5)
    last = lens["data"][0]["text"][-1][-1]
    assert last.startswith("␣Moses")


def test_heads_found_shows_the_measured_scores():
    at = open_page(PAGE)
    at.radio(key="lm_view").set_value("Heads found").run()
    assert_no_exception(at)
    test = trace_head_test("kjv")
    np.testing.assert_allclose(
        array(find(at, "Previous-token score")["data"][0]["z"]), test.previous_token, rtol=1e-5
    )
    np.testing.assert_allclose(array(find(at, "Induction score")["data"][0]["z"]), test.induction, rtol=1e-5)
    at.radio(key="lm_found").set_value(at.radio(key="lm_found").options[1]).run()
    assert_no_exception(at)
    assert find(at, "on the repeated random block")


def test_the_character_model_works_too():
    at = open_page(PAGE)
    at.selectbox(key="decoder_model").set_value("char-reverse").run()
    assert_no_exception(at)
    assert at.text_input(key="lm_prompt").value == "attention"
    at.radio(key="lm_view").set_value("Generate").run()
    assert_no_exception(at)
    assert "<s>attention= ▸ noitnetta</s>" in [c.value for c in at.code]


@pytest.mark.parametrize(
    "prompt, message",
    [
        ("   ", "empty"),
        ("x" * 100_000, "characters"),  # bounded by the box (max_chars) or refused by the trace
    ],
)
def test_bad_prompts_get_a_message(prompt, message):
    at = open_page(PAGE)
    at.text_input(key="lm_prompt").input(prompt).run()
    assert_no_exception(at)
    if at.error:
        assert message in at.error[0].value


@pytest.mark.parametrize(
    "prompt", ["<script>alert(1)</script> <b>bold</b>", "👩‍👩‍👧 مرحبا \u200b\u202e zero​width", "\x00\x1b[31m"]
)
def test_any_text_is_read_and_shown_as_text(prompt):
    at = open_page(PAGE)
    at.text_input(key="lm_prompt").input(prompt).run()
    assert_no_exception(at)
    for figure in plotly_figures(at).values():
        assert "<script>" not in str(figure) and "<b>bold" not in str(figure)


def test_controls_come_from_the_address():
    at = open_link(
        PAGE,
        {
            "lm_prompt": "The king",
            "lm_view": "Generate",
            "lm_strategy": "sample",
            "lm_steps": "5",
            "lm_seed": "3",
            "lm_temp": "1.2",
            "lm_step": "4",
        },
    )
    assert_no_exception(at)
    trace = trace_lm("The king", "kjv", 5, "sample", 1.2, 0, 0.9, 3)
    assert "The king ▸ " + trace.generated_text in [c.value for c in at.code]
    assert find(at, f"Step 4 of {trace.n_steps}")
