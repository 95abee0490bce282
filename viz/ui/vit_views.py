"""Sections of the two ViT pages, each a few widgets and charts over one :class:`viz.trace.vit.ImageTrace`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from viz.analysis.rollout import HEAD_FUSIONS
from viz.analysis.vision import (
    attention_distance,
    cosine_similarity,
    filter_components,
    mass_inside,
    patch_coverage,
    patch_map,
    pca_rgb,
)
from viz.figures import vision as fig
from viz.models.vit.config import PUBLISHED_PARAMS, VIT_PRESETS
from viz.trace.vit import ImageTrace
from viz.ui.cache import cached_image_trace, gradient_rollout_map
from viz.ui.controls import bound_number, bound_radio, bound_selectbox, bound_slider
from viz.ui.export import chart
from viz.ui.models import opened_config
from viz.ui.vision_inputs import VisionInput, model_notice, show_notes, vision_input

BUNDLED_NOTICE = (
    "The bundled model is a tiny ViT that this project trained on generated drawings: eight shapes (circle, "
    "square, triangle, diamond, star, cross, ring, hexagon), filled or outlined, large or small, on paper or "
    "textures, as a phone photographs them, and a ninth answer, “none of these”, for a picture with no shape "
    "in it. It knows nothing else: a photograph is at best “none of these”. It was also trained to put its "
    "attention on the shape (see the note beside the attention rollout), so its attention maps look tidier "
    "than those of a ViT trained on labels alone. "
    "To see a ViT at work on real photographs, choose a real checkpoint in the sidebar's Model list: a ViT, "
    "DeiT, DeiT distilled, DINO or DINOv2 that the server's operator fetched (python -m viz fetch vit-base) "
    "or keeps in its model folders."
)

#: One line on the pages of a model without a classification head.
NO_HEAD_NOTICE = (
    "This model has no classification head (a backbone such as DINO): there is no prediction and no gradient "
    "rollout; attention and rollout are shown."
)

#: The bundled model's pointing-game figures (python -m viz.training.vision.evaluate --n 2000; assets/README.md),
#: those of a ViT trained on the labels alone from scratch (`--pointing-weight 0`), and those of a labels-only
#: fine-tuning from the bundled model's own starting point.
POINTING_FIGURES = {
    "supervised": 0.840,  # generated shapes (viz.data.shapes), shapes covering <= 25% of the image
    "supervised_accuracy": 0.982,
    "supervised_drawings": 0.769,  # photographed-looking drawings of the second renderer (viz.evaluation)
    "labels_only": 0.374,
    "labels_only_accuracy": 0.4210,
    "labels_only_drawings": 0.325,
    "labels_only_tuned": 0.737,
    "labels_only_tuned_accuracy": 0.9775,
    "labels_only_tuned_drawings": 0.684,
    "uniform": 0.194,
}
POINTING_NOTICE = (
    "Be careful what you read into this map. The bundled model was trained with two objectives: name the shape, "
    "and put its rollout on the shape (the generator knows each shape's pixels, so training could ask for it; "
    "this is called attention supervision). On held-out generated shapes {supervised:.0%} of its rollout lands "
    "on the shape ({supervised_drawings:.0%} on photographed-looking drawings from a renderer it never saw), "
    "where a map that ignores the image would score {uniform:.0%}. A ViT trained on the same drawings with "
    "the labels alone, from scratch (a shorter run: 3,000 steps with 8-pixel patches, "
    "{labels_only_accuracy:.0%} accurate), puts only {labels_only:.0%} of its rollout on the shape "
    "({labels_only_drawings:.0%} on the drawings), and an earlier labels-only run on filled shapes, trained to "
    "99.6% accuracy, stayed between 37% and 43%: its attention gathers around the outline and on the "
    "background next to it. A copy fine-tuned on the labels alone from the bundled model's own starting point "
    "(already supervised) keeps {labels_only_tuned:.0%} ({labels_only_tuned_drawings:.0%} on the drawings): "
    "attention learned under supervision stays for a while without it. Attention shows where information "
    "flows, not why the model decided; a high score on a map like this is something to check, not to assume."
).format(**POINTING_FIGURES)


def prefix_list(trace: ImageTrace) -> str:
    """The tokens in front of the patches, for a sentence: "[CLS]", "[CLS] and [DIST]", "[CLS], [REG1] and [REG2]"."""
    *first, last = trace.prefix_names
    return f"{', '.join(first)} and {last}" if first else last


def traced_input() -> tuple[VisionInput, ImageTrace] | None:
    """The shared input block and the trace of the chosen image; None (after a message) when there is none."""
    model_notice(BUNDLED_NOTICE)
    picked = vision_input()
    if picked is None:
        return None
    if opened_config("vit", picked.model) is None:
        return None
    trace = cached_image_trace(picked.image.rgb, picked.model)
    st.text(f"Image: {picked.description}; {picked.image.size[0]} x {picked.image.size[1]} pixels as read.")
    show_notes(picked.image)
    return picked, trace


def model_input_section(picked: VisionInput, trace: ImageTrace) -> None:
    """What the model sees: the centred square, resized, then cut into the patch grid (step 1)."""
    p, (gh, gw) = trace.patch_size, trace.grid
    side = trace.image.shape[0]
    if picked.beside is not None:  # a drawing: the pad shows the image, the grid goes beside it
        right = picked.beside
    else:
        left, right = st.columns(2)
        chart(
            where=left,
            fig=fig.image_with_crop(
                picked.image.rgb, trace.crop_box, "Your image: the square the model reads"
            ),
            key="vit_crop",
        )
    chart(
        where=right,
        fig=fig.image_with_grid(
            trace.image, p, f"Step 1: resized to {side} x {side}, cut into {gh} x {gw} patches of {p} x {p}"
        ),
        key="vit_grid",
    )


def patches_section(trace: ImageTrace) -> None:
    """Step 2: the patches as a sequence and as the matrix of flattened vectors."""
    p, n = trace.patch_size, trace.n_patches
    per_row = 2 * trace.grid[1]  # not the grid's own width: the 2-D layout is gone, only the order is left
    chart(
        fig=fig.patch_sequence(
            trace.pixel_patches(),
            f"Step 2: the {n} patches read row by row, as a sequence of tokens",
            per_row=per_row,
            scale=max(1, 16 // p),
        ),
        key="vit_sequence",
    )
    chart(
        fig=fig.flattened_patches(
            trace.patches,
            p,
            f"Step 2: each patch flattened to {trace.patches.shape[1]} "
            "numbers (normalised pixel values); one row per patch",
        ),
        key="vit_flat",
    )
    if n > 64:
        st.caption(f"The first 64 of the {n} patches are shown.")


def projection_section(trace: ImageTrace) -> None:
    """Step 3: the learned linear projection, as filters and as the embeddings it produces."""
    d_model = trace.filters.shape[0]
    images, ratios = filter_components(trace.filters, trace.patch_size, trace.n_channels, k=min(28, d_model))
    left, right = st.columns(2)
    chart(
        where=left,
        fig=fig.filter_gallery(images, ratios, f"Step 3: principal components of the {d_model} filters"),
        key="vit_filters",
    )
    chart(
        where=right,
        fig=fig.rgb_patch_map(
            pca_rgb(trace.patch_embeddings, trace.grid),
            trace.patch_size,
            "Step 3: the patch embeddings as colours (PCA)",
        ),
        key="vit_pca",
    )
    st.caption(
        f"The projection multiplies each flattened patch by a {trace.patches.shape[1]} x {d_model} matrix "
        "E and adds a bias: one learned filter per output number (left: the filters' main patterns, "
        f"as pictures). Right: each patch's {d_model} numbers reduced to their first three principal "
        "components, shown as red, green and blue; patches with similar colours were embedded alike."
    )


def position_section(trace: ImageTrace) -> None:
    """Step 4: [CLS] in front, learned position embeddings added; their similarity, as in the ViT paper."""
    prefix = trace.n_prefix_tokens
    similarity = cosine_similarity(trace.position_embeddings[prefix:])
    gh, gw = trace.grid
    chart(
        fig=fig.similarity_mosaic(
            similarity,
            trace.grid,
            "Step 4: cosine similarity of each position's "
            "embedding (small map at its place) to every other position's",
        ),
        key="vit_positions",
    )
    names = prefix_list(trace)
    st.caption(
        f"The sequence becomes {prefix} + {gh * gw} = {gh * gw + prefix} tokens: the learned {names} "
        f"token{'s' if prefix > 1 else ''} in front, then the patches; a learned position embedding is added to "
        "each. Nothing tells the model where a patch was except these vectors: if nearby positions light up "
        "together, it has learned the 2-D layout from the data alone."
    )
    if prefix > 1:
        st.caption(trace.prefix_note)


def sizes_section() -> None:
    """The ViT sizes of the course, counted from our own configs without building the models."""
    rows = []
    for name, config in VIT_PRESETS.items():
        count = config.n_params
        rows.append(
            {
                "Model": name,
                "Layers": config.n_layers,
                "Hidden size D": config.d_model,
                "MLP size": config.d_ff,
                "Heads": config.n_heads,
                "Patch": f"{config.patch_size} x {config.patch_size}",
                "Parameters (ours)": f"{count / 1e6:.1f}M",
                "Published": f"{PUBLISHED_PARAMS[name] / 1e6:.0f}M",
                "Difference": f"{count / PUBLISHED_PARAMS[name] - 1:+.1%}",
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="vit_sizes")
    st.caption(
        "Counted from the configs (224 x 224 images, a 1000-class head) by a formula over the weight "
        "shapes; no model is built. Large differs most because the paper rounds a 16 x 16-patch count."
    )


def prediction_section(trace: ImageTrace, where: object | None = None) -> None:
    """The verdict and the top classes, in ``where`` (the column beside the drawing pad) when given."""
    with where if where is not None else st.container():
        if not trace.labels:
            st.info(NO_HEAD_NOTICE)
            return
        from viz.ui.verdict import verdict

        verdict(trace.labels, trace.probs)
        chart(
            fig=fig.top_k_figure(trace.top(5), "Prediction: the top classes by probability"), key="vit_top5"
        )


def heads_section(trace: ImageTrace) -> None:
    """Step 5: per layer, every head's [CLS] attention over the patches."""
    layer = bound_slider(
        "Layer",
        1,
        trace.n_layers,
        trace.n_layers,
        key="vit_layer",
        help="Layer 1 reads the embeddings; the last layer feeds the classifier.",
    )
    prefix = trace.n_prefix_tokens
    heats = trace.attentions[layer - 1, :, 0, prefix:].reshape(trace.n_heads, *trace.grid)
    chart(
        fig=fig.heads_overlay_grid(
            trace.image, heats, trace.patch_size, f"Layer {layer}: where [CLS] looks, head by head"
        ),
        key="vit_heads",
    )
    columns = "column" if prefix == 1 else "columns"
    st.caption(
        "Each panel is one head's attention from the [CLS] token to every patch (its row of the "
        f"attention matrix, without the {prefix_list(trace)} {columns}). Hover a patch for the exact weight."
    )
    if prefix > 1:
        st.caption(trace.prefix_note)


