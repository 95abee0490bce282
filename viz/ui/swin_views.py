"""Sections of the Swin pages, each a few widgets and charts over one :class:`viz.trace.swin.SwinTrace`.

The image input is the vision pages' shared block (:func:`viz.ui.vision_inputs.image_choice`): the picture
chosen on the ViT pages is the one shown here. Every chart goes through :func:`viz.ui.export.chart` (PNG
from plotly's camera button, CSV from the button under it). User text (file names, folder paths, error
details) is only ever shown with ``st.text``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from viz.analysis import swin as an
from viz.analysis.vision import pca_rgb
from viz.figures import swin as fig
from viz.figures.vision import top_k_figure
from viz.models.swin.config import SWIN_T
from viz.trace.swin import BlockView, SwinTrace
from viz.ui.cache import cached_swin_trace
from viz.ui.controls import bound_number, bound_select_slider, bound_selectbox, bound_slider
from viz.ui.export import chart
from viz.ui.models import choose_model, opened_config
from viz.ui.vision_inputs import image_choice, model_notice, show_notes

BUNDLED_NOTICE = (
    "The bundled model is a tiny Swin Transformer that this project trained on generated drawings: eight "
    "shapes (circle, square, triangle, diamond, star, cross, ring, hexagon), filled or outlined, on paper or "
    "textures, as a phone photographs them, and “none of these” for a picture with no shape in it; it knows "
    "nothing else. Its windows, shifts and masks work the same on any "
    "picture. To see a Swin trained on real photographs, choose a real checkpoint in the sidebar's Model "
    "list, such as swin-tiny-patch4-window7-224 (the server's operator fetches it with "
    "python -m viz fetch swin-tiny)."
)


def traced_input() -> tuple[SwinTrace, object | None] | None:
    """The model and image inputs, the chosen image's trace and the column beside the drawing pad (None for
    other sources); None (after a message) when there is nothing to trace."""
    model_notice(BUNDLED_NOTICE)
    model = choose_model("swin")
    if model is None:
        image_choice(64)
        return None
    config = opened_config("swin", model)
    if config is None:
        return None
    picked = image_choice(config.image_size)
    if picked is None:
        return None
    image, description, _, beside = picked
    try:
        trace = cached_swin_trace(image.rgb, model)
    except Exception as err:  # noqa: BLE001 - a damaged or unusual checkpoint must not put a traceback on the page
        st.error("The model could not run on this image. What went wrong:")
        st.text(f"{type(err).__name__}: {err}")
        return None
    st.text(
        f"Image: {description}; {image.size[0]} x {image.size[1]} pixels as read, the centred square resized "
        f"to {config.image_size} x {config.image_size}."
    )
    show_notes(image)
    return trace, beside


def prediction_section(trace: SwinTrace, where: object | None = None) -> None:
    """The verdict and the top classes, in ``where`` (the column beside the drawing pad) when given."""
    with where if where is not None else st.container():
        if not trace.labels:
            st.info(
                "This checkpoint has no classification head (a backbone): there is no prediction to show."
            )
            return
        from viz.ui.verdict import verdict

        verdict(trace.labels, trace.probs)
        chart(
            top_k_figure(trace.top(5), "Prediction of the Swin: the top classes by probability"),
            "swin_top5",
            data=lambda: pd.DataFrame(trace.top(len(trace.labels)), columns=["class", "probability"]),
        )


def _shifted_stages(trace: SwinTrace) -> list[int]:
    return [s.index for s in trace.stages if s.shift] or [0]


def stage_choice(trace: SwinTrace, key: str, shifted_only: bool = False) -> int:
    """A 0-based stage, chosen by its grid."""
    options = _shifted_stages(trace) if shifted_only else [s.index for s in trace.stages]
    return bound_selectbox(
        "Stage",
        options,
        key=key,
        format_func=lambda s: (
            f"stage {s + 1}: {trace.stages[s].height} x {trace.stages[s].width} tokens, "
            f"{trace.stages[s].channels} channels"
        ),
    )


def _first_block(trace: SwinTrace, stage: int, shifted: bool) -> BlockView:
    blocks = [b for b in trace.blocks if b.stage == stage]
    return next((b for b in blocks if bool(b.shift) == shifted), blocks[0])


def windows_section(trace: SwinTrace) -> int:
    """The token grid with the regular and the shifted window partition, side by side; returns the stage."""
    stage = stage_choice(trace, "swin_stage", shifted_only=True)
    shape = trace.stages[stage]
    m, s, n = shape.window, shape.shift, shape.height
    regular, shifted = an.window_ids(n, n, m), an.window_ids(n, n, m, s)
    left, right = st.columns(2)
    with left:
        chart(
            fig.window_partition_figure(
                trace.image,
                n,
                m,
                0,
                regular,
                f"Regular windows (W-MSA): {regular.max() + 1} of {m} x {m} tokens",
            ),
            "swin_regular",
            data=regular,
        )
    with right:
        chart(
            fig.window_partition_figure(
                trace.image,
                n,
                m,
                s,
                shifted,
                f"Shifted windows (SW-MSA), shift {s}: {shifted.max() + 1} windows",
            ),
            "swin_shifted",
            data=shifted,
        )
    st.caption(
        f"Stage {stage + 1} works on {n} x {n} tokens. Regular blocks attend inside {regular.max() + 1} "
        f"windows of {m} x {m}; the next block moves the window borders by M/2 = {s} tokens, so tokens that "
        f"sat on either side of a border now share a window. That makes {shifted.max() + 1} windows, many of "
        "them smaller than M x M: batching them as they are would waste work on padding."
    )
    return stage


def cyclic_shift_section(trace: SwinTrace, stage: int) -> None:
    """The shifted partition with its regions, and the same tokens after the cyclic shift."""
    block = _first_block(trace, stage, shifted=True)
    if block.regions is None:
        st.info("This stage has no shifted block.")
        return
    h, w = block.resolution
    s, m = block.shift, block.window
    rolled_regions = block.regions[:h, :w]
    rows, cols = an.rolled_origin(h, w, s)
    original = np.empty_like(rolled_regions)
    original[rows, cols] = rolled_regions
    pixels_per_token = trace.image.shape[0] // h
    left, right = st.columns(2)
    with left:
        chart(
            fig.region_figure(
                trace.image, h, m, s, original, an.REGION_NAMES, "Shifted windows, tokens named by region"
            ),
            "swin_regions",
            data=original,
        )
    with right:
        chart(
            fig.region_figure(
                an.roll_image(trace.image, s * pixels_per_token),
                h,
                m,
                0,
                rolled_regions,
                an.REGION_NAMES,
                f"After the cyclic shift by {s}: {(h // m) * (w // m)} full windows",
                origin=(rows, cols),
            ),
            "swin_rolled",
            data=rolled_regions,
        )
    st.caption(
        "The cyclic shift rolls the whole map up and left by M/2: the top rows and left columns (regions C "
        "and 3) wrap around to the bottom and right. Now every window is a full M x M block again and all "
        "windows go through attention as one batch. But the windows along the bottom and right edges hold "
        "tokens from opposite sides of the image (different letters or digits): they must not attend to each "
        "other, which is what the mask below is for. After attention the map is rolled back."
    )


def mask_section(trace: SwinTrace, stage: int) -> None:
    block = _first_block(trace, stage, shifted=True)
    if block.allowed is None:
        st.info("This stage has no shifted block, so no mask.")
        return
    per_row = block.padded[1] // block.window
    counts = [
        len(set(an.window_mask(block.allowed, block.regions, k, block.padded, block.window)[1]))
        for k in range(block.allowed.shape[0])
    ]
    options = list(range(block.allowed.shape[0]))
    k = bound_selectbox(
        "Window (after the cyclic shift)",
        options,
        index=len(options) - 1,  # the corner window: four regions
        key="swin_mask_window",
        format_func=lambda i: (
            f"window {i + 1} (row {i // per_row + 1}, column {i % per_row + 1}): "
            f"{counts[i]} region{'s' if counts[i] > 1 else ''}"
        ),
    )
    mask, names = an.window_mask(block.allowed, block.regions, k, block.padded, block.window)
    labels = [f"{q + 1} {names[q]}" for q in range(len(names))]
    chart(
        fig.mask_figure(mask, names, f"The mask of window {k + 1}: 0 within a region, −∞ across regions"),
        "swin_mask",
        data=lambda: pd.DataFrame(mask, index=labels, columns=labels),
    )
    st.caption(
        "Added to the scaled scores before the softmax, like the causal mask of a decoder: a −∞ score "
        "becomes a weight of exactly 0. Only the windows on the bottom and right edges have more than one "
        "region; in the others the mask is all zeros and does nothing."
    )


def bias_section(trace: SwinTrace, stage: int) -> None:
    """The relative position index table and the learned bias of each head of a block."""
    m = trace.window
    chart(
        fig.relative_index_figure(
            trace.relative_index, f"Relative position index of a {m} x {m} window: which bias each pair reads"
        ),
        "swin_rel_index",
        data=trace.relative_index,
    )
    st.caption(
        f"A query and a key in the same window are at most {m - 1} rows and {m - 1} columns apart, so there "
        f"are only (2M − 1)² = {(2 * m - 1) ** 2} possible offsets (dy, dx). Each head learns one bias per "
        "offset; the index says which one to add to each score. Pairs with the same offset (same colour) "
        "share it, wherever the window is."
    )
    blocks = [b for b in trace.blocks if b.stage == stage]
    index = bound_selectbox(
        "Block", range(len(blocks)), key="swin_bias_block", format_func=lambda i: blocks[i].name
    )
    block = blocks[index]
    grids = an.bias_grid(block.bias_table, m)
    offsets = [f"dy={dy},dx={dx}" for dy in range(-(m - 1), m) for dx in range(-(m - 1), m)]
    chart(
        fig.bias_heads_figure(grids, f"Learned relative position bias per head, {block.name}"),
        "swin_bias",
        data=lambda: pd.DataFrame(
            block.bias_table, index=offsets, columns=[f"head {h + 1}" for h in range(block.n_heads)]
        ),
    )


def _pick(event_key: str) -> None:
    selection = st.session_state.get(event_key)
    points = selection.get("selection", {}).get("points", []) if selection else []
    for point in points:
        data = point.get("customdata")
        if data:
            st.session_state["swin_q_row"], st.session_state["swin_q_col"] = int(data[0]), int(data[1])
            return


def attention_section(trace: SwinTrace) -> None:
    """Pick a block and a token: what it attends to in its window, head by head."""
    names = [b.name for b in trace.blocks]
    default = next((i for i, b in enumerate(trace.blocks) if b.shift), 0)
    index = bound_selectbox(
        "Block", range(len(names)), index=default, key="swin_att_block", format_func=names.__getitem__
    )
    block = trace.blocks[index]
    h, w = block.resolution
    left, right = st.columns(2)  # a row or column beyond this block's grid is clamped to its last one
    row = bound_number("Query token row", 1, h, h, key="swin_q_row", where=left)
    col = bound_number("Query token column", 1, w, w, key="swin_q_col", where=right)
    heats, status = an.window_attention_maps(block, row - 1, col - 1)
    titles = ["mean of heads", *[f"head {k + 1}" for k in range(block.n_heads)]]
    box = None
    if not block.shift:
        r0, c0 = (row - 1) // block.window * block.window, (col - 1) // block.window * block.window
        box = (r0, c0, min(r0 + block.window, h), min(c0 + block.window, w))
    figure = fig.window_attention_figure(
        trace.image,
        heats,
        status,
        titles,
        (row - 1, col - 1),
        box,
        f"Token (row {row}, column {col}), {block.name}: what it attends to",
    )
    frame = pd.DataFrame(
        {
            "row": np.repeat(np.arange(1, h + 1), w),
            "column": np.tile(np.arange(1, w + 1), h),
            "status": np.asarray(["outside", "same region", "masked"])[status.ravel()],
            **{t: hm.ravel() for t, hm in zip(titles, heats)},
        }
    )
    chart(
        figure,
        "swin_attention",
        data=frame,
        on_select=lambda: _pick("swin_attention"),
        selection_mode="points",
    )
    st.caption(
        "Click a token inside the picture, or set its row and column. The darkened tokens are outside its "
        "window: it cannot see them at all in this block. In a shifted block, the tokens crossed out are in "
        "the same window after the cyclic shift but came from another part of the image, so the mask gives "
        "them weight 0. Rows of each head sum to 1 over the tokens of the window."
    )


def hierarchy_section(trace: SwinTrace) -> None:
    """Patch merging through the stages: the model in use and Swin-T, with the tiny model's feature maps."""
    size = trace.config.image_size
    ours = an.stage_table(trace.stages, size)
    left, right = st.columns(2)
    with left:
        chart(
            fig.pyramid_figure(ours, f"This model at {size} px: the feature maps, stage by stage"),
            "swin_pyramid",
            data=ours,
        )
    swin_t = an.stage_table(SWIN_T.stages(), SWIN_T.image_size)
    with right:
        chart(
            fig.pyramid_figure(swin_t, "Swin-T at 224 px: the feature maps, stage by stage"),
            "swin_t_pyramid",
            data=swin_t,
        )
    columns = [
        "stage",
        "feature map",
        "downsampling (pixels per token)",
        "heads",
        "blocks",
        "windows per block",
        "shift in odd blocks",
    ]
    st.dataframe(
        pd.concat([ours[columns].assign(model="this model"), swin_t[columns].assign(model="Swin-T")]),
        hide_index=True,
        key="swin_stage_table",
    )
    maps = [pca_rgb(m.reshape(-1, m.shape[-1]), m.shape[:2]) for m in trace.stage_maps]
    titles = [f"stage {s.index + 1}: {s.height}x{s.width}x{s.channels}" for s in trace.stages]
    chart(
        fig.stage_maps_figure(
            maps,
            titles,
            size,
            "What each stage computed on your image: the first three principal components of its feature map "
            "as red, green, blue",
        ),
        "swin_stage_maps",
        data=lambda: pd.concat(
            [
                pd.DataFrame(m.reshape(-1, 3), columns=["red", "green", "blue"]).assign(stage=k + 1)
                for k, m in enumerate(maps)
            ]
        ),
    )
    st.caption(
        "Patch merging concatenates each 2 x 2 group of neighbouring tokens (4C numbers), normalises them "
        "and projects them to 2C: every stage halves the resolution and doubles the channels, like the "
        "stages of a CNN. Windows stay M x M tokens, so the same window covers more of the image in later "
        "stages. ViT, by contrast, keeps one scale: 14 x 14 tokens of 16 x 16 pixels from start to end."
    )


