"""The encoder-decoder page's parts: input, step-by-step decoding, encoder attention, the three uses.

Typed text is only ever shown through ``st.code`` or escaped chart labels, never as markdown.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from viz.analysis.decoding import top_tokens
from viz.figures.attention import attention_heatmap
from viz.figures.seq2seq import labelled_heads_grid, mask_heatmap, next_token_bars, step_heatmap, step_labels
from viz.models.seq2seq.config import TRANSFORMER_BASE
from viz.tasks import TASKS
from viz.tasks.vocab import InputError, OutOfVocabularyError, describe_char
from viz.trace.seq2seq import TranslationTrace, load_task_model, translate
from viz.ui.controls import bound_number, bound_radio, bound_selectbox, bound_slider, bound_text_input
from viz.ui.export import chart

MEAN = "mean of all heads"


@st.cache_data(max_entries=256, show_spinner=False)
def cached_translation(
    text: str, task: str, strategy: str, temperature: float, top_k: int, seed: int
) -> TranslationTrace:
    """``viz.translate`` with the bundled model, once per plain-valued argument set, for every session."""
    return translate(text, task=task, strategy=strategy, temperature=temperature, top_k=top_k, seed=seed)


def show_input_error(err: InputError) -> None:
    """A clear message naming the problem; the offending characters go through st.code, never markdown."""
    if isinstance(err, OutOfVocabularyError):
        n = len(err.characters)
        st.error(
            f"{n} character{'s are' if n > 1 else ' is'} not in the model's vocabulary, so the model "
            "cannot read the input. The characters it does not know:",
            icon=":material/block:",
        )
        st.code(", ".join(describe_char(c) for c in err.characters), language=None)
    else:
        st.error(f"Cannot decode this input: {err}.", icon=":material/block:")


def _reset_text() -> None:
    st.session_state["s2s_text"] = TASKS[st.session_state["s2s_task"]].default_input


def _use_example() -> None:
    choice = st.session_state.get("s2s_example")
    if choice:
        st.session_state["s2s_text"] = choice
    st.session_state["s2s_example"] = None  # a pill, not a state: the next click works again


def task_and_text() -> tuple[str, str]:
    """Task choice beside a text box with the task's default, then example inputs; the task and the text are
    in the address (a text that is the task's default is left out of it)."""
    left, right = st.columns([2, 3], vertical_alignment="top")
    task = bound_radio(
        "Task",
        list(TASKS),
        index=list(TASKS).index("date"),
        key="s2s_task",
        horizontal=True,
        on_change=_reset_text,
        format_func=lambda name: TASKS[name].title,  # which also names it in the address
        where=left,
    )
    spec = TASKS[task]
    text = bound_text_input(
        "Input",
        spec.default_input,
        key="s2s_text",
        max_chars=200,
        help=f"{spec.description} At most {spec.max_input_len} characters. {spec.vocabulary_note}",
        where=right,
    )
    st.pills(
        "Examples (click one to use it)",
        spec.examples,
        key="s2s_example",
        on_change=_use_example,
        label_visibility="collapsed",
    )
    return task, text


def decoding_controls(where=None) -> tuple[str, float, int, int]:
    """Greedy or sampled decoding, temperature, top-k and seed, folded into a line that opens."""
    label = "Decoding settings: greedy or sampled, temperature, top-k, seed"  # the output line says which
    with (where or st).expander(label, icon=":material/tune:"):
        cols = st.columns([1.2, 2, 1.4, 1])
        strategy = bound_radio(
            "Decoding",
            ["greedy", "sample"],
            key="s2s_strategy",
            where=cols[0],
            help="Greedy takes the most likely token; sample draws from the distribution.",
        )
        temperature = bound_slider(
            "Temperature",
            0.1,
            3.0,
            1.0,
            0.1,
            key="s2s_temperature",
            where=cols[1],
            help="The logits are divided by it before the softmax: low = sharper, high = flatter.",
        )
        top_k = bound_slider(
            "Top-k (0 = all tokens)",
            0,
            20,
            0,
            key="s2s_top_k",
            where=cols[2],
            help="Keep only the k most likely tokens, then renormalise.",
        )
        seed = bound_number(
            "Seed", 0, 10_000, 0, key="s2s_seed", where=cols[3], help="Random seed for sampling."
        )
    return strategy, float(temperature), int(top_k), int(seed)


def show_output(trace: TranslationTrace, where=None) -> None:
    """Input and output on one line, with the number of steps and whether the output is right."""
    where = where or st.container()
    verdict = {True: ", correct", False: ", not the right answer", None: ""}[trace.correct]
    where.code(
        f"{trace.text}  →  {trace.output_text or '(empty)'}     ({trace.n_steps} steps, {trace.strategy}{verdict})",
        language=None,
    )
    if trace.correct is False:
        st.warning("Not the right answer. The correct output would be:", icon=":material/error:")
        st.code(trace.expected, language=None)
    for note in trace.notes:
        st.info(note, icon=":material/info:")


def _move_step(delta: int, n_steps: int) -> None:
    st.session_state["s2s_step"] = min(max(st.session_state.get("s2s_step", 1) + delta, 1), n_steps)


def layer_and_head(trace: TranslationTrace, prefix: str) -> tuple[int, int | None]:
    """Layer (0-based) and head (0-based, or None for the mean of the heads) pickers."""
    left, right = st.columns(2)
    layer = bound_selectbox(
        "Layer",
        list(range(1, trace.n_layers + 1)),
        index=trace.n_layers - 1,
        key=f"{prefix}_layer",
        where=left,
    )
    options = [MEAN] + [f"head {h}" for h in range(1, trace.n_heads + 1)]
    head = bound_selectbox("Head", options, key=f"{prefix}_head", where=right)
    return layer - 1, None if head == MEAN else options.index(head) - 1


def pick(weights: np.ndarray, layer: int, head: int | None) -> np.ndarray:
    """(L, H, Q, K) -> (Q, K) for one head, or the mean of the heads."""
    return weights[layer].mean(axis=0) if head is None else weights[layer, head]


def head_name(layer: int, head: int | None) -> str:
    return f"layer {layer + 1}, {'mean of heads' if head is None else f'head {head + 1}'}"


def step_controls(n: int) -> int:
    """The decoding step (1-based), in the address: back / slider / next. The page opens on step 1; a new
    input keeps the step (within its own number of steps), as the other settings do."""
    if n <= 1:
        return 1
    back, slider, forward = st.columns([1.3, 4, 1.3], vertical_alignment="bottom")
    step = bound_slider(  # first, so that the buttons know the step a link asked for
        "Decoding step",
        1,
        n,
        1,
        key="s2s_step",
        where=slider,
        help="Step t reads <s> and the t-1 tokens written so far, and chooses token t.",
    )
    back.button(
        "◀ back", key="s2s_prev", on_click=_move_step, args=(-1, n), disabled=step <= 1, width="stretch"
    )
    forward.button(
        "next ▶", key="s2s_next", on_click=_move_step, args=(1, n), disabled=step >= n, width="stretch"
    )
    return step


def step_view(trace: TranslationTrace) -> None:
    """One decoding step: the whole (T, T) mask and masked self-attention and the whole (T, S)
    cross-attention, with the rows of the steps not reached yet empty on grey and the current row outlined
    (the triangle grows step by step, cells keep their size), and the final linear + softmax. Both
    attention charts name their rows alike: "reads <s> → writes 2"."""
    n = trace.n_steps
    steps, heads = st.columns([3, 2], vertical_alignment="bottom")  # one row of controls over the charts
    with steps:
        step = step_controls(n)
    with heads:
        layer, head = layer_and_head(trace, "s2s_dec")
    read = trace.decoder_input_tokens[:step]
    chosen_token = trace.output_tokens[step - 1]
    st.caption(
        f"Step {step} of {n}: the decoder reads {'this token' if step == 1 else f'these {step} tokens'} and "
        "writes the next one. Grey rows are the steps still to come; the outlined row is this step."
    )
    st.code(" ".join(read) + "   →   " + chosen_token, language=None)
    rows = step_labels(trace.decoder_input_tokens, trace.output_tokens)

    left, right = st.columns(2)
    chart(
        where=left,
        fig=mask_heatmap(
            trace.decoder_mask,
            trace.decoder_input_tokens,
            "Causal mask added to the scores (−∞ = future, hidden)",
            step=step,
            row_labels=rows,
        ),
        key="s2s_mask",
    )
    self_weights = pick(trace.decoder_self_attentions, layer, head)
    with right:
        chart(
            step_heatmap(
                self_weights,
                rows,
                trace.decoder_input_tokens,
                step,
                f"Masked self-attention weights, {head_name(layer, head)}",
                "Decoder token looked at →",
            ),
            "s2s_self",
            self_weights[:step],
            read,
            trace.decoder_input_tokens,
            filename="masked_self_attention",
        )
    st.caption("After the softmax, every −∞ becomes a weight of exactly 0: no position sees the future.")

    left, right = st.columns(2)
    cross = pick(trace.cross_attentions, layer, head)
    with left:
        chart(
            step_heatmap(
                cross,
                rows,
                trace.input_tokens,
                step,
                f"Cross-attention over the input, {head_name(layer, head)}",
                "Input character looked at →",
            ),
            "s2s_cross",
            cross[:step],
            trace.output_tokens[:step],
            trace.input_tokens,
            filename="cross_attention",
        )
    k = min(10, len(trace.vocab))
    top = top_tokens(trace.step_probs[step - 1], trace.vocab, k)
    chosen_id = trace.vocab.index(chosen_token)
    table = [{"token": token, "probability": p, "chosen": i == chosen_id} for token, p, i in top]
    with right:
        chart(
            next_token_bars(
                top,
                chosen_id,
                f"Step {step}: linear + softmax,<br>top {k} next tokens (temperature {trace.temperature:g})",
            ),
            "s2s_bars",
            table,
            filename="next_token_probabilities",
        )


def encoder_view(trace: TranslationTrace) -> None:
    layer, head = layer_and_head(trace, "s2s_enc")
    chart(
        fig=labelled_heads_grid(
            trace.encoder_attentions[layer],
            trace.input_tokens,
            f"Encoder layer {layer + 1}: all heads",
            n_cols=min(4, trace.n_heads),
        ),
        key="s2s_enc_grid",
    )
    weights = pick(trace.encoder_attentions, layer, head)
    title = f"Encoder self-attention, {head_name(layer, head)}"
    chart(
        attention_heatmap(weights, trace.input_tokens, title=title),
        "s2s_enc_one",
        weights,
        trace.input_tokens,
        trace.input_tokens,
        filename="encoder_self_attention",
    )


def model_sizes(task: str) -> None:
    """The task model's size beside the paper's base model (counted by formula, never allocated)."""
    config = load_task_model(task)[0].config
    cols = st.columns(3)
    cols[0].metric(
        "This model: parameters",
        f"{config.n_params:,}",
        help=f"N = {config.n_layers}, h = {config.n_heads}, d_model = {config.d_model}, "
        f"d_ff = {config.d_ff}, vocabulary {config.vocab_size} characters",
    )
    cols[1].metric(
        "Paper's base model: parameters",
        f"{TRANSFORMER_BASE.n_params:,}",
        help="N = 6, h = 8, d_model = 512, d_ff = 2048, a shared vocabulary of 37,000 word pieces; "
        "computed by formula (the paper rounds it to 65M)",
    )
    cols[2].metric("Ratio", f"{TRANSFORMER_BASE.n_params / config.n_params:,.0f}×")
