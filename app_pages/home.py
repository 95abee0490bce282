"""Landing page: what a transformer is, how it is used, its milestones, the vanilla architecture."""

import streamlit as st

from viz.data.milestones import MILESTONES, milestone_table
from viz.figures.timeline import timeline_png, timeline_spec
from viz.ui.architecture import render_architecture, render_three_uses
from viz.ui.export import vega_chart
from viz.ui.warmup import warm_up_plotly

st.title("Transformers, made visible")
st.write(
    "A transformer builds each token's representation by **attending** to the other tokens: every token asks "
    "a question (query), offers a label (key) and a content (value), and takes a weighted mix of the values. "
    "Stacked in layers, this powers today's language, vision and speech models; every number here is computed "
    "live by real models."
)
st.page_link(
    "app_pages/attention.py", label="Start: type a sentence and watch attention", icon=":material/grid_on:"
)

st.subheader("Three ways to use a transformer")
render_three_uses()

st.subheader("Milestones")
vega_chart(
    timeline_spec(MILESTONES),
    "timeline",
    png=lambda: timeline_png(MILESTONES),
    data=milestone_table(),
    filename="milestones",
    alt="Timeline of transformer milestones from 2017 to 2021, NLP and vision",
)

st.subheader("The vanilla Transformer at a glance")
render_architecture()

warm_up_plotly()  # every other page draws with plotly: fetch it while the student reads this one
