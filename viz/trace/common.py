"""The skeleton every public entry point follows: run the model in an inference slot of the thread policy,
move what it computed to the CPU once, as numpy arrays, and read the top classes from there."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import numpy as np
import torch

from viz.core.runtime import inference_slot


@contextlib.contextmanager
def model_call(gradients: bool = False) -> Iterator[None]:
    """Hold one slot of the thread policy while a model runs, with autograd off (or on, when the trace
    needs gradients: the ViT's gradient rollout)."""
    with inference_slot(), torch.enable_grad() if gradients else torch.inference_mode():
        yield


def device_of(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """A tensor as a float32 array on the CPU (detached: traces hold no graph)."""
    return t.detach().float().cpu().numpy()


def stack_traces(traces: Sequence[object], field: str = "weights") -> np.ndarray:
    """One field of every block's trace, batch item 0, stacked: (n_blocks, ...) float32 on the CPU."""
    return to_numpy(torch.stack([getattr(t, field)[0] for t in traces]))


class StackedAttentions:
    """``n_layers`` and ``n_heads`` of a trace whose ``attentions`` are (L, H, T_q, T_k)."""

    attentions: np.ndarray

    @property
    def n_layers(self) -> int:
        return self.attentions.shape[0]

    @property
    def n_heads(self) -> int:
        return self.attentions.shape[1]


def token_texts(tokenizer, ids: Sequence[int]) -> list[str]:
    """Each token of a byte-level BPE (GPT-2, RoBERTa) as the text it stands for: "Ġcat" is " cat", as the causal
    trace shows its tokens; special tokens ("<s>", "</s>") stay as they are. ``tokenizer`` is a
    ``tokenizers.Tokenizer``; a byte that is part of a longer character reads as U+FFFD."""
    return [tokenizer.decode([int(i)], skip_special_tokens=False) for i in ids]


def top_classes(probs: np.ndarray, labels: Sequence[str], k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` most probable classes as (name, probability), best first (ties in label order)."""
    order = np.argsort(-np.asarray(probs), kind="stable")[:k]
    return [(labels[i], float(probs[i])) for i in order]
