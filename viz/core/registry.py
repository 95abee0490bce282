"""Models by bundled short name or by checkpoint folder, each loaded once per (folder, device) per process.

One :class:`FolderRegistry` per family (``viz.models.<family>.registry``); the app and notebooks share its
cache, so a model is read from disk once and every session gets the same read-only instance.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Generic, TypeVar

import torch

from viz.core.device import get_device

Model = TypeVar("Model")

#: Where the models and samples bundled with the app lie (the repository's ``assets/`` folder).
ASSETS = Path(__file__).resolve().parents[2] / "assets"


class FolderRegistry(Generic[Model]):
    """Resolves a bundled name or a folder with a ``config.json``, and loads each folder once per device.

    Args:
        bundled: short name -> where the model shipped with the app lies (a path, or a function giving it
            when asked, for a model inside another package); read at each call, so the mapping may be the
            module's own dict.
        loader: ``loader(path, device)`` builds the model (frozen, in eval mode: it is shared read-only).
        maxsize: how many (path, device) models stay cached.
        folders: whether a checkpoint folder other than the bundled ones may be opened.
    """

    def __init__(
        self,
        bundled: Mapping[str, Path | Callable[[], Path]],
        loader: Callable[[Path, torch.device], Model],
        maxsize: int = 4,
        folders: bool = True,
    ) -> None:
        self.bundled = bundled
        self.folders = folders
        self._loader = loader
        self._lock = threading.Lock()
        self._cached = functools.lru_cache(maxsize=maxsize)(self._load_uncached)

    def resolve(self, model: str | Path) -> Path:
        """Map a bundled short name or a checkpoint folder to a folder holding a ``config.json``.

        Raises:
            ValueError: if ``model`` is neither a bundled name nor such a folder.
        """
        if isinstance(model, str) and model in self.bundled:
            where = self.bundled[model]
            return Path(where() if callable(where) else where)
        known = ", ".join(sorted(self.bundled))
        if not self.folders:
            raise ValueError(f"{str(model)!r} is not a bundled model ({known})")
        folder = Path(model).expanduser()
        if not (folder / "config.json").is_file():
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
