"""The library's entries: every model a page may offer, with what a chooser shows, and the gate that loads one.

An entry is found, never made from what a user typed (unless the operator allows typed paths): a page
passes a key from the list (``minilm``, ``google/vit-base-patch16-224``, ``folder:my-bert``) and gets the
folder back from here, so nothing a student types is read as a server path.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

from viz.library.families import FAMILIES, Family, family_of, supported_types
from viz.library.scan import FolderInfo, cached_models, folder_info, hf_cache_dir, model_folders
from viz.library.settings import LibrarySettings

SCAN_SECONDS = 30.0  # a listing is reused this long: a model fetched meanwhile shows up at most this late
BUNDLED, OPERATOR, HF_CACHE, TYPED = "bundled", "operator folder", "Hugging Face cache", "typed path"
FOLDER_PREFIX, PATH_PREFIX = "folder:", "path:"


class LibraryError(ValueError):
    """A model that cannot be offered or loaded, with a message fit for the page (no server path in it)."""


@dataclasses.dataclass(frozen=True)
class ModelEntry:
    """One model a page may run.

    Attributes:
        key: what a link or a notebook names it by (a bundled short name, a repo id, ``folder:<name>``).
        name: how a chooser shows it.
        family: the :data:`~viz.library.families.FAMILIES` key.
        source: :data:`BUNDLED`, :data:`OPERATOR`, :data:`HF_CACHE` or :data:`TYPED`.
        info: the folder's facts (its path stays on the server).
    """

    key: str
    name: str
    family: str
    source: str
    info: FolderInfo

    @property
    def folder(self) -> Path:
        return self.info.folder

    @property
    def n_params(self) -> int | None:
        return self.info.n_params

    def label(self) -> str:
        """``gpt2 · 124.4 M parameters · 548 MB · Hugging Face cache``."""
        parts = [self.name]
        if self.n_params:
            parts.append(f"{human_count(self.n_params)} parameters")
        parts.append(human_bytes(self.info.weights_bytes))
        parts.append(self.source)
        return " · ".join(parts)


def human_count(n: int) -> str:
    """``124.4 M``, ``1.2 B``, ``25 k``, ``512``."""
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            value = n / size
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return str(n)


def human_bytes(n: int) -> str:
    """``548 MB``, ``1.2 GB``, ``91 kB``."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            value = n / size
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{n} B"


