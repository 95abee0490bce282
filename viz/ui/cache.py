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


#: A ViT with more parameters than this (ViT-S/16 has 22 M) is "large": its traces are cached without the
#: attention gradients (for ViT-B/16 those are another 22 MB per image), fewer of them, and a gradient
#: rollout is computed on request and only its small map kept.
LARGE_VIT_PARAMS = 20_000_000


def is_large_vit(model: str) -> bool:
    return vision_config("vit", model).n_params > LARGE_VIT_PARAMS


def cached_image_trace(rgb: np.ndarray, model: str = "shapes-vit", target_class: int | None = None):
    """``viz.trace_image`` once per (pixels, model, class) across all sessions; a large model's without its
    attention gradients (see :func:`gradient_rollout_map`)."""
    if is_large_vit(model):
        return _large_image_trace(rgb, model)
    return _image_trace(rgb, model, target_class)


@st.cache_data(max_entries=32, show_spinner="Running the Vision Transformer…")
def _image_trace(rgb: np.ndarray, model: str, target_class: int | None):
    from viz.trace.vit import trace_image

    return trace_image(rgb, model=model, target_class=target_class)


@st.cache_data(max_entries=4, show_spinner="Running the Vision Transformer…")
def _large_image_trace(rgb: np.ndarray, model: str):
    from viz.trace.vit import trace_image

    return trace_image(rgb, model=model, gradients=False)


def gradient_rollout_map(rgb: np.ndarray, model: str, trace, target_class: int, discard: float) -> np.ndarray:
    """The (grid_h, grid_w) gradient rollout of ``target_class`` for the image ``trace`` was taken on."""
    if trace.attention_gradients is not None and trace.target_class == target_class:
        return trace.gradient_rollout_map(discard)
    if not is_large_vit(model):
        return _image_trace(rgb, model, target_class).gradient_rollout_map(discard)
    return _gradient_map(rgb, model, target_class, discard)


@st.cache_data(max_entries=32, show_spinner="Taking the gradients of the class score…")
def _gradient_map(rgb: np.ndarray, model: str, target_class: int, discard: float) -> np.ndarray:
    from viz.trace.vit import trace_image

    return trace_image(rgb, model=model, target_class=target_class).gradient_rollout_map(discard)


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
