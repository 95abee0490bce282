"""What the server's operator decides about models: read from environment variables, then from an optional
TOML file (``VIZ_CONFIG``, default ``viz.toml`` in the working folder, section ``[models]``).

============================  ==========================  ============================================
environment variable          ``[models]`` key             meaning (default)
============================  ==========================  ============================================
``VIZ_MODEL_DIRS``            ``dirs`` (a list)            model folders, or folders of model folders,
                                                           separated by ``os.pathsep`` (none)
``VIZ_SCAN_HF_CACHE``         ``scan_hf_cache``            offer the Hugging Face cache's models (on)
``VIZ_ALLOW_PATHS``           ``allow_paths``              let users type a folder path (off)
``VIZ_ALLOW_DOWNLOADS``       ``allow_downloads``          a Download button on the library page (off)
``VIZ_MAX_MODEL_GB``          ``max_model_gb``             largest weights a model may have (1.5 GB)
============================  ==========================  ============================================

An environment variable wins over the file (``VIZ_GPT2_FOLDER``, the older switch for one GPT-2 folder, is
added to the folders). The file is the operator's, never a user's.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path

CONFIG_ENV = "VIZ_CONFIG"
DEFAULT_CONFIG = "viz.toml"
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


@dataclasses.dataclass(frozen=True)
class LibrarySettings:
    """The operator's choices (see the module's table)."""

    dirs: tuple[Path, ...] = ()
    scan_hf_cache: bool = True
    allow_paths: bool = False
    allow_downloads: bool = False
    max_model_gb: float = 1.5

    @property
    def max_model_bytes(self) -> int:
        return int(self.max_model_gb * 1e9)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> LibrarySettings:
        """The settings from ``environ`` (default ``os.environ``) over the TOML file it names.

        Raises:
            ValueError: for a setting that is not of its kind (a number, a yes/no), naming it.
        """
        env = os.environ if environ is None else environ
        values = _from_file(Path(env.get(CONFIG_ENV) or DEFAULT_CONFIG), explicit=bool(env.get(CONFIG_ENV)))
        for field, var in (
            ("dirs", "VIZ_MODEL_DIRS"),
            ("scan_hf_cache", "VIZ_SCAN_HF_CACHE"),
            ("allow_paths", "VIZ_ALLOW_PATHS"),
            ("allow_downloads", "VIZ_ALLOW_DOWNLOADS"),
            ("max_model_gb", "VIZ_MAX_MODEL_GB"),
        ):
            if var in env:
                values[field] = [p for p in env[var].split(os.pathsep) if p] if field == "dirs" else env[var]
        dirs = list(values.get("dirs", ()))
        if env.get("VIZ_GPT2_FOLDER"):  # the older switch for one GPT-2 folder: listed like the others
            dirs.append(env["VIZ_GPT2_FOLDER"])
        return cls(
            dirs=tuple(Path(p).expanduser() for p in dirs),
            scan_hf_cache=_flag(values, "scan_hf_cache", True),
            allow_paths=_flag(values, "allow_paths", False),
            allow_downloads=_flag(values, "allow_downloads", False),
            max_model_gb=_number(values, "max_model_gb", 1.5),
        )


def _from_file(path: Path, explicit: bool) -> dict:
    if not path.is_file():
        if explicit:
            raise ValueError(f"{CONFIG_ENV} names {path}, which is not a file")
        return {}
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get("models", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} is not valid TOML: {err}") from None
    if not isinstance(section, dict):
        raise ValueError(f"{path}: [models] must be a table")
    dirs = section.get("dirs", [])
    if isinstance(dirs, str):
        dirs = [dirs]
    if not (isinstance(dirs, list) and all(isinstance(d, str) for d in dirs)):
        raise ValueError(f"{path}: models.dirs must be a list of folder paths")
    return {**section, "dirs": dirs}


def _flag(values: dict, name: str, default: bool) -> bool:
    value = values.get(name, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"setting {name} must be yes or no (1/0, true/false), not {value!r}")


def _number(values: dict, name: str, default: float) -> float:
    try:
        number = float(values.get(name, default))
    except (TypeError, ValueError):
        raise ValueError(f"setting {name} must be a number, not {values.get(name)!r}") from None
    if not number > 0 or number == float("inf"):
        raise ValueError(f"setting {name} must be a positive number, not {values.get(name)!r}")
    return number