def _pick_patch(event_key: str) -> None:
    """Chart click -> the patch row and column widgets (runs before the rerun, so widgets may be set)."""
    selection = st.session_state.get(event_key)
    points = selection.get("selection", {}).get("points", []) if selection else []
    if points:
        point = points[0]
        st.session_state["vit_patch_row"] = int(point["customdata"][0])
        st.session_state["vit_patch_col"] = int(point["customdata"][1])


def patch_section(trace: ImageTrace) -> None:
    """Pick any patch (click it or choose its row and column) and see what it attends to."""
    gh, gw = trace.grid
    cols = st.columns(4)
    row = bound_number("Patch row", 1, gh, min(gh, max(1, gh // 2)), key="vit_patch_row", where=cols[0])
    col = bound_number("Patch column", 1, gw, min(gw, max(1, gw // 2)), key="vit_patch_col", where=cols[1])
    layer = bound_slider("Layer ", 1, trace.n_layers, 1, key="vit_patch_layer", where=cols[2])
    head = bound_selectbox(
        "Head", ["mean of heads", *range(1, trace.n_heads + 1)], key="vit_patch_head", where=cols[3]
    )
    weights = trace.attentions[layer - 1]
    matrix = weights.mean(axis=0) if head == "mean of heads" else weights[head - 1]
    index = (row - 1) * gw + (col - 1)
    prefix = trace.n_prefix_tokens
    heat = patch_map(matrix, index, trace.grid, n_prefix=prefix)
    heads = "mean of heads" if isinstance(head, str) else f"head {head}"
    title = f"Patch (row {row}, column {col}) in layer {layer}, {heads}: what it attends to"
    figure = fig.attention_overlay(trace.image, heat, trace.patch_size, title, selected=(row - 1, col - 1))
    chart(
        fig=figure,
        key="vit_patch_chart",
        on_select=lambda: _pick_patch("vit_patch_chart"),
        selection_mode="points",
    )
    names = prefix_list(trace)
    st.caption(
        f"Click a patch to query it. Its weight on {names} ({matrix[prefix + index, :prefix].sum():.3f}) is "
        "not drawn; the outlined square is the query patch itself."
    )


def distance_section(trace: ImageTrace) -> None:
    distance = attention_distance(trace.attentions, trace.grid, trace.patch_size, trace.n_prefix_tokens)
    chart(
        fig=fig.attention_distance_figure(distance, "Mean attention distance per head and layer"),
        key="vit_distance",
    )
    st.caption(
        "How far, on average, a patch looks: the pixel distance between a query patch and each patch it "
        "attends to, weighted by the attention. Low heads look locally, like a convolution; high heads "
        "mix information from across the image."
    )


def rollout_section(picked: VisionInput, trace: ImageTrace) -> None:
    """Attention rollout with head fusion and discard ratio, and gradient rollout for a chosen class."""
    cols = st.columns(2)
    fusion = bound_radio(
        "Head fusion",
        HEAD_FUSIONS,
        key="vit_fusion",
        where=cols[0],
        horizontal=True,
        help="How each layer's heads are combined before rolling out.",
    )
    discard = bound_slider(
        "Discard ratio",
        0.0,
        0.95,
        0.0,
        0.05,
        key="vit_discard",
        where=cols[1],
        help="Share of the weakest attention links removed in each layer.",
    )
    heat = trace.rollout_map(fusion, discard)
    left, right = st.columns(2)
    chart(
        where=left,
        fig=fig.attention_overlay(
            trace.image,
            heat,
            trace.patch_size,
            f"Attention rollout ({fusion} of heads, discard {discard:.0%})",
            label="share",
        ),
        key="vit_rollout",
    )
    if picked.shape_mask is not None and trace.image.shape[:2] == picked.shape_mask.shape:
        inside = mass_inside(heat, patch_coverage(picked.shape_mask, trace.patch_size))
        left.caption(
            f"{inside:.0%} of the rollout falls on the shape's own pixels, which cover "
            f"{picked.shape_mask.mean():.0%} of the image."
        )
    if picked.model == "shapes-vit":
        st.info(POINTING_NOTICE, icon=":material/school:")
    if not trace.labels:
        return
    names = trace.labels
    default = int(np.argmax(trace.probs))
    chosen = bound_selectbox(
        "Explain the class",
        range(len(names)),
        index=default,
        key="vit_grad_class",
        where=right,
        format_func=lambda i: f"{names[i]} ({trace.probs[i]:.1%})",
    )
    gradient_heat = gradient_rollout_map(picked.image.rgb, picked.model, trace, chosen, discard)
    chart(
        where=right,
        fig=fig.attention_overlay(
            trace.image,
            gradient_heat,
            trace.patch_size,
            f"Gradient rollout for the class {names[chosen]!r}",
            label="share",
        ),
        key="vit_grad_rollout",
    )
