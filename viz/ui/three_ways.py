"""Encoder-only, decoder-only and encoder-decoder side by side, each a real model, with what each is for."""

from __future__ import annotations

import streamlit as st

from viz.figures.attention import attention_heatmap
from viz.figures.seq2seq import alignment_heatmap
from viz.tasks import TASKS
from viz.tasks.vocab import InputError
from viz.trace.causal import CausalTrace, is_char_model, trace_causal
from viz.trace.seq2seq import TranslationTrace
from viz.ui.architecture import THREE_USES
from viz.ui.cache import cached_trace
from viz.ui.export import chart
from viz.ui.models import choose_model, model_name

USES = {name: (examples, text) for name, examples, text in THREE_USES}
HEIGHT = 520  # the three maps side by side at one size
PATTERNS = {
    "Encoder-only": "Pattern: a full square. Every token attends to every token, both directions.",
    "Decoder-only": "Pattern: a triangle. Each token attends only to itself and the tokens before it; input "
    "and output are one sequence.",
    "Encoder-decoder": "Pattern: cross-attention from every output token to the whole input, plus a triangle "
    "inside the decoder.",
}


@st.cache_data(max_entries=64, show_spinner=False)
def cached_causal(text: str, model: str) -> CausalTrace:
    return trace_causal(text, model=model)


def _describe(name: str) -> None:
    examples, text = USES[name]
    st.subheader(name)
    st.caption(examples)
    st.write(text)
    st.caption(PATTERNS[name])


def _map(figure, key: str) -> None:
    """One of the three attention maps, at the size they share."""
    chart(fig=figure.update_layout(height=HEIGHT), key=key)


def render_three_ways(trace: TranslationTrace) -> None:
    """The same input through three kinds of transformer; last layer, mean of the heads."""
    text = trace.text
    reversal_input = text if trace.task != "date" else TASKS["reverse"].default_input
    encoder_model, decoder_model = choose_model("text"), choose_model("decoder")
    cols = st.columns(3)
    with cols[0]:
        _describe("Encoder-only")
        if encoder_model is not None:
            encoder = cached_trace(text, encoder_model, max_tokens=64)
            last = encoder.attentions[-1].mean(axis=0)
            title = f"{model_name('text', encoder_model)}, last layer"
            _map(attention_heatmap(last, encoder.tokens, title=title), "three_enc")
    with cols[1]:
        _describe("Decoder-only")
        if decoder_model is not None:
            _decoder_only(decoder_model, text, reversal_input)
    with cols[2]:
        _describe("Encoder-decoder")
        st.code(trace.text + "  →  " + trace.output_text, language=None, wrap_lines=True)
        last = trace.cross_attentions[-1].mean(axis=0)
        title = "Encoder-decoder: cross, last layer"
        _map(alignment_heatmap(last, trace.output_tokens, trace.input_tokens, title), "three_encdec")


def _decoder_only(model: str, text: str, reversal_input: str) -> None:
    try:
        char_model = is_char_model(model)
        causal = cached_causal(reversal_input if char_model else text, model)
    except InputError as err:
        st.warning("The decoder-only model cannot read this input:")
        st.code(str(err), language=None)
        return
    if not char_model:
        st.caption(f"{model_name('decoder', model)} continues the text:")
    elif reversal_input == text:
        st.caption("The bundled GPT-2-format model (it learned reversal) continues the prompt:")
    else:
        st.caption(
            "The bundled GPT-2-format model only knows lowercase letters (it learned "
            "reversal), so it gets a word instead of the date:"
        )
    st.code(causal.prompt_text + "  →  " + causal.generated, language=None, wrap_lines=True)
    last = causal.attentions[-1].mean(axis=0)
    _map(attention_heatmap(last, causal.tokens, title="Decoder-only, last layer"), "three_dec")
