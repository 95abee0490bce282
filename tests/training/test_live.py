"""The live-training queue: one run at a time in order, places in the queue, stop, bounded threads."""

from __future__ import annotations

import time

import pytest
import torch

from viz.training import live
from viz.training.live import TrainingQueue
from viz.training.train import TrainSettings

QUICK = TrainSettings(task="reverse", preset="tiny", max_input_len=4, steps=5, eval_every=5, eval_size=10)
LONG = TrainSettings(
    task="reverse", preset="tiny", max_input_len=4, steps=100_000, eval_every=20, eval_size=10
)


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_runs_wait_in_order_and_see_their_place():
    queue = TrainingQueue(threads=1)
    first = queue.submit(LONG)
    assert wait_for(lambda: queue.view(first).status == "running")
    second, third = queue.submit(QUICK), queue.submit(QUICK)
    assert queue.view(second).status == "queued" and queue.view(second).position == 2
    assert queue.view(third).position == 3
    assert queue.counts() == (1, 2)
    queue.stop(first)
    done = queue.wait(third, timeout=120)
    assert done.status == "done"
    assert queue.view(first).status == "stopped" and queue.view(second).status == "done"
    assert queue.model(first) is not None  # a stopped run keeps what it learned
    assert queue.view(second).step == 5 and queue.view(second).history[-1].accuracy is not None


def test_worker_limits_its_threads():
    queue = TrainingQueue(threads=1)
    view = queue.wait(queue.submit(QUICK), timeout=120)
    assert view.threads == 1
    assert live.default_threads() >= 1


def test_waiting_run_can_be_dropped():
    queue = TrainingQueue(threads=1)
    first = queue.submit(LONG)
    second = queue.submit(QUICK)
    queue.stop(second)
    assert queue.view(second).status == "stopped" and queue.model(second) is None
    queue.stop(first)
    assert queue.wait(first, timeout=60).status == "stopped"


def test_time_limit_is_capped():
    queue = TrainingQueue(threads=1, max_seconds=0.5)
    run = queue.submit(LONG)
    assert queue.view(run).settings.max_seconds == 0.5
    view = queue.wait(run, timeout=60)
    assert view.status == "stopped" and view.step < LONG.steps


def test_a_failing_run_does_not_stop_the_queue(monkeypatch):
    calls = []

    def broken(settings, **kwargs):
        calls.append(settings)
        if len(calls) == 1:
            raise RuntimeError("out of memory")
        return real(settings, **kwargs)

    real = live.train
    monkeypatch.setattr(live, "train", broken)
    queue = TrainingQueue(threads=1)
    bad, good = queue.submit(QUICK), queue.submit(QUICK)
    assert queue.wait(good, timeout=120).status == "done"
    failed = queue.view(bad)
    assert failed.status == "failed" and "out of memory" in failed.error


def test_finished_runs_are_forgotten_after_a_while(monkeypatch):
    monkeypatch.setattr(live, "KEEP_FINISHED", 2)
    queue = TrainingQueue(threads=1)
    ids = [queue.submit(QUICK) for _ in range(3)]
    assert queue.wait(ids[2], timeout=120).status == "done"  # they finish in order
    assert queue.view(ids[0]) is None and queue.model(ids[0]) is None
    assert queue.view(ids[1]) is not None and queue.view(ids[2]) is not None


def test_process_wide_queue_is_shared():
    assert live.training_queue() is live.training_queue()


def test_trained_model_is_frozen():
    queue = TrainingQueue(threads=1)
    run = queue.submit(QUICK)
    queue.wait(run, timeout=120)
    model = queue.model(run)
    assert not model.training and not any(p.requires_grad for p in model.parameters())
    assert torch.isfinite(next(model.parameters())).all()


@pytest.mark.parametrize("bad", [dict(steps=0), dict(preset="huge"), dict(task="date", max_input_len=4)])
def test_bad_settings_are_refused(bad):
    with pytest.raises(ValueError):
        TrainSettings(**bad)


def test_the_queue_holds_a_few_waiting_runs_one_per_session():
    queue = TrainingQueue(threads=1, max_waiting=2)
    first = queue.submit(LONG, owner="a")
    assert wait_for(lambda: queue.view(first).status == "running")
    assert queue.submit(QUICK, owner="a") == first  # asking again gives the session its own run back
    waiting = [queue.submit(QUICK, owner=o) for o in ("b", "c")]
    with pytest.raises(live.QueueFullError, match="queue is full"):
        queue.submit(QUICK, owner="d")
    assert queue.counts() == (1, 2)
    for run in (*waiting, first):
        queue.stop(run)
    assert queue.wait(first, timeout=60).status == "stopped"


def test_runs_of_closed_tabs_are_dropped_or_stopped():
    """A page polls its run every second while it is active; a run nobody asks about belongs to a closed tab."""
    queue = TrainingQueue(threads=1, stale_seconds=0.5)
    running = queue.submit(LONG, owner="left")
    waiting = queue.submit(QUICK, owner="also left")
    # nobody asks about either run from now on (view() would count as asking): watch the registry instead
    assert wait_for(lambda: queue._runs[waiting].status == "dropped", timeout=30)
    assert wait_for(lambda: queue._runs[running].status == "stopped", timeout=30)
    assert queue.model(waiting) is None and queue.model(running) is not None
    fresh = queue.submit(QUICK, owner="new")  # the queue moves on
    assert queue.wait(fresh, timeout=120).status == "done"