class Library:
    """Every model found for the settings, by family, the bundled ones first."""

    def __init__(self, settings: LibrarySettings, hf_cache: Path | None = None) -> None:
        self.settings = settings
        self.hf_cache = hf_cache if hf_cache is not None else hf_cache_dir()
        self._lock = threading.Lock()
        self._listing: tuple[float, list[ModelEntry], list[FolderInfo]] | None = None

    # --- listing -------------------------------------------------------------------------------------

    def entries(self, family: str | None = None) -> list[ModelEntry]:
        """The models of ``family`` (every family when None): bundled, then the operator's, then the cache's."""
        listing = self._scan()[0]
        return [e for e in listing if family is None or e.family == family]

    def unsupported(self) -> list[FolderInfo]:
        """Folders found whose model type no family opens (the library page lists them)."""
        return self._scan()[1]

    def refresh(self) -> None:
        """Scan again at the next listing (after a download)."""
        with self._lock:
            self._listing = None

    def _scan(self) -> tuple[list[ModelEntry], list[FolderInfo]]:
        with self._lock:
            if self._listing is not None and time.monotonic() - self._listing[0] < SCAN_SECONDS:
                return self._listing[1], self._listing[2]
        entries, unsupported, seen = self._bundled(), [], set()
        seen.update(e.key for e in entries)
        found = [
            (FOLDER_PREFIX + name, name, folder, OPERATOR)
            for root in self.settings.dirs
            for name, folder in model_folders(root)
        ]
        if self.settings.scan_hf_cache:
            found += [(repo, repo, folder, HF_CACHE) for repo, folder in cached_models(self.hf_cache)]
        for key, name, folder, source in found:
            info = folder_info(folder)
            if info is None or key in seen:
                continue
            seen.add(key)
            family = family_of(info.model_type)
            if family is None:
                unsupported.append(info)
                continue
            entries.append(ModelEntry(key, name, family.key, source, info))
        with self._lock:
            self._listing = (time.monotonic(), entries, unsupported)
        return entries, unsupported

    def _bundled(self) -> list[ModelEntry]:
        entries = []
        for family in FAMILIES.values():
            for short, name in zip(family.bundled, family.bundled_names):
                try:
                    folder = family.bundled_folder(short)
                except (ValueError, ImportError, OSError):  # a bundled checkpoint not installed
                    continue
                info = folder_info(folder)
                if info is not None:
                    entries.append(ModelEntry(short, name, family.key, BUNDLED, info))
        return entries

    # --- choosing ------------------------------------------------------------------------------------

    def default(self, family: str) -> ModelEntry:
        """The family's bundled model (the first listed).

        Raises:
            LibraryError: when no model of the family is present at all.
        """
        entries = self.entries(family)
        if not entries:
            raise LibraryError(f"no {FAMILIES[family].name} is installed")
        return entries[0]

    def get(self, key: str, family: str) -> ModelEntry:
        """The entry of ``family`` named ``key`` (a bundled name, a repo id, ``folder:<name>``, or, where the
        operator allows it, ``path:<folder>``).

        Raises:
            LibraryError: for a key the library does not list (the message names no server path).
        """
        if key.startswith(PATH_PREFIX):
            return self.typed(key.removeprefix(PATH_PREFIX), family)
        for entry in self.entries(family):
            if entry.key == key:
                return entry
        raise LibraryError(f"{key!r} is not among the {FAMILIES[family].name} models this server offers")

    def typed(self, path: str, family: str) -> ModelEntry:
        """A folder typed by the user: only where the operator allows typed paths (a single-user laptop).

        Raises:
            LibraryError: when typed paths are off, or the folder is not a model of the family.
        """
        if not self.settings.allow_paths:
            raise LibraryError(
                "typed folder paths are switched off on this server: choose a model from the list "
                "(the server's operator adds folders with VIZ_MODEL_DIRS)"
            )
        folder = Path(path.strip()).expanduser()
        info = folder_info(folder) if folder.is_dir() else None
        if info is None:
            raise LibraryError(f"{path!r} is not a folder holding a config.json")
        found = family_of(info.model_type)
        if found is None or found.key != family:
            raise LibraryError(
                f"that folder holds a {info.model_type or 'unnamed'!r} model, not a {FAMILIES[family].name} "
                f"(supported model types: {supported_types()})"
            )
        return ModelEntry(PATH_PREFIX + str(folder.resolve()), folder.name, family, TYPED, info)

    # --- loading -------------------------------------------------------------------------------------

    def check(self, entry: ModelEntry) -> None:
        """Refuse a model whose weights exceed the operator's cap, before anything is read.

        Raises:
            LibraryError: naming the size and the cap.
        """
        cap = self.settings.max_model_bytes
        if entry.info.weights_bytes > cap:
            raise LibraryError(
                f"{entry.name} has {human_bytes(entry.info.weights_bytes)} of weights, more than this "
                f"server's limit of {human_bytes(cap)} (VIZ_MAX_MODEL_GB)"
            )

    def family(self, entry: ModelEntry) -> Family:
        return FAMILIES[entry.family]

    def is_loaded(self, entry: ModelEntry) -> bool:
        return self.family(entry).registry.is_loaded(entry.folder)

    def load(self, entry: ModelEntry):
        """The entry's model through its family's registry (loaded once per process), after :meth:`check`."""
        self.check(entry)
        return self.family(entry).registry.load(entry.folder)


_libraries: dict[tuple[LibrarySettings, Path], Library] = {}
_libraries_lock = threading.Lock()


def library(settings: LibrarySettings | None = None) -> Library:
    """The library for the operator's settings (read from the environment when not given), one per process."""
    settings = settings or LibrarySettings.from_env()
    key = (settings, hf_cache_dir())
    with _libraries_lock:
        if key not in _libraries:
            _libraries[key] = Library(settings, key[1])
        return _libraries[key]
