"""The model families a page can run, the Hugging Face ``model_type`` values each opens, and its loader.

The model types come from each family's config module (``HF_MODEL_TYPES``), so a family that learns a new
type is offered from the cache the same day. The loaders are imported when first used: listing models
needs no torch.
"""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class Family:
    """One kind of model a page runs.

    Attributes:
        key: ``"text"``, ``"decoder"``, ``"vit"`` or ``"swin"`` (in links and in the code).
        name: how the pages name it ("text encoder").
        config_module: where ``HF_MODEL_TYPES`` lies.
        registry_module: where ``REGISTRY`` (a :class:`viz.core.registry.FolderRegistry`) lies.
        bundled: the bundled models' short names, the first is the default.
        bundled_names: how the chooser names them.
    """

    key: str
    name: str
    config_module: str
    registry_module: str
    bundled: tuple[str, ...]
    bundled_names: tuple[str, ...]

    @property
    def model_types(self) -> tuple[str, ...]:
        return tuple(importlib.import_module(self.config_module).HF_MODEL_TYPES)

    @property
    def registry(self):
        """The family's :class:`~viz.core.registry.FolderRegistry` (imports torch)."""
        return importlib.import_module(self.registry_module).REGISTRY

    def bundled_folder(self, name: str) -> Path:
        return self.registry.resolve(name)


FAMILIES: dict[str, Family] = {
    family.key: family
    for family in (
        Family(
            "text",
            "text encoder",
            "viz.models.bert.config",
            "viz.models.bert.registry",
            ("minilm",),
            ("all-MiniLM-L6-v2",),
        ),
        Family(
            "decoder",
            "decoder-only language model",
            "viz.models.gpt2.config",
            "viz.models.gpt2.registry",
            ("kjv", "char-reverse"),
            ("English GPT-2 (4.2M, King James Bible)", "character GPT-2 that reverses letters"),
        ),
        Family(
            "vit",
            "Vision Transformer",
            "viz.models.vit.config",
            "viz.models.vit.registry",
            ("shapes-vit",),
            ("shapes ViT",),
        ),
        Family(
            "swin",
            "Swin Transformer",
            "viz.models.swin.config",
            "viz.models.swin.registry",
            ("shapes-swin",),
            ("shapes Swin",),
        ),
    )
}


def family_of(model_type: str) -> Family | None:
    """The family that opens folders of ``model_type``; None when none does."""
    for family in FAMILIES.values():
        if model_type in family.model_types:
            return family
    return None


def supported_types() -> str:
    """Every supported model type by family, for messages."""
    return "; ".join(f"{f.name}: {', '.join(f.model_types)}" for f in FAMILIES.values())
