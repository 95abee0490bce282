"""The app's one script: page navigation and the shared sidebar (served by app.py: ``streamlit run app.py``)."""

import streamlit as st

from viz.ui.icon import app_icon
from viz.ui.presenter import presenter_requested, presenter_toggle, step_through
from viz.ui.sidebar import render_sidebar

st.set_page_config(
    page_title="Transformers, made visible",
    page_icon=app_icon(),
    layout="wide",
    initial_sidebar_state="collapsed" if presenter_requested() else "auto",
)

navigation = st.navigation(
    [
        st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page(
            "app_pages/attention.py",
            title="Attention heatmaps",
            icon=":material/grid_on:",
            url_path="attention",
        ),
        st.Page(
            "app_pages/vit_patches.py",
            title="ViT: patches and embeddings",
            icon=":material/grid_view:",
            url_path="vit-patches",
        ),
        st.Page(
            "app_pages/vit_attention.py",
            title="ViT: attention and rollout",
            icon=":material/visibility:",
            url_path="vit-attention",
        ),
        st.Page(
            "app_pages/swin.py", title="Swin: shifted windows", icon=":material/window:", url_path="swin"
        ),
        st.Page(
            "app_pages/swin_hierarchy.py",
            title="Swin: hierarchy and cost",
            icon=":material/stacks:",
            url_path="swin-hierarchy",
        ),
        st.Page(
            "app_pages/vision_results.py",
            title="Vision results (course tables)",
            icon=":material/leaderboard:",
            url_path="vision-results",
        ),
        st.Page(
            "app_pages/seq2seq.py",
            title="Encoder-decoder",
            icon=":material/translate:",
            url_path="encoder-decoder",
        ),
        st.Page(
            "app_pages/decoder.py",
            title="Decoder-only: a language model writes",
            icon=":material/edit_note:",
            url_path="decoder-only",
        ),
        st.Page(
            "app_pages/walkthrough.py",
            title="Self-attention step by step",
            icon=":material/stairs:",
            url_path="walkthrough",
        ),
        st.Page(
            "app_pages/multihead.py",
            title="Multi-head attention",
            icon=":material/view_module:",
            url_path="multihead",
        ),
        st.Page(
            "app_pages/positional.py",
            title="Positional encodings",
            icon=":material/waves:",
            url_path="positional",
        ),
        st.Page(
            "app_pages/block.py",
            title="Feed-forward, residuals, LayerNorm",
            icon=":material/account_tree:",
            url_path="block",
        ),
        st.Page(
            "app_pages/layerwise.py",
            title="Layer-wise analysis",
            icon=":material/stacked_line_chart:",
            url_path="layerwise",
        ),
        st.Page(
            "app_pages/models.py", title="Model library", icon=":material/inventory_2:", url_path="models"
        ),
    ]
)
if presenter_toggle():
    step_through(navigation.url_path)
navigation.run()
render_sidebar()  # after the page, so the page is drawn before torch is imported to name the device
