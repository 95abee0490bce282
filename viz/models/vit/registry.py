"""Bundled vision models by name, and local ViT checkpoint folders by path; each loaded once per process."""

from __future__ import annotations

from pathlib import Path

from viz.core.registry import ASSETS, FolderRegistry
from viz.models.vit.checkpoint import load_vit
from viz.models.vit.model import VisionTransformer

#: Vision models shipped in ``assets/``, by short name.
VISION_MODELS: dict[str, Path] = {"shapes-vit": ASSETS / "shapes-vit"}
REGISTRY: FolderRegistry[VisionTransformer] = FolderRegistry(VISION_MODELS, load_vit)


def load_vision_model(model: str | Path = "shapes-vit", device: str | None = None) -> VisionTransformer:
    """The ViT for a bundled name or a folder, in eval mode and frozen, loaded once and shared read-only.

    Raises:
        ValueError: if ``model`` is neither a bundled name nor a folder with a ``config.json``, or the
            folder does not hold a ViT checkpoint.
    """
    return REGISTRY.load(model, device)
