"""Finding model folders on disk and reading what a chooser shows about them, without loading any weights.

A folder is a model when it holds a ``config.json``. What is read: its ``model_type`` (a bounded JSON read),
the size of its files, and its parameter count from the safetensors headers (the first bytes of each file:
no tensor is read). Two layouts are scanned: a folder of model folders (what an operator lists), and the
Hugging Face cache (``models--<org>--<name>/snapshots/<revision>/``, files linked to ``blobs/``).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from pathlib import Path

from viz.core.hf_folder import safetensors_files

MAX_CONFIG_BYTES = 1 << 20  # a config.json is a few kB; anything larger is not read
MAX_HEADER_BYTES = 100 << 20  # the safetensors format's own limit on its JSON header
MAX_FOLDERS = 500  # per scanned folder: a huge cache or dump is listed in part, not walked for minutes
WEIGHT_SUFFIXES = (".safetensors", ".bin")


@dataclasses.dataclass(frozen=True)
class FolderInfo:
    """What is known of a model folder before it is loaded."""

    folder: Path
    model_type: str  # "" when config.json names none
    architectures: tuple[str, ...]
    disk_bytes: int  # every file of the folder (links followed)
    weights_bytes: int  # the weight files the app would read
    n_params: int | None  # from the safetensors headers; None without safetensors


def read_config(folder: Path) -> dict | None:
    """``folder/config.json`` as a dict, or None when absent, oversized or not a JSON object."""
    path = folder / "config.json"
    try:
        if not path.is_file() or path.stat().st_size > MAX_CONFIG_BYTES:
            return None
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return raw if isinstance(raw, dict) else None


def safetensors_params(path: Path) -> int | None:
    """The number of values in a safetensors file, from its header; None if the header is unreadable."""
    try:
        with path.open("rb") as file:
            size = int.from_bytes(file.read(8), "little")
            if not 0 < size <= MAX_HEADER_BYTES:
                return None
            header = json.loads(file.read(size))
        return sum(math.prod(spec["shape"]) for name, spec in header.items() if name != "__metadata__")
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def weight_files(folder: Path) -> list[Path]:
    """The files the app reads weights from: the safetensors file or shards, else ``pytorch_model.bin``."""
    try:
        files = safetensors_files(folder)
    except ValueError:  # a damaged shard index: the load will say why
        files = []
    if not files and (folder / "pytorch_model.bin").is_file():
        files = [folder / "pytorch_model.bin"]
    return files


def folder_info(folder: Path) -> FolderInfo | None:
    """The facts of a model folder; None when it has no readable config.json."""
    raw = read_config(folder)
    if raw is None:
        return None
    files = weight_files(folder)
    counts = [safetensors_params(f) for f in files if f.suffix == ".safetensors"]
    architectures = raw.get("architectures") or ()
    return FolderInfo(
        folder=folder,
        model_type=str(raw.get("model_type") or ""),
        architectures=tuple(str(a) for a in architectures) if isinstance(architectures, list) else (),
        disk_bytes=_disk_bytes(folder),
        weights_bytes=sum(_size(f) for f in files),
        n_params=sum(counts) if counts and None not in counts else None,
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _disk_bytes(folder: Path) -> int:
    try:
        return sum(_size(p) for p in folder.iterdir() if p.is_file())
    except OSError:
        return 0


def model_folders(root: Path) -> list[tuple[str, Path]]:
    """(name, folder) of the models under an operator's folder: the folder itself when it is a model, else
    its sub-folders that are models, and the snapshots of a Hugging Face cache kept there."""
    if (root / "config.json").is_file():
        return [(root.name, root)]
    found = []
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir())[:MAX_FOLDERS]
    except OSError:
        return []
    for child in children:
        if child.name.startswith("models--"):
            snapshot = cache_snapshot(child)
            if snapshot is not None:
                found.append((repo_id(child), snapshot))
        elif (child / "config.json").is_file():
            found.append((child.name, child))
    return found


def hf_cache_dir(environ: dict[str, str] | None = None) -> Path:
    """Where ``huggingface_hub`` keeps models: ``HF_HUB_CACHE``, else ``HF_HOME/hub``, else
    ``$XDG_CACHE_HOME/huggingface/hub`` (``~/.cache`` by default)."""
    env = os.environ if environ is None else environ
    if env.get("HF_HUB_CACHE"):
        return Path(env["HF_HUB_CACHE"]).expanduser()
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]).expanduser() / "hub"
    return Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "huggingface" / "hub"


def repo_id(repo_folder: Path) -> str:
    """``models--google--vit-base-patch16-224`` -> ``google/vit-base-patch16-224``."""
    return repo_folder.name.removeprefix("models--").replace("--", "/")


def cache_snapshot(repo_folder: Path) -> Path | None:
    """The snapshot a cached repository's ``refs/main`` names, else its newest with a config.json."""
    snapshots = repo_folder / "snapshots"
    ref = repo_folder / "refs" / "main"
    try:
        if ref.is_file():
            revision = ref.read_text(encoding="utf-8").strip()
            if (
                revision
                and Path(revision).name == revision
                and (snapshots / revision / "config.json").is_file()
            ):
                return snapshots / revision
        candidates = [p for p in snapshots.iterdir() if (p / "config.json").is_file()]
    except (OSError, UnicodeDecodeError):
        return None
    return max(candidates, key=lambda p: p.stat().st_mtime) if candidates else None


def cached_models(cache: Path) -> list[tuple[str, Path]]:
    """(repo id, snapshot folder) of every model in a Hugging Face cache."""
    try:
        repos = sorted(p for p in cache.iterdir() if p.is_dir() and p.name.startswith("models--"))
    except OSError:
        return []
    found = []
    for repo in repos[:MAX_FOLDERS]:
        snapshot = cache_snapshot(repo)
        if snapshot is not None:
            found.append((repo_id(repo), snapshot))
    return found
