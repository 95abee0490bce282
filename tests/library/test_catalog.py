"""The library on a lecturer's Hugging Face cache (made by huggingface_hub from the fake hub) and on operator
folders: what is listed, in which order, with which facts; what a student can and cannot make it open; and
that every listed model runs, matching transformers on the same weights."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from tests.library.repos import REPOS
from viz.library.catalog import BUNDLED, HF_CACHE, OPERATOR, Library, LibraryError
from viz.library.families import FAMILIES
from viz.library.settings import LibrarySettings


def cache_library(cache, **settings) -> Library:
    return Library(LibrarySettings(**settings), cache)


def test_every_supported_cached_model_is_listed_after_the_bundled_ones(lecturer_cache):
    lib = cache_library(lecturer_cache)
    for repo_id, (family, _) in REPOS.items():
        if family is None:
            continue
        entries = lib.entries(family)
        n_bundled = len(FAMILIES[family].bundled)  # the decoder family ships two: English, letter reversal
        assert [e.source for e in entries[:n_bundled]] == [BUNDLED] * n_bundled
        assert [e.key for e in entries[:n_bundled]] == list(FAMILIES[family].bundled)
        assert [e.key for e in entries[n_bundled:]] == [repo_id]
        assert entries[n_bundled].source == HF_CACHE and entries[n_bundled].folder.parent.name == "snapshots"
    assert [info.model_type for info in lib.unsupported()] == ["t5"]
    assert all(e.family != "t5" for e in lib.entries())


def test_sizes_and_parameter_counts_are_the_files_own(lecturer_cache):
    for entry in cache_library(lecturer_cache).entries():
        weights = entry.folder / "model.safetensors"
        assert entry.info.weights_bytes == weights.stat().st_size  # the blob the snapshot links to
        assert entry.n_params == sum(t.numel() for t in load_file(str(weights)).values())
        assert entry.info.disk_bytes > entry.info.weights_bytes  # config, tokenizer, README
        assert entry.key in entry.label() or entry.name in entry.label()


def test_the_snapshot_named_by_refs_main_is_used(tmp_path, lecturer_cache):
    cache = tmp_path / "cache"
    shutil.copytree(lecturer_cache, cache, symlinks=True)
    repo = cache / "models--lecturer--tiny-vit"
    current = next((repo / "snapshots").iterdir())
    older = repo / "snapshots" / ("0" * 40)
    shutil.copytree(current, older, symlinks=True)
    os.utime(older, (2e9, 2e9))  # newer on disk, but refs/main names the other
    assert cache_library(cache).get("lecturer/tiny-vit", "vit").folder == current
    (repo / "refs" / "main").unlink()
    assert cache_library(cache).get("lecturer/tiny-vit", "vit").folder == older


def test_operator_folders_a_model_a_folder_of_models_and_a_copied_cache(tmp_path, lecturer_cache, repos):
    single = repos["lecturer/tiny-bert"]
    shelf = tmp_path / "shelf"
    shutil.copytree(repos["lecturer/tiny-gpt2"], shelf / "my-gpt2")
    shutil.copytree(
        lecturer_cache / "models--lecturer--tiny-swin", shelf / "models--lecturer--tiny-swin", symlinks=True
    )
    (shelf / "notes").mkdir()  # not a model: ignored
    lib = cache_library(tmp_path / "no-cache", dirs=(single, shelf))
    assert [e.key for e in lib.entries("text")] == ["minilm", "folder:" + single.name]
    assert [e.key for e in lib.entries("decoder")] == ["kjv", "char-reverse", "folder:my-gpt2"]
    assert [e.key for e in lib.entries("swin")] == ["shapes-swin", "folder:lecturer/tiny-swin"]
    assert all(e.source == OPERATOR for e in lib.entries() if e.key.startswith("folder:"))


def test_the_cache_is_not_scanned_when_the_operator_says_so(lecturer_cache):
    assert [e.source for e in cache_library(lecturer_cache, scan_hf_cache=False).entries()] == [BUNDLED] * 5


@pytest.mark.parametrize("key", ["/etc", "../../etc/passwd", "path:/etc", "folder:../x", "<b>x</b>", "gpt2"])
def test_a_key_the_library_does_not_list_is_refused_without_reading_it(lecturer_cache, key):
    with pytest.raises(LibraryError) as err:
        cache_library(lecturer_cache).get(key, "text")
    assert str(lecturer_cache) not in str(err.value)
    if key.startswith("path:"):
        assert "switched off" in str(err.value)


def test_typed_paths_only_where_the_operator_allows_them(lecturer_cache, repos):
    folder = repos["lecturer/tiny-vit"]
    with pytest.raises(LibraryError, match="switched off"):
        cache_library(lecturer_cache).typed(str(folder), "vit")
    lib = cache_library(lecturer_cache, allow_paths=True)
    entry = lib.typed(str(folder), "vit")
    assert entry.folder == folder.resolve() and lib.get(entry.key, "vit") == entry
    with pytest.raises(LibraryError, match="not a Swin Transformer"):
        lib.typed(str(folder), "swin")
    with pytest.raises(LibraryError, match="not a folder holding a config.json"):
        lib.typed("/nonexistent", "vit")


def test_the_size_cap_refuses_before_anything_is_read(lecturer_cache, monkeypatch):
    lib = cache_library(lecturer_cache, max_model_gb=50e-6)  # 50 kB: the tiny ViT has 100 kB of weights
    entry = lib.get("lecturer/tiny-vit", "vit")
    from viz.models.vit import registry

    monkeypatch.setattr(registry.REGISTRY, "_loader", lambda *a: pytest.fail("weights were read"))
    with pytest.raises(LibraryError, match=r"more than this server's limit of 50 kB \(VIZ_MAX_MODEL_GB\)"):
        lib.load(entry)


def test_cached_text_encoder_runs_as_transformers_does(lecturer_cache):
    from transformers import AutoModel, AutoTokenizer

    from viz.trace.sentence import trace_sentence

    entry = cache_library(lecturer_cache).get("lecturer/tiny-bert", "text")
    text = "the cat sat on the mat and it was tired."
    trace = trace_sentence(text, model=entry.folder)
    tokenizer = AutoTokenizer.from_pretrained(entry.folder)
    ids = tokenizer(text, return_tensors="pt")
    assert trace.token_ids.tolist() == ids["input_ids"][0].tolist()
    ref = AutoModel.from_pretrained(entry.folder, attn_implementation="eager").eval()
    with torch.no_grad():
        out = ref(**ids, output_attentions=True, output_hidden_states=True)
    np.testing.assert_allclose(trace.attentions, torch.stack(out.attentions)[:, 0].numpy(), atol=1e-4)
    np.testing.assert_allclose(trace.hidden_states, torch.stack(out.hidden_states)[:, 0].numpy(), atol=1e-4)


def test_cached_gpt2_continues_as_transformers_does(lecturer_cache):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from viz.trace.causal import trace_causal

    entry = cache_library(lecturer_cache).get("lecturer/tiny-gpt2", "decoder")
    trace = trace_causal("the cat sat on", model=entry.folder, max_new_tokens=4)
    tokenizer = AutoTokenizer.from_pretrained(entry.folder)
    ref = AutoModelForCausalLM.from_pretrained(entry.folder, attn_implementation="eager").eval()
    ids = tokenizer("the cat sat on", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        greedy = ref.generate(ids, max_new_tokens=4, do_sample=False, pad_token_id=0)
        out = ref(greedy[:, :-1], output_attentions=True)
    assert trace.prompt_text == "the cat sat on"
    assert trace.generated == tokenizer.decode(greedy[0, ids.shape[1] :])
    np.testing.assert_allclose(trace.attentions, torch.stack(out.attentions)[:, 0].numpy(), atol=1e-4)


def test_cached_vit_and_swin_classify_as_transformers_does(lecturer_cache):
    from transformers import AutoModelForImageClassification

    from viz.data.shapes import make_shape
    from viz.trace.swin import trace_swin
    from viz.trace.vit import trace_image

    lib = cache_library(lecturer_cache)
    image = make_shape(np.random.default_rng(0), None, size=64).image
    for family, repo_id, trace_of in (
        ("vit", "lecturer/tiny-vit", trace_image),
        ("swin", "lecturer/tiny-swin", trace_swin),
    ):
        entry = lib.get(repo_id, family)
        model = lib.load(entry)
        trace = trace_of(image, model=entry.folder)
        ref = AutoModelForImageClassification.from_pretrained(
            entry.folder, attn_implementation="eager"
        ).eval()
        pixels = model.normalize(torch.tensor(trace.image).permute(2, 0, 1)[None].float() / 255)
        with torch.no_grad():
            logits = ref(pixel_values=pixels).logits[0].numpy()
        np.testing.assert_allclose(trace.logits, logits, atol=1e-4)
        assert trace.labels == [ref.config.id2label[i] for i in range(ref.config.num_labels)]
