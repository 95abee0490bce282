"""Encoder-decoder page: decode step by step with masked self-attention, cross-attention and the softmax;
train a model live; the three ways to use a transformer side by side."""

import streamlit as st

from viz.tasks import TASKS
from viz.tasks.vocab import InputError
from viz.ui.controls import bound_tabs
from viz.ui.live_training import render_live_training
from viz.ui.seq2seq import (
    cached_translation,
    decoding_controls,
    encoder_view,
    model_sizes,
    show_input_error,
    show_output,
    step_view,
    task_and_text,
)
from viz.ui.three_ways import render_three_ways

st.title("Encoder-decoder, one token at a time")
st.write(
    "The **encoder** reads the whole input; the **decoder** writes the output one token at a time, looking at "
    "what it wrote so far through **masked self-attention**, back at the input through **cross-attention**, "
    "then a **linear layer + softmax** gives every possible next token a probability. Real Transformers, "
    "trained on this machine on three character tasks."
)

task, text = task_and_text()
output_column, settings_column = st.columns([3, 2], vertical_alignment="top")
strategy, temperature, top_k, seed = decoding_controls(where=settings_column)
try:
    trace = cached_translation(text, task, strategy, temperature, top_k, seed)
except InputError as err:
    show_input_error(err)
    trace = None
except FileNotFoundError as err:  # a checkpoint missing from assets/
    st.error(f"The bundled model is missing: {err}")
    trace = None

if trace is not None:
    show_output(trace, where=output_column)
    decode_tab, encoder_tab, train_tab, ways_tab = bound_tabs(
        [
            "Decode step by step",
            "Encoder self-attention",
            "Train your own",
            "Three ways to use a transformer",
        ],
        key="s2s_tab",
    )
    if decode_tab.open:  # only the open tab runs
        with decode_tab:
            st.caption(
                "Move through the steps. Rows are the positions asking (queries), columns the positions "
                "looked at (keys); each row of weights sums to 1."
            )
            step_view(trace)
    if encoder_tab.open:
        with encoder_tab:
            st.write(
                "Before decoding starts, the encoder lets every input character attend to every other one, "
                "in both directions: no mask. Its output is what the cross-attention looks at."
            )
            encoder_view(trace)
    if ways_tab.open:
        with ways_tab:
            render_three_ways(trace)
else:
    train_tab = st.container()

if trace is None or train_tab.open:
    with train_tab:
        st.write(
            "Train a fresh encoder-decoder from random weights. A tiny model learns to reverse 8 letters in "
            "about a minute on two CPU cores. Loss should fall and held-out exact match (inputs the model "
            "never trained on, decoded greedily) should rise."
        )
        render_live_training(trace.text if trace is not None else TASKS[task].default_input, task)

if trace is not None:
    st.divider()
    model_sizes(task)
