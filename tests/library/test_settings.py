"""The operator's settings: environment variables over an optional TOML file, bad values refused by name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from viz.library.settings import LibrarySettings


def test_defaults_are_safe_for_a_shared_server(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no viz.toml here
    settings = LibrarySettings.from_env({})
    assert settings == LibrarySettings()
    assert not settings.allow_paths and not settings.allow_downloads and settings.scan_hf_cache
    assert settings.max_model_bytes == 1_500_000_000


def test_environment_variables(tmp_path):
    env = {
        "VIZ_MODEL_DIRS": os.pathsep.join([str(tmp_path / "a"), "~/b", ""]),
        "VIZ_ALLOW_PATHS": "yes",
        "VIZ_ALLOW_DOWNLOADS": "1",
        "VIZ_SCAN_HF_CACHE": "off",
        "VIZ_MAX_MODEL_GB": "0.5",
        "VIZ_GPT2_FOLDER": str(tmp_path / "gpt2"),
    }
    settings = LibrarySettings.from_env(env)
    assert settings.dirs == (tmp_path / "a", Path("~/b").expanduser(), tmp_path / "gpt2")
    assert settings.allow_paths and settings.allow_downloads and not settings.scan_hf_cache
    assert settings.max_model_bytes == 500_000_000


def test_a_toml_file_under_the_environment(tmp_path):
    config = tmp_path / "viz.toml"
    config.write_text(
        '[models]\ndirs = ["/srv/models"]\nallow_paths = true\nmax_model_gb = 3\n', encoding="utf-8"
    )
    settings = LibrarySettings.from_env({"VIZ_CONFIG": str(config), "VIZ_MAX_MODEL_GB": "2"})
    assert settings.dirs == (Path("/srv/models"),) and settings.allow_paths and settings.max_model_gb == 2.0


@pytest.mark.parametrize(
    "env, message",
    [
        ({"VIZ_ALLOW_PATHS": "maybe"}, "allow_paths must be yes or no"),
        ({"VIZ_MAX_MODEL_GB": "big"}, "max_model_gb must be a number"),
        ({"VIZ_MAX_MODEL_GB": "-1"}, "must be a positive number"),
        ({"VIZ_MAX_MODEL_GB": "inf"}, "must be a positive number"),
        ({"VIZ_CONFIG": "/nonexistent/viz.toml"}, "not a file"),
    ],
)
def test_bad_settings_are_refused_by_name(env, message):
    with pytest.raises(ValueError, match=message):
        LibrarySettings.from_env(env)


def test_a_broken_toml_file_is_named(tmp_path):
    config = tmp_path / "viz.toml"
    config.write_text("[models\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid TOML"):
        LibrarySettings.from_env({"VIZ_CONFIG": str(config)})
    config.write_text("[models]\ndirs = 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="dirs must be a list"):
        LibrarySettings.from_env({"VIZ_CONFIG": str(config)})
