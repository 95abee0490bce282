"""The bundled checkpoints reach the issue's accuracy on a fresh held-out sample (small, to stay fast)."""

from __future__ import annotations

import pytest

from viz.training.evaluate import TARGETS, evaluate_task


@pytest.mark.parametrize("task", sorted(TARGETS))
def test_held_out_exact_match(task):
    # A seed no training or evaluation script uses, so the sample is fresh.
    accuracy, n = evaluate_task(task, n=300, seed=20240611)
    assert n == 300
    assert accuracy >= TARGETS[task], f"{task}: {accuracy:.3f} < {TARGETS[task]}"
