"""Layer-wise analysis: the Separation Index through the layers, and layer-wise (forward) learning."""

import streamlit as st

from viz.layerwise.csv_input import MAX_ROWS, CsvError, parse_labelled_csv
from viz.layerwise.representations import TooManyTokensError, count_tokens
from viz.ui.controls import bound_radio, choice, section
from viz.ui.layerwise_views import (
    bundled_sentences,
    date_layers,
    forward_learning_view,
    layer_analysis,
    sentence_layers,
    shape_layers,
    shapes_vit_available,
)
from viz.ui.models import choose_model, model_name

st.title("Layer-wise analysis")
st.write(
    "How well does each layer's representation separate the classes? The **Separation Index** (SI) is the "
    "share of points whose nearest neighbour (Euclidean, never the point itself) has the same label. High-order "
    "SI asks that all r nearest neighbours agree, soft SI counts the share that do, and centre SI uses the "
    "nearest class mean. Watching SI layer by layer shows where a network does its work."
)
VIEWS = ["Sentences", "Your CSV", "Dates (encoder-decoder)", "Layer-wise learning"]
if shapes_vit_available():  # the bundled shapes ViT, once its trained checkpoint is in assets/
    VIEWS.insert(2, "Shapes (ViT)")
view = section("Data", VIEWS, key="lw_view")

if view == "Layer-wise learning":
    forward_learning_view()
elif view == "Shapes (ViT)":
    token = choice(
        "Image vector", {"cls": "the [CLS] token", "mean": "mean of the patch tokens"}, "lw_vit_token"
    )
    vit = choose_model("vit")
    if vit is None:
        st.stop()
    cls, mean, shape_labels = shape_layers(vit)
    st.caption(f"400 generated shapes {model_name('vit', vit)} never saw (8 classes, 50 each).")
    layer_analysis(
        cls if token == "cls" else mean, shape_labels, f"{model_name('vit', vit)}, {token}", "lw_vit"
    )
elif view == "Dates (encoder-decoder)":
    label = bound_radio("Label", ["format family", "month"], key="lw_date_label", horizontal=True)
    reps, date_labels = date_layers(label)
    st.caption(
        "480 new dates in every format the bundled date model knows, through its encoder (mean over "
        "characters). By format the encoder's layers separate better and better; by month they do not: "
        "the encoder organises the input by its layout, and the decoder reads the month from it."
    )
    layer_analysis(reps, date_labels, f"date encoder, by {label}", "lw_date")
else:
    encoder = choose_model("text")
    if encoder is None:
        st.stop()
    pooling = choice("Sentence vector", {"mean": "mean of the tokens", "cls": "the [CLS] token"}, "lw_pool")
    if view == "Sentences":
        data = bundled_sentences()
        st.caption(
            f"{len(data)} sentences written for this app on {data['label'].nunique()} topics "
            f"({', '.join(sorted(data['label'].unique()))})."
        )
        texts, labels = data["text"].tolist(), data["label"].tolist()
    else:
        upload = st.file_uploader(
            f"A CSV with columns text,label (at most {MAX_ROWS:,} rows)", type=None, key="lw_csv"
        )
        if upload is None:
            st.info("Upload a CSV file whose header is `text,label`, one labelled sentence per row.")
            st.stop()
        try:
            texts, labels, notes = parse_labelled_csv(upload.getvalue())
            count_tokens(texts, model=encoder)  # the token budget, before the encoder runs
        except (CsvError, TooManyTokensError) as err:
            st.error(str(err))
            st.stop()
        for note in notes:
            st.warning(note)
        st.caption(f"{len(texts)} texts, {len(set(labels))} labels.")
    name = model_name("text", encoder)
    reps = sentence_layers(tuple(texts), pooling, encoder)
    layer_analysis(reps, labels, f"{name}, {pooling} pooling", "lw_text", hover=texts)
