"""The classroom app. Run with ``streamlit run app.py``.

The pages, their navigation and the sidebar are ``navigation.py``'s; this file adds what happens when the
server starts (:mod:`viz.ui.startup`: the bundled models are loaded in the background).
"""

import streamlit as st

from viz.ui.startup import lifespan

app = st.App("navigation.py", lifespan=lifespan)
