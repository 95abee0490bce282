"""Cached calls into ``viz`` for the pages: results keyed by plain values (text, model name, limits)."""

from __future__ import annotations

import streamlit as st

from viz.trace import SentenceTrace, trace_sentence


@st.cache_data(max_entries=64, show_spinner="Running the encoder…")
def cached_trace(text: str, model: str = "minilm", max_tokens: int | None = None) -> SentenceTrace:
    """``viz.trace_sentence`` once per (text, model, max_tokens) across all sessions."""
    return trace_sentence(text, model=model, max_tokens=max_tokens)


@st.cache_resource(show_spinner="Reading the model's weight matrices…")
def cached_weights(model: str = "minilm"):
    """Every layer's W^Q, W^K, W^V, W^O as read-only numpy arrays, shared by all sessions."""
    from viz.models.weights import attention_weights

    return attention_weights(model)


@st.cache_resource(show_spinner="Reading the learned position table…")
def cached_position_table(model: str = "minilm"):
    from viz.models.weights import position_embedding_table

    return position_embedding_table(model)
