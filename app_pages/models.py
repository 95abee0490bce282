"""The model library: every model this server offers, and the course's recommended real checkpoints."""

import streamlit as st

from viz.ui.library_views import offered_section, recommended_section

st.title("Model library")
st.write(
    "The bundled models always work offline. A lecturer can add real checkpoints: Hugging Face models "
    "fetched once into the cache, or folders the server's operator lists. Every model page offers the models "
    "of its family in the sidebar."
)
st.header("On this server")
offered_section()
st.header("Recommended checkpoints")
recommended_section()
