"""What every page shows in the sidebar."""
from __future__ import annotations

import streamlit as st

from viz.ui.cache import device_description


def render_sidebar() -> None:
    with st.sidebar:
        st.caption("Computing on")
        st.markdown(f"**{device_description()}**")
        st.caption("Set VIZ_DEVICE=cpu, cuda or mps to choose. Nothing is downloaded: models ship with the app.")
