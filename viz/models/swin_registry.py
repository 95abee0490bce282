"""The bundled Swin by name, and local Swin checkpoint folders by path; each loaded once per process."""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import torch

from viz.device import get_device
from viz.models.swin import SwinTransformer
from viz.models.swin_checkpoint import load_swin

ASSETS = Path(__file__).resolve().parents[2] / "assets"
#: Swin models shipped in ``assets/``, by short name.
SWIN_MODELS: dict[str, Path] = {"shapes-swin": ASSETS / "shapes-swin"}
_LOCK = threading.Lock()


def resolve_swin_model(model: str | Path) -> Path:
    """Map a short name ("shapes-swin") or a checkpoint folder to a folder holding a ``config.json``.

    Raises:
        ValueError: if ``model`` is neither a bundled name nor such a folder.
    """
    if isinstance(model, str) and model in SWIN_MODELS:
        return SWIN_MODELS[model]
    folder = Path(model).expanduser()
    if not (folder / "config.json").is_file():
        known = ", ".join(sorted(SWIN_MODELS))
        raise ValueError(
            f"{str(model)!r} is neither a bundled model ({known}) nor a folder with a config.json"
        )
    return folder.resolve()


@functools.lru_cache(maxsize=4)
def _load(folder: Path, device: str) -> SwinTransformer:
    return load_swin(folder, torch.device(device))


def load_swin_model(model: str | Path = "shapes-swin", device: str | None = None) -> SwinTransformer:
    """The Swin for a bundled name or a folder, in eval mode and frozen, loaded once and shared read-only."""
    folder = resolve_swin_model(model)
    with _LOCK:  # two first requests at once must not load the weights twice
        return _load(folder, device or str(get_device()))
