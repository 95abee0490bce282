"""The training loop: seeded runs are reproducible, the loss falls, the stop flag and time limit work."""

from __future__ import annotations

import pytest
import torch

from viz.training.train import TrainSettings, learning_rate, train

QUICK = TrainSettings(
    task="sort", preset="tiny", max_input_len=5, steps=30, eval_every=15, eval_size=20, seed=7
)


@pytest.fixture(autouse=True)
def one_thread():
    """Train on one thread, as the scripts do: bit-equal runs, and no spinning threads on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_same_seed_same_weights():
    a, b = train(QUICK, device=torch.device("cpu")), train(QUICK, device=torch.device("cpu"))
    for (name, p), q in zip(a.model.state_dict().items(), b.model.state_dict().values()):
        assert torch.equal(p, q), name
    assert [p.loss for p in a.history] == [p.loss for p in b.history]
    assert a.history[-1].loss < a.history[0].loss  # it learns
    c = train(TrainSettings(**{**QUICK.__dict__, "seed": 8}), device=torch.device("cpu"))
    first = next(iter(a.model.state_dict()))
    assert not torch.equal(c.model.state_dict()[first], a.model.state_dict()[first])


def test_stop_flag_and_callbacks():
    steps = []
    result = train(
        QUICK,
        should_stop=lambda: len(steps) >= 4,
        on_step=lambda s, t: steps.append(s),
        device=torch.device("cpu"),
    )
    assert result.stopped and steps == [1, 2, 3, 4] and result.history[-1].step == 4


def test_schedule_warms_up_then_decays():
    settings = TrainSettings(steps=1000, warmup=100, lr=1e-3)
    rates = [learning_rate(s, settings) for s in (0, 50, 99, 100, 550, 999)]
    assert rates[0] < rates[1] < rates[2] == rates[3] == 1e-3
    assert rates[3] > rates[4] > rates[5] >= 1e-4
