"""Load every bundled model, and run each entry point once, before the first student asks.

A model page's first visit otherwise waits for its model to be read from disk (MiniLM: seconds). The app
starts :func:`start_warm_up` when the server starts (``app.py``'s lifespan), in a background thread (its
model calls take inference slots like any other), so the server answers at once and the models are in
memory by the time a class arrives. ``VIZ_WARM_UP=0`` switches it off.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

ENV_VAR = "VIZ_WARM_UP"
_LOG = logging.getLogger(__name__)
_started = threading.Event()


def _steps():
    """(name, call) of every bundled model's first load and first trace, the text models first."""
    import numpy as np

    from viz.data.shapes import make_shape
    from viz.models.bert.weights import attention_weights, position_embedding_table
    from viz.trace.causal import trace_causal
    from viz.trace.sentence import trace_sentence
    from viz.trace.seq2seq import translate
    from viz.trace.swin import trace_swin
    from viz.trace.vit import trace_image

    shape = make_shape(np.random.default_rng(0)).image
    return [
        ("MiniLM", lambda: trace_sentence("The animal didn't cross the street because it was too tired.")),
        ("MiniLM weights", lambda: (attention_weights(), position_embedding_table())),
        ("encoder-decoder: date", lambda: translate("Monday, 30 November 2026", task="date")),
        ("encoder-decoder: reverse", lambda: translate("transformer", task="reverse")),
        ("encoder-decoder: sort", lambda: translate("transformer", task="sort")),
        ("decoder-only", lambda: trace_causal("abc")),
        ("shapes ViT", lambda: trace_image(shape)),
        ("shapes Swin", lambda: trace_swin(shape)),
    ]


def warm_up(first: Callable[[], object] | None = None) -> list[tuple[str, float]]:
    """Run ``first`` (the app imports its views there), then load and run each bundled model once; returns
    (step, seconds). A failing step is logged and skipped."""
    timings = []
    steps = ([("first", first)] if first is not None else []) + _steps()
    for name, call in steps:
        start = time.perf_counter()
        try:
            call()
        except Exception:  # noqa: BLE001 - a missing checkpoint must not stop the others (its page says why)
            _LOG.exception("warm-up of %s failed", name)
            continue
        timings.append((name, time.perf_counter() - start))
    return timings


def start_warm_up(first: Callable[[], object] | None = None) -> bool:
    """Start :func:`warm_up` once per process in a daemon thread; False when switched off or already started."""
    if os.environ.get(ENV_VAR, "1").strip() == "0" or _started.is_set():
        return False
    _started.set()
    threading.Thread(target=warm_up, args=(first,), name="viz-warm-up", daemon=True).start()
    return True
