"""Device choice, and CPU/GPU agreement where a GPU exists."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz.core import device as device_module


@pytest.fixture(autouse=True)
def fresh_cache():
    device_module.get_device.cache_clear()
    yield
    device_module.get_device.cache_clear()


def test_env_var_overrides(monkeypatch):
    monkeypatch.setenv("VIZ_DEVICE", "cpu")
    assert device_module.get_device() == torch.device("cpu")


def test_default_order(monkeypatch):
    monkeypatch.delenv("VIZ_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert device_module.get_device().type == "cuda"
    device_module.get_device.cache_clear()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device_module, "_mps_available", lambda: True)
    assert device_module.get_device().type == "mps"
    device_module.get_device.cache_clear()
    monkeypatch.setattr(device_module, "_mps_available", lambda: False)
    assert device_module.get_device().type == "cpu"


def test_unavailable_override_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("VIZ_DEVICE", "cuda")
    with pytest.raises(ValueError, match="CUDA is not available"):
        device_module.get_device()


def _accelerator() -> str | None:
    if torch.cuda.is_available():
        return "cuda"
    if device_module._mps_available():
        return "mps"
    return None


@pytest.mark.gpu
@pytest.mark.skipif(_accelerator() is None, reason="no CUDA or MPS device on this machine")
def test_gpu_trace_matches_cpu():
    from viz.models.bert.registry import _load, minilm_folder
    from viz.models.bert.tokenizer import tokenize

    text = "The animal didn't cross the street because it was too tired."
    results = {}
    for dev in ("cpu", _accelerator()):
        model, tokenizer, limit = _load(minilm_folder(), dev)
        ids = torch.tensor([tokenize(tokenizer, text, limit).ids], device=dev)
        with torch.inference_mode():
            out = model(ids)
        assert next(model.parameters()).device.type == dev
        results[dev] = (out.attentions.cpu().numpy(), out.last_hidden_state.cpu().numpy())
    (cpu_att, cpu_h), (gpu_att, gpu_h) = results.values()
    np.testing.assert_allclose(gpu_att, cpu_att, atol=1e-3)
    np.testing.assert_allclose(gpu_h, cpu_h, atol=1e-3)
