"""One plain sentence above a vision model's prediction chart, and the plain statement a class needs when the
model's answer is "none of these" (the bundled models' ninth answer: no shape it knows is in the picture)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from viz.data.shapes import NONE_LABEL


def verdict(labels: list[str], probs: np.ndarray) -> None:
    """Say what the model answered; when it is "none of these", say so plainly, with the best shape's
    probability, and that the attention maps still show where it looked."""
    if not labels or len(probs) != len(labels):
        return
    order = np.argsort(-np.asarray(probs), kind="stable")
    best = int(order[0])
    if labels[best] != NONE_LABEL:
        return
    runner = next((int(i) for i in order[1:] if labels[int(i)] != NONE_LABEL), None)
    shape = (
        f"; the most likely shape, {labels[runner]}, gets {probs[runner]:.0%}" if runner is not None else ""
    )
    st.info(
        f"This looks like none of the eight shapes ({probs[best]:.0%} “none of these”{shape}). The maps "
        "below still show where the model looked.",
        icon=":material/help:",
    )
