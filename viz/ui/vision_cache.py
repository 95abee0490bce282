"""Cached calls into ``viz`` for the vision pages, keyed by plain values (pixels, model name, class)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from viz.image_trace import ImageTrace, trace_image
from viz.vit_config import ViTConfig


@st.cache_data(max_entries=32, show_spinner="Running the Vision Transformer…")
def cached_image_trace(
    rgb: np.ndarray, model: str = "shapes-vit", target_class: int | None = None
) -> ImageTrace:
    """``viz.trace_image`` once per (pixels, model, class) across all sessions."""
    return trace_image(rgb, model=model, target_class=target_class)


@st.cache_resource(show_spinner="Loading the model…")
def model_config(model: str) -> ViTConfig:
    """The config of a bundled model or checkpoint folder (loads the model once, shared read-only)."""
    from viz.models.vit_registry import load_vision_model

    return load_vision_model(model).config
