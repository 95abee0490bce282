"""Every public entry point runs its model inside an inference slot of the thread policy.

Each family's model methods are wrapped to record whether the calling thread holds a slot; a call outside
one fails the test (the thread policy of a shared server holds only if no model runs outside it)."""

from __future__ import annotations

import pytest

import viz
from viz.core import runtime
from viz.data.shapes import make_shapes
from viz.layerwise import representations
from viz.models.bert.model import BertEncoder
from viz.models.gpt2.model import GPT2
from viz.models.seq2seq.model import Transformer
from viz.models.swin.model import SwinTransformer
from viz.models.vit.model import VisionTransformer
from viz.trace.causal import trace_causal

WATCHED = [
    (BertEncoder, "forward"),
    (GPT2, "forward"),
    (Transformer, "forward"),
    (Transformer, "encode"),
    (Transformer, "decode_step"),
    (VisionTransformer, "forward"),
    (SwinTransformer, "forward"),
]


@pytest.fixture
def calls(monkeypatch):
    seen: list[tuple[str, bool]] = []
    for cls, name in WATCHED:
        real = getattr(cls, name)

        def watched(self, *args, _real=real, _name=f"{cls.__name__}.{name}", **kwargs):
            seen.append((_name, runtime.holding_slot()))
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, watched)
    return seen


SHAPE = make_shapes(1, seed=3)[0][0]
ENTRY_POINTS = {
    "trace_sentence": lambda: viz.trace_sentence("The animal didn't cross the street."),
    "trace_image": lambda: viz.trace_image(SHAPE),  # with the backward pass of the gradient rollout
    "trace_swin": lambda: viz.trace_swin(SHAPE),
    "translate": lambda: viz.translate("30 Nov 2026", task="date"),
    "trace_causal": lambda: trace_causal("abc"),
    "sentence_representations": lambda: representations.sentence_representations(["a cat", "a dog"]),
    "shape_representations": lambda: representations.shape_representations(n_images=4),
    "date_representations": lambda: representations.date_representations(n=6),
}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_every_model_call_holds_a_slot(calls, entry):
    ENTRY_POINTS[entry]()
    assert calls, f"{entry} ran no watched model call"
    outside = [name for name, held in calls if not held]
    assert not outside, f"{entry} ran {outside} outside inference_slot"


def test_the_watch_sees_a_call_outside_a_slot(calls):
    """The guard can fail: a model called directly is seen outside any slot."""
    from viz.models.bert.registry import load_text_model

    encoder, _, _ = load_text_model()
    encoder(__import__("torch").tensor([[101, 102]]))
    assert calls == [("BertEncoder.forward", False)]


def test_slots_nest_on_one_thread():
    runtime.configure(runtime.ThreadPolicy(cores=1, threads_per_inference=1, slots=1))
    try:
        with runtime.inference_slot():
            with runtime.inference_slot():  # would deadlock if it asked the semaphore again
                assert runtime.holding_slot()
            assert runtime.holding_slot()
        assert not runtime.holding_slot()
    finally:
        runtime.configure()
