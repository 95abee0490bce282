"""The one place that chooses where tensors live.

Order: CUDA, then Apple MPS, then CPU. The environment variable ``VIZ_DEVICE``
(e.g. ``cpu``, ``cuda``, ``cuda:1``, ``mps``) overrides the choice.
"""

from __future__ import annotations

import functools
import os

import torch

ENV_VAR = "VIZ_DEVICE"


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


@functools.cache
def get_device() -> torch.device:
    """Return the device every model and trace runs on.

    Raises:
        ValueError: if ``VIZ_DEVICE`` names a device this machine does not have.
    """
    wanted = os.environ.get(ENV_VAR, "").strip().lower()
    if wanted:
        device = torch.device(wanted)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"{ENV_VAR}={wanted!r} but CUDA is not available on this machine")
        if device.type == "mps" and not _mps_available():
            raise ValueError(f"{ENV_VAR}={wanted!r} but Apple MPS is not available on this machine")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe_device(device: torch.device | None = None) -> str:
    """A short human-readable name, e.g. ``'CPU (2 threads)'`` or ``'GPU: NVIDIA H200'``."""
    device = device or get_device()
    if device.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return f"CPU ({torch.get_num_threads()} threads)"
