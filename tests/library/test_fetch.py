"""``python -m viz fetch`` against the fake hub on 127.0.0.1: what is downloaded, where it lands, resuming, the
messages offline and for unknown names, and the fetched model offered by the library and running."""

from __future__ import annotations

import pytest

from viz.library import fetch as fetch_module
from viz.library.catalog import HF_CACHE, Library
from viz.library.fetch import CURATED, FetchError, fetch, files_to_fetch, repo_id_of
from viz.library.settings import LibrarySettings


@pytest.fixture
def online(monkeypatch):
    """The hub library as on a machine with internet access (the suite sets HF_HUB_OFFLINE=1)."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


def test_fetch_downloads_only_what_the_app_reads(tmp_path, hub, online):
    progress, before = [], len(hub.requests)  # the session's hub may have served others already
    folder = fetch(
        "lecturer/tiny-gpt2", cache_dir=tmp_path, endpoint=hub.url, report=lambda *a: progress.append(a)
    )
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]
    assert folder.parent.name == "snapshots" and folder.parents[1].name == "models--lecturer--tiny-gpt2"
    assert progress and progress[-1][0] == progress[-1][1] > 0  # bytes done == bytes in all, at the end
    fetched = [path for method, path in hub.requests[before:] if method == "GET" and "/resolve/" in path]
    assert not any(p.endswith(("README.md", "pytorch_model.bin")) for p in fetched)


def test_a_fetched_model_is_offered_and_runs(tmp_path, hub, online):
    from viz.trace.causal import trace_causal

    fetch("lecturer/tiny-gpt2", cache_dir=tmp_path, endpoint=hub.url)
    entry = Library(LibrarySettings(), tmp_path).get("lecturer/tiny-gpt2", "decoder")
    assert entry.source == HF_CACHE
    assert trace_causal("the cat", model=entry.folder, max_new_tokens=2).prompt_text == "the cat"


def test_a_second_fetch_reads_nothing_again(tmp_path, hub, online):
    fetch("lecturer/tiny-vit", cache_dir=tmp_path, endpoint=hub.url)
    before = len([r for r in hub.requests if r[0] == "GET" and "/resolve/" in r[1]])
    fetch("lecturer/tiny-vit", cache_dir=tmp_path, endpoint=hub.url)
    after = len([r for r in hub.requests if r[0] == "GET" and "/resolve/" in r[1]])
    assert after == before  # the cached files are kept, only their freshness is asked


def test_a_broken_download_resumes_from_where_it_stopped(tmp_path, online):
    """A download cut off mid-file asks for the rest (a byte range), not the whole file again."""
    import json

    import torch
    from safetensors.torch import load_file, save_file

    from tests.library.fake_hub import fake_hub

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "config.json").write_text(json.dumps({"model_type": "vit"}), encoding="utf-8")
    weights = {"w": torch.arange(3_200_000, dtype=torch.float32)}  # 12.8 MB: more than the hub's 10 MB chunks
    save_file(weights, str(repo / "model.safetensors"))
    with fake_hub({"lecturer/big": repo}) as server:
        server.fail_after_bytes = 11_000_000  # cut after the first chunk has reached the disk
        folder = fetch("lecturer/big", cache_dir=tmp_path / "cache", endpoint=server.url)
    [(name, start)] = server.resumed
    assert name == "model.safetensors" and 10_000_000 <= start <= 11_000_000
    torch.testing.assert_close(load_file(str(folder / "model.safetensors"))["w"], weights["w"])


def test_messages_offline_and_for_unknown_names(tmp_path, hub, online, monkeypatch):
    with pytest.raises(FetchError, match="the hub has no public model 'lecturer/none'"):
        fetch("lecturer/none", cache_dir=tmp_path, endpoint=hub.url)
    with pytest.raises(FetchError, match="could not download"):
        fetch("lecturer/tiny-bert", cache_dir=tmp_path, endpoint="http://127.0.0.1:9")  # nothing listens
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(FetchError, match="HF_HUB_OFFLINE is set"):
        fetch("gpt2", cache_dir=tmp_path, endpoint=hub.url)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["../etc", "a/b/c", "", "-x", "a b", "x" * 300])
def test_names_that_are_not_repositories_are_refused(name):
    with pytest.raises(FetchError, match="neither a short name"):
        repo_id_of(name)


def test_short_names_and_file_choice():
    assert repo_id_of("vit-base") == "google/vit-base-patch16-224" and repo_id_of("org/m") == "org/m"
    assert {c.family for c in CURATED} == {"text", "decoder", "vit", "swin"}
    assert files_to_fetch(["config.json", "pytorch_model.bin", "model.safetensors", "README.md"]) == [
        "config.json",
        "model.safetensors",
    ]
    assert files_to_fetch(["config.json", "vocab.txt", "pytorch_model.bin"]) == [
        "config.json",
        "vocab.txt",
        "pytorch_model.bin",
    ]


def test_the_command_line(tmp_path, hub, online, monkeypatch, capsys):
    from viz.__main__ import main

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(fetch_module, "fetch", _with_endpoint(hub.url))
    assert main(["fetch", "lecturer/tiny-swin"]) == 0
    assert "lecturer/tiny-swin: ready in" in capsys.readouterr().out
    assert main(["fetch", "lecturer/missing"]) == 1
    assert "the hub has no public model" in capsys.readouterr().err
    assert main(["models"]) == 0
    assert "lecturer/tiny-swin" in capsys.readouterr().out
    assert main(["fetch", "--list"]) == 0 and "google/vit-base-patch16-224" in capsys.readouterr().out


def _with_endpoint(url):
    real = fetch

    def call(name, cache_dir=None, report=None, endpoint=None):
        return real(name, cache_dir=cache_dir, report=report, endpoint=url)

    return call
