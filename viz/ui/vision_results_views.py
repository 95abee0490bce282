"""Sections of the vision-results page: the course's ImageNet, COCO and ViT tables, as charts and tables.

Every chart's CSV is the typed table itself (:mod:`viz.data.vision_results`); the source is named under each.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from viz.data import vision_results as vr
from viz.figures import vision_results as fig
from viz.ui.controls import bound_pills, bound_segmented, bound_toggle
from viz.ui.export import chart

#: Cost axes for the ImageNet chart: column -> (axis title, log scale by default).
IMAGENET_AXES = {
    "flops_b": ("FLOPs per image (billions)", False),
    "throughput": ("throughput (images per second)", False),
    "params_m": ("parameters (millions)", False),
}
AXIS_NAMES = {"flops_b": "FLOPs", "throughput": "throughput", "params_m": "parameters"}
COCO_METRICS = {
    "ap": "AP",
    "ap50": "AP50",
    "ap75": "AP75",
    "ap_s": "AP small",
    "ap_m": "AP medium",
    "ap_l": "AP large",
}
COCO_COSTS = {"gflops": "GFLOPs", "params_m": "parameters (millions)", "fps": "frames per second"}


@st.cache_data(show_spinner=False)
def imagenet_frame() -> pd.DataFrame:
    return pd.DataFrame(vr.records(vr.IMAGENET))


@st.cache_data(show_spinner=False)
def coco_frame() -> pd.DataFrame:
    return pd.DataFrame(vr.records(vr.COCO))


def _as_printed(frame: pd.DataFrame) -> pd.DataFrame:
    """The COCO rows as the course prints them: its columns and names (no doubt marks)."""
    return frame.drop(columns="doubtful").rename(columns=vr.COCO_COLUMNS)


@st.cache_data(show_spinner=False)
def vit_frame() -> pd.DataFrame:
    return pd.DataFrame(vr.records(vr.VIT_VARIANTS))


def _families(frame: pd.DataFrame, all_families: tuple[str, ...], key: str) -> pd.DataFrame:
    chosen = bound_pills("Families shown", all_families, all_families, key=key)
    return frame[frame["family"].isin(chosen or all_families)]


def _choice(where, label: str, names: dict[str, str], default: str, key: str) -> str:
    """One of ``names`` (option -> what the control shows), as segmented buttons bound to the URL."""
    return bound_segmented(label, list(names), default, key=key, format_func=names.__getitem__, where=where)


def imagenet_section() -> None:
    frame = imagenet_frame()
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    axis = _choice(left, "Accuracy against", AXIS_NAMES, "flops_b", "vr_axis")
    log_x = bound_toggle("Logarithmic x axis", True, key="vr_log", where=right)
    shown = _families(frame, vr.IMAGENET_FAMILIES, "vr_families")
    title, _ = IMAGENET_AXES[axis]
    chart(
        fig.accuracy_scatter(
            shown,
            axis,
            title + (" (log scale)" if log_x else ""),
            f"ImageNet top-1 accuracy against {AXIS_NAMES[axis]}: CNNs, pure transformers, hybrids",
            list(vr.IMAGENET_FAMILIES),
            log_x=log_x,
            highlight="Swin",
        ),
        "vr_imagenet",
        data=shown.rename(columns=vr.IMAGENET_COLUMNS),
        filename="imagenet_results",
    )
    st.caption(
        "Up and to the left is better for FLOPs and parameters; up and to the right for throughput. Models "
        "of one line (e.g. DeiT-Ti, -S, -B) are joined. Swin is ringed. "
        + "; ".join(f"{k}: {v}" for k, v in vr.FAMILY_NOTES.items())
        + "."
    )
    st.dataframe(
        shown.rename(columns=vr.IMAGENET_COLUMNS),
        hide_index=True,
        key="vr_imagenet_table",
        column_config={"Top-1 (%)": st.column_config.NumberColumn(format="%.1f")},
    )
    st.caption("Click a column heading to sort. Source: " + vr.IMAGENET_SOURCE + ".")


#: Whole numbers in the course's tables (the others keep one decimal, as printed).
WHOLE_COLUMNS = ("Epochs", "GFLOPs", "FPS")


def course_table(frame):
    """A course table as the source prints it: a missing value is a dash (not "None"), whole numbers whole."""
    whole = {c: "{:.0f}" for c in WHOLE_COLUMNS if c in frame.columns}
    return frame.style.format(precision=1, na_rep="–").format(whole, na_rep="–")


def coco_section() -> None:
    frame = coco_frame()
    metric = _choice(st, "Metric", COCO_METRICS, "ap", "vr_coco_metric")
    shown = _families(frame, vr.COCO_FAMILIES, "vr_coco_families")
    chart(
        fig.coco_bars(
            shown,
            metric,
            f"COCO 2017 val {COCO_METRICS[metric]}",
            f"Object detection on COCO 2017: {COCO_METRICS[metric]} per detector",
            list(vr.COCO_FAMILIES),
        ),
        "vr_coco",
        data=_as_printed(shown),
        filename="coco_results",
    )
    missing = shown[shown[metric].isna()]["method"].tolist()
    if missing:
        st.text("Not reported in the table, so not drawn: " + ", ".join(missing) + ".")
    cost = _choice(st, "AP against", COCO_COSTS, "gflops", "vr_coco_cost")
    chart(
        fig.coco_scatter(
            shown,
            cost,
            COCO_COSTS[cost],
            f"COCO AP against {COCO_COSTS[cost]} (detectors that report it)",
            list(vr.COCO_FAMILIES),
        ),
        "vr_coco_scatter",
        data=_as_printed(shown),
        filename="coco_results",
    )
    st.dataframe(course_table(_as_printed(shown)), hide_index=True, key="vr_coco_table")
    st.caption(
        "Click a column heading to sort; '–': not reported (as in the source). Source: "
        + vr.COCO_SOURCE
        + "."
    )


def vit_section() -> None:
    frame = vit_frame()
    left, right = st.columns([1, 1])
    with left:
        chart(
            fig.vit_sizes_figure(frame, "The three ViT sizes of the course: parameters"),
            "vr_vit",
            data=frame.rename(columns=vr.VIT_COLUMNS),
            filename="vit_variants",
        )
    right.dataframe(frame.rename(columns=vr.VIT_COLUMNS), hide_index=True, key="vr_vit_table")
    right.caption("Source: " + vr.VIT_SOURCE + ". The ViT pages count these parameters from our own configs.")
