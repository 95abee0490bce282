"""The bundled Swin by name, and local Swin checkpoint folders by path; each loaded once per process."""

from __future__ import annotations

from pathlib import Path

from viz.core.registry import ASSETS, FolderRegistry
from viz.models.swin.checkpoint import load_swin
from viz.models.swin.model import SwinTransformer

#: Swin models shipped in ``assets/``, by short name.
SWIN_MODELS: dict[str, Path] = {"shapes-swin": ASSETS / "shapes-swin"}
REGISTRY: FolderRegistry[SwinTransformer] = FolderRegistry(SWIN_MODELS, load_swin)


def load_swin_model(model: str | Path = "shapes-swin", device: str | None = None) -> SwinTransformer:
    """The Swin for a bundled name or a folder, in eval mode and frozen, loaded once and shared read-only.

    Raises:
        ValueError: if ``model`` is neither a bundled name nor a folder with a ``config.json``, or the
            folder does not hold a Swin checkpoint.
    """
    return REGISTRY.load(model, device)