def cost_section() -> None:
    """ViT's global attention against Swin's windows; sliders for C, M, the patch size and the image sizes."""
    cols = st.columns(4)
    channels = bound_select_slider(
        "Channels C", [32, 48, 64, 96, 128, 192, 384, 768], 96, key="swin_cost_c", where=cols[0]
    )
    window = bound_slider("Window M", 2, 16, 7, key="swin_cost_m", where=cols[1])
    patch = bound_select_slider(
        "Patch size P (pixels)", [1, 2, 4, 8, 16], 4, key="swin_cost_p", where=cols[2]
    )
    largest = bound_select_slider(
        "Largest image side (pixels)", [256, 512, 1024, 2048], 1024, key="swin_cost_max", where=cols[3]
    )
    smallest = patch * window  # one window of M x M patches (at M = P = 16 it covers a 256-pixel image)
    marked = bound_slider(
        "Compare at image side (pixels)",
        smallest,
        max(largest, smallest + patch),  # a slider needs two values
        min(224, largest),  # cleaned onto the slider's grid
        step=patch,
        key="swin_cost_at",
    )
    sides = np.arange(patch, largest + 1, patch)
    table = an.cost_table(sides, patch, channels, window)
    crossover = float(np.sqrt(an.crossover_tokens(window)) * patch)
    chart(
        fig.cost_figure(
            table,
            crossover,
            window,
            channels,
            marked,
            "Cost of one attention layer: ViT's global attention against Swin's windows",
        ),
        "swin_cost",
        data=table,
    )
    row = table.iloc[int(np.argmin(np.abs(sides - marked)))]
    st.caption(
        f"At {int(row['image side (px)'])} x {int(row['image side (px)'])} pixels there are "
        f"{int(row['tokens hw']):,} tokens: global attention costs {row['ViT global MSA (GFLOPs)']:.3g} "
        "GFLOPs, "
        f"windows {row['Swin window MSA (GFLOPs)']:.3g} ({row['ViT / Swin']:.1f} times less). Both pay 4hwC² "
        "for the projections; the attention itself costs 2(hw)²C globally, quadratic in the number of "
        "tokens, but 2M²hwC in windows, linear. The curves cross where hw = M²: a single window then covers "
        "the whole image, and the two are the same computation."
    )
