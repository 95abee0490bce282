"""Cached calls into ``viz`` for the pages: results keyed by plain values (text, pixels, model name, limits),
models and weight tables shared read-only by every session."""

from __future__ import annotations

import numpy as np
import streamlit as st

from viz.trace.sentence import SentenceTrace, trace_sentence


@st.cache_data(max_entries=64, show_spinner="Running the encoder…")
def cached_trace(text: str, model: str = "minilm", max_tokens: int | None = None) -> SentenceTrace:
    """``viz.trace_sentence`` once per (text, model, max_tokens) across all sessions."""
    return trace_sentence(text, model=model, max_tokens=max_tokens)


@st.cache_resource(show_spinner="Reading the model's weight matrices…")
def cached_weights(model: str = "minilm"):
    """Every layer's W^Q, W^K, W^V, W^O as read-only numpy arrays, shared by all sessions."""
    from viz.models.bert.weights import attention_weights

    return attention_weights(model)


@st.cache_resource(show_spinner="Reading the learned position table…")
def cached_position_table(model: str = "minilm"):
    from viz.models.bert.weights import position_embedding_table

    return position_embedding_table(model)


@st.cache_data(max_entries=32, show_spinner="Running the Vision Transformer…")
def cached_image_trace(rgb: np.ndarray, model: str = "shapes-vit", target_class: int | None = None):
    """``viz.trace_image`` once per (pixels, model, class) across all sessions."""
    from viz.trace.vit import trace_image

    return trace_image(rgb, model=model, target_class=target_class)


@st.cache_data(max_entries=32, show_spinner="Running the Swin Transformer…")
def cached_swin_trace(rgb: np.ndarray, model: str = "shapes-swin"):
    """``viz.trace_swin`` once per (pixels, model) across all sessions."""
    from viz.trace.swin import trace_swin

    return trace_swin(rgb, model=model)


@st.cache_resource(show_spinner="Loading the model…")
def vision_config(family: str, model: str):
    """The config of a bundled vision model or checkpoint folder of ``family`` ("vit" or "swin"), loading the
    model once, shared read-only."""
    if family == "swin":
        from viz.models.swin.registry import load_swin_model

        return load_swin_model(model).config
    from viz.models.vit.registry import load_vision_model

    return load_vision_model(model).config
