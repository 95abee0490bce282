"""Models by bundled short name or by checkpoint folder, each loaded once per (folder, device) per process.

One :class:`FolderRegistry` per family (``viz.models.<family>.registry``); the app and notebooks share its
cache, so a model is read from disk once and every session gets the same read-only instance.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
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
        self.maxsize = maxsize
        self._loaded: OrderedDict[tuple[Path, str], Model] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()  # guards the two dicts, never held while a model loads
        self._folder_locks: dict[tuple[Path, str], threading.Lock] = {}

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
        """The model for a bundled name or a folder on ``device`` (default: the app's), loaded once.

        Loads are locked per (folder, device): two first requests for one folder load it once, while a
        request for another folder (or an already loaded one) never waits for it.
        """
        key = (self.resolve(model), device or str(get_device()))
        with self._lock:
            if key in self._loaded:
                self._loaded.move_to_end(key)
                return self._loaded[key]
            folder_lock = self._folder_locks.setdefault(key, threading.Lock())
        with folder_lock:
            with self._lock:
                if key in self._loaded:
                    return self._loaded[key]
            loaded = self._loader(key[0], torch.device(key[1]))
            with self._lock:
                self._loaded[key] = loaded
                while len(self._loaded) > self.maxsize:
                    self._loaded.popitem(last=False)
                self._folder_locks.pop(key, None)
            return loaded

    def is_loaded(self, model: str | Path, device: str | None = None) -> bool:
        """Whether :meth:`load` would answer at once (the model is in memory)."""
        with self._lock:
            return (self.resolve(model), device or str(get_device())) in self._loaded

    def cache_clear(self) -> None:
        """Forget every loaded model."""
        with self._lock:
            self._loaded.clear()
