"""What every page shows in the sidebar."""

from __future__ import annotations

import sys

import streamlit as st


@st.cache_resource(show_spinner=False)
def device_description() -> str:
    from viz.core.device import describe_device  # imports torch: only once the page itself is on screen

    return describe_device()


def render_sidebar() -> None:
    with st.sidebar:
        st.caption("Computing on")
        if "torch" in sys.modules:  # a model page has run: the device is known at no cost
            st.markdown(f"**{device_description()}**")
        else:  # importing torch only to name the device would cost the landing page over a second
            st.markdown("**the GPU if there is one, else the CPU** (named once a model runs)")
        st.caption(
            "Set VIZ_DEVICE=cpu, cuda or mps to choose. Nothing is downloaded while the app runs: the bundled "
            "models ship with it, and the Model library page lists what the operator added."
        )
