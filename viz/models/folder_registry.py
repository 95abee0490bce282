"""Models by bundled short name or by checkpoint folder, each loaded once per (folder, device) per process."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Generic, TypeVar

import torch

from viz.device import get_device

Model = TypeVar("Model")


class FolderRegistry(Generic[Model]):
    """Resolves a bundled name or a folder with a ``config.json``, and loads each folder once per device.

    Args:
        bundled: short name -> folder of the models shipped with the app (read at each call, so the
            mapping may be the module's own dict).
        loader: ``loader(folder, device)`` builds the model (frozen, in eval mode: it is shared read-only).
        maxsize: how many (folder, device) models stay cached.
    """

    def __init__(
        self, bundled: Mapping[str, Path], loader: Callable[[Path, torch.device], Model], maxsize: int = 4
    ) -> None:
        self.bundled = bundled
        self._loader = loader
        self._lock = threading.Lock()
        self._cached = functools.lru_cache(maxsize=maxsize)(self._load_uncached)

    def resolve(self, model: str | Path) -> Path:
        """Map a bundled short name or a checkpoint folder to a folder holding a ``config.json``.

        Raises:
            ValueError: if ``model`` is neither a bundled name nor such a folder.
        """
        if isinstance(model, str) and model in self.bundled:
            return self.bundled[model]
        folder = Path(model).expanduser()
        if not (folder / "config.json").is_file():
            known = ", ".join(sorted(self.bundled))
            raise ValueError(
                f"{str(model)!r} is neither a bundled model ({known}) nor a folder with a config.json"
            )
        return folder.resolve()

    def load(self, model: str | Path, device: str | None = None) -> Model:
        """The model for a bundled name or a folder on ``device`` (default: the app's), loaded once."""
        folder = self.resolve(model)
        with self._lock:  # two first requests at once must not load the weights twice
            return self._cached(folder, device or str(get_device()))

    def cache_clear(self) -> None:
        """Forget every loaded model."""
        self._cached.cache_clear()

    def _load_uncached(self, folder: Path, device: str) -> Model:
        return self._loader(folder, torch.device(device))
