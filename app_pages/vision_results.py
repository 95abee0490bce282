"""The course's vision results as interactive charts and sortable tables: ImageNet, COCO 2017, ViT sizes."""

import streamlit as st

from viz.ui.vision_results_views import coco_section, imagenet_section, vit_section

st.title("Vision transformers against CNNs: the course's results")
st.write(
    "The course compares convolutional networks, pure vision transformers and hybrids that mix convolutions "
    "into a transformer, on ImageNet classification and on COCO object detection. The numbers below are the "
    "course's "
    "tables, typed in as printed; the charts let you see accuracy against what it costs."
)

st.header("ImageNet classification")
imagenet_section()
st.header("Object detection on COCO 2017")
coco_section()
st.header("The ViT sizes")
vit_section()
