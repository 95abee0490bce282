"""Entry point: page navigation and the shared sidebar. Run with ``streamlit run app.py``."""
import streamlit as st

from viz.ui.sidebar import render_sidebar

st.set_page_config(page_title="Transformers, made visible", page_icon="🔍", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/home.py", title="Home", icon="🏠", default=True),
        st.Page("pages/attention.py", title="Attention heatmaps", icon="🔥", url_path="attention"),
    ]
)
render_sidebar()
navigation.run()
