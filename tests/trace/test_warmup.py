"""The warm-up loads every bundled model once and runs each entry point, so first visits find them ready."""

from __future__ import annotations

from viz.trace import warmup


def test_warm_up_loads_and_runs_every_bundled_model(monkeypatch):
    from viz.models.bert import registry as bert_registry
    from viz.models.swin.registry import REGISTRY as SWIN
    from viz.models.vit.registry import REGISTRY as VIT

    timings = dict(warmup.warm_up())
    assert set(timings) == {name for name, _ in warmup._steps()}
    for registry, bundled in ((bert_registry.REGISTRY, "minilm"), (VIT, "shapes-vit"), (SWIN, "shapes-swin")):
        assert registry.is_loaded(bundled)  # loaded, and shared from now on


def test_start_warm_up_runs_once_and_can_be_switched_off(monkeypatch):
    calls = []
    monkeypatch.setattr(warmup, "warm_up", lambda first: calls.append(first))
    monkeypatch.setattr(warmup, "_started", type(warmup._started)())
    monkeypatch.setenv(warmup.ENV_VAR, "0")
    assert warmup.start_warm_up() is False
    monkeypatch.setenv(warmup.ENV_VAR, "1")
    assert warmup.start_warm_up(first=print) is True and warmup.start_warm_up() is False
    import time

    time.sleep(0.2)
    assert calls == [print]
