"""viz: transparent transformers for teaching.

Layers import one way: ``models`` (torch) -> ``analysis`` (pure functions) -> ``figures`` (plotly)
-> ``ui`` (the only place that imports streamlit). The public entry points below load lazily, so
``import viz`` costs nothing until one is used.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "trace_sentence": "viz.trace",
    "SentenceTrace": "viz.trace",
    "EmptyInputError": "viz.trace",
    "sinusoidal_encoding": "viz.models.positional",
    "attention_rollout": "viz.analysis.rollout",
    "get_device": "viz.device",
    "trace_image": "viz.image_trace",
    "ImageTrace": "viz.image_trace",
    "trace_swin": "viz.swin_trace",
    "SwinTrace": "viz.swin_trace",
    "ImageInputError": "viz.data.images",
    "gradient_rollout": "viz.analysis.vision",
    "separation_index": "viz.analysis.separation",
    "translate": "viz.translation",
    "TranslationTrace": "viz.translation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'viz' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
