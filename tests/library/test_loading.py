"""Background loads: one job per folder, its progress in weight bytes read, a clear failure, and a model
over the cap refused before a thread starts."""

from __future__ import annotations

import shutil

import pytest

from viz.library import loading
from viz.library.catalog import Library, LibraryError
from viz.library.settings import LibrarySettings


@pytest.fixture(autouse=True)
def fresh_jobs():
    loading.forget()
    yield
    loading.forget()


def test_a_background_load_reports_every_weight_byte(tmp_path, lecturer_cache):
    cache = tmp_path / "cache"
    shutil.copytree(lecturer_cache, cache, symlinks=True)  # its own folder: not loaded by another test
    lib = Library(LibrarySettings(), cache)
    entry = lib.get("lecturer/tiny-vit", "vit")
    assert not lib.is_loaded(entry)
    job = loading.request(lib, entry)
    assert loading.request(lib, entry) is job  # a second request joins the first
    assert loading.wait(job, 60) and job.state == "ready", job.error
    tensor_bytes = (
        entry.info.weights_bytes
        - 8
        - int.from_bytes((entry.folder / "model.safetensors").read_bytes()[:8], "little")
    )
    assert job.bytes_read == tensor_bytes and job.fraction == 1.0  # the file less its header
    assert lib.is_loaded(entry) and loading.request(lib, entry).state == "ready"


def test_a_broken_folder_fails_with_its_reason(tmp_path, repos):
    folder = tmp_path / "broken"
    shutil.copytree(repos["lecturer/tiny-vit"], folder)
    (folder / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{garbage")
    lib = Library(LibrarySettings(dirs=(folder,), scan_hf_cache=False), tmp_path / "none")
    job = loading.request(lib, lib.get("folder:broken", "vit"))
    assert loading.wait(job, 60) and job.state == "failed"
    assert "could not be read as safetensors" in job.error


def test_a_model_over_the_cap_is_refused_at_once(lecturer_cache):
    lib = Library(LibrarySettings(max_model_gb=1e-6), lecturer_cache)
    with pytest.raises(LibraryError, match=r"88 kB of weights, more than this server.s limit of 1.0 kB"):
        loading.request(lib, lib.get("lecturer/tiny-bert", "text"))
