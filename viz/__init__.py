"""viz: transparent transformers for teaching.

Layers import one way: ``models`` (torch) -> ``analysis`` (pure functions) -> ``figures`` (plotly)
-> ``ui`` (the only place that imports streamlit). The public entry points below load lazily, so
``import viz`` costs nothing until one is used.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "trace_sentence": "viz.trace.sentence",
    "SentenceTrace": "viz.trace.sentence",
    "EmptyInputError": "viz.trace.sentence",
    "sinusoidal_encoding": "viz.layers.positional",
    "attention_rollout": "viz.analysis.rollout",
    "get_device": "viz.core.device",
    "trace_image": "viz.trace.vit",
    "ImageTrace": "viz.trace.vit",
    "trace_swin": "viz.trace.swin",
    "SwinTrace": "viz.trace.swin",
    "ImageInputError": "viz.data.images",
    "gradient_rollout": "viz.analysis.vision",
    "separation_index": "viz.analysis.separation",
    "translate": "viz.trace.seq2seq",
    "TranslationTrace": "viz.trace.seq2seq",
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
