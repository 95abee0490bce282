"""Layer-wise analysis views: SI through the layers, clusters in 2-D, the branching rule, forward learning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from viz.analysis.layer_tables import layer_separation, pca_2d, per_class_by_layer
from viz.analysis.separation import default_jump_threshold, si_jumps
from viz.core.runtime import analysis_slot
from viz.figures.layerwise import pca_scatter, si_curves
from viz.figures.matrices import line_chart, matrix_heatmap
from viz.ui.controls import bound_select_slider, bound_slider
from viz.ui.export import chart

TOPICS_CSV = "assets/text/topics.csv"


@st.cache_data(show_spinner="Reading the bundled sentences…")
def bundled_sentences() -> pd.DataFrame:
    from pathlib import Path

    return pd.read_csv(Path(__file__).resolve().parents[2] / TOPICS_CSV)


@st.cache_data(max_entries=16, show_spinner="Running the encoder over every sentence…")
def sentence_layers(texts: tuple[str, ...], pooling: str, model: str = "minilm") -> np.ndarray:
    from viz.layerwise.representations import sentence_representations

    with analysis_slot():  # one heavy analysis at a time in the whole server
        return sentence_representations(list(texts), model=model, pooling=pooling)


@st.cache_data(max_entries=16, show_spinner="Measuring separation in every layer…")
def separation_tables(representations: np.ndarray, labels: tuple, layer_names: tuple[str, ...]):
    names = list(layer_names)
    with analysis_slot():
        return (
            layer_separation(representations, list(labels), layer_names=names, device="cpu"),
            per_class_by_layer(representations, list(labels), layer_names=names, device="cpu"),
        )


def shapes_vit_available() -> bool:
    from pathlib import Path

    return (Path(__file__).resolve().parents[2] / "assets" / "shapes-vit" / "config.json").is_file()


@st.cache_data(max_entries=4, show_spinner="Running the ViT over 400 new shapes…")
def shape_layers(model: str = "shapes-vit") -> tuple[np.ndarray, np.ndarray, list[str]]:
    from viz.data.shapes import CLASSES
    from viz.layerwise.representations import shape_representations

    cls, mean, labels = shape_representations(model=model)
    return cls, mean, [CLASSES[i] for i in labels]


@st.cache_data(max_entries=4, show_spinner="Running the date model's encoder over 480 new dates…")
def date_layers(label: str) -> tuple[np.ndarray, list[str]]:
    from viz.layerwise.representations import date_representations

    return date_representations(label=label)


def layer_names_of(representations: np.ndarray) -> list[str]:
    """ "embeddings", "block 1", ... for (L + 1, N, d) representations."""
    return ["embeddings"] + [f"block {i}" for i in range(1, representations.shape[0])]


def layer_analysis(
    representations: np.ndarray,
    labels: list,
    name: str,
    key: str,
    layer_names: list[str] | None = None,
    hover: list[str] | None = None,
) -> None:
    """SI curves, per-class SI, the jumps and what they mean, and the PCA view with a layer slider."""
    names = layer_names or layer_names_of(representations)
    table, per_class = separation_tables(representations, tuple(labels), tuple(names))
    threshold = bound_slider(
        "Mark a jump when SI rises by at least",
        0.01,
        0.3,
        min(0.3, round(default_jump_threshold(table["SI"]), 2)),
        0.01,
        key=f"{key}_jump",
        help="Opens on the largest rise between two layers of this data, so that its jump is marked.",
    )
    jumps = si_jumps(table["SI"], threshold)
    chart(si_curves(table, jumps, f"Separation through the layers: {name}"), f"{key}_curves", table)
    st.dataframe(table.style.format(precision=3), hide_index=True, key=f"{key}_table")
    if jumps:
        where = ", ".join(
            f"{names[j - 1]} → {names[j]} (+{table['SI'][j] - table['SI'][j - 1]:.2f})" for j in jumps
        )
        st.write(
            f"**SI jumps at:** {where}. By the course's rule, a jump marks where the representation becomes "
            "much more separable: a good place to branch off an early exit or auxiliary classifier (the "
            "classes are already told apart there), or to fuse features from before and after the jump. "
            "Where SI is flat, extra layers add little for this task and could be pruned or merged."
        )
    else:
        st.write(
            "No layer raises SI by the chosen amount: the separation builds up gradually (or is already "
            "there in the embeddings), so no single layer stands out for branching."
        )
    chart(
        matrix_heatmap(
            per_class.to_numpy(),
            "SI of each class's points, per layer",
            "class",
            "layer",
            row_labels=list(per_class.index),
            col_labels=[str(c) for c in per_class.columns],
            diverging=False,
        ),
        f"{key}_per_class",
        per_class,
    )
    layer = bound_select_slider("Layer to project", names, names[-1], key=f"{key}_layer")
    coords, explained = pca_2d(representations[names.index(layer)])
    chart(
        pca_scatter(coords, labels, explained, f"{name}, {layer}: the first two principal components", hover),
        f"{key}_pca",
        pd.DataFrame({"pc1": coords[:, 0], "pc2": coords[:, 1], "label": labels}),
    )


def forward_learning_view() -> None:
    from viz.layerwise.forward_learning import ForwardConfig, train_both

    st.write(
        "The same small network on scikit-learn's handwritten digits (8 × 8 pixels, 10 classes), trained "
        "two ways with the same number of epochs: **end to end** with backpropagation through all layers, "
        "and **layer by layer** (greedy forward learning, Belilovsky et al. 2019), where each new layer "
        "learns with its own auxiliary classifier while the layers below stay frozen."
    )
    left, right = st.columns(2)
    n_layers = bound_slider("Hidden layers", 1, 5, 3, key="fl_layers", where=left)
    width = bound_select_slider("Width", [16, 32, 64, 128], 64, key="fl_width", where=right)
    if not st.button("Train both", key="fl_train", type="primary"):
        st.info("Press the button to train (a few seconds on the CPU).")
        return
    bar = st.progress(0.0, text="starting…")
    results = train_both(
        ForwardConfig(n_layers=n_layers, width=width),
        progress=lambda share, message: bar.progress(min(share, 1.0), text=message),
    )
    bar.empty()
    cols = st.columns(2)
    for col, result in zip(cols, results):
        col.metric(f"Test accuracy, {result.method}", f"{result.test_accuracy:.1%}")
    names = ["input"] + [f"layer {i}" for i in range(1, n_layers + 1)]
    si = pd.DataFrame({r.method: r.si_per_layer for r in results}, index=names)
    chart(
        line_chart(
            {r.method: (np.arange(len(names)), r.si_per_layer) for r in results},
            "SI of the test set after each layer",
            "layer",
            "SI",
            x_names=names,
            y_range=(0, 1.02),
        ),
        "fl_si",
        si,
    )
    chart(
        line_chart(
            {r.method: (np.arange(1, len(r.loss_curve) + 1), r.loss_curve) for r in results},
            "Training loss per epoch",
            "epoch",
            "cross-entropy",
        ),
        "fl_loss",
    )
