"""Bundled vision models by name, and local ViT checkpoint folders by path; each loaded once per process."""
from __future__ import annotations

import functools
import threading
from pathlib import Path

import torch

from viz.device import get_device
from viz.models.vit import VisionTransformer
from viz.models.vit_checkpoint import load_vit

ASSETS = Path(__file__).resolve().parents[2] / "assets"
#: Vision models shipped in ``assets/``, by short name.
VISION_MODELS: dict[str, Path] = {"shapes-vit": ASSETS / "shapes-vit"}
_LOCK = threading.Lock()


def resolve_vision_model(model: str | Path) -> Path:
    """Map a short name ("shapes-vit") or a checkpoint folder to a folder holding a ``config.json``.

    Raises:
        ValueError: if ``model`` is neither a bundled name nor such a folder.
    """
    if isinstance(model, str) and model in VISION_MODELS:
        return VISION_MODELS[model]
    folder = Path(model).expanduser()
    if not (folder / "config.json").is_file():
        known = ", ".join(sorted(VISION_MODELS))
        raise ValueError(f"{str(model)!r} is neither a bundled model ({known}) nor a folder with a config.json")
    return folder.resolve()


@functools.lru_cache(maxsize=4)
def _load(folder: Path, device: str) -> VisionTransformer:
    return load_vit(folder, torch.device(device))


def load_vision_model(model: str | Path = "shapes-vit") -> VisionTransformer:
    """The ViT for a bundled name or a folder, in eval mode and frozen, loaded once and shared read-only."""
    folder = resolve_vision_model(model)
    with _LOCK:  # two first requests at once must not load the weights twice
        return _load(folder, str(get_device()))
