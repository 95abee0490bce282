"""Widgets the text pages share. Each is bound to the URL, so a shared link reopens the same view."""

from __future__ import annotations

import streamlit as st

from viz.figures.labels import visible

URL = "query-params"


def layer_head(n_layers: int, n_heads: int, prefix: str = "") -> tuple[int, int]:
    """1-based layer and head sliders side by side."""
    left, right = st.columns(2)
    layer = left.slider(
        "Layer",
        1,
        n_layers,
        1,
        key=f"{prefix}layer",
        bind=URL,
        help="Layer 1 reads the embeddings; the last layer gives the final representation.",
    )
    head = right.slider("Head", 1, n_heads, 1, key=f"{prefix}head", bind=URL)
    return layer, head


def token_choice(tokens: list[str], label: str = "Query token", key: str = "token", default: int = 1) -> int:
    """A 0-based token position, chosen by '<position>: <token>'."""
    options = list(range(len(tokens)))
    default = min(default, len(tokens) - 1)
    if st.session_state.get(key) not in options:  # a new, shorter sentence: fall back to the default
        st.session_state.pop(key, None)
    return st.selectbox(
        label, options, index=default, key=key, bind=URL, format_func=lambda i: f"{i}: {visible(tokens[i])}"
    )


def choice(label: str, names: dict[str, str], key: str) -> str:
    """One of ``names`` (option -> what the button says), as horizontal radio buttons."""
    return st.radio(label, list(names), key=key, horizontal=True, bind=URL, format_func=names.__getitem__)


def next_page(page: str, label: str) -> None:
    """The link on to the page that follows."""
    st.page_link(page, label=label, icon=":material/arrow_forward:")


def section(label: str, options: list[str], key: str) -> str:
    """Which part of a page to show (one at a time keeps each rerun quick)."""
    return st.segmented_control(label, options, default=options[0], key=key, bind=URL, required=True)
